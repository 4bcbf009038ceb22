#!/usr/bin/env bash
# Kill -9 under concurrent writers: starts `rectify serve` on a database filled with the demo,
# lets WRITERS writers use the API as the demo's users, SIGKILLs the server at random moments
# and starts it again, for CYCLES cycles; then checks that every acknowledged write is there,
# that `rectify audit verify` says intact and (SQLite) that `PRAGMA integrity_check` says ok.
# Prints cycles, writes acknowledged, lost (must be 0) and the time; exits 1 on any loss.
#
#   scripts/crash.sh                                   # SQLite, 100 cycles
#   CYCLES=5 scripts/crash.sh                          # a short run
#   scripts/with-postgres.sh env DATABASE=postgres scripts/crash.sh   # PostgreSQL
#
# RECTIFY_BIN: the binary (default: $CARGO_TARGET_DIR/debug/rectify, built if missing; the
# script copies it, so a build elsewhere cannot replace it mid-run). DATABASE=postgres uses the
# cluster of scripts/with-postgres.sh (RECTIFY_TEST_POSTGRES_URL), or give a postgres:// URL of
# an empty database. WRITERS (default 6), SEED (default 13), KEEP=1 keeps the work folder.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rectify-target}"
export CYCLES="${CYCLES:-100}" WRITERS="${WRITERS:-6}" SEED="${SEED:-13}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rectify-crash.XXXXXX")
export WORK
cleanup() { [[ -n "${KEEP:-}" ]] && echo "work folder kept: $WORK" || rm -rf "$WORK"; }
trap cleanup EXIT

bin="${RECTIFY_BIN:-$CARGO_TARGET_DIR/debug/rectify}"
if [[ ! -x "$bin" ]]; then
    cargo build -p rectify --bin rectify
fi
cp "$bin" "$WORK/rectify"
export RECTIFY_BIN="$WORK/rectify"
export RECTIFY_AUDIT_KEY_FILE="$WORK/audit-keys" RECTIFY_DATA_KEY_FILE="$WORK/data-keys"

# The demo's ledger and accounts, written by `rectify demo` into a SQLite file (stopped once it
# answers); for PostgreSQL carried over with `rectify backup` and `rectify restore`.
seed="$WORK/seed"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
"$RECTIFY_BIN" demo --addr "127.0.0.1:$port" --data "$seed" >"$WORK/demo.log" 2>&1 &
demo=$!
for _ in $(seq 300); do
    if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/healthz', timeout=1)" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
kill -TERM "$demo"
wait "$demo" || true

case "${DATABASE:-sqlite}" in
    sqlite)
        export DATABASE="sqlite:$seed/rectify.db"
        ;;
    postgres)
        : "${RECTIFY_TEST_POSTGRES_URL:?DATABASE=postgres needs scripts/with-postgres.sh (or a postgres:// URL)}"
        export DATABASE="$RECTIFY_TEST_POSTGRES_URL"
        ;;
esac
if [[ "$DATABASE" == postgres* ]]; then
    "$RECTIFY_BIN" backup --database "sqlite:$seed/rectify.db" --evidence "$seed/evidence" -o "$WORK/seed.backup" >/dev/null
    "$RECTIFY_BIN" restore "$WORK/seed.backup" --database "$DATABASE" --evidence "$WORK/evidence" >/dev/null
fi

python3 scripts/crash.py
