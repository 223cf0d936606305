#!/usr/bin/env bash
# Regenerates what the chart derives from the rest of the repository; deploy/*.test.ts fail when
# either is stale:
#   deploy/helm/kguardian/crds/   copies of crds/*.yaml (generated from crds/schema/)
#   deploy/manifests/kguardian.yaml  `helm template` of the default values, for kubectl apply
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/log.sh
source deploy/helm/helm-bin.sh
helm=$(kg_helm_bin)
[ -x "$helm" ] || die "Helm is not installed at $helm: run bash scripts/install-deps.sh"

step "copying crds/*.yaml into the chart"
rm -f deploy/helm/kguardian/crds/*.yaml
cp crds/*.yaml deploy/helm/kguardian/crds/

step "rendering deploy/manifests/kguardian.yaml"
mkdir -p deploy/manifests
bash deploy/render-manifests.sh "$helm" > deploy/manifests/kguardian.yaml.tmp
mv deploy/manifests/kguardian.yaml.tmp deploy/manifests/kguardian.yaml
