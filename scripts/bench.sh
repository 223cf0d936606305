#!/usr/bin/env bash
# Runs every benchmark and records its figures in docs/BENCHMARKS.md.
# Each part adds bench/*.bench.ts (run here, pinned to one core) or bench/*.bench.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/log.sh
bash scripts/install-deps.sh
for f in bench/*.bench.ts; do
  step "benchmark $f"
  # A benchmark that measures several processes side by side (broker and PostgreSQL) says so
  # with this marker; pinning it to one core would measure the core's sharing, not the code.
  if grep -q '@bench-cores all' "$f"; then
    node --expose-gc --import tsx "$f"
  else
    taskset -c 0 node --expose-gc --import tsx "$f"
  fi
done
for f in bench/*.bench.sh; do
  [ -e "$f" ] || continue
  step "benchmark $f"
  bash "$f"
done
