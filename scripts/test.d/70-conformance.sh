# NetworkPolicy conformance, CI's share (test/conformance/netpol.conformance.test.ts, vitest project
# `conformance`): a named subset of the upstream e2e.test Netpol specs on a real cluster with
# kube-router enforcing and kguardian watching; the whole suite is `npm run conformance`
# (docs/conformance.md). e2e.test is built and cached by scripts/lib/e2e-test.sh. Needs root; without it that is said loudly, and fails under CI.
# The run holds /tmp/kg-cluster.lock, as every cluster command on this host does.
step "conformance subset (upstream Netpol e2e specs, kube-router enforcing, kguardian watching)"
if [ "$(id -u)" != 0 ]; then
  test_skipped "conformance subset SKIPPED (not root: uid $(id -u))"
  if [ "${CI:-}" = true ]; then die "the conformance subset cannot run without root under CI"; fi
else
  conformance_stage_start=$SECONDS
  builds_need e2e-test
  builds_need kube-router
  builds_need images kguardian-broker kguardian-evaluator kguardian-agent postgres agnhost coredns pause
  flock /tmp/kg-cluster.lock npx vitest run --project conformance --reporter=default --reporter=json --outputFile.json=.cache/test-results/conformance.json
  step "conformance subset took $((SECONDS - conformance_stage_start)) s"
  unset conformance_stage_start
fi
