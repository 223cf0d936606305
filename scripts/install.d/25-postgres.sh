# PostgreSQL server binaries for the broker's integration tests and benchmarks (scripts/postgres.sh
# runs a throwaway cluster with them; nothing is started here).
if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  step "installing PostgreSQL (Debian package)"
  if [ -z "${KG_APT_UPDATED:-}" ]; then
    apt-get update -qq
    export KG_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
