# What scripts/test.sh says at the end, and which stages could not run. Sourced by test.sh (after
# log.sh); a stage that cannot run here (kernel and end-to-end tests without root) calls
# test_skipped, so the summary cannot read as if everything ran. Under CI a skipped stage fails
# the run (the stages already stop there; test_summary does too, whatever a stage does).
KG_TEST_SKIPPED=()

# test_skipped WHAT: says loudly that WHAT did not run, and keeps it for the summary.
test_skipped() {
  KG_TEST_SKIPPED+=("$1")
  warn "!!!!!!!! $1 !!!!!!!!"
}

# test_summary: the closing lines. With nothing skipped: "all test stages passed"; otherwise
# "test stages passed, EXCEPT: ..." naming each skipped stage, and exit 1 under CI. Then one
# plain line for CI, summed over every vitest project that ran (.cache/test-results/*.json).
test_summary() {
  local skipped="" s
  for s in "${KG_TEST_SKIPPED[@]}"; do skipped+="${skipped:+; }$s"; done
  if [ -z "$skipped" ]; then
    step "all test stages passed"
  else
    warn "!!!!!!!! test stages passed, EXCEPT: $skipped !!!!!!!!"
  fi
  KG_SKIPPED_TEXT="$skipped" node -e '
    const fs = require("fs"), dir = ".cache/test-results";
    let passed = 0, failed = 0;
    for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
      const r = JSON.parse(fs.readFileSync(`${dir}/${f}`, "utf8"));
      passed += r.numPassedTests; failed += r.numFailedTests;
    }
    const skipped = process.env.KG_SKIPPED_TEXT;
    console.log(`${passed} passed, ${failed} failed` + (skipped ? `; NOT RUN: ${skipped}` : ""));
  '
  if [ -n "$skipped" ] && [ "${CI:-}" = true ]; then die "under CI every test stage must run; skipped: $skipped"; fi
  return 0
}
