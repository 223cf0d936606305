# Debian root file systems and one-layer images of them, for the recipes of the Debian-based images.
# shellcheck shell=bash

# debian_rootfs SUITE TARBALL [mmdebstrap options...]: a slim Debian root file system as a tarball.
debian_rootfs() {
  local suite=$1 tarball=$2
  shift 2
  SOURCE_DATE_EPOCH=0 mmdebstrap --mode=root --variant=minbase --format=tar --skip=output/dev \
    --aptopt='Acquire::Languages "none"' \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --dpkgopt='path-exclude=/usr/share/lintian/*' \
    --hook-dir=/usr/share/mmdebstrap/hooks/maybe-merged-usr \
    "$@" "$suite" "$tarball"
}

# debian_image ARCHIVE REF TARBALL [buildah config options...]: the tarball as a one-layer image.
debian_image() {
  local archive=$1 ref=$2 tarball=$3 c
  shift 3
  c=$(images_buildah from --quiet scratch)
  images_buildah add --quiet "$c" "$tarball" / >/dev/null
  images_buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@" "$c"
  images_commit "$c" "$archive" "$ref"
}
