// SPDX-License-Identifier: Apache-2.0
/*
 * conntrack.c: Service translations from the host's conntrack table. For an outbound flow record
 * whose remote address is inside a --service-cidr, ask ctnetlink (IPCTNL_MSG_CT_GET) for the entry
 * whose original tuple is the socket's own (local -> Service); the reply tuple's source is the
 * backend really reached. Raw netlink, one synchronous request per lookup (tens of microseconds).
 *
 * A lookup can miss because the record is read before the packet reached the host's PREROUTING
 * (UDP is seen by cgroup_skb inside the pod's namespace). Misses wait in a bounded retry list and
 * are tried again on the next poll iterations for KG_CT_RETRY_WINDOW_MS, then given up and counted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "conntrack.h"
#include "output.h"

#define KG_CT_RETRY_WINDOW_MS 300
#define KG_CT_RETRY_EVERY_MS 20
#define KG_CT_RETRY_MAX 1024
#define KG_CT_RECV_TIMEOUT_MS 200
#define KG_IPPROTO_TCP 6
#define KG_IPPROTO_UDP 17

/* The original tuple of one connection, as the client's socket names it. */
struct kg_ct_tuple {
	uint8_t family, protocol;
	uint16_t client_port, service_port; /* host order */
	uint8_t client_addr[16], service_addr[16];
};

struct kg_ct_pending {
	struct kg_ct_tuple tuple;
	uint64_t first_ms, next_ms; /* CLOCK_MONOTONIC */
};

struct kg_conntrack {
	int fd; /* -1: lookups off */
	uint32_t seq;
	struct kg_cidr cidrs[KG_CT_MAX_CIDRS];
	size_t ncidrs;
	struct kg_ct_pending pending[KG_CT_RETRY_MAX];
	size_t npending;
	uint64_t lookups, hits, misses, errors;
};

enum kg_ct_result { KG_CT_TRANSLATED, KG_CT_NOT_FOUND, KG_CT_ERROR };

static uint64_t now_ms(void)
{
	return kg_clock_ns(CLOCK_MONOTONIC) / 1000000ull;
}

bool kg_parse_cidr(const char *text, struct kg_cidr *out)
{
	const char *slash = strchr(text, '/');
	char addr[INET6_ADDRSTRLEN];
	char *end = NULL;
	unsigned long bits;
	size_t len;

	if (!slash || (len = (size_t)(slash - text)) == 0 || len >= sizeof(addr))
		return false;
	memcpy(addr, text, len);
	addr[len] = '\0';
	memset(out, 0, sizeof(*out));
	out->family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(out->family, addr, out->addr) != 1)
		return false;
	if (slash[1] < '0' || slash[1] > '9')
		return false;
	errno = 0;
	bits = strtoul(slash + 1, &end, 10);
	if (errno || *end != '\0' || bits > (out->family == AF_INET ? 32u : 128u))
		return false;
	out->bits = (uint8_t)bits;
	for (unsigned i = 0; i < 16; i++) {
		unsigned keep = bits >= (i + 1) * 8 ? 8 : bits > i * 8 ? bits - i * 8 : 0;

		out->addr[i] &= (uint8_t)(0xff00u >> keep);
	}
	return true;
}

static bool in_cidr(const struct kg_cidr *c, uint8_t family, const uint8_t *addr)
{
	unsigned whole = c->bits / 8, rest = c->bits % 8;

	if (c->family != family || memcmp(c->addr, addr, whole) != 0)
		return false;
	return rest == 0 || ((addr[whole] ^ c->addr[whole]) & (uint8_t)(0xff00u >> rest)) == 0;
}

/* --- netlink message building ------------------------------------------------------------- */

struct kg_nl_msg {
	union {
		struct nlmsghdr hdr;
		char bytes[256];
	};
};

static struct nlattr *put_attr(struct kg_nl_msg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(m->bytes + NLMSG_ALIGN(m->hdr.nlmsg_len));

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	m->hdr.nlmsg_len = NLMSG_ALIGN(m->hdr.nlmsg_len) + NLA_ALIGN(a->nla_len);
	return a;
}

