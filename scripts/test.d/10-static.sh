# Static checks: lint and typecheck.
step "lint"
npm run --silent lint
step "typecheck"
npm run --silent typecheck
npx tsc -p daemons/broker/ui/client/tsconfig.json --noEmit
