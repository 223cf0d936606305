#!/usr/bin/env bash
# Two commits' benchmarks side by side in one run: bench/compare.sh BASE [HEAD] (npm run bench:compare -- BASE).
#
# Each commit is unpacked with `git archive` into a temporary folder and gets its own `npm ci` (from
# the npm cache), so each side runs its own code and its own benchmark file. The benchmarks then run
# alternately from the two, for ROUNDS rounds (before first in odd rounds, after first in even
# ones: before, after, after, before, before, after), with the same settings on both
# sides (sizes, core pinning as scripts/bench.sh pins them, a fresh PostgreSQL from the side's own
# scripts/postgres.sh), so both sides see the same machine and the same load. The table gives each
# figure's runs, their medians and the ratio after/before, and marks a figure more than 5% worse; beside
# it, the ratios of the two runs of each round (median, lowest-highest, rounds more than 5% worse): two
# runs of a round follow each other and see nearly the same load, so they show a drift of the load
# the medians keep. A mark the rounds do not agree on is not settled yet: run more rounds of that
# benchmark alone (e.g. BENCHES=broker-ingest ROUNDS=8).
#
# Env (the defaults keep a whole comparison near 20 minutes on 2 busy cores):
#   ROUNDS=3                 runs of each benchmark on each side
#   BENCHES="engine evaluator-http broker-ingest broker-replay"
#   KG_BENCH_FLOWS=200000    flows of engine and evaluator-http (their own default is 1,000,000)
#   DURATION=10              seconds of broker-ingest's realistic phase (its default 15)
#   ROWS=300000 KEYS=10000   broker-replay's flow rows and distinct flows (its default 1,000,000 / 20,000)
#   NICE=N                   run every benchmark under `nice -n N` (e.g. -5 on a machine others share;
#                            the same on both sides)
#   OUT=FILE                 also write the table there (Markdown, with the machine, load and commits)
#   KEEP=1                   keep the temporary folder (the logs of every run are in it)
#   RETRIES=1                a run that fails (a benchmark's own error, e.g. a connection reset under
#                            load) is run again this many times; the header counts the failures
#   LINK_MODULES=1           a side whose package-lock.json is this checkout's links its node_modules
#                            instead of running npm ci (faster, for bisecting between close commits)
# Exit status: 0, or 1 when a figure is worse after than before.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/log.sh

BASE="${1:?usage: bench/compare.sh BASE [HEAD]}"
HEAD_REF="${2:-HEAD}"
ROUNDS="${ROUNDS:-3}"
RETRIES="${RETRIES:-1}"
failures=0
BENCHES="${BENCHES:-engine evaluator-http broker-ingest broker-replay}"
export KG_BENCH_FLOWS="${KG_BENCH_FLOWS:-200000}" DURATION="${DURATION:-10}" ROWS="${ROWS:-300000}" KEYS="${KEYS:-10000}"
# Benchmarks that write docs/BENCHMARKS.md write their side's copy; these two are told not to.
export KG_BENCH_RECORD=0

