#!/usr/bin/env bash
# Live events (issue 6, must-show 5, first half): CLIENTS WebSocket clients on /api/v1/events of
# a release `plateau demo`, each receiving every agent's events (the demo admin's bearer token),
# while agents' states are changed through the API at RATE changes per second for SECONDS_RUN seconds.
# Prints a Markdown table: clients, events, deliveries, lagged notices, p50/p99/max latency
# (from the API request's send to the frame's arrival, one machine's clock).
#
#   bench/ws/run.sh                      # 500 clients, 50 changes/s, 10 s
#   CLIENTS=100 RATE=20 SECONDS_RUN=5 bench/ws/run.sh
#   NO_BUILD=1 bench/ws/run.sh           # skip the release build
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
clients="${CLIENTS:-500}"
rate="${RATE:-50}"
seconds="${SECONDS_RUN:-10}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

# NO_BUILD=1 uses the binaries already built.
if [ -z "${NO_BUILD:-}" ]; then
    (cd "$root" && cargo build -q --release -p plateau --bin plateau --example ws_load)
fi
bin="$CARGO_TARGET_DIR/release/plateau"

work="$(mktemp -d)"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# 500 sockets on each side: make sure the descriptors are there.
ulimit -n 4096 2>/dev/null || true

mkfifo "$work/out"
RUST_LOG=warn "$bin" demo --data-dir "$work/data" --sip-port 0 --http-port 0 --bind 127.0.0.1 \
    --rtp-ports 40000-40999 --prompts bundled >"$work/out" 2>"$work/server.log" &
server_pid=$!
exec 3<"$work/out"
http="" token=""
while IFS= read -r -u 3 line; do
    case "$line" in
        listening\ *) http="$(sed -n 's/.* http=\([^ ]*\).*/\1/p' <<<"$line")" ;;
    esac
    trimmed="${line#"${line%%[![:space:]]*}"}"
    case "$trimmed" in
        Token*) token="$(awk '{print $2}' <<<"$trimmed")" ;;
    esac
    case "$line" in "Press Ctrl-C"*) break ;; esac
done
# Keep draining the banner's pipe so the server never blocks on stdout.
cat <&3 >/dev/null &

if [ -z "$http" ] || [ -z "$token" ]; then
    echo "could not read the demo's address and token" >&2
    cat "$work/server.log" >&2
    exit 1
fi

"$CARGO_TARGET_DIR/release/examples/ws_load" --http "$http" --token "$token" \
    --clients "$clients" --rate "$rate" --seconds "$seconds"
echo
echo "server: plateau demo (release, SQLite), $(nproc) cores; load client on the same machine."
