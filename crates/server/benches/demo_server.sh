# Sourced by the load scripts of this folder: starts the `serve_demo` example (release) on a free
# loopback port with the SQLite database "$1" (a temporary one when empty), waits until it
# answers, and signs in as the demo's inspection office (the widest view). Sets `addr`,
# `server` and `cookie`; the caller's EXIT trap stops the server (`stop_demo_server`).

cargo build --release -p rectify-server --example serve_demo
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
addr="127.0.0.1:$port"
if [ -n "${1:-}" ]; then
    "$CARGO_TARGET_DIR/release/examples/serve_demo" "$addr" "$1" >/dev/null 2>&1 &
else
    "$CARGO_TARGET_DIR/release/examples/serve_demo" "$addr" >/dev/null 2>&1 &
fi
server=$!

stop_demo_server() {
    kill "$server" 2>/dev/null
    wait "$server" 2>/dev/null || true
}

for _ in $(seq 1 100); do
    curl -fsS "http://$addr/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done

sign_in() {
    curl -fsS -D - -o /dev/null -H 'Content-Type: application/json' \
        -d '{"username":"office","password":"Demo#Zhenggai2024"}' "http://$addr/api/session" |
        sed -n 's/^[Ss]et-[Cc]ookie: \(rectify_session=[^;]*\).*/\1/p'
}
