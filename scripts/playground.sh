#!/usr/bin/env bash
# The local playground: installs what it needs (only that, only what is missing), builds the eBPF
# programs (as root), then runs playground/main.ts, which brings the whole pipeline up on loopback
# (control plane, broker, evaluator, eBPF agent, netns pods), shows what kguardian reports about a
# policy with a mistake, and keeps running until Ctrl-C. Without root it replays recorded traffic.
#   --once       run the scenario, print, clean up, exit 0/1 (used by the tests)
#   --recorded   use the recorded traffic even as root
# Docs: docs/playground.md
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/log.sh
source scripts/lib/progress.sh
source scripts/lib/apt.sh

# What no step here installs: all of it named at once, before anything slow starts.
kg_missing=()
if ! command -v node >/dev/null; then
  kg_missing+=("node 20.19 or newer (from nodejs.org or your distribution)")
elif ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  kg_missing+=("node 20.19 or newer (this is $(node --version))")
fi
command -v npm >/dev/null || kg_missing+=("npm (comes with node)")
command -v go >/dev/null || kg_missing+=("go (builds the test control plane once; docs/controlplane.md)")
if [ "${#kg_missing[@]}" -gt 0 ]; then
  for m in "${kg_missing[@]}"; do warn "missing: $m"; done
  die "the playground cannot start without the above"
fi

# Only the playground's parts of scripts/install.d: not Helm, PostgreSQL (the broker uses embedded
# PGlite here) or the plugin's release binaries, and none of the kernel tests' own tools.
export KG_INSTALL_PROFILE=playground
step "installing what the playground needs, only what is missing: npm packages, the test control plane$([ "$(id -u)" = 0 ] && echo ', the eBPF toolchain')"
for f in scripts/install.d/10-npm.sh scripts/install.d/20-controlplane.sh scripts/install.d/30-bpf.sh; do
  # shellcheck source=/dev/null
  source "$f"
done
if [ "$(id -u)" = 0 ]; then
  # tracefs, when missing, is mounted (and unmounted at the end) by playground/main.ts itself.
  with_progress "building the eBPF programs and kg-loader (make -C bpf; cached after the first build)" make -s -C bpf
else
  warn "not root (uid $(id -u)): no eBPF toolchain or build, no network namespaces: the playground runs on RECORDED traffic"
  warn "for real kernel traffic between netns pods: sudo bash scripts/demo.sh"
fi
step "starting the playground (node playground/main.ts $*)"
exec node --import tsx playground/main.ts "$@"
