/*
 * kg-loadgen: native load for the node agent's benchmarks and kernel tests, run inside a netns
 * "pod" of test/netns/lab.ts. Node's event loop tops out near 5,000 new connections per second;
 * this does tens of thousands with a few threads. Every command prints JSON lines on stdout
 * (servers: one when listening, one with their totals when they get SIGTERM; clients: one summary
 * when done) so the harness compares what really happened with what the agent reported.
 */
#ifndef KG_LOADGEN_H
#define KG_LOADGEN_H

#include <stdint.h>
#include <sys/socket.h>

/* A parsed "HOST PORT" destination (IPv4 or IPv6 literal). */
struct dest {
	struct sockaddr_storage addr;
	socklen_t len;
};

int parse_dest(const char *host, const char *port, struct dest *out);
uint64_t now_ns(void);
void sleep_ns(uint64_t ns);
/* Blocks SIGTERM/SIGINT in the calling thread (and threads it starts later). */
void block_stop_signals(void);
/* Waits for SIGTERM or SIGINT (blocked beforehand with block_stop_signals). */
void wait_stop_signal(void);
void raise_fd_limit(void);
/* Closes a TCP socket with RST (SO_LINGER 0): no TIME_WAIT, so ports never run out. */
void close_rst(int fd);

int cmd_tcp_rate(int argc, char **argv);
int cmd_tcp_segment(int argc, char **argv);
int cmd_tcp_server(int argc, char **argv);
int cmd_tcp_syn_timeout(int argc, char **argv);
int cmd_udp_rate(int argc, char **argv);
int cmd_udp_sink(int argc, char **argv);

#endif
