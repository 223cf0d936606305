# Container images without Docker (scripts/images.sh, docs/images.md): buildah (daemonless builds,
# --isolation chroot), mmdebstrap (Debian root file systems from Debian's packages), umoci and
# skopeo (unpacking and converting images, for the image tests), setcap (libcap2-bin, CoreDNS's
# file capability), and ctr (containerd) to import the archives. Nothing is built here: images are
# built on first use, each cached by a hash of its inputs.
images_pkgs=()
for images_tool in buildah mmdebstrap umoci skopeo; do
  command -v "$images_tool" >/dev/null || images_pkgs+=("$images_tool")
done
command -v setcap >/dev/null || images_pkgs+=(libcap2-bin)
command -v ctr >/dev/null || images_pkgs+=(containerd)
if [ ${#images_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    warn "not root: skipping ${images_pkgs[*]} (apt-get needs root); scripts/images.sh needs them"
  else
    if [ -z "${KG_APT_UPDATED:-}" ]; then
      with_progress "apt-get update" env DEBIAN_FRONTEND=noninteractive apt-get update
      export KG_APT_UPDATED=1
    fi
    with_progress "installing ${images_pkgs[*]} (Debian packages, for scripts/images.sh)" \
      env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=600 "${images_pkgs[@]}"
  fi
fi
unset images_pkgs images_tool
