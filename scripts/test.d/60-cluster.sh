# Real-cluster tests (test/cluster/, docs/cluster.md): first the vitest project `cluster-host`
# (scripts/cluster.sh up, up again, down leaving the host as it found it), then the project
# `cluster`, whose global setup brings one cluster up, installs kguardian with its chart as
# docs/install.md says, and shares it with every file (workload traffic, policy status, the
# plugin), then takes it down. The images come from the cache 55-images.sh filled. Needs root;
# without it that is said loudly, and fails under CI. A host runs one such cluster at a time:
# each run holds /tmp/kg-cluster.lock (the lock every cluster command on this host takes).
step "real-cluster tests (scripts/cluster.sh, kguardian installed by its chart)"
if [ "$(id -u)" != 0 ]; then
  test_skipped "real-cluster tests SKIPPED (not root: uid $(id -u))"
  if [ "${CI:-}" = true ]; then die "real-cluster tests cannot run without root under CI"; fi
else
  cluster_stage_start=$SECONDS
  builds_need images kguardian-broker kguardian-evaluator kguardian-agent postgres agnhost coredns pause
  builds_need kg-node
  flock /tmp/kg-cluster.lock npx vitest run --project cluster-host --reporter=default --reporter=json --outputFile.json=.cache/test-results/cluster-host.json
  flock /tmp/kg-cluster.lock npx vitest run --project cluster --reporter=default --reporter=json --outputFile.json=.cache/test-results/cluster.json
  step "real-cluster tests took $((SECONDS - cluster_stage_start)) s"
  unset cluster_stage_start
fi