before="$(git rev-parse --short "$BASE^{commit}")"
after="$(git rev-parse --short "$HEAD_REF^{commit}")"
REPORT="$PWD/bench/lib/compare-report.ts"
work="$(mktemp -d /tmp/kg-compare.XXXXXX)"
# PostgreSQL runs as its own user when we are root: it must be able to enter the folders.
chmod 755 "$work"
cleanup() {
  if [ "${KEEP:-0}" = 1 ]; then step "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
mkdir -p "$work/logs"

for side in before after; do
  commit="$before"; [ "$side" = after ] && commit="$after"
  step "unpacking $commit ($side) and installing its dependencies"
  mkdir -p "$work/$side"
  git archive "$commit" | tar -x -C "$work/$side"
  if [ "${LINK_MODULES:-0}" = 1 ] && cmp -s package-lock.json "$work/$side/package-lock.json"; then
    ln -s "$PWD/node_modules" "$work/$side/node_modules"
    continue
  fi
  (cd "$work/$side" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error >"$work/logs/npm-ci.$side.log" 2>&1) \
    || { cat "$work/logs/npm-ci.$side.log" >&2; die "npm ci failed for $commit"; }
done

# Pinning is decided once, from the current side's file, and applied to both: scripts/bench.sh
# runs a benchmark marked `@bench-cores all` unpinned and the others on core 0.
pin_of() {
  if grep -q '@bench-cores all' "$work/after/bench/$1.bench.ts"; then echo ""; else echo "taskset -c 0"; fi
}

run() {
  local bench="$1" side="$2" round="$3" pin
  pin="$(pin_of "$bench")"
  [ -e "$work/$side/bench/$bench.bench.ts" ] || die "$side ($side) has no bench/$bench.bench.ts"
  step "round $round/$ROUNDS: $bench, $side (load $(cut -d' ' -f1-3 /proc/loadavg))"
  local log="$work/logs/$bench.$side.$round.log" attempt
  for attempt in $(seq 0 "$RETRIES"); do
    # shellcheck disable=SC2086 # $pin is a command prefix or nothing
    (cd "$work/$side" && nice -n "${NICE:-0}" $pin node --expose-gc --import tsx "bench/$bench.bench.ts") >"$log" 2>&1 && return
    tail -n 20 "$log" >&2
    # The failed run's output is kept beside the others under a name the report does not read.
    mv "$log" "$work/logs/$bench.$side.$round.failed-$attempt.txt"
    failures=$((failures + 1))
    [ "$attempt" -lt "$RETRIES" ] && warn "$bench failed on the $side side (round $round); running it again"
  done
  die "$bench failed on the $side side (round $round), $((RETRIES + 1)) times"
}

load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
started="$(date -u +%FT%TZ)"
for round in $(seq 1 "$ROUNDS"); do
  for bench in $BENCHES; do
    # The side that runs second in a pair inherits the first one's aftermath (a PostgreSQL cluster
    # being deleted, pages written back): the order turns each round so neither side always has it.
    if [ $((round % 2)) = 1 ]; then order="before after"; else order="after before"; fi
    for side in $order; do run "$bench" "$side" "$round"; done
  done
done
load_end="$(cut -d' ' -f1-3 /proc/loadavg)"

status=0
# shellcheck disable=SC2086 # one argument per benchmark
tbl="$(node --import tsx "$REPORT" "$work/logs" $BENCHES)" || status=$?
[ "$status" -le 1 ] || { echo "$tbl"; die "could not read the benchmarks' output (logs in $work/logs; KEEP=1 keeps them)"; }
# Both sides start their own PostgreSQL with their own script: say whether its settings are the same.
if cmp -s "$work/before/scripts/postgres.sh" "$work/after/scripts/postgres.sh"; then
  pg_note="the same scripts/postgres.sh (PostgreSQL settings) on both sides"
else
  pg_note="scripts/postgres.sh DIFFERS between the sides: PostgreSQL settings may differ"
fi
header="Before: $before ($(git log -1 --format=%cs "$before")), after: $after ($(git log -1 --format=%cs "$after")); $ROUNDS rounds, before and after alternately (before first in odd rounds); $failures failed runs run again.
Machine: $(nproc) × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%d GiB", $2 / 1048576}' /proc/meminfo), Node $(node --version); started $started; load average $load_start at the start, $load_end at the end.
Settings on both sides: KG_BENCH_FLOWS=$KG_BENCH_FLOWS (engine, evaluator-http), DURATION=$DURATION (broker-ingest), ROWS=$ROWS KEYS=$KEYS (broker-replay); pinning as scripts/bench.sh pins; nice ${NICE:-0}; $pg_note."
printf '\n%s\n\n%s\n' "$header" "$tbl"
[ -z "${OUT:-}" ] || printf '%s\n\n%s\n' "$header" "$tbl" >"$OUT"
exit "$status"
