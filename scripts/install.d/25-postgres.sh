# PostgreSQL server binaries for the broker's integration tests and benchmarks (scripts/postgres.sh
# runs a throwaway cluster with them; nothing is started here). Not for the playground (PGlite).
if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  apt_install "the broker's integration tests and benchmarks" postgresql
fi
