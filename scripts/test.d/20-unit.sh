# Unit tests: no services needed.
step "unit tests"
npx vitest run --project unit
