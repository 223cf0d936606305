#!/usr/bin/env bash
# Prints the plain manifests: the namespace, then `helm template` of the default values with the CRDs.
# One deviation from the defaults: the PostgreSQL password Secret is expected to exist
# (postgresql.existingSecret), because a password rendered into a published file is no secret.
# Usage: render-manifests.sh HELM
set -euo pipefail
cd "$(dirname "$0")/.."
cat <<'YAML'
# kguardian, rendered from deploy/helm/kguardian with its default values by deploy/generate.sh.
# Do not edit: change the chart and regenerate. Before applying, create the PostgreSQL password:
#   kubectl create namespace kguardian
#   kubectl -n kguardian create secret generic kguardian-postgresql --from-literal=password="$(openssl rand -hex 24)"
# The agent needs the namespace's Pod Security level "privileged" (docs/install.md).
apiVersion: v1
kind: Namespace
metadata:
  name: kguardian
  labels:
    pod-security.kubernetes.io/enforce: privileged
YAML
"$1" template kguardian deploy/helm/kguardian --namespace kguardian --include-crds \
  --set postgresql.existingSecret=kguardian-postgresql
