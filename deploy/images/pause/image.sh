# The pod sandbox image (containerd's sandbox_image): pause.c, built statically, alone in one layer.
# shellcheck shell=bash disable=SC2034 # variables read by scripts/lib/images.sh
image_version=3.10

image_inputs() {
  gcc --version | head -n 1
}

image_build() {
  local archive=$1 ref=$2 work=$3
  mkdir -p "$work/rootfs"
  gcc -static -Os -s -Wall -Werror -DPAUSE_VERSION="\"$image_version\"" -o "$work/rootfs/pause" deploy/images/pause/pause.c
  # uid 65535, as the upstream pause image: the sandbox needs no privilege.
  images_from_rootfs "$archive" "$ref" "$work/rootfs" --entrypoint '["/pause"]' --cmd '' --user 65535:65535
}
