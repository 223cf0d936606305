# Integration tests: against a real kube-apiserver that the vitest global setup starts
# (test/setup/controlplane.ts) and stops.
step "integration tests"
builds_need controlplane
npx vitest run --project integration --reporter=default --reporter=json --outputFile.json=.cache/test-results/integration.json
