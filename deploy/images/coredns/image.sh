# Cluster DNS: CoreDNS built from its Go module (static, CGO off), alone in one layer. The cluster
# gives it its Corefile (a ConfigMap) with `-conf`, as kubeadm's CoreDNS Deployment does. The main
# package is this folder's (main.go, go.mod, go.sum): upstream's coremain with only the plugins a
# cluster's DNS needs, a fraction of upstream's build.
# shellcheck shell=bash disable=SC2034 # variables read by scripts/lib/images.sh
image_version=1.15.0

image_inputs() {
  go version
}

# The version go.mod requires is the image's.
coredns_required() {
  awk '$1 == "require" && $2 == "github.com/coredns/coredns" {print $3} $1 == "github.com/coredns/coredns" {print $2}' \
    deploy/images/coredns/go.mod
}

image_build() {
  local archive=$1 ref=$2 work=$3
  mkdir -p "$work/rootfs"
  [ "$(coredns_required)" = "v$image_version" ] ||
    die "deploy/images/coredns/go.mod requires CoreDNS $(coredns_required), the recipe names v$image_version"
  (cd deploy/images/coredns && CGO_ENABLED=0 GOFLAGS='-buildvcs=false -mod=readonly' \
    go build -trimpath -ldflags='-s -w' -o "$work/rootfs/coredns" .)
  # Non-root like the upstream image (65532, "nonroot"), with the file capability to bind port 53;
  # the Deployment keeps NET_BIND_SERVICE in its bounding set.
  setcap cap_net_bind_service=+ep "$work/rootfs/coredns"
  images_from_rootfs "$archive" "$ref" "$work/rootfs" --entrypoint '["/coredns"]' --cmd '' --user 65532:65532 --port 53/udp --port 53/tcp --port 9153/tcp
}
