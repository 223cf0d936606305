#!/usr/bin/env bash
# The full test suite. Installs what it needs, then runs each stage in scripts/test.d/ in
# order (lint, typecheck, unit, integration against a real kube-apiserver and PostgreSQL,
# kernel tests on real eBPF). Stops at the first failing stage.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/log.sh

bash scripts/install-deps.sh
rm -rf .cache/test-results
for f in scripts/test.d/*.sh; do
  # shellcheck source=/dev/null
  source "$f"
done
step "all test stages passed"
# One plain closing line for CI, summed over every vitest project that ran.
node -e '
  const fs = require("fs"), dir = ".cache/test-results";
  let passed = 0, failed = 0;
  for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    const r = JSON.parse(fs.readFileSync(`${dir}/${f}`, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests;
  }
  console.log(`${passed} passed, ${failed} failed`);
'
