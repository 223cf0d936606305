#!/usr/bin/env bash
# The end-to-end latency (kernel connection -> verdict in `verdicts --watch`): runs the e2e
# vitest project with KG_E2E_RECORD=1, which writes the `e2e` section of docs/BENCHMARKS.md.
# Needs root (eBPF); run from scripts/bench.sh or on its own.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/log.sh
[ "$(id -u)" = 0 ] || die "the e2e latency benchmark needs root (eBPF, network namespaces)"
KG_E2E_RECORD=1 npx vitest run --project e2e
