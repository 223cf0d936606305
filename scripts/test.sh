#!/usr/bin/env bash
# The full test suite. Installs what it needs, then runs each stage in scripts/test.d/ in
# order (lint, typecheck, unit, integration against a real kube-apiserver and PostgreSQL,
# kernel tests on real eBPF). Stops at the first failing stage.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/log.sh
source scripts/lib/test-skips.sh

bash scripts/install-deps.sh
rm -rf .cache/test-results
for f in scripts/test.d/*.sh; do
  # shellcheck source=/dev/null
  source "$f"
done
# "all test stages passed", or "passed, EXCEPT: ..." naming what could not run; then the test counts.
test_summary
