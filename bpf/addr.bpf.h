/* SPDX-License-Identifier: Apache-2.0 */
/* addr.bpf.h: small address helpers shared by the TCP and UDP paths. */
#ifndef KG_ADDR_BPF_H
#define KG_ADDR_BPF_H

#define KG_AF_INET 2
#define KG_AF_INET6 10

/* ::ffff:a.b.c.d, as a dual-stack socket reports an IPv4 peer. */
static __always_inline bool kg_is_v4_mapped(const __u8 *a)
{
	__u32 w0, w1, w2;

	__builtin_memcpy(&w0, a, 4);
	__builtin_memcpy(&w1, a + 4, 4);
	__builtin_memcpy(&w2, a + 8, 4);
	return w0 == 0 && w1 == 0 && w2 == bpf_htonl(0x0000ffff);
}

static __always_inline bool kg_is_loopback(__u8 family, const __u8 *a)
{
	if (family == KG_AF_INET)
		return a[0] == 127;
	__u32 w0, w1, w2, w3;

	__builtin_memcpy(&w0, a, 4);
	__builtin_memcpy(&w1, a + 4, 4);
	__builtin_memcpy(&w2, a + 8, 4);
	__builtin_memcpy(&w3, a + 12, 4);
	return w0 == 0 && w1 == 0 && w2 == 0 && w3 == bpf_htonl(1);
}

#endif /* KG_ADDR_BPF_H */
