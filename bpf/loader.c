// SPDX-License-Identifier: Apache-2.0
/*
 * loader.c: kg-loader, the user-space half of the node agent's kernel side. Open, configure,
 * load, attach, poll; one cleanup path. Binary records (flow_record.h) go to stdout, framed by
 * their header; text goes to stderr, one "kg-loader: failed to X: error" line per failure.
 *
 * A KG_REC_COUNTERS record is written as soon as every program is attached (the agent's "ready"
 * signal) and then after every sweep. On SIGTERM or SIGINT the loader drains the ring buffer,
 * sweeps once more, writes final counters, prints the loss totals on stderr ("kg-loader: loss: ..."),
 * detaches and exits 0.
 *
 * With --service-cidr, outbound flows to a Service address are looked up in the host's conntrack
 * table (conntrack.c) and a KG_REC_NAT names the backend really reached; a KG_REC_CONNTRACK
 * record with the lookup counters follows every KG_REC_COUNTERS.
 */
#include <errno.h>
#include <getopt.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "flow_record.h"
#include "flow.skel.h"
#include "conntrack.h"
#include "output.h"
#include "preflight.h"
#include "sweep.h"

struct kg_options {
	bool tcp, udp;
	const char *cgroup;
	unsigned flush_ms, udp_idle_ms, udp_max_flows;
	uint64_t ringbuf_bytes; /* --ringbuf-mb or --ringbuf-kb */
	bool verbose;
	struct kg_cidr service_cidrs[KG_CT_MAX_CIDRS]; /* --service-cidr, repeatable */
	size_t n_service_cidrs;
};

#define KG_RINGBUF_MAX (1ull << 30)
#define KG_UDP_MAX_FLOWS_MAX (1u << 24)

#define KG_POLL_MS 50

static volatile sig_atomic_t exiting;
static int64_t realtime_offset;
static bool write_failed;
static struct kg_conntrack *conntrack; /* NULL without --service-cidr */

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	fprintf(stderr, "kg-loader: ");
	return vfprintf(stderr, fmt, args);
}

static void usage(FILE *to)
{
	fprintf(to, "usage: kg-loader [--no-tcp] [--no-udp] [--cgroup PATH] [--flush-ms N] [--udp-idle-ms N]\n"
		    "                 [--ringbuf-mb N | --ringbuf-kb N] [--udp-max-flows N] [--service-cidr CIDR]...\n"
		    "Writes binary flow records (bpf/flow_record.h) to stdout.\n");
}

/* A whole decimal number in [min, max]; false (and a message) for anything else. */
static bool parse_number(const char *name, const char *text, unsigned long long min, unsigned long long max,
			 unsigned long long *out)
{
	char *end = NULL;
	unsigned long long v;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || end == text || *end != '\0' || text[0] == '-' || v < min || v > max) {
		fprintf(stderr, "kg-loader: failed to parse options: --%s must be a whole number from %llu to %llu, not \"%s\"\n",
			name, min, max, text);
		return false;
	}
	*out = v;
	return true;
}

static bool parse_service_cidr(const char *text, struct kg_options *o)
{
	if (o->n_service_cidrs == KG_CT_MAX_CIDRS) {
		fprintf(stderr, "kg-loader: failed to parse options: at most %d --service-cidr, not more\n", KG_CT_MAX_CIDRS);
		return false;
	}
	if (!kg_parse_cidr(text, &o->service_cidrs[o->n_service_cidrs])) {
		fprintf(stderr, "kg-loader: failed to parse options: --service-cidr must be an IPv4 or IPv6 CIDR such as "
				"10.96.0.0/12 or fd00:10:96::/112, not \"%s\"\n", text);
		return false;
	}
	o->n_service_cidrs++;
	return true;
}

