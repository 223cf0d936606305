# Debian bookworm, slim: the base the other Debian images build on, made from Debian's packages
# with mmdebstrap (minbase: Essential and apt, no documentation, man pages or translations, as the
# "-slim" images drop them). Its sources are mmdebstrap's defaults for a stable release (the main
# archive, -updates and -security), so apt-get in a later build stage works as in debian:bookworm.
# The key does not follow the archive: a cached base keeps the package versions it was built with
# until its recipe changes, like a pinned base image.
# shellcheck shell=bash disable=SC2034 # variables read by scripts/lib/images.sh
image_version=bookworm-slim

source deploy/images/debian/rootfs.sh

image_inputs() {
  mmdebstrap --version
}

image_build() {
  local archive=$1 ref=$2 work=$3
  debian_rootfs bookworm "$work/rootfs.tar"
  debian_image "$archive" "$ref" "$work/rootfs.tar" --cmd '["bash"]'
}
