# Debian's chromium for the web view's browser tests (test/ui/web-view.int.test.ts drives it
# with playwright-core at /usr/bin/chromium; Playwright's own browser download does not work here).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" != 0 ]; then
    warn "not root: skipping chromium (apt-get needs root); the web view's browser tests need it"
  else
    if [ -z "${KG_APT_UPDATED:-}" ]; then
      with_progress "apt-get update" env DEBIAN_FRONTEND=noninteractive apt-get update
      export KG_APT_UPDATED=1
    fi
    with_progress "installing chromium (Debian package)" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
  fi
fi
