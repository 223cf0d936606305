/*
 * tcp-server PORT [THREADS]: THREADS accept loops (default 2), each with its own SO_REUSEPORT
 * listener on [::]:PORT (dual-stack), accepting and closing as fast as the kernel hands
 * connections over. A plain close (FIN), so the client sees its handshake succeed; the client's
 * RST then ends the connection without TIME_WAIT on either side. Prints {"listening":PORT} when every listener is up and, on SIGTERM or
 * SIGINT, {"accepted":N} after one last drain of the accept queues. Every accepted connection
 * completed its handshake at the server, so it owes exactly one inbound record.
 */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>
#include "loadgen.h"

#define MAX_THREADS 64

static atomic_bool stopping;

struct acceptor {
	pthread_t thread;
	int lfd;
	uint64_t accepted;
};

static int listen_on(int port)
{
	struct sockaddr_in6 addr = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port), .sin6_addr = IN6ADDR_ANY_INIT };
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1, zero = 0;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, 65535) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void drain(struct acceptor *a)
{
	for (;;) {
		int fd = accept4(a->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return; /* EAGAIN: queue empty */
		}
		a->accepted++;
		close(fd);
	}
}

static void *acceptor_main(void *arg)
{
	struct acceptor *a = arg;
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = a->lfd };
	int epfd = epoll_create1(EPOLL_CLOEXEC);

	epoll_ctl(epfd, EPOLL_CTL_ADD, a->lfd, &ev);
	while (!atomic_load(&stopping)) {
		if (epoll_wait(epfd, &ev, 1, 100) > 0)
			drain(a);
	}
	drain(a);
	close(epfd);
	return NULL;
}

int cmd_tcp_server(int argc, char **argv)
{
	struct acceptor acceptors[MAX_THREADS] = { 0 };
	int port = argc > 0 ? atoi(argv[0]) : 0;
	int threads = argc > 1 ? atoi(argv[1]) : 2;

	if (port <= 0 || port > 65535 || threads < 1 || threads > MAX_THREADS) {
		fprintf(stderr, "usage: kg-loadgen tcp-server PORT [THREADS 1..%d]\n", MAX_THREADS);
		return 2;
	}
	raise_fd_limit();
	block_stop_signals();
	for (int i = 0; i < threads; i++) {
		acceptors[i].lfd = listen_on(port);
		if (acceptors[i].lfd < 0) {
			perror("kg-loadgen tcp-server: failed to listen");
			return 1;
		}
	}
	for (int i = 0; i < threads; i++)
		pthread_create(&acceptors[i].thread, NULL, acceptor_main, &acceptors[i]);
	printf("{\"listening\":%d}\n", port);
	fflush(stdout);
	wait_stop_signal();
	atomic_store(&stopping, true);
	uint64_t total = 0;
	for (int i = 0; i < threads; i++) {
		pthread_join(acceptors[i].thread, NULL);
		total += acceptors[i].accepted;
		close(acceptors[i].lfd);
	}
	printf("{\"accepted\":%llu}\n", (unsigned long long)total);
	return 0;
}
