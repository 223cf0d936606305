# Debian's chromium for the web view's browser tests (test/ui/web-view.int.test.ts drives it
# with playwright-core at /usr/bin/chromium; Playwright's own browser download does not work here).
if [ ! -x /usr/bin/chromium ]; then
  apt_install "the web view's browser tests" --no-install-recommends chromium
fi
