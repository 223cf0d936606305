#!/usr/bin/env bash
# The full test suite. Installs what it needs, then runs each stage in scripts/test.d/ in
# order (lint, typecheck, unit, integration against a real kube-apiserver and PostgreSQL,
# kernel tests on real eBPF, images, a real cluster, conformance). Stops at the first failing stage.
# The long builds (control plane, kg-node, images, e2e.test, ...) run in the background from the
# start, beside the stages that need none of them (scripts/lib/builds.sh); each stage waits for
# what it needs. Cached, they take no time.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/log.sh
source scripts/lib/test-skips.sh

KG_BUILDS_IN_BACKGROUND=1 bash scripts/install-deps.sh
rm -rf .cache/test-results
source scripts/lib/builds.sh
trap builds_stop EXIT
builds_start
stage_times="install $SECONDS s"
for f in scripts/test.d/*.sh; do
  stage_start=$SECONDS
  # shellcheck source=/dev/null
  source "$f"
  stage_times+=", $(basename "$f" .sh) $((SECONDS - stage_start)) s"
done
# "all test stages passed", or "passed, EXCEPT: ..." naming what could not run; then the test counts.
test_summary
step "wall time: $SECONDS s ($stage_times)"
