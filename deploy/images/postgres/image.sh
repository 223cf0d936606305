# PostgreSQL 17 from Debian's packages, for the chart's bundled database (postgresql.image). Debian
# trixie, because its PostgreSQL is 17, the major version of the chart's default postgres:17.7-bookworm:
# a data directory made by either image opens with the other (bookworm's own PostgreSQL is 15, which
# cannot read a 17 data directory). It behaves as the official image does where the chart relies on
# it: POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB and PGDATA initialise an empty data directory,
# the server listens on every address with password (scram-sha-256) authentication, pg_isready is on
# PATH, and it runs as uid and gid 999 ("postgres") with a read-only root: it writes only to PGDATA,
# /var/run/postgresql and /tmp.
# shellcheck shell=bash disable=SC2034 # variables read by scripts/lib/images.sh
image_version=17-trixie
postgres_major=17

source deploy/images/debian/rootfs.sh

image_inputs() {
  mmdebstrap --version
  cat deploy/images/debian/rootfs.sh
}

image_build() {
  local archive=$1 ref=$2 work=$3
  # Before the package is installed: the user with the official image's ids (the chart's
  # runAsUser and fsGroup; written directly, as passwd is not yet installed: the package's scripts
  # then find it), and no "main" cluster, since the entrypoint makes one in PGDATA. Paths are made
  # inside the chroot: /var/run is a symlink to /run, which from outside would be the host's.
  debian_rootfs trixie "$work/rootfs.tar" --include="postgresql-$postgres_major" \
    --essential-hook='echo "postgres:x:999:" >>"$1/etc/group" && echo "postgres:x:999:999:PostgreSQL administrator:/var/lib/postgresql:/bin/bash" >>"$1/etc/passwd"' \
    --essential-hook='mkdir -p "$1/etc/postgresql-common/createcluster.d" && echo "create_main_cluster = false" >"$1/etc/postgresql-common/createcluster.d/no-main-cluster.conf"' \
    --customize-hook='chroot "$1" sh -c "install -d -o 999 -g 999 -m 3777 /var/run/postgresql && install -d -o 999 -g 999 -m 700 /var/lib/postgresql/data && chown 999:999 /var/lib/postgresql"' \
    --customize-hook='copy-in deploy/images/postgres/docker-entrypoint.sh /usr/local/bin' \
    --customize-hook='chmod 755 "$1/usr/local/bin/docker-entrypoint.sh"'
  debian_image "$archive" "$ref" "$work/rootfs.tar" \
    --env "PATH=/usr/lib/postgresql/$postgres_major/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --env PG_MAJOR=$postgres_major --env PGDATA=/var/lib/postgresql/data --env LANG=C.UTF-8 \
    --user 999:999 --workingdir /var/lib/postgresql --port 5432 --stop-signal SIGINT \
    --entrypoint '["docker-entrypoint.sh"]' --cmd '["postgres"]'
}
