# PostgreSQL server binaries for the broker's integration tests and benchmarks (scripts/postgres.sh
# runs a throwaway cluster with them; nothing is started here). Not for the playground (PGlite).
if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    warn "not root: skipping PostgreSQL (apt-get needs root); the integration tests need it"
  else
    if [ -z "${KG_APT_UPDATED:-}" ]; then
      with_progress "apt-get update" env DEBIAN_FRONTEND=noninteractive apt-get update
      export KG_APT_UPDATED=1
    fi
    with_progress "installing PostgreSQL (Debian package)" env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
  fi
fi
