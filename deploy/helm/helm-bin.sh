# Where scripts/install.d/22-helm.sh puts Helm: the pinned version (deploy/helm/helm-version) under
# the project's cache. Sourced; defines kg_helm_bin. deploy/testing/helm.ts resolves the same path.
kg_helm_bin() {
  local root version
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  version=$(tr -d '[:space:]' < "$root/deploy/helm/helm-version")
  echo "${KG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kguardian}/helm/$version/helm"
}
