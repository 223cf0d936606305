# Unit tests: no services needed.
step "unit tests"
# The chart's tests (deploy/) run Helm.
builds_need helm
npx vitest run --project unit --reporter=default --reporter=json --outputFile.json=.cache/test-results/unit.json
