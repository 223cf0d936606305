# Schemathesis, the schema-driven HTTP fuzzer that daemons/broker/api/openapi-fuzz.int.test.ts runs
# against the broker's OpenAPI document and a real broker. A pinned version in its own venv under
# ~/.cache/kguardian (outside the checkout, shared by worktrees), so a run is repeatable and
# nothing lands in the system Python. Sourced by scripts/install-deps.sh.
KG_SCHEMATHESIS_VERSION=4.32.5
KG_SCHEMATHESIS_VENV="${HOME}/.cache/kguardian/schemathesis-${KG_SCHEMATHESIS_VERSION}"
# The marker is written last: an interrupted install is redone, never mistaken for a finished one.
if [ ! -e "${KG_SCHEMATHESIS_VENV}/.kguardian-installed" ]; then
  if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    apt_install "the OpenAPI fuzz test" --no-install-recommends python3-venv
  fi
  rm -rf "${KG_SCHEMATHESIS_VENV}"
  with_progress "installing Schemathesis ${KG_SCHEMATHESIS_VERSION} (OpenAPI fuzz test)" bash -c '
    set -e
    python3 -m venv "$1"
    "$1/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$2"
    touch "$1/.kguardian-installed"
  ' _ "${KG_SCHEMATHESIS_VENV}" "${KG_SCHEMATHESIS_VERSION}"
fi