static void end_nest(struct kg_nl_msg *m, struct nlattr *nest)
{
	nest->nla_len = (uint16_t)(m->bytes + m->hdr.nlmsg_len - (char *)nest);
}

static void build_get(struct kg_nl_msg *m, const struct kg_ct_tuple *t, uint32_t seq)
{
	size_t alen = t->family == AF_INET ? 4 : 16;
	uint16_t sport = htons(t->client_port), dport = htons(t->service_port);
	struct nfgenmsg *nfg;
	struct nlattr *orig, *ip, *proto;

	memset(m, 0, sizeof(*m));
	m->hdr.nlmsg_len = NLMSG_LENGTH(sizeof(struct nfgenmsg));
	m->hdr.nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	m->hdr.nlmsg_flags = NLM_F_REQUEST;
	m->hdr.nlmsg_seq = seq;
	nfg = NLMSG_DATA(&m->hdr);
	nfg->nfgen_family = t->family;
	nfg->version = NFNETLINK_V0;
	orig = put_attr(m, CTA_TUPLE_ORIG | NLA_F_NESTED, NULL, 0);
	ip = put_attr(m, CTA_TUPLE_IP | NLA_F_NESTED, NULL, 0);
	put_attr(m, t->family == AF_INET ? CTA_IP_V4_SRC : CTA_IP_V6_SRC, t->client_addr, alen);
	put_attr(m, t->family == AF_INET ? CTA_IP_V4_DST : CTA_IP_V6_DST, t->service_addr, alen);
	end_nest(m, ip);
	proto = put_attr(m, CTA_TUPLE_PROTO | NLA_F_NESTED, NULL, 0);
	put_attr(m, CTA_PROTO_NUM, &t->protocol, 1);
	put_attr(m, CTA_PROTO_SRC_PORT, &sport, 2);
	put_attr(m, CTA_PROTO_DST_PORT, &dport, 2);
	end_nest(m, proto);
	end_nest(m, orig);
}

/* --- reply parsing ------------------------------------------------------------------------- */

/* The attribute of `type` among those in [data, data+len), or NULL. */
static const struct nlattr *find_attr(const void *data, size_t len, uint16_t type)
{
	const struct nlattr *a = data;

	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		size_t step = (size_t)NLA_ALIGN(a->nla_len);

		if (step >= len)
			break;
		len -= step;
		a = (const struct nlattr *)((const char *)a + step);
	}
	return NULL;
}

#define NLA_DATA(a) ((const char *)(a) + NLA_HDRLEN)
#define NLA_LEN(a) ((size_t)(a)->nla_len - NLA_HDRLEN)

/* Reads the reply tuple's source out of an IPCTNL_MSG_CT_NEW message. */
static bool parse_reply_source(const struct nlmsghdr *h, uint8_t family, uint8_t *addr, uint16_t *port)
{
	size_t alen = family == AF_INET ? 4 : 16;
	size_t off = NLMSG_LENGTH(sizeof(struct nfgenmsg));
	const struct nlattr *reply, *ip, *src, *proto, *sport;

	if (h->nlmsg_len < off)
		return false;
	reply = find_attr((const char *)h + NLMSG_ALIGN(off), h->nlmsg_len - NLMSG_ALIGN(off), CTA_TUPLE_REPLY);
	if (!reply)
		return false;
	ip = find_attr(NLA_DATA(reply), NLA_LEN(reply), CTA_TUPLE_IP);
	proto = find_attr(NLA_DATA(reply), NLA_LEN(reply), CTA_TUPLE_PROTO);
	if (!ip || !proto)
		return false;
	src = find_attr(NLA_DATA(ip), NLA_LEN(ip), family == AF_INET ? CTA_IP_V4_SRC : CTA_IP_V6_SRC);
	sport = find_attr(NLA_DATA(proto), NLA_LEN(proto), CTA_PROTO_SRC_PORT);
	if (!src || NLA_LEN(src) != alen || !sport || NLA_LEN(sport) != 2)
		return false;
	memset(addr, 0, 16);
	memcpy(addr, NLA_DATA(src), alen);
	memcpy(port, NLA_DATA(sport), 2);
	*port = ntohs(*port);
	return true;
}

