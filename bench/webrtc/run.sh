#!/usr/bin/env bash
# Browser legs (issue 6, must-show 5, second half): the softphone gateway's CPU per DTLS-SRTP
# leg. For each PEERS value, `examples/webrtc_load.rs` connects that many str0m offerers (the
# browsers) to the gateway's legs in memory (ICE-lite, DTLS handshake, SRTP), then sends one
# 20 ms G.711 frame per leg per tick both ways for SECONDS of simulated time; only the gateway
# side is timed. Kernel UDP cost is not included (see BENCHMARKS.md). Prints a Markdown table.
#
#   bench/webrtc/run.sh                       # 10, 100, 500 legs, 10 s each
#   PEERS="50 200" SECONDS_RUN=5 bench/webrtc/run.sh
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
peers="${PEERS:-10 100 500}"
seconds="${SECONDS_RUN:-10}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

(cd "$root" && cargo build -q --release -p plateau --example webrtc_load)
bin="$CARGO_TARGET_DIR/release/examples/webrtc_load"

echo "| legs | connected | handshake CPU ms/leg | packets | µs/packet | CPU µs per leg-second | legs per core |"
echo "|---|---|---|---|---|---|---|"
for n in $peers; do
    "$bin" "$n" "$seconds"
done
