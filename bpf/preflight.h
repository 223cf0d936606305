/* SPDX-License-Identifier: Apache-2.0 */
/* preflight.h: what the kernel and the process must offer before kg-loader can work. */
#ifndef KG_PREFLIGHT_H
#define KG_PREFLIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Runs every check, prints one "kg-loader: ..." line to stderr per thing missing, and returns
 * how many are missing. `cgroup_path` receives the cgroup v2 root (or the override) when found. */
int kg_preflight(bool need_tcp, bool need_udp, const char *cgroup_override, char *cgroup_path, size_t cgroup_len);

/* True when this kernel has tcp:tcp_send_reset with a reset reason and sockaddr ends (Linux
 * 6.10+), which kg_tcp_reset needs; otherwise prints a note on `note` saying what goes unseen. */
bool kg_tcp_reset_available(FILE *note);

#endif /* KG_PREFLIGHT_H */
