/* The pod sandbox's process: it holds the pod's namespaces open and does nothing else. As PID 1 of
 * the sandbox it exits on SIGINT and SIGTERM (the runtime's stop) and reaps any zombie handed to it,
 * so a pod that shares its PID namespace never fills with defunct children. Built statically, so its
 * image is this one file. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void stop(int sig) {
  (void)sig;
  _exit(0);
}

static void reap(int sig) {
  (void)sig;
  int saved = errno;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
  errno = saved;
}

static int on(int sig, void (*handler)(int)) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = sig == SIGCHLD ? SA_NOCLDSTOP | SA_RESTART : 0;
  return sigaction(sig, &sa, NULL);
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "-v") == 0) {
    puts("kguardian pause " PAUSE_VERSION);
    return 0;
  }
  if (on(SIGINT, stop) || on(SIGTERM, stop) || on(SIGCHLD, reap)) {
    perror("pause: sigaction");
    return 1;
  }
  /* After the handlers: once this line is out, a SIGTERM is an exit 0. */
  if (getpid() != 1) fputs("pause: warning: not running as PID 1\n", stderr);
  for (;;) pause();
}
