/*
 * tcp-rate HOST PORT RATE SECONDS [THREADS]: opens RATE new TCP connections per second for
 * SECONDS, spread over THREADS threads (default 2), each with non-blocking connects watched by
 * its own epoll. A connection counts as established when the handshake completes (SO_ERROR 0);
 * it is then closed with RST. TCP_SYNCNT 1 bounds a lost handshake to ~3 s, so the run ends
 * shortly after SECONDS with every attempt settled: established, refused or failed.
 * Prints {"established":N,"refused":N,"failed":N,"seconds":S,"stalls":N}; "stalls" counts the
 * times a thread could not keep to its schedule because MAX_INFLIGHT handshakes were pending.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>
#include "loadgen.h"

#define MAX_INFLIGHT 4096
#define MAX_THREADS 64

struct client {
	pthread_t thread;
	const struct dest *dst;
	double rate;
	uint64_t start_ns;
	uint64_t end_ns;
	uint64_t established, refused, failed, stalls;
};

/* Starts one non-blocking connect; returns 1 if pending in epoll, 0 if already settled. */
static int open_one(struct client *c, int epfd)
{
	int fd = socket(c->dst->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;

	if (fd < 0) {
		c->failed++;
		return 0;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_SYNCNT, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)&c->dst->addr, c->dst->len) == 0) {
		c->established++;
		close_rst(fd);
		return 0;
	}
	if (errno != EINPROGRESS) {
		if (errno == ECONNREFUSED)
			c->refused++;
		else
			c->failed++;
		close(fd);
		return 0;
	}
	struct epoll_event ev = { .events = EPOLLOUT, .data.fd = fd };
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
		c->failed++;
		close_rst(fd);
		return 0;
	}
	return 1;
}

static void settle(struct client *c, int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	/* ECONNRESET: the handshake completed and the server reset it before we looked (a refused
	 * handshake is ECONNREFUSED), so it was established. */
	if (err == 0 || err == ECONNRESET)
		c->established++;
	else if (err == ECONNREFUSED)
		c->refused++;
	else
		c->failed++;
	close_rst(fd);
}

static void *client_main(void *arg)
{
	struct client *c = arg;
	struct epoll_event evs[256];
	uint64_t started = 0;
	int inflight = 0;
	int epfd = epoll_create1(EPOLL_CLOEXEC);

	for (;;) {
		uint64_t now = now_ns();
		if (now < c->end_ns) {
			uint64_t due = (uint64_t)((double)(now - c->start_ns) / 1e9 * c->rate);
			for (; started < due; started++) {
				if (inflight >= MAX_INFLIGHT) {
					c->stalls++;
					break;
				}
				inflight += open_one(c, epfd);
			}
		} else if (inflight == 0) {
			break;
		}
		int n = epoll_wait(epfd, evs, 256, 1);
		for (int i = 0; i < n; i++) {
			epoll_ctl(epfd, EPOLL_CTL_DEL, evs[i].data.fd, NULL);
			settle(c, evs[i].data.fd);
			inflight--;
		}
	}
	close(epfd);
	return NULL;
}

int cmd_tcp_rate(int argc, char **argv)
{
	struct dest dst;
	struct client clients[MAX_THREADS] = { 0 };

	if (argc < 4 || parse_dest(argv[0], argv[1], &dst) != 0) {
		fprintf(stderr, "usage: kg-loadgen tcp-rate HOST PORT RATE SECONDS [THREADS]\n");
		return 2;
	}
	double rate = strtod(argv[2], NULL);
	double seconds = strtod(argv[3], NULL);
	int threads = argc > 4 ? atoi(argv[4]) : 2;
	if (rate <= 0 || seconds <= 0 || threads < 1 || threads > MAX_THREADS) {
		fprintf(stderr, "kg-loadgen tcp-rate: RATE and SECONDS must be positive, THREADS 1..%d\n", MAX_THREADS);
		return 2;
	}
	raise_fd_limit();
	uint64_t start = now_ns();
	for (int i = 0; i < threads; i++) {
		clients[i] = (struct client){ .dst = &dst, .rate = rate / threads, .start_ns = start,
					      .end_ns = start + (uint64_t)(seconds * 1e9) };
		pthread_create(&clients[i].thread, NULL, client_main, &clients[i]);
	}
	uint64_t est = 0, ref = 0, fail = 0, stall = 0;
	for (int i = 0; i < threads; i++) {
		pthread_join(clients[i].thread, NULL);
		est += clients[i].established;
		ref += clients[i].refused;
		fail += clients[i].failed;
		stall += clients[i].stalls;
	}
	printf("{\"established\":%llu,\"refused\":%llu,\"failed\":%llu,\"seconds\":%.3f,\"stalls\":%llu}\n",
	       (unsigned long long)est, (unsigned long long)ref, (unsigned long long)fail,
	       (double)(now_ns() - start) / 1e9, (unsigned long long)stall);
	return 0;
}
