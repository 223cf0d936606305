# shellcheck shell=bash
# Helm 3, for the chart in deploy/helm/kguardian (its lint, template and dry-run tests; docs/install.md).
# Built from source with the Go module proxy (`go install helm.sh/helm/v3/cmd/helm@VERSION`): this machine
# reaches no release download site, and neither Debian nor npm ships an official Helm 3 binary.
# The version is pinned in deploy/helm/helm-version; the binary is cached in ~/.cache/kguardian/helm/VERSION/
# (deploy/helm/helm-bin.sh). Sourced by scripts/install.d/22-helm.sh and scripts/lib/builds.sh; needs log.sh.

source "$(dirname "${BASH_SOURCE[0]}")/../../deploy/helm/helm-bin.sh"
source "$(dirname "${BASH_SOURCE[0]}")/cached-build.sh"

# helm_build: builds Helm unless it is cached; prints its path on stdout. Its entry is named by the
# version alone (deploy/testing/helm.ts finds the binary by it), so the two most recent versions are kept.
helm_build() {
  local version
  version=$(tr -d '[:space:]' <"$cached_build_repo/deploy/helm/helm-version")
  cached_build "$(kg_helm_bin)" 2 "Helm $version (from the Go module proxy)" \
    "the first build downloads Helm's modules and compiles for a few minutes on 2 cores; later runs are cached" \
    helm_compile "$version"
}

# helm_compile VERSION OUT: `go install` of Helm VERSION, moved to OUT.
helm_compile() {
  local version=$1 out=$2 gomod k8s ldflags pkg
  # Stamp what Helm's own release build (its Makefile) stamps: the version, and the default
  # Kubernetes version of `helm template` and `helm lint`, one major above the client-go it uses
  # (0.37 -> 1.37). Unstamped, Helm assumes Kubernetes 1.20 and refuses the chart's kubeVersion.
  gomod=$(go mod download -json "helm.sh/helm/v3@$version" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')
  k8s=$(awk '$1 == "k8s.io/client-go" {sub(/^v/, "", $2); split($2, v, "."); print v[1] + 1 "." v[2]; exit}' "$gomod")
  [ -n "$k8s" ] || { echo "failed to read Helm $version's client-go version from $gomod"; return 1; }
  ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$version"
  for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
    ldflags+=" -X $pkg.k8sVersionMajor=${k8s%%.*} -X $pkg.k8sVersionMinor=${k8s#*.}"
  done
  rm -rf "$out.gobin"
  (GOBIN="$out.gobin" GOFLAGS=-buildvcs=false exec go install -v -trimpath -ldflags="$ldflags" "helm.sh/helm/v3/cmd/helm@$version") &&
    mv "$out.gobin/helm" "$out" && rmdir "$out.gobin"
}
