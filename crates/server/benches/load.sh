#!/usr/bin/env bash
# Load test of the API and the overview page at demo scale on loopback.
#
# Builds and starts the `serve_demo` example (release) on a free port with a temporary SQLite
# database holding the demo ledger, then runs wrk against three endpoints, bounded to
# 10 seconds, 16 connections and 2 threads each. Needs `wrk` (Debian package).
#
#   crates/server/benches/load.sh            # from the repository root
set -euo pipefail

cd "$(dirname "$0")/../../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rectify-target}"
command -v wrk >/dev/null || { echo "load.sh: wrk is not installed (apt-get install wrk)" >&2; exit 2; }

cargo build --release -p rectify-server --example serve_demo
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
addr="127.0.0.1:$port"
"$CARGO_TARGET_DIR/release/examples/serve_demo" "$addr" &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT

for _ in $(seq 1 100); do
    curl -fsS "http://$addr/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -fsS "http://$addr/healthz"; echo

# Sign in as the inspection office (the widest view) with the demo's account.
cookie=$(curl -fsS -D - -o /dev/null -H 'Content-Type: application/json' \
    -d '{"username":"office","password":"Demo#Zhenggai2024"}' "http://$addr/api/session" |
    sed -n 's/^[Ss]et-[Cc]ookie: \(rectify_session=[^;]*\).*/\1/p')
[ -n "$cookie" ] || { echo "load.sh: could not sign in" >&2; exit 1; }

for path in /api/inspections/1/statistics /api/inspections/1/measures / /inspections/1/ledger /inspections/1/dashboard /public; do
    echo "== GET $path ($(curl -fsS -o /dev/null -H "Cookie: $cookie" -w '%{size_download}' "http://$addr$path") bytes)"
    wrk -d ${DURATION:-10s} -c 16 -t 2 --latency -H "Cookie: $cookie" "http://$addr$path"
done