/* One request, one answer. On KG_CT_ERROR, `*error` holds the errno. */
static enum kg_ct_result lookup(struct kg_conntrack *ct, const struct kg_ct_tuple *t, uint8_t *backend_addr,
				uint16_t *backend_port, int *error)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct kg_nl_msg req;
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	uint32_t seq = ++ct->seq;

	build_get(&req, t, seq);
	if (sendto(ct->fd, &req, req.hdr.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		*error = errno;
		return KG_CT_ERROR;
	}
	for (;;) {
		ssize_t n = recv(ct->fd, buf, sizeof(buf), 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			*error = errno; /* EAGAIN: no answer within KG_CT_RECV_TIMEOUT_MS */
			return KG_CT_ERROR;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				continue; /* the late answer to a request that timed out */
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				if (e->error == -ENOENT)
					return KG_CT_NOT_FOUND;
				*error = e->error ? -e->error : EPROTO;
				return KG_CT_ERROR;
			}
			if (h->nlmsg_type == ((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW)) {
				if (!parse_reply_source(h, t->family, backend_addr, backend_port)) {
					*error = EPROTO;
					return KG_CT_ERROR;
				}
				return KG_CT_TRANSLATED;
			}
		}
	}
}

/* --- life cycle ---------------------------------------------------------------------------- */

struct kg_conntrack *kg_ct_open(const struct kg_cidr *cidrs, size_t n, FILE *err)
{
	struct kg_conntrack *ct;
	struct sockaddr_nl local = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 0, .tv_usec = KG_CT_RECV_TIMEOUT_MS * 1000 };
	struct kg_ct_tuple probe = { .family = AF_INET, .protocol = KG_IPPROTO_TCP };
	uint8_t addr[16];
	uint16_t port;
	int error = 0;

	if (n == 0)
		return NULL;
	ct = calloc(1, sizeof(*ct));
	if (!ct)
		return NULL;
	memcpy(ct->cidrs, cidrs, n * sizeof(*cidrs));
	ct->ncidrs = n;
	ct->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	if (ct->fd < 0) {
		error = errno;
	} else if (bind(ct->fd, (struct sockaddr *)&local, sizeof(local)) < 0 ||
		   setsockopt(ct->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		error = errno;
	} else if (lookup(ct, &probe, addr, &port, &error) != KG_CT_ERROR) {
		/* 0.0.0.0:0 -> 0.0.0.0:0 is never tracked: "not found" means ctnetlink answers. */
		fprintf(err, "kg-loader: conntrack lookups on for %zu service CIDR(s)\n", n);
		return ct;
	}
	fprintf(err, "kg-loader: conntrack lookups off: ctnetlink unavailable (%s); connections to Services are "
		     "attributed only by pairing with a backend on this node\n", strerror(error));
	if (ct->fd >= 0)
		close(ct->fd);
	ct->fd = -1;
	return ct;
}

void kg_ct_close(struct kg_conntrack *ct)
{
	if (!ct)
		return;
	if (ct->fd >= 0)
		close(ct->fd);
	free(ct);
}

/* --- lookups ------------------------------------------------------------------------------- */

static bool write_nat(const struct kg_ct_tuple *t, const uint8_t *backend_addr, uint16_t backend_port, FILE *out)
{
	struct kg_nat_record rec = {
		.hdr = { .version = KG_RECORD_VERSION, .type = KG_REC_NAT, .size = sizeof(rec) },
		.family = t->family,
		.protocol = t->protocol,
		.client_port = t->client_port,
		.service_port = t->service_port,
		.backend_port = backend_port,
	};

	memcpy(rec.client_addr, t->client_addr, 16);
	memcpy(rec.service_addr, t->service_addr, 16);
	memcpy(rec.backend_addr, backend_addr, 16);
	return fwrite(&rec, sizeof(rec), 1, out) == 1;
}

