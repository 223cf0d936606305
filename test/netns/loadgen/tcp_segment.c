/*
 * kg-loadgen tcp-segment HOST PORT FLAGS [SRC_PORT]: sends one hand-made TCP segment (raw socket)
 * with FLAGS (letters: S syn, A ack, R rst, F fin, P psh) to HOST:PORT, from no socket at all. The
 * kernel tests use it to play a client without an agent (a bare SYN to a closed port, answered by
 * a reset the server-side agent must report) and stray segments whose resets must not be reported
 * as refused connections (an ACK or SYN+ACK to a closed port). Prints {"sent":1,"localPort":N}.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "loadgen.h"

struct tcp_header {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t off, flags;
	uint16_t window, check, urgent;
};

static uint32_t sum16(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	return sum;
}

/* The TCP checksum over the pseudo-header of either family (addresses in network order). */
static uint16_t tcp_checksum(const void *src, const void *dst, size_t addr_len, const struct tcp_header *th)
{
	uint32_t sum = sum16(src, addr_len, 0);

	sum = sum16(dst, addr_len, sum);
	sum += IPPROTO_TCP + sizeof(*th);
	sum = sum16(th, sizeof(*th), sum);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static int parse_flags(const char *text, uint8_t *flags)
{
	static const char letters[] = "FSRPA"; /* bits 0..4 of the TCP flags byte */

	*flags = 0;
	for (const char *c = text; *c; c++) {
		const char *at = strchr(letters, *c);
		if (!at)
			return -1;
		*flags |= (uint8_t)(1u << (at - letters));
	}
	return *flags ? 0 : -1;
}

int cmd_tcp_segment(int argc, char **argv)
{
	struct dest to;
	struct sockaddr_storage from;
	socklen_t from_len = sizeof(from);
	struct tcp_header th = { 0 };
	uint8_t flags;

	if (argc < 3 || parse_dest(argv[0], argv[1], &to) != 0 || parse_flags(argv[2], &flags) != 0) {
		fprintf(stderr, "usage: kg-loadgen tcp-segment HOST PORT FLAGS(SARFP) [SRC_PORT]\n");
		return 2;
	}
	int family = to.addr.ss_family;
	/* The source address the route would pick: a connected UDP socket learns it without sending. */
	int probe = socket(family, SOCK_DGRAM, 0);
	if (probe < 0 || connect(probe, (struct sockaddr *)&to.addr, to.len) != 0 ||
	    getsockname(probe, (struct sockaddr *)&from, &from_len) != 0) {
		fprintf(stderr, "kg-loadgen: no route to %s: %s\n", argv[0], strerror(errno));
		return 1;
	}
	close(probe);
	srand((unsigned)(now_ns() ^ (uint64_t)getpid() << 16));
	uint16_t sport = argc > 3 ? (uint16_t)atoi(argv[3]) : (uint16_t)(40000 + rand() % 20000);
	th.sport = htons(sport);
	th.dport = family == AF_INET ? ((struct sockaddr_in *)&to.addr)->sin_port : ((struct sockaddr_in6 *)&to.addr)->sin6_port;
	th.seq = htonl((uint32_t)rand());
	th.ack = flags & 0x10 ? htonl((uint32_t)rand()) : 0;
	th.off = (sizeof(th) / 4) << 4;
	th.flags = flags;
	th.window = htons(65535);
	if (family == AF_INET)
		th.check = tcp_checksum(&((struct sockaddr_in *)&from)->sin_addr, &((struct sockaddr_in *)&to.addr)->sin_addr, 4, &th);
	else
		th.check = tcp_checksum(&((struct sockaddr_in6 *)&from)->sin6_addr, &((struct sockaddr_in6 *)&to.addr)->sin6_addr, 16, &th);
	/* A raw IPv6 socket takes the protocol, not a port, in sin6_port: 0 means the socket's. */
	if (family == AF_INET6)
		((struct sockaddr_in6 *)&to.addr)->sin6_port = 0;
	int fd = socket(family, SOCK_RAW, IPPROTO_TCP);
	if (fd < 0 || sendto(fd, &th, sizeof(th), 0, (struct sockaddr *)&to.addr, to.len) != (ssize_t)sizeof(th)) {
		fprintf(stderr, "kg-loadgen: cannot send a raw TCP segment (needs CAP_NET_RAW): %s\n", strerror(errno));
		return 1;
	}
	close(fd);
	printf("{\"sent\":1,\"localPort\":%u}\n", sport);
	return 0;
}
