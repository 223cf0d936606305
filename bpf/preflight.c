// SPDX-License-Identifier: Apache-2.0
/*
 * preflight.c: start-up checks, so an agent that cannot load says exactly what it lacks
 * (a capability, BTF, a cgroup v2 mount, tracefs) instead of a verifier or EPERM puzzle.
 */
#include <errno.h>
#include <mntent.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <bpf/btf.h>

#include "preflight.h"

#define KG_CAP_BPF 39
#define KG_CAP_PERFMON 38
#define KG_TRACEFS "/sys/kernel/tracing"
#define KG_TRACEPOINT_ID "/events/sock/inet_sock_set_state/id"

static bool has_cap(const struct __user_cap_data_struct *data, int cap)
{
	return data[cap / 32].effective & (1u << (cap % 32));
}

/* CAP_BPF + CAP_PERFMON + CAP_NET_ADMIN is enough on 5.8+; CAP_SYS_ADMIN covers older kernels. */
static int check_capabilities(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2] = {};
	int missing = 0;

	if (syscall(SYS_capget, &hdr, data) != 0) {
		fprintf(stderr, "kg-loader: failed to read capabilities: %s\n", strerror(errno));
		return 1;
	}
	if (has_cap(data, CAP_SYS_ADMIN))
		return 0;
	if (!has_cap(data, KG_CAP_BPF)) {
		fprintf(stderr, "kg-loader: missing capability CAP_BPF (to create maps and load programs)\n");
		missing++;
	}
	if (!has_cap(data, KG_CAP_PERFMON)) {
		fprintf(stderr, "kg-loader: missing capability CAP_PERFMON (to attach the TCP tracepoint)\n");
		missing++;
	}
	if (!has_cap(data, CAP_NET_ADMIN)) {
		fprintf(stderr, "kg-loader: missing capability CAP_NET_ADMIN (to attach the cgroup programs: sock_ops, cgroup_skb)\n");
		missing++;
	}
	return missing;
}

static int check_btf(void)
{
	if (access("/sys/kernel/btf/vmlinux", R_OK) == 0)
		return 0;
	fprintf(stderr, "kg-loader: kernel has no BTF at /sys/kernel/btf/vmlinux (%s): CO-RE needs CONFIG_DEBUG_INFO_BTF=y\n",
		strerror(errno));
	return 1;
}

/* The first cgroup2 mount in /proc/self/mounts. */
static bool find_cgroup2(char *path, size_t len)
{
	FILE *mounts = setmntent("/proc/self/mounts", "r");
	struct mntent *ent;
	bool found = false;

	if (!mounts)
		return false;
	while (!found && (ent = getmntent(mounts))) {
		if (strcmp(ent->mnt_type, "cgroup2") == 0) {
			snprintf(path, len, "%s", ent->mnt_dir);
			found = true;
		}
	}
	endmntent(mounts);
	return found;
}

static int check_cgroup(const char *override, char *path, size_t len)
{
	if (override) {
		snprintf(path, len, "%s", override);
		if (access(path, R_OK) == 0)
			return 0;
		fprintf(stderr, "kg-loader: cgroup %s is not readable: %s\n", path, strerror(errno));
		return 1;
	}
	if (find_cgroup2(path, len))
		return 0;
	fprintf(stderr, "kg-loader: no cgroup v2 mount: TCP and UDP capture attach to its root "
			"(mount -t cgroup2 none /sys/fs/cgroup/unified)\n");
	return 1;
}

/* libbpf resolves the tracepoint through tracefs (or debugfs); mount tracefs if it is absent. */
static int check_tracefs(void)
{
	if (access(KG_TRACEFS KG_TRACEPOINT_ID, R_OK) == 0 ||
	    access("/sys/kernel/debug/tracing" KG_TRACEPOINT_ID, R_OK) == 0)
		return 0;
	if (mount("nodev", KG_TRACEFS, "tracefs", 0, NULL) == 0 && access(KG_TRACEFS KG_TRACEPOINT_ID, R_OK) == 0) {
		fprintf(stderr, "kg-loader: mounted tracefs at %s\n", KG_TRACEFS);
		return 0;
	}
	fprintf(stderr, "kg-loader: tracepoint sock/inet_sock_set_state not found in tracefs (%s): "
			"mount -t tracefs nodev %s\n", strerror(errno), KG_TRACEFS);
	return 1;
}

/* The tracepoint's record as this kernel's BTF describes it: kg_tcp_reset reads `reason` and the
 * 28-byte sockaddr ends, which older kernels (an event class with saddr[4] and saddr_v6[16], and
 * no reason) lack; loading against those would fail the whole object, not just this program. */
bool kg_tcp_reset_available(FILE *note)
{
	static const char *const needed[] = { "skbaddr", "skaddr", "reason", "saddr", "daddr" };
	struct btf *btf = btf__load_vmlinux_btf();
	const char *missing = "its BTF record (trace_event_raw_tcp_send_reset)";
	size_t found = 0;

	if (btf) {
		__s32 id = btf__find_by_name_kind(btf, "trace_event_raw_tcp_send_reset", BTF_KIND_STRUCT);
		const struct btf_type *t = id > 0 ? btf__type_by_id(btf, id) : NULL;

		for (size_t i = 0; t && i < sizeof(needed) / sizeof(needed[0]); i++) {
			const struct btf_member *m = btf_members(t);
			bool has = false;

			for (__u16 j = 0; j < btf_vlen(t) && !has; j++)
				has = strcmp(btf__name_by_offset(btf, m[j].name_off), needed[i]) == 0;
			if (!has) {
				missing = needed[i];
				break;
			}
			found++;
		}
		btf__free(btf);
	}
	if (found == sizeof(needed) / sizeof(needed[0]))
		return true;
	fprintf(note, "kg-loader: note: tracepoint tcp/tcp_send_reset lacks %s (Linux 6.10+ has it): inbound "
		      "connections refused by a closed port are reported only by a client with an agent\n", missing);
	return false;
}

int kg_preflight(bool need_tcp, bool need_udp, const char *cgroup_override, char *cgroup_path, size_t cgroup_len)
{
	int missing = check_capabilities() + check_btf();

	if (need_tcp)
		missing += check_tracefs();
	if (need_tcp || need_udp)
		missing += check_cgroup(cgroup_override, cgroup_path, cgroup_len);
	return missing;
}
