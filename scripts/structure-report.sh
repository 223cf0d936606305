#!/usr/bin/env bash
# Structure counts of commits side by side: scripts/structure-report.sh [COMMIT...] (default HEAD).
# Each commit is unpacked with `git archive` into a temporary folder and measured there by the
# current scripts/structure-report.ts, so every commit is counted by the same rules: imports across
# the layers (scripts/lint/layers.js), import circles (scripts/lint/import-graph.js, type-only imports
# included), pairs reported by the `duplicates` tool, declared shapes of a flow end, lines of code
# per part. Prints a Markdown table, one column per commit, then what stands behind each count.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/log.sh
command -v duplicates >/dev/null || warn "the duplicates tool is not on PATH: duplicated code is not measured"
[ "$#" -gt 0 ] || set -- HEAD
work="$(mktemp -d /tmp/kg-structure.XXXXXX)"
trap 'rm -rf "$work"' EXIT
args=()
for ref in "$@"; do
  commit="$(git rev-parse --short "$ref^{commit}")"
  mkdir -p "$work/$commit"
  git archive "$commit" | tar -x -C "$work/$commit"
  args+=("$commit=$work/$commit")
done
step "measuring ${args[*]%%=*}"
node --import tsx scripts/structure-report.ts "${args[@]}"
