/*
 * udp-rate HOST PORT RATE SECONDS: RATE datagrams per second on one flow (one unconnected
 * socket, sendmmsg in batches of up to 64, paced every millisecond). Prints
 * {"localPort":P,"sent":N,"seconds":S}; "sent" counts datagrams the kernel accepted.
 * udp-sink PORT: reads and discards datagrams on [::]:PORT; prints {"listening":PORT}, then
 * {"received":N} on SIGTERM or SIGINT.
 */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "loadgen.h"

#define BATCH 64

static int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return 0;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

int cmd_udp_rate(int argc, char **argv)
{
	static char payload[32] = "kguardian-udp-flood";
	struct dest dst;
	struct mmsghdr msgs[BATCH];
	struct iovec iov = { .iov_base = payload, .iov_len = sizeof(payload) };

	if (argc < 4 || parse_dest(argv[0], argv[1], &dst) != 0) {
		fprintf(stderr, "usage: kg-loadgen udp-rate HOST PORT RATE SECONDS\n");
		return 2;
	}
	double rate = strtod(argv[2], NULL);
	double seconds = strtod(argv[3], NULL);
	int fd = socket(dst.addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || rate <= 0 || seconds <= 0) {
		fprintf(stderr, "kg-loadgen udp-rate: RATE and SECONDS must be positive and a socket must open\n");
		return 2;
	}
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++)
		msgs[i].msg_hdr = (struct msghdr){ .msg_name = &dst.addr, .msg_namelen = dst.len, .msg_iov = &iov, .msg_iovlen = 1 };
	uint64_t start = now_ns(), end = start + (uint64_t)(seconds * 1e9), sent = 0, now;
	while ((now = now_ns()) < end) {
		uint64_t due = (uint64_t)((double)(now - start) / 1e9 * rate);
		if (due <= sent) {
			sleep_ns(1000000);
			continue;
		}
		unsigned int n = due - sent > BATCH ? BATCH : (unsigned int)(due - sent);
		int ok = sendmmsg(fd, msgs, n, 0);
		if (ok > 0)
			sent += (uint64_t)ok;
		else if (errno == ENOBUFS || errno == EAGAIN)
			sleep_ns(100000);
	}
	printf("{\"localPort\":%d,\"sent\":%llu,\"seconds\":%.3f}\n", local_port(fd), (unsigned long long)sent,
	       (double)(now_ns() - start) / 1e9);
	close(fd);
	return 0;
}

static atomic_bool sink_stopping;
static atomic_ullong sink_received;

static void *sink_main(void *arg)
{
	int fd = *(int *)arg;
	static char bufs[BATCH][64];
	struct iovec iovs[BATCH];
	struct mmsghdr msgs[BATCH];
	struct timeval tv = { .tv_sec = 0, .tv_usec = 100000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (int i = 0; i < BATCH; i++) {
		iovs[i] = (struct iovec){ .iov_base = bufs[i], .iov_len = sizeof(bufs[i]) };
		msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iovs[i], .msg_iovlen = 1 } };
	}
	while (!atomic_load(&sink_stopping)) {
		int n = recvmmsg(fd, msgs, BATCH, 0, NULL);
		if (n > 0)
			atomic_fetch_add(&sink_received, (unsigned long long)n);
	}
	return NULL;
}

int cmd_udp_sink(int argc, char **argv)
{
	int port = argc > 0 ? atoi(argv[0]) : 0;
	struct sockaddr_in6 addr = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port), .sin6_addr = IN6ADDR_ANY_INIT };
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0), zero = 0, big = 8 << 20;
	pthread_t thread;

	if (port <= 0 || port > 65535 || fd < 0) {
		fprintf(stderr, "usage: kg-loadgen udp-sink PORT\n");
		return 2;
	}
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		perror("kg-loadgen udp-sink: failed to bind");
		return 1;
	}
	block_stop_signals();
	pthread_create(&thread, NULL, sink_main, &fd);
	printf("{\"listening\":%d}\n", port);
	fflush(stdout);
	wait_stop_signal();
	atomic_store(&sink_stopping, true);
	pthread_join(thread, NULL);
	printf("{\"received\":%llu}\n", (unsigned long long)atomic_load(&sink_received));
	close(fd);
	return 0;
}
