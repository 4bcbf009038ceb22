#!/usr/bin/env bash
# Runs a command beside a throw-away PostgreSQL cluster and removes the cluster afterwards.
#
#   scripts/with-postgres.sh cargo test -p rectify-storage
#
# Installs PostgreSQL from apt when `initdb` is missing, starts a cluster on 127.0.0.1 on a free
# port with trust authentication, exports
#   RECTIFY_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:PORT/postgres
# runs the command, stops and deletes the cluster on exit, and exits with the command's status.
# Runs as root (the server itself runs as the `postgres` user) or as an ordinary user who owns
# an installed PostgreSQL.
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 64
fi

find_pgbin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

PGBIN=$(find_pgbin || true)
if [[ -z "$PGBIN" || ! -x "$PGBIN/initdb" ]]; then
    echo "with-postgres: installing postgresql from apt" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    PGBIN=$(find_pgbin)
fi

# As root, the server runs as `postgres`; otherwise as the calling user.
if [[ $(id -u) -eq 0 ]]; then
    as_pg() { runuser -u postgres -- "$@"; }
else
    as_pg() { "$@"; }
fi

PGDATA=$(mktemp -d "${TMPDIR:-/tmp}/rectify-pg.XXXXXX")
if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$PGDATA"; fi

cleanup() {
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PGDATA"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$PGDATA.initdb.log" 2>&1 || {
    cat "$PGDATA.initdb.log" >&2
    rm -f "$PGDATA.initdb.log"
    exit 1
}
rm -f "$PGDATA.initdb.log"

# Ask the OS for a free port; try again if another process takes it before the server binds.
started=""
for _ in 1 2 3 4 5; do
    PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    if as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$PGDATA -c fsync=off -c max_connections=200" \
        start >/dev/null; then
        started=yes
        break
    fi
done
if [[ -z "$started" ]]; then
    echo "with-postgres: the server did not start; its log follows" >&2
    cat "$PGDATA/server.log" >&2 || true
    exit 1
fi

export RECTIFY_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
echo "with-postgres: $RECTIFY_TEST_POSTGRES_URL" >&2

status=0
"$@" || status=$?
exit "$status"
