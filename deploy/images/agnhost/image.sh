# agnhost, the Kubernetes e2e tests' workload (serve-hostname, netexec, connect, pause, ...), from
# k8s.io/kubernetes/test/images/agnhost at the release test/controlplane pins, on the debian base.
# It is built in a copy of test/controlplane's module (its require and replace lines) with the same
# go build flags as the control plane (scripts/lib/controlplane.sh: cgo on, -trimpath, the same
# ldflags), so the Kubernetes packages it shares with the control plane come from the Go build cache
# instead of compiling again. cgo links it against glibc: the debian base's, the same Debian release
# this machine builds with.
# shellcheck shell=bash disable=SC2034 # variables read by scripts/lib/images.sh
source scripts/lib/controlplane.sh
image_version=$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ {sub(/^v/, "", $2); print $2; exit}' "$controlplane_src/go.mod")
image_deps=(debian)

image_inputs() {
  go version
  cat "$controlplane_src/go.mod" "$controlplane_src/go.sum"
  controlplane_ldflags
}

image_build() {
  local archive=$1 ref=$2 work=$3 c
  mkdir -p "$work/module"
  cp "$controlplane_src/go.mod" "$controlplane_src/go.sum" "$work/module/"
  # -mod=mod: agnhost needs go.sum lines the control plane does not (its own imports); the
  # versions stay those of the module graph.
  (cd "$work/module" && GOFLAGS='-buildvcs=false -mod=mod' \
    go build -v -trimpath -ldflags="$(controlplane_ldflags)" -o "$work/agnhost" k8s.io/kubernetes/test/images/agnhost)
  c=$(images_buildah from --quiet --pull=never "$(images_ref debian)")
  images_buildah copy --quiet "$c" "$work/agnhost" /agnhost >/dev/null
  images_buildah config --entrypoint '["/agnhost"]' --cmd '["pause"]' "$c"
  images_commit "$c" "$archive" "$ref"
}
