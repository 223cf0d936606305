#!/usr/bin/env bash
# The local playground: installs what it needs, builds the eBPF programs (as root), then runs
# playground/main.ts, which brings the whole pipeline up on loopback (control plane, broker,
# evaluator, eBPF agent, netns pods), shows what kguardian reports about a policy with a mistake,
# and keeps running until Ctrl-C. Without root it replays recorded traffic instead.
#   --once       run the scenario, print, clean up, exit 0/1 (used by the tests)
#   --recorded   use the recorded traffic even as root
# Docs: docs/playground.md
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/log.sh

step "installing what the playground needs (scripts/install-deps.sh; nothing when it is all there)"
bash scripts/install-deps.sh
if [ "$(id -u)" = 0 ]; then
  if [ ! -e /sys/kernel/tracing/events/sock ] && [ ! -e /sys/kernel/debug/tracing/events/sock ]; then
    mount -t tracefs nodev /sys/kernel/tracing || warn "could not mount tracefs at /sys/kernel/tracing"
  fi
  step "building the eBPF programs and kg-loader (make -C bpf; cached after the first build)"
  make -s -C bpf
else
  warn "not root: the playground will run without eBPF, on recorded traffic"
fi
step "starting the playground (node playground/main.ts $*)"
exec node --import tsx playground/main.ts "$@"
