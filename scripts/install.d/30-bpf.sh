# Toolchain for the eBPF node agent (bpf/): clang and llvm to compile the kernel programs
# (CO-RE), libbpf to link the loader, bpftool to generate vmlinux.h and the skeleton, and the
# network tools the kernel tests use to build "pods" (iproute2, iptables, conntrack, socat).
# Sourced by scripts/install-deps.sh and scripts/playground.sh: installs only what is missing,
# apt-get update at most once; KG_INSTALL_PROFILE=playground leaves out what only the tests use.
# Not root: apt-get cannot run, so it says what is missing and goes on (the playground then runs
# on recorded traffic).
kg_bpf_missing=()
command -v clang >/dev/null 2>&1 || kg_bpf_missing+=(clang)
command -v llvm-strip >/dev/null 2>&1 || kg_bpf_missing+=(llvm)
command -v bpftool >/dev/null 2>&1 || kg_bpf_missing+=(bpftool)
command -v make >/dev/null 2>&1 || kg_bpf_missing+=(make)
# cc links kg-loader and builds kg-loadgen, the native load generator of the kernel tests and
# benchmark (test/netns/loadgen); taskset (util-linux) pins load generators off measured cores.
command -v cc >/dev/null 2>&1 || kg_bpf_missing+=(gcc)
[ -f /usr/include/stdio.h ] || kg_bpf_missing+=(libc6-dev)
command -v ip >/dev/null 2>&1 || kg_bpf_missing+=(iproute2)
if [ "${KG_INSTALL_PROFILE:-all}" != playground ]; then
  command -v taskset >/dev/null 2>&1 || kg_bpf_missing+=(util-linux)
  command -v iptables >/dev/null 2>&1 || kg_bpf_missing+=(iptables)
  command -v conntrack >/dev/null 2>&1 || kg_bpf_missing+=(conntrack)
fi
command -v pkg-config >/dev/null 2>&1 || kg_bpf_missing+=(pkg-config)
[ -f /usr/include/bpf/libbpf.h ] || kg_bpf_missing+=(libbpf-dev)
[ -f /usr/include/libelf.h ] || kg_bpf_missing+=(libelf-dev)
[ -f /usr/include/zlib.h ] || kg_bpf_missing+=(zlib1g-dev)
if [ "${#kg_bpf_missing[@]}" -gt 0 ]; then
  apt_install "the eBPF toolchain (bpf/) and the kernel tests" --no-install-recommends "${kg_bpf_missing[@]}"
fi
unset kg_bpf_missing
