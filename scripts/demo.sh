#!/usr/bin/env bash
# The local demo. Until the full playground (control plane, broker, evaluator, eBPF agent)
# lands, it walks through `kubectl kguardian audit test` on the bundled payments example:
# a candidate policy with a classic mistake, the flows it would deny, and the fix.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/log.sh

bash scripts/install-deps.sh
export PATH="$PWD/bin:$PATH"
ex=test/fixtures/audit-test/payments

step "A cluster snapshot ($ex/cluster.yaml): payments, postgres and checkout in prod, a web frontend in web, Prometheus in monitoring"
step "Recorded traffic ($ex/flows.jsonl): $(grep -c . "$ex/flows.jsonl") flows"
step "The candidate AuditNetworkPolicy ($ex/policy.yaml):"
sed -n '/^apiVersion/,$p' "$ex/policy.yaml" | sed 's/^/    /'
echo
step "kubectl kguardian audit test -f $ex/policy.yaml --cluster $ex/cluster.yaml --flows $ex/flows.jsonl"
kubectl-kguardian audit test -f "$ex/policy.yaml" --cluster "$ex/cluster.yaml" --flows "$ex/flows.jsonl"
echo
warn "The web frontend and Prometheus would be cut off: a podSelector-only peer means 'in this namespace'."
step "The fix ($ex/policy-fixed.yaml) admits frontends from env=prod namespaces and lets monitoring scrape 'metrics':"
kubectl-kguardian audit test -f "$ex/policy-fixed.yaml" --cluster "$ex/cluster.yaml" --flows "$ex/flows.jsonl"
echo
step "What is left is real: payments calling an external API (add an ipBlock if that is intended), and checkout"
step "reaching postgres, which the enforced postgres-ingress NetworkPolicy already denies today."
step "Gate a pipeline on it:  kubectl kguardian audit test ... --fail-on-deny   (exit 3 when any flow would be denied)"