/* One try: true with `*resolved` when translated (the NAT record is written). */
static bool try_once(struct kg_conntrack *ct, const struct kg_ct_tuple *t, bool *resolved, FILE *out)
{
	uint8_t addr[16];
	uint16_t port = 0;
	int error = 0;
	enum kg_ct_result r = lookup(ct, t, addr, &port, &error);

	*resolved = false;
	if (r == KG_CT_ERROR)
		ct->errors++;
	/* Found but untranslated (the DNAT has not happened yet, or never will) is retried like a miss. */
	if (r != KG_CT_TRANSLATED || (port == t->service_port && memcmp(addr, t->service_addr, 16) == 0))
		return true;
	*resolved = true;
	ct->hits++;
	return write_nat(t, addr, port, out);
}

bool kg_ct_observe(struct kg_conntrack *ct, const struct kg_flow_record *rec, FILE *out)
{
	struct kg_ct_tuple t;
	bool resolved = false, service = false;

	if (!ct || rec->direction != KG_DIR_EGRESS ||
	    (rec->protocol != KG_IPPROTO_TCP && rec->protocol != KG_IPPROTO_UDP))
		return true;
	for (size_t i = 0; i < ct->ncidrs && !service; i++)
		service = in_cidr(&ct->cidrs[i], rec->family, rec->remote_addr);
	if (!service)
		return true;
	ct->lookups++;
	if (ct->fd < 0) {
		ct->misses++;
		return true;
	}
	t = (struct kg_ct_tuple){ .family = rec->family, .protocol = rec->protocol, .client_port = rec->local_port,
				  .service_port = rec->remote_port };
	memcpy(t.client_addr, rec->local_addr, 16);
	memcpy(t.service_addr, rec->remote_addr, 16);
	if (!try_once(ct, &t, &resolved, out))
		return false;
	if (resolved)
		return true;
	if (ct->npending == KG_CT_RETRY_MAX) {
		ct->misses++;
		return true;
	}
	uint64_t now = now_ms();

	ct->pending[ct->npending++] = (struct kg_ct_pending){ .tuple = t, .first_ms = now, .next_ms = now + KG_CT_RETRY_EVERY_MS };
	return true;
}

bool kg_ct_retry(struct kg_conntrack *ct, bool final, FILE *out)
{
	uint64_t now;
	size_t kept = 0;
	bool ok = true;

	if (!ct || ct->npending == 0)
		return true;
	now = now_ms();
	for (size_t i = 0; i < ct->npending; i++) {
		struct kg_ct_pending *p = &ct->pending[i];
		bool resolved = false;

		if (final || p->next_ms <= now) {
			ok = try_once(ct, &p->tuple, &resolved, out) && ok;
			p->next_ms = now + KG_CT_RETRY_EVERY_MS;
		}
		if (resolved)
			continue;
		if (final || now - p->first_ms >= KG_CT_RETRY_WINDOW_MS) {
			ct->misses++;
			continue;
		}
		ct->pending[kept++] = *p;
	}
	ct->npending = kept;
	return ok;
}

bool kg_ct_write_counters(const struct kg_conntrack *ct, FILE *out)
{
	if (!ct)
		return true;
	struct kg_conntrack_record rec = {
		.hdr = { .version = KG_RECORD_VERSION, .type = KG_REC_CONNTRACK, .size = sizeof(rec) },
		.time_ns = kg_clock_ns(CLOCK_REALTIME),
		.lookups = ct->lookups,
		.hits = ct->hits,
		.misses = ct->misses,
		.errors = ct->errors,
		.pending = ct->npending,
		.available = ct->fd >= 0,
	};

	return fwrite(&rec, sizeof(rec), 1, out) == 1;
}

void kg_ct_report(const struct kg_conntrack *ct, FILE *err)
{
	if (!ct)
		return;
	fprintf(err, "kg-loader: conntrack: %llu lookup(s), %llu translated, %llu given up, %llu netlink error(s)\n",
		(unsigned long long)ct->lookups, (unsigned long long)ct->hits, (unsigned long long)ct->misses,
		(unsigned long long)ct->errors);
}
