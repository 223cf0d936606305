/*
 * tcp-syn-timeout HOST PORT COUNT: opens COUNT non-blocking TCP connects at once, each with
 * TCP_SYNCNT 1, and waits until every one has failed or connected. With the SYNs dropped, each
 * socket is closed by the kernel's own retransmission timer (~3 s: the SYN, one retry, then
 * ETIMEDOUT), in softirq context on the CPU that armed it, not by the process: the case a
 * tracing hook can miss when that softirq interrupts another BPF program on the same CPU.
 * Prints {"ports":[...],"timedOut":N,"refused":N,"established":N,"other":N}.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "loadgen.h"

#define MAX_SOCKETS 1024

int cmd_tcp_syn_timeout(int argc, char **argv)
{
	struct dest dst;
	struct pollfd fds[MAX_SOCKETS];
	int ports[MAX_SOCKETS];
	long count = argc == 3 ? strtol(argv[2], NULL, 10) : 0;
	int timed_out = 0, refused = 0, established = 0, other = 0, pending = 0;

	if (argc != 3 || parse_dest(argv[0], argv[1], &dst) != 0 || count < 1 || count > MAX_SOCKETS) {
		fprintf(stderr, "usage: kg-loadgen tcp-syn-timeout HOST PORT COUNT(1..%d)\n", MAX_SOCKETS);
		return 2;
	}
	for (long i = 0; i < count; i++) {
		int fd = socket(dst.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		int one = 1;
		struct sockaddr_storage local;
		socklen_t len = sizeof(local);

		if (fd < 0 || setsockopt(fd, IPPROTO_TCP, TCP_SYNCNT, &one, sizeof(one)) != 0) {
			perror("kg-loadgen: socket");
			return 1;
		}
		if (connect(fd, (const struct sockaddr *)&dst.addr, dst.len) != 0 && errno != EINPROGRESS) {
			perror("kg-loadgen: connect");
			return 1;
		}
		getsockname(fd, (struct sockaddr *)&local, &len);
		ports[i] = ntohs(local.ss_family == AF_INET ? ((struct sockaddr_in *)&local)->sin_port
							     : ((struct sockaddr_in6 *)&local)->sin6_port);
		fds[i] = (struct pollfd){ .fd = fd, .events = POLLOUT };
		pending++;
	}
	while (pending > 0) {
		if (poll(fds, (nfds_t)count, 30000) <= 0) {
			fprintf(stderr, "kg-loadgen: %d connects still pending after 30 s\n", pending);
			return 1;
		}
		for (long i = 0; i < count; i++) {
			if (fds[i].fd < 0 || !fds[i].revents)
				continue;
			int err = 0;
			socklen_t len = sizeof(err);

			getsockopt(fds[i].fd, SOL_SOCKET, SO_ERROR, &err, &len);
			if (err == 0)
				established++;
			else if (err == ETIMEDOUT)
				timed_out++;
			else if (err == ECONNREFUSED)
				refused++;
			else
				other++;
			close(fds[i].fd);
			fds[i].fd = -1;
			pending--;
		}
	}
	printf("{\"ports\":[");
	for (long i = 0; i < count; i++)
		printf("%s%d", i ? "," : "", ports[i]);
	printf("],\"timedOut\":%d,\"refused\":%d,\"established\":%d,\"other\":%d}\n", timed_out, refused, established, other);
	return 0;
}
