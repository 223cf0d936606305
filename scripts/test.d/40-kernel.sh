# Kernel tests: builds bpf/ (vmlinux.h from this kernel's BTF, the CO-RE object, kg-loader) and the
# native load generator (test/netns/loadgen), then
# runs the vitest project `kernel` (*.kernel.test.ts): real eBPF on this kernel, real traffic
# between network namespaces. They need root; without it they cannot run, and that is said loudly
# and fails under CI rather than passing silently.
step "kernel tests (eBPF, network namespaces)"
if [ "$(id -u)" != 0 ]; then
  test_skipped "kernel tests SKIPPED (not root: uid $(id -u))"
  if [ "${CI:-}" = true ]; then die "kernel tests cannot run without root under CI"; fi
else
  if [ ! -e /sys/kernel/tracing/events/sock ] && [ ! -e /sys/kernel/debug/tracing/events/sock ]; then
    mount -t tracefs nodev /sys/kernel/tracing || warn "could not mount tracefs at /sys/kernel/tracing"
  fi
  make -s -C bpf
  make -s -C test/netns/loadgen
  # One kernel test run at a time on a host: each holds /tmp/kg-kernel.lock (as every command here that
  # loads eBPF or makes network namespaces does).
  flock /tmp/kg-kernel.lock npx vitest run --project kernel --reporter=default --reporter=json --outputFile.json=.cache/test-results/kernel.json
fi
