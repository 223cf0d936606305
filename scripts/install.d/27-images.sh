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
  apt_install scripts/images.sh --no-install-recommends "${images_pkgs[@]}"
fi
unset images_pkgs images_tool
