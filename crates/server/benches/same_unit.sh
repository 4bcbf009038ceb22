#!/usr/bin/env bash
# The demo unit's pages (inspection 1, problem 1, measure 1) on one data folder, at 16
# connections: run it on a province (`rectify demo --units 2000`) and on the demo alone, in
# turn, to compare the same pages with 2,000 units and with one (BENCHMARKS.md, session 6).
#
#   BIN=target/release DATA=/tmp/province crates/server/benches/same_unit.sh
set -euo pipefail
bin="${BIN:?BIN: the folder of the release rectify}"
data="${DATA:?DATA: the folder of the database}"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
"$bin/rectify" demo --addr "127.0.0.1:$port" --data "$data" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; true' EXIT
for _ in $(seq 1 600); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
cookie=$(curl -fsS -D - -o /dev/null -H 'Content-Type: application/json' \
    -d '{"username":"office","password":"Demo#Zhenggai2024"}' "http://127.0.0.1:$port/api/session" |
    sed -n 's/^[Ss]et-[Cc]ookie: \(rectify_session=[^;]*\).*/\1/p')
hz=$(getconf CLK_TCK)
for path in /inspections/1/ledger /inspections/1/dashboard /problems/1 /measures/1 /api/inspections/1/problems; do
    bytes=$(curl -fsS -H "Cookie: $cookie" "http://127.0.0.1:$port$path" | wc -c)
    t0=$(awk '{print $14 + $15}' "/proc/$server/stat")
    rps=$(wrk -t2 -c16 -d5s -H "Cookie: $cookie" "http://127.0.0.1:$port$path" | awk '/Requests\/sec/ {print $2}')
    t1=$(awk '{print $14 + $15}' "/proc/$server/stat")
    echo "$path (${bytes} B): $rps req/s, $(python3 -c "print(round(($t1 - $t0) * 1e6 / $hz / ($rps * 5)))") µs CPU per request"
done
