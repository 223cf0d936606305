# Enforcement test, CI's share (test/enforcement/, vitest project `enforcement`, docs/enforcement.md):
# kguardian's verdicts against kube-router's drops on a real scripts/cluster.sh cluster, over the 51
# upstream network-policy e2e scenario steps (KG_ENFORCEMENT_CORPUS=upstream); the whole corpus (those
# and 200 seeded random policy sets) is `npm run enforcement`. Prints `enforcement: M/N probes agree (S
# scenarios)` and writes .cache/enforcement/report.md. A probe that disagrees with kguardian is tried
# again after kube-router is proven to have synced once more, and counts with that settled result.
# kguardian keeps judging through the enforced rounds: `verify (enforcer on): M mismatches over N probes (S
# scenarios), all explained` says verify reported exactly the mismatches kube-router's deviations cause (none
# here). The images come from the cache 55-images.sh filled. Needs root; without it that is said loudly,
# and fails under CI. The run holds /tmp/kg-cluster.lock, as every cluster command on this host does.
step "enforcement test, upstream scenarios (kguardian against kube-router)"
if [ "$(id -u)" != 0 ]; then
  test_skipped "enforcement test SKIPPED (not root: uid $(id -u))"
  if [ "${CI:-}" = true ]; then die "the enforcement test cannot run without root under CI"; fi
else
  enforcement_stage_start=$SECONDS
  bash scripts/images.sh build kguardian-broker kguardian-evaluator kguardian-agent postgres agnhost coredns pause >/dev/null
  KG_ENFORCEMENT_CORPUS=upstream flock /tmp/kg-cluster.lock npx vitest run --project enforcement --reporter=default \
    --reporter=json --outputFile.json=.cache/test-results/enforcement.json
  step "enforcement test took $((SECONDS - enforcement_stage_start)) s"
  unset enforcement_stage_start
fi
