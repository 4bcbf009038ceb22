#!/usr/bin/env bash
# A province on two cores: every page at 2,000 generated units, each against its ceiling.
#
# Fills a SQLite database with `rectify demo --units N` (the built-in demo unit plus N generated
# units over several rounds; the demo's `office` account sees every unit, `dept` one unit),
# serves it, and runs wrk on loopback for each page at 4 and 16 connections; right after each
# page, the same wrk run against an axum handler that returns a fixed body of the same byte size
# (`examples/fixed_body.rs`). Prints throughput, p50 and p99 of both and their ratio, and the
# server's RSS after the whole run.
#
#   crates/server/benches/province.sh                 # UNITS=2000 SECONDS_EACH=5 by default
#   DATA=/tmp/province crates/server/benches/province.sh   # reuse a filled database
#   BIN=/path/to/release PAGES='^office /(inbox)?$' …       # given binaries, some pages only
#
# PostgreSQL: DATABASE=postgres://… serves that database (filled beforehand, e.g. by `rectify
# restore` of a SQLite province's backup, with RECTIFY_AUDIT_KEY_FILE naming its key ring) with
# `rectify serve`; SERVERS=2 starts a second `rectify serve` on the same database, signs in on the
# first and sends every page to both at once (half the connections each, the same cookie):
# req/s is their sum, p50/p99 the worse of the two.
#
#   DATABASE=postgres://postgres@127.0.0.1:PORT/province SERVERS=2 crates/server/benches/province.sh
set -euo pipefail

cd "$(dirname "$0")/../../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rectify-target}"
units="${UNITS:-2000}"
seconds="${SECONDS_EACH:-5}"
data="${DATA:-$(mktemp -d)}"
command -v wrk >/dev/null || { echo "province.sh: needs wrk (apt-get install wrk)" >&2; exit 1; }
if [ -z "${BIN:-}" ]; then
    cargo build --release --bin rectify -p rectify
    cargo build --release -p rectify-server --example fixed_body
fi
bin="${BIN:-$CARGO_TARGET_DIR/release}"
pages="${PAGES:-.}"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

database="${DATABASE:-}"
servers="${SERVERS:-1}"
port=$(free_port); addr="127.0.0.1:$port"
addr2=""
started=$(date +%s%N)
if [ -n "$database" ]; then
    "$bin/rectify" serve --database "$database" --addr "$addr" >"$data/serve.log" 2>&1 &
else
    "$bin/rectify" demo --units "$units" --addr "$addr" --data "$data" >"$data/demo.log" 2>&1 &
fi
server=$!
server2=""
ceiling=""
trap 'kill $server 2>/dev/null; [ -n "$server2" ] && kill $server2 2>/dev/null; [ -n "$ceiling" ] && kill $ceiling 2>/dev/null; true' EXIT
up() {
    for _ in $(seq 1 6000); do
        curl -fsS "http://$1/healthz" >/dev/null 2>&1 && return
        sleep 0.2
    done
}
up "$addr"
echo "server up on ${database:-$data} after $(( ($(date +%s%N) - started) / 1000000 )) ms (units: $units)"
if [ "$servers" = 2 ]; then
    [ -n "$database" ] || { echo "province.sh: SERVERS=2 needs DATABASE=postgres://…" >&2; exit 1; }
    addr2="127.0.0.1:$(free_port)"
    "$bin/rectify" serve --database "$database" --addr "$addr2" >"$data/serve2.log" 2>&1 &
    server2=$!
    up "$addr2"
    echo "second server up on $addr2 (same database)"
fi

