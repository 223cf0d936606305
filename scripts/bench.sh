#!/usr/bin/env bash
# Runs every benchmark and records its figures in docs/BENCHMARKS.md.
# Each part adds bench/*.bench.ts (run here, pinned to one core) or bench/*.bench.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/log.sh
bash scripts/install-deps.sh
for f in bench/*.bench.ts; do
  step "benchmark $f"
  taskset -c 0 node --expose-gc --import tsx "$f"
done
for f in bench/*.bench.sh; do
  [ -e "$f" ] || continue
  step "benchmark $f"
  bash "$f"
done
