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

# shellcheck source=demo_server.sh
source crates/server/benches/demo_server.sh
trap stop_demo_server EXIT
curl -fsS "http://$addr/healthz"; echo

cookie=$(sign_in)
[ -n "$cookie" ] || { echo "load.sh: could not sign in" >&2; exit 1; }

for path in /api/inspections/1/statistics /api/inspections/1/measures / /inspections/1/ledger /inspections/1/dashboard /public; do
    echo "== GET $path ($(curl -fsS -o /dev/null -H "Cookie: $cookie" -w '%{size_download}' "http://$addr$path") bytes)"
    wrk -d ${DURATION:-10s} -c 16 -t 2 --latency -H "Cookie: $cookie" "http://$addr$path"
done