sign_in() {
    curl -fsS -D - -o /dev/null -H 'Content-Type: application/json' \
        -d "{\"username\":\"$1\",\"password\":\"Demo#Zhenggai2024\"}" "http://$addr/api/session" |
        sed -n 's/^[Ss]et-[Cc]ookie: \(rectify_session=[^;]*\).*/\1/p'
}
office=$(sign_in office)
dept=$(sign_in dept)
round=$(curl -fsS -H "Cookie: $office" "http://$addr/api/rounds?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
unit=$(curl -fsS -H "Cookie: $office" "http://$addr/api/rounds/$round/overview" | python3 -c 'import json,sys; print(json.load(sys.stdin)["units"][0]["inspection_id"])')
problem=$(curl -fsS -H "Cookie: $office" "http://$addr/api/inspections/$unit/problems?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
measure=$(curl -fsS -H "Cookie: $office" "http://$addr/api/inspections/$unit/measures?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')

wrk_run() { # URL CONNECTIONS COOKIE -> "req/s p50_ms p99_ms"
    wrk -t2 -c"$2" -d"${seconds}s" --latency -H "Cookie: $3" "$1" 2>/dev/null | awk '
        /Requests\/sec/ {rps=$2}
        /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
        function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
        END {printf "%.0f %.2f %.2f", rps, ms(p50), ms(p99)}'
}

# One page at CONNECTIONS: on the server, or split over both servers at once.
page_run() { # PATH CONNECTIONS COOKIE -> "req/s p50_ms p99_ms"
    if [ -z "$addr2" ]; then
        wrk_run "http://$addr$1" "$2" "$3"
        return
    fi
    local a b pa pb
    a=$(mktemp); b=$(mktemp)
    wrk_run "http://$addr$1" $(( $2 / 2 )) "$3" >"$a" & pa=$!
    wrk_run "http://$addr2$1" $(( $2 / 2 )) "$3" >"$b" & pb=$!
    wait "$pa" "$pb"
    paste -d' ' "$a" "$b" | awk '{m50 = $2 > $5 ? $2 : $5; m99 = $3 > $6 ? $3 : $6; printf "%d %.2f %.2f", $1 + $4, m50, m99}'
    rm -f "$a" "$b"
}

# CPU time a process has used, in clock ticks (user + system): divided by the requests served
# it gives a cost per request that other load on the machine hardly moves, unlike req/s.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
cpu_us() { # TICKS REQUESTS -> microseconds of CPU per request
    python3 -c "print(f'{$1 * 1e6 / $hz / $2:.0f}' if $2 else '-')"
}

printf '%-44s %3s %9s %8s %8s %9s %8s %6s %8s %8s\n' page conn "req/s" "p50 ms" "p99 ms" "ceil r/s" "ceil p50" ratio "cpu µs" "ceil µs"
for spec in "office /" "office /inbox" "office /rounds/$round" "office /api/rounds/$round/overview" \
            "office /inspections/$unit/ledger" "office /inspections/$unit/dashboard" "office /problems/$problem" \
            "office /measures/$measure" "office /api/problems/$problem" "office /api/inspections/$unit/problems" \
            "office /api/inspections" "dept /"; do
    [[ "$spec" =~ $pages ]] || continue
    who=${spec%% *}; path=${spec#* }
    cookie=$office; [ "$who" = dept ] && cookie=$dept
    bytes=$(curl -fsS -H "Cookie: $cookie" "http://$addr$path" | wc -c)
    cport=$(free_port)
    "$bin/examples/fixed_body" "127.0.0.1:$cport" "$bytes" & ceiling=$!
    sleep 0.3
    for conns in 4 16; do
        t0=$(ticks "$server")
        read -r rps p50 p99 <<<"$(page_run "$path" "$conns" "$cookie")"
        t1=$(ticks "$server"); c0=$(ticks "$ceiling")
        read -r crps cp50 _ <<<"$(wrk_run "http://127.0.0.1:$cport/" "$conns" "x=1")"
        c1=$(ticks "$ceiling")
        ratio=$(python3 -c "print(f'{$rps/$crps*100:.1f}%' if $crps else '-')")
        # With SERVERS=2 only the first server's CPU is counted, over its half of the requests.
        served=$rps; [ -n "$addr2" ] && served=$(( rps / 2 ))
        printf '%-44s %3s %9s %8s %8s %9s %8s %6s %8s %8s\n' "$who $path ($bytes B)" "$conns" "$rps" "$p50" "$p99" "$crps" "$cp50" "$ratio" \
            "$(cpu_us $((t1 - t0)) $((served * seconds)))" "$(cpu_us $((c1 - c0)) $((crps * seconds)))"
    done
    kill $ceiling 2>/dev/null; wait $ceiling 2>/dev/null || true; ceiling=""
done
echo "server RSS after the run: $(( $(ps -o rss= -p $server) / 1024 )) MB"
[ -n "$server2" ] && echo "second server RSS after the run: $(( $(ps -o rss= -p $server2) / 1024 )) MB"
true
