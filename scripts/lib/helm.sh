# shellcheck shell=bash
# Helm 3, for the chart in deploy/helm/kguardian (its lint, template and dry-run tests; docs/install.md).
# Built from source with the Go module proxy (`go install helm.sh/helm/v3/cmd/helm@VERSION`): this machine
# reaches no release download site, and neither Debian nor npm ships an official Helm 3 binary.
# The version is pinned in deploy/helm/helm-version; the binary is cached in ~/.cache/kguardian/helm/VERSION/
# (deploy/helm/helm-bin.sh). Sourced by scripts/install.d/22-helm.sh and scripts/lib/builds.sh; needs log.sh.

source "$(dirname "${BASH_SOURCE[0]}")/../../deploy/helm/helm-bin.sh"

# helm_build: builds Helm unless it is cached; prints its path on stdout. A lock keeps two runs from
# building it at once (the background builds of scripts/test.sh and a stage that needs it).
helm_build() {
  local version dir gomod k8s ldflags pkg start pid
  version=$(tr -d '[:space:]' <"$(dirname "${BASH_SOURCE[0]}")/../../deploy/helm/helm-version")
  dir=$(dirname "$(kg_helm_bin)")
  mkdir -p "$dir"
  exec 6>"$dir/.lock"
  flock 6
  if [ ! -x "$dir/helm" ]; then
    command -v go >/dev/null || die "Go is needed to build Helm $version (see docs/install.md)"
    step "building Helm $version from the Go module proxy into $dir"
    step "the first build downloads Helm's modules and compiles for a few minutes on 2 cores; later runs are cached"
    start=$SECONDS
    # Stamp what Helm's own release build (its Makefile) stamps: the version, and the default
    # Kubernetes version of `helm template` and `helm lint`, one major above the client-go it uses
    # (0.37 -> 1.37). Unstamped, Helm assumes Kubernetes 1.20 and refuses the chart's kubeVersion.
    gomod=$(go mod download -json "helm.sh/helm/v3@$version" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')
    k8s=$(awk '$1 == "k8s.io/client-go" {sub(/^v/, "", $2); split($2, v, "."); print v[1] + 1 "." v[2]; exit}' "$gomod")
    [ -n "$k8s" ] || die "failed to read Helm $version's client-go version from $gomod"
    ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$version"
    for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
      ldflags+=" -X $pkg.k8sVersionMajor=${k8s%%.*} -X $pkg.k8sVersionMinor=${k8s#*.}"
    done
    (GOBIN="$dir/.partial" GOFLAGS=-buildvcs=false exec go install -v -trimpath -ldflags="$ldflags" \
      "helm.sh/helm/v3/cmd/helm@$version") >"$dir/build.log" 2>&1 &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
      sleep 5
      if (( (SECONDS - start) % 30 < 5 )); then
        step "  still building Helm: $((SECONDS - start))s, $(grep -c '^[a-z]' "$dir/build.log" || true) packages compiled"
      fi
    done
    if ! wait "$pid"; then
      tail -n 30 "$dir/build.log" >&2
      exec 6>&-
      die "failed to build Helm $version (full log: $dir/build.log)"
    fi
    mv "$dir/.partial/helm" "$dir/helm"
    rmdir "$dir/.partial"
    step "built Helm $version in $((SECONDS - start))s"
  fi
  exec 6>&-
  echo "$dir/helm"
}
