#!/usr/bin/env bash
# End-to-end tests of the web UI in headless Chromium (Debian's package, driven by
# playwright-core; no browser is downloaded).
#
# Installs what is missing (chromium, nodejs/npm from apt; the npm packages of tests/e2e with
# `npm ci`), starts the server on a free loopback port with a fresh temporary data directory,
# runs `node --test`, saves screenshots to tests/e2e/screenshots/, stops the server and exits
# with the tests' status.
#
# RECTIFY_E2E_SERVER_CMD overrides how the server starts; `{addr}` and `{data}` are replaced by
# the address (127.0.0.1:PORT) and the data directory, e.g.
#   RECTIFY_E2E_SERVER_CMD='target/release/rectify demo --addr {addr} --data {data}' scripts/e2e.sh
# By default it runs the debug build of `rectify demo`, exactly what users run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
E2E="$ROOT/tests/e2e"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/rectify-target}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
# Chinese glyphs in the screenshots that people review (not needed for the assertions).
ls /usr/share/fonts/opentype/noto/NotoSansCJK* >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -gt 0 ]; then
  echo "e2e: installing ${missing[*]}" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -d "$E2E/node_modules/playwright-core" ]; then
  (cd "$E2E" && npm ci --no-audit --no-fund --loglevel=error)
fi

PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
ADDR="127.0.0.1:$PORT"
DATA=$(mktemp -d "${TMPDIR:-/tmp}/rectify-e2e.XXXXXX")
LOG="$DATA/server.log"

if [ -n "${RECTIFY_E2E_SERVER_CMD:-}" ]; then
  CMD=${RECTIFY_E2E_SERVER_CMD//\{addr\}/$ADDR}
  CMD=${CMD//\{data\}/$DATA}
else
  (cd "$ROOT" && cargo build --quiet -p rectify --bin rectify)
  CMD="$CARGO_TARGET_DIR/debug/rectify demo --addr $ADDR --data $DATA"
fi

echo "e2e: starting $CMD" >&2
(cd "$ROOT" && exec bash -c "exec $CMD") >"$LOG" 2>&1 &
SERVER=$!

stop() {
  if kill -0 "$SERVER" 2>/dev/null; then
    kill -INT "$SERVER" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER" 2>/dev/null || true
  fi
  wait "$SERVER" 2>/dev/null || true
  rm -rf "$DATA"
}
trap stop EXIT

ready=0
for _ in $(seq 1 600); do
  if node -e "fetch('http://$ADDR/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" 2>/dev/null; then
    ready=1
    break
  fi
  if ! kill -0 "$SERVER" 2>/dev/null; then break; fi
  sleep 0.2
done
if [ "$ready" -ne 1 ]; then
  echo "e2e: the server did not come up on $ADDR; its log:" >&2
  cat "$LOG" >&2
  exit 1
fi

rm -rf "$E2E/screenshots"
mkdir -p "$E2E/screenshots"
status=0
(cd "$E2E" && RECTIFY_E2E_BASE_URL="http://$ADDR" RECTIFY_E2E_SCREENSHOTS="$E2E/screenshots" \
  node --test --test-concurrency=1 ui.test.mjs) || status=$?
if [ "$status" -ne 0 ]; then
  echo "e2e: server log (last lines):" >&2
  tail -n 40 "$LOG" >&2 || true
fi
exit "$status"
