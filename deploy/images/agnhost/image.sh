# agnhost, the Kubernetes e2e tests' workload (serve-hostname, netexec, connect, pause, ...), from
# k8s.io/kubernetes/test/images/agnhost at the release test/controlplane pins, on the debian base.
# It is built in a copy of test/controlplane's module (its require and replace lines) by the
# control plane's go build command (controlplane_go_build in scripts/lib/controlplane.sh: cgo on,
# -trimpath, the same ldflags), so the Kubernetes packages it shares with the control plane and
# kg-node come from the Go build cache instead of compiling again. cgo links it against glibc: the debian base's, the same Debian release
# this machine builds with.
# shellcheck shell=bash disable=SC2034 # variables read by scripts/lib/images.sh
source scripts/lib/controlplane.sh
image_version=$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ {sub(/^v/, "", $2); print $2; exit}' "$controlplane_src/go.mod")
image_deps=(debian)

image_inputs() {
  go version
  cat "$controlplane_src/go.mod" "$controlplane_src/go.sum"
  declare -f controlplane_go_build
  controlplane_ldflags
}

image_build() {
  local archive=$1 ref=$2 work=$3 c
  mkdir -p "$work/module"
  cp "$controlplane_src/go.mod" "$controlplane_src/go.sum" "$work/module/"
  # The control plane's own go build command, run in the copy; -mod=mod lets it add go.sum lines
  # agnhost may need and the control plane does not (the versions stay the module graph's), in the
  # copy only.
  controlplane_src="$work/module" GOFLAGS='-buildvcs=false -mod=mod' \
    controlplane_go_build "$work/agnhost" k8s.io/kubernetes/test/images/agnhost
  c=$(images_buildah from --quiet --pull=never "$(images_ref debian)")
  images_buildah copy --quiet "$c" "$work/agnhost" /agnhost >/dev/null
  images_buildah config --entrypoint '["/agnhost"]' --cmd '["pause"]' "$c"
  images_commit "$c" "$archive" "$ref"
}