static bool parse_options(int argc, char **argv, struct kg_options *o)
{
	static const struct option longs[] = {
		{ "no-tcp", no_argument, NULL, 't' },	     { "no-udp", no_argument, NULL, 'u' },
		{ "cgroup", required_argument, NULL, 'c' },  { "flush-ms", required_argument, NULL, 'f' },
		{ "udp-idle-ms", required_argument, NULL, 'i' }, { "ringbuf-mb", required_argument, NULL, 'r' },
		{ "ringbuf-kb", required_argument, NULL, 'k' },	 { "udp-max-flows", required_argument, NULL, 'm' },
		{ "service-cidr", required_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long v = 0;
	long page = sysconf(_SC_PAGESIZE);
	bool ok = true;
	int c;

	*o = (struct kg_options){ .tcp = true, .udp = true, .flush_ms = 1000, .udp_idle_ms = 30000,
				  .ringbuf_bytes = 16ull << 20, .udp_max_flows = 65536 };
	while (ok && (c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		switch (c) {
		case 't': o->tcp = false; break;
		case 'u': o->udp = false; break;
		case 'c': o->cgroup = optarg; break;
		case 'f': ok = parse_number("flush-ms", optarg, 1, 3600000, &v); o->flush_ms = (unsigned)v; break;
		case 'i': ok = parse_number("udp-idle-ms", optarg, 0, 86400000, &v); o->udp_idle_ms = (unsigned)v; break;
		case 'r': ok = parse_number("ringbuf-mb", optarg, 1, KG_RINGBUF_MAX >> 20, &v); o->ringbuf_bytes = v << 20; break;
		case 'k': ok = parse_number("ringbuf-kb", optarg, 1, KG_RINGBUF_MAX >> 10, &v); o->ringbuf_bytes = v << 10; break;
		case 'm': ok = parse_number("udp-max-flows", optarg, 1, KG_UDP_MAX_FLOWS_MAX, &v); o->udp_max_flows = (unsigned)v; break;
		case 's': ok = parse_service_cidr(optarg, o); break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return false;
		}
	}
	if (!ok)
		return false;
	/* The kernel wants a power of two and a multiple of the page size. */
	if ((o->ringbuf_bytes & (o->ringbuf_bytes - 1)) || (page > 0 && o->ringbuf_bytes < (uint64_t)page)) {
		fprintf(stderr, "kg-loader: failed to parse options: the ring buffer (--ringbuf-mb, --ringbuf-kb) must be "
				"a power of two of at least the page size (%ld bytes), not %llu bytes\n",
			page, (unsigned long long)o->ringbuf_bytes);
		return false;
	}
	return true;
}

/* Ring buffer callback: one kernel record to stdout. */
static int on_record(void *ctx, void *data, size_t size)
{
	FILE *out = ctx;

	if (size < sizeof(struct kg_flow_record))
		return 0;
	if (!kg_ct_observe(conntrack, data, out) || !kg_write_flow(out, data, realtime_offset)) {
		write_failed = true;
		return -EPIPE; /* stops ring_buffer__poll */
	}
	return 0;
}

static int attach_all(struct flow_bpf *skel, const struct kg_options *o, int cgroup_fd)
{
	if (o->tcp) {
		skel->links.kg_tcp_ops = bpf_program__attach_cgroup(skel->progs.kg_tcp_ops, cgroup_fd);
		if (!skel->links.kg_tcp_ops)
			return -errno;
		skel->links.kg_tcp_state = bpf_program__attach(skel->progs.kg_tcp_state);
		if (!skel->links.kg_tcp_state)
			return -errno;
	}
	if (bpf_program__autoload(skel->progs.kg_tcp_reset)) {
		skel->links.kg_tcp_reset = bpf_program__attach(skel->progs.kg_tcp_reset);
		if (!skel->links.kg_tcp_reset)
			return -errno;
	}
	if (o->udp) {
		skel->links.kg_udp_egress = bpf_program__attach_cgroup(skel->progs.kg_udp_egress, cgroup_fd);
		if (!skel->links.kg_udp_egress)
			return -errno;
		skel->links.kg_udp_ingress = bpf_program__attach_cgroup(skel->progs.kg_udp_ingress, cgroup_fd);
		if (!skel->links.kg_udp_ingress)
			return -errno;
	}
	return 0;
}

/* Loads the object with the options baked in; NULL after printing why. */
static struct flow_bpf *open_and_load(const struct kg_options *o)
{
	struct flow_bpf *skel = flow_bpf__open();
	int err;

	if (!skel) {
		fprintf(stderr, "kg-loader: failed to open BPF object: %s\n", strerror(errno));
		return NULL;
	}
	skel->rodata->kg_capture_tcp = o->tcp;
	skel->rodata->kg_capture_udp = o->udp;
	/* Wake the loader at a quarter full when the buffer is small (tests size it down to a page). */
	skel->rodata->kg_wakeup_bytes = o->ringbuf_bytes / 4 < skel->rodata->kg_wakeup_bytes ? o->ringbuf_bytes / 4
											      : skel->rodata->kg_wakeup_bytes;
	bpf_map__set_max_entries(skel->maps.kg_events, (__u32)o->ringbuf_bytes);
	bpf_map__set_max_entries(skel->maps.kg_udp_flows, o->udp_max_flows);
	bpf_program__set_autoload(skel->progs.kg_tcp_ops, o->tcp);
	bpf_program__set_autoload(skel->progs.kg_tcp_state, o->tcp);
	/* Optional: refusals at the server need tcp_send_reset's reason (6.10+); without it, say so and go on. */
	bpf_program__set_autoload(skel->progs.kg_tcp_reset, o->tcp && kg_tcp_reset_available(stderr));
	bpf_program__set_autoload(skel->progs.kg_udp_egress, o->udp);
	bpf_program__set_autoload(skel->progs.kg_udp_ingress, o->udp);
	err = flow_bpf__load(skel);
	if (err) {
		fprintf(stderr, "kg-loader: failed to load BPF object: %s\n", strerror(-err));
		flow_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

/* Polls until a signal or a write error, sweeping every flush period. */
static void run(struct flow_bpf *skel, struct ring_buffer *rb, const struct kg_options *o)
{
	struct kg_sweep_state st = { .idle_ns = (uint64_t)o->udp_idle_ms * 1000000ull, .ct = conntrack };
	int flows_fd = bpf_map__fd(skel->maps.kg_udp_flows);
	int counters_fd = bpf_map__fd(skel->maps.kg_counters);
	uint64_t period = (uint64_t)o->flush_ms * 1000000ull;
	uint64_t next = kg_clock_ns(CLOCK_MONOTONIC) + period;

	st.prev_start_mono = kg_clock_ns(CLOCK_MONOTONIC);
	write_failed = !kg_write_counters(counters_fd, &st, stdout) || !kg_ct_write_counters(conntrack, stdout) ||
		       fflush(stdout) != 0;
	while (!exiting && !write_failed) {
		/* The kernel wakes us only when KG_WAKEUP_BYTES are waiting; drain the rest on a timer. */
		int err = ring_buffer__poll(rb, KG_POLL_MS);

		if (err >= 0 && !write_failed)
			err = ring_buffer__consume(rb);
		if (err < 0 && err != -EINTR && !write_failed) {
			fprintf(stderr, "kg-loader: failed to poll ring buffer: %s\n", strerror(-err));
			break;
		}
		write_failed |= !kg_ct_retry(conntrack, false, stdout);
		uint64_t now = kg_clock_ns(CLOCK_MONOTONIC);

		if (now >= next) {
			realtime_offset = kg_realtime_offset();
			if (o->udp)
				write_failed |= !kg_sweep_udp(flows_fd, counters_fd, &st, stdout);
			write_failed |= !kg_write_counters(counters_fd, &st, stdout);
			write_failed |= !kg_ct_write_counters(conntrack, stdout);
			next = now + period;
		}
		write_failed |= fflush(stdout) != 0;
	}
	if (exiting && !write_failed) {
		ring_buffer__consume(rb);
		if (o->udp)
			kg_sweep_udp(flows_fd, counters_fd, &st, stdout);
		kg_ct_retry(conntrack, true, stdout);
		kg_write_counters(counters_fd, &st, stdout);
		kg_ct_write_counters(conntrack, stdout);
		fflush(stdout);
	}
	kg_report_loss(counters_fd, &st, stderr);
	kg_ct_report(conntrack, stderr);
	if (write_failed)
		fprintf(stderr, "kg-loader: failed to write records: %s\n", strerror(errno));
}

int main(int argc, char **argv)
{
	struct kg_options o;
	struct flow_bpf *skel = NULL;
	struct ring_buffer *rb = NULL;
	char cgroup_path[4096] = "";
	int cgroup_fd = -1, err, status = 1;

	if (!parse_options(argc, argv, &o))
		return 2;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN); /* a closed stdout becomes EPIPE on write, then a clean exit */
	libbpf_set_print(print_libbpf);
	static char outbuf[1 << 16];
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	realtime_offset = kg_realtime_offset();

	int missing = kg_preflight(o.tcp, o.udp, o.cgroup, cgroup_path, sizeof(cgroup_path));

	if (missing) {
		fprintf(stderr, "kg-loader: failed to start: %d requirement(s) missing, see above\n", missing);
		return 1;
	}
	skel = open_and_load(&o);
	if (!skel)
		goto cleanup;
	if (o.tcp || o.udp) {
		cgroup_fd = open(cgroup_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cgroup_fd < 0) {
			fprintf(stderr, "kg-loader: failed to open cgroup %s: %s\n", cgroup_path, strerror(errno));
			goto cleanup;
		}
	}
	err = attach_all(skel, &o, cgroup_fd);
	if (err) {
		fprintf(stderr, "kg-loader: failed to attach programs: %s\n", strerror(-err));
		goto cleanup;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.kg_events), on_record, stdout, NULL);
	if (!rb) {
		fprintf(stderr, "kg-loader: failed to create ring buffer: %s\n", strerror(errno));
		goto cleanup;
	}
	conntrack = kg_ct_open(o.service_cidrs, o.n_service_cidrs, stderr);
	fprintf(stderr, "kg-loader: attached (tcp=%s udp=%s cgroup=%s), record version %d\n", o.tcp ? "on" : "off",
		o.udp ? "on" : "off", cgroup_fd >= 0 ? cgroup_path : "-", KG_RECORD_VERSION);
	run(skel, rb, &o);
	status = write_failed ? 1 : 0;
cleanup:
	ring_buffer__free(rb);
	flow_bpf__destroy(skel);
	kg_ct_close(conntrack);
	if (cgroup_fd >= 0)
		close(cgroup_fd);
	return status;
}
