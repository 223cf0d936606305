# zsh, for the completion test that types Tab in a real interactive zsh
# (plugin/completion/completion.int.test.ts). Sourced by scripts/install-deps.sh.
if ! command -v zsh >/dev/null 2>&1; then
  step "installing zsh (completion tests)"
  if [ -z "${KG_APT_UPDATED:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    export KG_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends zsh >/dev/null
fi
