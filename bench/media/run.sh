#!/usr/bin/env bash
# Media load: K bridged and recorded calls through the server's media tasks (no SIP), each
# side sending 50 packets/s with 1% loss; prints a Markdown table row per K with the media
# thread's CPU µs per relayed (and recorded) packet.
#
# The media tasks run on one current-thread runtime pinned to core 0, the fake phones on a
# thread pinned to core 1 (see crates/server/examples/media_load.rs).
#
#   bench/media/run.sh                 # K = 100 300 700 1000, 10 s each
#   CALLS="700" SECONDS_PER_RUN=30 bench/media/run.sh
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
calls="${CALLS:-100 300 700 1000}"
seconds="${SECONDS_PER_RUN:-10}"
loss="${LOSS:-0.01}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

(cd "$root" && cargo build -q --release -p plateau --example media_load)
bin="$CARGO_TARGET_DIR/release/examples/media_load"

# Each call holds 2 media sockets, 2 phone sockets and a recording file.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

header="--header"
for k in $calls; do
    "$bin" --calls "$k" --seconds "$seconds" --loss "$loss" $header
    header=""
done
echo
echo "loss: ${loss} of each side's packets dropped by the phones before sending (not counted as relay loss);"
echo "relay loss: packets sent by the phones that the other side did not receive."
