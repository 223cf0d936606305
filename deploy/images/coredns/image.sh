# Cluster DNS: CoreDNS built from its Go module (static, CGO off), alone in one layer. The cluster
# gives it its Corefile (a ConfigMap) with `-conf`, as kubeadm's CoreDNS Deployment does.
# shellcheck shell=bash disable=SC2034 # variables read by scripts/lib/images.sh
image_version=1.15.0

image_inputs() {
  go version
}

image_build() {
  local archive=$1 ref=$2 work=$3
  mkdir -p "$work/rootfs" "$work/bin"
  (cd "$work" && GOBIN="$work/bin" CGO_ENABLED=0 GOFLAGS=-buildvcs=false \
    go install -trimpath -ldflags='-s -w' "github.com/coredns/coredns@v$image_version")
  cp "$work/bin/coredns" "$work/rootfs/coredns"
  # Non-root like the upstream image (65532, "nonroot"), with the file capability to bind port 53;
  # the Deployment keeps NET_BIND_SERVICE in its bounding set.
  setcap cap_net_bind_service=+ep "$work/rootfs/coredns"
  images_from_rootfs "$archive" "$ref" "$work/rootfs" --entrypoint '["/coredns"]' --cmd '' --user 65532:65532 --port 53/udp --port 53/tcp --port 9153/tcp
}
