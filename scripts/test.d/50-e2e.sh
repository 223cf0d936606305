# End-to-end tests (test/e2e/, vitest project `e2e`): the whole pipeline on the real kernel (netns
# pods, eBPF agent, broker on PostgreSQL, evaluator, CRD status, `kubectl kguardian verdicts`,
# promote) and the playground (--once, cleanup on SIGINT and SIGTERM). They need root; without it
# they cannot run, and that is said loudly and fails under CI rather than passing silently.
step "end-to-end tests (whole pipeline, playground)"
if [ "$(id -u)" != 0 ]; then
  test_skipped "end-to-end tests SKIPPED (not root: uid $(id -u))"
  if [ "${CI:-}" = true ]; then die "end-to-end tests cannot run without root under CI"; fi
else
  make -s -C bpf
  flock /tmp/kg-kernel.lock npx vitest run --project e2e --reporter=default --reporter=json --outputFile.json=.cache/test-results/e2e.json
fi
