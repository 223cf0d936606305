# Helm 3, for the chart in deploy/helm/kguardian (its lint, template and dry-run tests; docs/install.md).
# Built from source with the Go module proxy (`go install helm.sh/helm/v3/cmd/helm@VERSION`): this machine
# reaches no release download site, and neither Debian nor npm ships an official Helm 3 binary.
# The version is pinned in deploy/helm/helm-version; the binary is cached in ~/.cache/kguardian/helm/VERSION/.
source deploy/helm/helm-bin.sh
kg_helm_version=$(tr -d '[:space:]' < deploy/helm/helm-version)
kg_helm_dir=$(dirname "$(kg_helm_bin)")
if [ ! -x "$kg_helm_dir/helm" ]; then
  command -v go >/dev/null || die "Go is needed to build Helm $kg_helm_version (see docs/install.md)"
  mkdir -p "$kg_helm_dir"
  step "building Helm $kg_helm_version from the Go module proxy into $kg_helm_dir"
  step "the first build downloads Helm's modules and compiles for a few minutes on 2 cores; later runs are cached"
  kg_helm_start=$SECONDS
  # Stamp what Helm's own release build (its Makefile) stamps: the version, and the default
  # Kubernetes version of `helm template` and `helm lint`, one major above the client-go it uses
  # (0.37 -> 1.37). Unstamped, Helm assumes Kubernetes 1.20 and refuses the chart's kubeVersion.
  kg_helm_gomod=$(go mod download -json "helm.sh/helm/v3@$kg_helm_version" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')
  kg_helm_k8s=$(awk '$1 == "k8s.io/client-go" {sub(/^v/, "", $2); split($2, v, "."); print v[1] + 1 "." v[2]; exit}' "$kg_helm_gomod")
  [ -n "$kg_helm_k8s" ] || die "failed to read Helm $kg_helm_version's client-go version from $kg_helm_gomod"
  kg_helm_ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$kg_helm_version"
  for kg_helm_pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
    kg_helm_ldflags+=" -X $kg_helm_pkg.k8sVersionMajor=${kg_helm_k8s%%.*} -X $kg_helm_pkg.k8sVersionMinor=${kg_helm_k8s#*.}"
  done
  (GOBIN="$kg_helm_dir/.partial" GOFLAGS=-buildvcs=false exec go install -v -trimpath -ldflags="$kg_helm_ldflags" \
    "helm.sh/helm/v3/cmd/helm@$kg_helm_version") >"$kg_helm_dir/build.log" 2>&1 &
  kg_helm_pid=$!
  while kill -0 "$kg_helm_pid" 2>/dev/null; do
    sleep 5
    if (( (SECONDS - kg_helm_start) % 30 < 5 )); then
      step "  still building Helm: $((SECONDS - kg_helm_start))s, $(grep -c '^[a-z]' "$kg_helm_dir/build.log" || true) packages compiled"
    fi
  done
  if ! wait "$kg_helm_pid"; then
    tail -n 30 "$kg_helm_dir/build.log" >&2
    die "failed to build Helm $kg_helm_version (full log: $kg_helm_dir/build.log)"
  fi
  mv "$kg_helm_dir/.partial/helm" "$kg_helm_dir/helm"
  rmdir "$kg_helm_dir/.partial"
  step "built Helm $kg_helm_version in $((SECONDS - kg_helm_start))s"
fi
unset kg_helm_version kg_helm_dir kg_helm_start kg_helm_pid kg_helm_gomod kg_helm_k8s kg_helm_ldflags kg_helm_pkg
