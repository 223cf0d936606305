# Unit tests: no services needed.
step "unit tests"
npx vitest run --project unit --reporter=default --reporter=json --outputFile.json=.cache/test-results/unit.json
