#!/usr/bin/env bash
# The inspection office's home page at scale: 100 units of demo size (24 problems, 96 measures
# each) in one SQLite database, signed in as the office (who sees every unit).
#
# Starts the `serve_demo` example (release) on a fresh database, imports 99 more copies of the
# demo ledger under other unit names with `rectify import`, then times the home page (first
# request after the imports, then warm, then after a progress update in one unit) and one
# unit's ledger and dashboard with curl.
#
#   crates/server/benches/scale.sh            # from the repository root; needs python3 and curl
set -euo pipefail

cd "$(dirname "$0")/../../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rectify-target}"
units="${UNITS:-100}"
cargo build --release --bin rectify
work=$(mktemp -d)
# shellcheck source=demo_server.sh
source crates/server/benches/demo_server.sh "$work/scale.sqlite"
trap 'stop_demo_server; rm -rf "$work"' EXIT

python3 - "$work" "$units" <<'PY'
import json, sys
work, units = sys.argv[1], int(sys.argv[2])
ledger = json.load(open("crates/server/demo/demo-ledger.json", encoding="utf-8"))
for i in range(2, units + 1):
    ledger["unit"] = f"中共青禾市第{i}区住房和城乡建设局党组"
    json.dump(ledger, open(f"{work}/u{i}.json", "w", encoding="utf-8"), ensure_ascii=False)
PY
started=$(date +%s%N)
for i in $(seq 2 "$units"); do
    "$CARGO_TARGET_DIR/release/rectify" import --database "sqlite:$work/scale.sqlite" "$work/u$i.json" >/dev/null
done
echo "imported $((units - 1)) ledgers in $(( ($(date +%s%N) - started) / 1000000 )) ms"

cookie=$(sign_in)
[ -n "$cookie" ] || { echo "scale.sh: could not sign in" >&2; exit 1; }
get() {
    curl -fsS -o /dev/null -H "Cookie: $cookie" -w "GET $1 %{http_code} %{time_total}s %{size_download} bytes$2\n" "http://$addr$1"
}
get / " (first after the imports)"
for _ in 1 2 3 4; do get / " (warm)"; done
middle=$(( (units + 1) / 2 ))
for path in /inbox "/inspections/$middle/ledger" "/inspections/$middle/dashboard"; do get "$path" ""; done

# One progress update in unit 1 by its liaison, on the first open measure (a try with a stale
# version learns the current one from the 409), then the office's home page again.
answer=$(curl -fsS -H 'Content-Type: application/json' \
    -d '{"username":"liaison","password":"Demo#Zhenggai2024"}' -D "$work/headers" "http://$addr/api/session")
liaison=$(sed -n 's/^[Ss]et-[Cc]ookie: \(rectify_session=[^;]*\).*/\1/p' "$work/headers")
csrf=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])' <<<"$answer")
progress() {
    curl -sS -o "$work/answer" -w '%{http_code}' -H "Cookie: $liaison" -H "x-csrf-token: $csrf" \
        -F "version=$2" -F "text=召开专题会议部署整改" "http://$addr/api/measures/$1/progress"
}
updated=""
for measure in $(seq 1 40); do
    [ "$(progress "$measure" -1)" = 409 ] || continue
    version=$(python3 -c 'import json; print(json.load(open("'"$work/answer"'"))["current_version"])')
    if [ "$(progress "$measure" "$version")" = 200 ]; then updated=$measure; break; fi
done
[ -n "$updated" ] || { echo "scale.sh: no open measure took a progress update" >&2; exit 1; }
get / " (after a change in one unit)"
get / " (warm)"
