#!/usr/bin/env bash
# Schema-driven fuzz of the HTTP API: starts `plateau demo` on loopback ports with a temporary
# data directory, then lets schemathesis (from PyPI, in a venv) generate requests from
# /api/v1/openapi.json with the demo admin's token. Fails on any 5xx answer: bad input must be
# a 4xx. Bounded: a few examples per operation (SCHEMATHESIS_EXAMPLES, 20 by default).
#
#   scripts/schemathesis.sh [path/to/plateau]    (default: builds and uses target/debug/plateau)
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir=${CARGO_TARGET_DIR:-target}
venv=${SCHEMATHESIS_VENV:-$target_dir/schemathesis-venv}
examples=${SCHEMATHESIS_EXAMPLES:-20}

plateau=${1:-}
if [ -z "$plateau" ]; then
  cargo build -p plateau --bin plateau
  plateau=$target_dir/debug/plateau
fi

if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet "schemathesis==4.32.5"
fi

data=$(mktemp -d)
log=$data/demo.log
cleanup() {
  if [ -n "${demo_pid:-}" ]; then kill "$demo_pid" 2>/dev/null || true; wait "$demo_pid" 2>/dev/null || true; fi
  rm -rf "$data"
}
trap cleanup EXIT

# Free loopback ports, chosen by the kernel.
read -r http_port sip_port rtp_low < <(python3 - <<'EOF'
import socket
ports = []
socks = []
for _ in range(3):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    ports.append(s.getsockname()[1])
    socks.append(s)
print(*ports)
EOF
)
rtp_low=$(( (rtp_low % 20000) + 30000 ))
"$plateau" demo --data-dir "$data/plateau" --bind 127.0.0.1 --http-port "$http_port" \
  --sip-port "$sip_port" --rtp-ports "$rtp_low-$((rtp_low + 99))" --prompts bundled \
  >"$log" 2>&1 &
demo_pid=$!

token=""
for _ in $(seq 1 300); do
  token=$(sed -n 's/^ *Token *\([^ ]*\).*/\1/p' "$log" | head -n1)
  [ -n "$token" ] && break
  if ! kill -0 "$demo_pid" 2>/dev/null; then cat "$log"; echo "plateau demo exited" >&2; exit 1; fi
  sleep 0.1
done
if [ -z "$token" ]; then cat "$log"; echo "no token in the demo's banner" >&2; exit 1; fi

base=http://127.0.0.1:$http_port
"$venv/bin/schemathesis" run "$base/api/v1/openapi.json" \
  --checks not_a_server_error \
  --header "Authorization: Bearer $token" \
  --max-examples "$examples" \
  --no-color
