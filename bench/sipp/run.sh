#!/usr/bin/env bash
# SIPp load runs against the real `plateau` server (issue 4, must-show 5). Prints a Markdown
# table: per scenario, the highest rate that passes with the server's CPU time per operation at
# that rate, and its CPU time per operation at a fixed rate.
#
#   bench/sipp/run.sh                     # register, calls and media
#   bench/sipp/run.sh register calls      # some of them
#
# The server (`plateau demo`, release build, a fresh data directory seeded by
# `--example sipp_bench_seed`) runs pinned to core SERVER_CORE, every SIPp to core SIPP_CORE,
# SIPp with 4 MiB socket buffers. A step passes when SIPp exits 0 with FailedCall(C)=0 and
# Retransmissions(C)=0 in the last row of its -trace_stat CSV (callers and answering agents
# both), and the server's receive buffers dropped nothing (no new UdpRcvbufErrors for the
# SIP-only runs; drops counted on the server's own sockets for the media run, since SIPp never
# reads the RTP sent back to it and its sockets overflow by design). Rates are tried in
# increasing order and the search stops at the first failure. CPU is utime+stime of the
# server process from /proc/PID/stat, over a run at the fixed rate, divided by the
# operations SIPp completed (a REGISTER with its 401 round trip, a call, a relayed packet).
#
# Scenarios:
#   register  REGISTER with digest auth (401, REGISTER with credentials, 200), AGENTS users
#             in turn, all from one SIPp.
#   calls     calls to +33100000001, routed straight to queue `bench` (no IVR, no wrap-up),
#             offered to AGENTS agents registered on one SIPp that answers at once; the
#             caller hangs up after CALL_HOLD_MS; no RTP.
#   media     MEDIA_CALLS concurrent calls, each side sending 20 ms PCMA (50 packets/s) from
#             a pcap made by make_pcap.py with MEDIA_LOSS of its packets left out; bridged and
#             recorded by the server. CPU µs per packet received (each is relayed and
#             recorded), measured over MEDIA_WINDOW seconds with every call up.
#
# Environment (defaults in brackets): REGISTER_RATES [500 1000 2000 4000 6000 8000],
# REGISTER_FIXED [1000], CALL_RATES [100 250 500 1000 1500 2000 2500 3000], CALL_FIXED [250],
# CALL_HOLD_MS [1000], AGENTS [4000], MEDIA_CALLS [100 300 500 700 1000], MEDIA_LOSS [0.01],
# MEDIA_RAMP [100 calls/s], MEDIA_WINDOW [10], STEP_SECONDS [10], FIXED_SECONDS [20],
# SERVER_CORE [0], SIPP_CORE [1], RUST_LOG [warn], KEEP (keep the work directory), BIN_DIR
# (take `plateau` and `sipp_bench_seed` from there instead of building them: to compare builds).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/bench/sipp"
tests_sipp="$root/crates/server/tests/sipp"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

REGISTER_RATES="${REGISTER_RATES:-500 1000 2000 4000 6000 8000}"
REGISTER_FIXED="${REGISTER_FIXED:-1000}"
CALL_RATES="${CALL_RATES:-100 250 500 1000 1500 2000 2500 3000}"
CALL_FIXED="${CALL_FIXED:-250}"
CALL_HOLD_MS="${CALL_HOLD_MS:-1000}"
AGENTS="${AGENTS:-4000}"
MEDIA_CALLS="${MEDIA_CALLS:-100 300 500 700 1000}"
MEDIA_LOSS="${MEDIA_LOSS:-0.01}"
MEDIA_RAMP="${MEDIA_RAMP:-100}"
MEDIA_WINDOW="${MEDIA_WINDOW:-10}"
STEP_SECONDS="${STEP_SECONDS:-10}"
FIXED_SECONDS="${FIXED_SECONDS:-20}"
SERVER_CORE="${SERVER_CORE:-0}"
SIPP_CORE="${SIPP_CORE:-1}"
export RUST_LOG="${RUST_LOG:-warn}"
scenarios="${*:-register calls media}"

BENCH_NUMBER=+33100000001

# A free UDP port on 127.0.0.1 (from the kernel's ephemeral range, outside the server's RTP
# range); with `pair`, one whose port + 2 is free too (SIPp's -mp binds both).
free_port() {
    python3 - "${1:-}" <<'PY'
import socket, sys
while True:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    if sys.argv[1] != "pair":
        break
    t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        t.bind(("127.0.0.1", port + 2))
        break
    except OSError:
        pass
print(port)
PY
}
REG_PORT="$(free_port)"
CALLER_PORT="$(free_port)"
AGENT_PORT="$(free_port)"
CALLER_MEDIA="$(free_port pair)"
AGENT_MEDIA="$(free_port pair)"

for tool in sipp taskset nstat ss curl jq python3; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool is required" >&2; exit 2; }
done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

if [ -n "${BIN_DIR:-}" ]; then
    bin="$BIN_DIR/plateau"
    seed="$BIN_DIR/sipp_bench_seed"
else
    (cd "$root" && cargo build -q --release -p plateau --bin plateau --example sipp_bench_seed)
    bin="$CARGO_TARGET_DIR/release/plateau"
    seed="$CARGO_TARGET_DIR/release/examples/sipp_bench_seed"
fi

work="$(mktemp -d /tmp/plateau-sipp-bench.XXXXXX)"
data="$work/data"
server_pid=""
agent_pid=""
cleanup() {
    [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null || true
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    if [ -n "${KEEP:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
log() { printf '%s\n' "$*" >&2; }

# --- the server -----------------------------------------------------------------------------

start_server() {
    : >"$work/server.out"
    taskset -c "$SERVER_CORE" "$bin" demo --data-dir "$data" --sip-port 0 --http-port 0 \
        --bind 127.0.0.1 --rtp-ports 20000-31999 --prompts bundled \
        >"$work/server.out" 2>>"$work/server.log" &
    server_pid=$!
    local waited=0
    until grep -q '^Press Ctrl-C' "$work/server.out"; do
        kill -0 "$server_pid" 2>/dev/null || { log "plateau exited:"; tail "$work/server.log" >&2; exit 1; }
        sleep 0.1
        waited=$((waited + 1))
        [ "$waited" -lt 600 ] || { log "plateau printed no banner in 60 s"; exit 1; }
    done
    local line
    line="$(grep '^listening ' "$work/server.out")"
    sip_addr="$(sed -E 's/.*sip_udp=([^ ]+).*/\1/' <<<"$line")"
    http_addr="$(sed -E 's/.*http=([^ ]+).*/\1/' <<<"$line")"
    sip_port="${sip_addr##*:}"
    token="$(awk '$1 == "Token" { print $2; exit }' "$work/server.out")"
}

stop_server() {
    kill -TERM "$server_pid"
    wait "$server_pid" || true
    server_pid=""
}

api() { # METHOD PATH [BODY]
    curl -sS -X "$1" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        ${3:+-d "$3"} "http://$http_addr/api/v1$2"
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }
clk_tck="$(getconf CLK_TCK)"
# Waits (up to 60 s) until the server used under 2% of a core over the last second, so that
# a step does not pay for the backlog of the one before.
settle() {
    local before
    for _ in $(seq 60); do
        before="$(cpu_ticks)"
        sleep 1
        [ $(( $(cpu_ticks) - before )) -gt $(( clk_tck / 50 )) ] || return 0
    done
    log "the server did not settle within 60 s"
}
# per_op_us TICKS_BEFORE OPERATIONS : the server's CPU µs per operation since TICKS_BEFORE.
per_op_us() {
    local ops=$2
    echo $(( ( $(cpu_ticks) - $1 ) * 1000000 / clk_tck / (ops > 0 ? ops : 1) ))
}
udp_rcvbuf_errors() { nstat -asz UdpRcvbufErrors | awk '/UdpRcvbufErrors/ { print $2 }'; }
# Datagrams the kernel dropped on the server's own UDP sockets (skmem d), SIP and RTP.
server_socket_drops() {
    ss -uamnp 2>/dev/null | awk -v pid="pid=$server_pid," '
        index($0, pid) { mine = 1; next }
        mine && /skmem/ { if (match($0, /,d[0-9]+/)) total += substr($0, RSTART + 2, RLENGTH - 2) }
        { mine = 0 }
        END { print total + 0 }'
}
rtp_packets() { # in|out : the server's RTP packet counter, as an integer
    curl -sS "http://$http_addr/metrics" |
        awk -v d="direction=\"$1\"" 'index($0, "plateau_rtp_packets_total{") == 1 && index($0, d) { printf "%d\n", $2 }'
}

# --- SIPp -----------------------------------------------------------------------------------

# sipp_run LABEL SECONDS ARGS... : runs a SIPp to its end on SIPP_CORE; prints its exit code.
sipp_run() {
    local label=$1 seconds=$2
    shift 2
    local rc=0
    timeout -s KILL $((seconds + 60)) taskset -c "$SIPP_CORE" sipp -i 127.0.0.1 \
        -buff_size 4194304 -nostdin -trace_stat -fd 1 -stf "$work/$label.csv" \
        -trace_err -error_file "$work/$label.errors" \
        -timeout "$((seconds + 40))s" -timeout_error -recv_timeout 10000 \
        "$@" >"$work/$label.screen" 2>&1 || rc=$?
    echo "$rc"
}

# stat LABEL COLUMN : the column's value in the last row of LABEL's -trace_stat CSV.
stat() {
    awk -F';' -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
        NF { v = $c } END { print v + 0 }' "$work/$1.csv" 2>/dev/null || echo 0
}

start_agents() { # SCENARIO
    taskset -c "$SIPP_CORE" sipp -sf "$1" -i 127.0.0.1 -p "$AGENT_PORT" -mp "$AGENT_MEDIA" \
        -mi 127.0.0.1 -buff_size 4194304 -nostdin -aa -trace_stat -fd 1 \
        -stf "$work/agents.csv" >"$work/agents.screen" 2>&1 &
    agent_pid=$!
    until ss -uln "sport = :$AGENT_PORT" | grep -q ":$AGENT_PORT"; do sleep 0.05; done
}

stop_agents() {
    kill -USR1 "$agent_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$agent_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$agent_pid" 2>/dev/null || true
    wait "$agent_pid" 2>/dev/null || true
    agent_pid=""
}

register_all() { # RATE COUNT LABEL
    sipp_run "$3" $(($2 / $1 + 5)) -sf "$tests_sipp/register.xml" -p "$REG_PORT" \
        -inf "$work/register.csv" -key contact_port "$AGENT_PORT" -key expires 3600 \
        -r "$1" -m "$2" -l $(($1 * 2)) "$sip_addr"
}

# verdict LABEL RC ERRORS_BEFORE [AGENT_FAILED_BEFORE AGENT_RETRANS_BEFORE]: "pass" or why not.
verdict() {
    local label=$1 rc=$2 errors_before=$3 why=""
    local failed retrans errors
    failed="$(stat "$label" 'FailedCall(C)')"
    retrans="$(stat "$label" 'Retransmissions(C)')"
    errors=$(( $(udp_rcvbuf_errors) - errors_before ))
    [ "$rc" = 0 ] || why+="sipp exit $rc; "
    [ "$failed" = 0 ] || why+="$failed failed; "
    [ "$retrans" = 0 ] || why+="$retrans retransmissions; "
    [ "$errors" = 0 ] || why+="$errors UdpRcvbufErrors; "
    if [ $# -ge 5 ]; then
        sleep 2 # the agents' SIPp writes its statistics every second
        local agent_failed agent_retrans
        agent_failed=$(( $(stat agents 'FailedCall(C)') - $4 ))
        agent_retrans=$(( $(stat agents 'Retransmissions(C)') - $5 ))
        [ "$agent_failed" = 0 ] || why+="agents: $agent_failed failed; "
        [ "$agent_retrans" = 0 ] || why+="agents: $agent_retrans retransmissions; "
    fi
    echo "${why:-pass}"
}

rows=()
row() { rows+=("$*"); }

# --- setup ------------------------------------------------------------------------------------

log "work directory: $work"
start_server
stop_server
"$seed" --data-dir "$data" --agents "$AGENTS" --out "$work" >&2
start_server
log "plateau on $sip_addr (pid $server_pid), API on $http_addr"
ticks="$(cpu_ticks)"; sleep 5
idle_ms=$(( ( $(cpu_ticks) - ticks ) * 1000 / clk_tck / 5 ))
log "idle server: $idle_ms ms of CPU per second"
python3 "$here/make_pcap.py" "$work/rtp20.pcap" --seconds 120 --loss "$MEDIA_LOSS" >&2

# --- register ---------------------------------------------------------------------------------

if [[ " $scenarios " == *" register "* ]]; then
    best=0
    best_us="-"
    for rate in $REGISTER_RATES; do
        settle
        before="$(udp_rcvbuf_errors)"
        ticks="$(cpu_ticks)"
        rc="$(register_all "$rate" $((rate * STEP_SECONDS)) "register-$rate")"
        step_us="$(per_op_us "$ticks" "$(stat "register-$rate" 'SuccessfulCall(C)')")"
        result="$(verdict "register-$rate" "$rc" "$before")"
        log "register at $rate/s: $result ($step_us µs each)"
        [ "$result" = pass ] || break
        best=$rate
        best_us=$step_us
    done
    settle
    ticks="$(cpu_ticks)"
    rc="$(register_all "$REGISTER_FIXED" $((REGISTER_FIXED * FIXED_SECONDS)) register-fixed)"
    done_ops="$(stat register-fixed 'SuccessfulCall(C)')"
    us="$(per_op_us "$ticks" "$done_ops")"
    row "| REGISTER with digest (401 + retry) | $best/s ($best_us µs each) | $us µs at $REGISTER_FIXED/s ($done_ops done, exit $rc) | 11,800/s; 33 µs | ≤ 40 µs |"
fi

# --- calls ------------------------------------------------------------------------------------

ready_bench_agents() {
    api GET /agents | jq -r '.agents[] | select(.username | startswith("bench")) | .id' |
        xargs -P 4 -I{} curl -sS -o /dev/null -X PUT -H "Authorization: Bearer $token" \
            -H 'Content-Type: application/json' -d '{"state":"ready"}' \
            "http://$http_addr/api/v1/agents/{}/state"
    api GET /agents | jq '[.agents[] | select(.username | startswith("bench")) | select(.state == "available")] | length'
}

if [[ " $scenarios " == *" calls "* || " $scenarios " == *" media "* ]]; then
    start_agents "$here/agent_answers.xml"
    rc="$(register_all 1000 "$AGENTS" register-agents)"
    [ "$rc" = 0 ] || { log "registering the $AGENTS agents failed (exit $rc)"; exit 1; }
    log "agents ready: $(ready_bench_agents) of $AGENTS"
fi

if [[ " $scenarios " == *" calls "* ]]; then
    best=0
    best_us="-"
    for rate in $CALL_RATES; do
        settle
        before="$(udp_rcvbuf_errors)"
        a_failed="$(stat agents 'FailedCall(C)')"
        a_retrans="$(stat agents 'Retransmissions(C)')"
        ticks="$(cpu_ticks)"
        rc="$(sipp_run "calls-$rate" "$STEP_SECONDS" -sf "$here/caller_direct.xml" \
            -p "$CALLER_PORT" -mp "$CALLER_MEDIA" -mi 127.0.0.1 -s "$BENCH_NUMBER" \
            -d "$CALL_HOLD_MS" -r "$rate" -m $((rate * STEP_SECONDS)) -l $((rate * 4)) "$sip_addr")"
        step_us="$(per_op_us "$ticks" "$(stat "calls-$rate" 'SuccessfulCall(C)')")"
        result="$(verdict "calls-$rate" "$rc" "$before" "$a_failed" "$a_retrans")"
        log "calls at $rate/s: $result ($step_us µs each)"
        [ "$result" = pass ] || break
        best=$rate
        best_us=$step_us
    done
    settle
    ticks="$(cpu_ticks)"
    rc="$(sipp_run calls-fixed "$FIXED_SECONDS" -sf "$here/caller_direct.xml" \
        -p "$CALLER_PORT" -mp "$CALLER_MEDIA" -mi 127.0.0.1 -s "$BENCH_NUMBER" \
        -d "$CALL_HOLD_MS" -r "$CALL_FIXED" -m $((CALL_FIXED * FIXED_SECONDS)) \
        -l $((CALL_FIXED * 4)) "$sip_addr")"
    done_ops="$(stat calls-fixed 'SuccessfulCall(C)')"
    us="$(per_op_us "$ticks" "$done_ops")"
    row "| routed call (no IVR, no RTP, recorded) | $best calls/s ($best_us µs each) | $us µs per call at $CALL_FIXED/s ($done_ops done, exit $rc) | stateful proxy 5,000/s; 100 µs | ≥ 2,000/s; ≤ 250 µs |"
fi

# --- media ------------------------------------------------------------------------------------

if [[ " $scenarios " == *" media "* ]]; then
    stop_agents
    # SIPp reads the scenario's pcap (rtp20.pcap) from the directory it starts in.
    pushd "$work" >/dev/null
    start_agents "$here/agent_media.xml"
    popd >/dev/null
    best=0
    best_us="-"
    for calls in $MEDIA_CALLS; do
        settle
        ramp=$(( (calls + MEDIA_RAMP - 1) / MEDIA_RAMP ))
        hold=$(( ramp + MEDIA_WINDOW + 6 ))
        a_failed="$(stat agents 'FailedCall(C)')"
        a_retrans="$(stat agents 'Retransmissions(C)')"
        drops_before="$(server_socket_drops)"
        total_in0="$(rtp_packets in)"; total_out0="$(rtp_packets out)"
        (cd "$work" && sipp_run "media-$calls" $((ramp + hold)) -sf "$here/caller_media.xml" \
            -p "$CALLER_PORT" -mp "$CALLER_MEDIA" -mi 127.0.0.1 -s "$BENCH_NUMBER" \
            -d $((hold * 1000)) -r "$MEDIA_RAMP" -m "$calls" -l "$calls" "$sip_addr" \
            >"$work/media-$calls.rc") &
        sipp_job=$!
        sleep $((ramp + 3))
        in0="$(rtp_packets in)"; ticks="$(cpu_ticks)"
        sleep "$MEDIA_WINDOW"
        in1="$(rtp_packets in)"; ticks1="$(cpu_ticks)"
        drops=$(( $(server_socket_drops) - drops_before ))
        wait "$sipp_job"
        rc="$(cat "$work/media-$calls.rc")"
        sleep 2 # media tasks publish their counters about every second
        total_in=$(( $(rtp_packets in) - total_in0 ))
        total_out=$(( $(rtp_packets out) - total_out0 ))
        packets=$(( in1 - in0 ))
        expected=$(python3 -c "print(int($calls * 2 * 50 * $MEDIA_WINDOW * (1 - $MEDIA_LOSS)))")
        us=$(python3 -c "print(f'{($ticks1 - $ticks) * 1e6 / $clk_tck / max($packets, 1):.1f}')")
        # Over the whole run: what came in and did not go out (a few packets per call come
        # before the agent answers, and music on hold goes out before: both are tiny here).
        loss=$(python3 -c "print(f'{max(0, $total_in - $total_out) / max($total_in, 1):.3%}')")
        result="$(verdict "media-$calls" "$rc" "$(udp_rcvbuf_errors)" "$a_failed" "$a_retrans")"
        [ "$drops" = 0 ] || result="${result/pass/}$drops dropped on the server's sockets; "
        if python3 -c "import sys; sys.exit(0 if max(0, $total_in - $total_out) <= 0.001 * $total_in else 1)"; then :
        else result="${result/pass/}relay loss $loss over 0.1%; "; fi
        log "media with $calls calls: $packets packets in over ${MEDIA_WINDOW} s ($expected expected), $us µs/packet; whole run $total_in in, $total_out out, relay loss $loss: $result"
        row "| media, $calls calls | ${result} | $us µs per packet ($packets in over ${MEDIA_WINDOW} s, $expected expected); relay loss $loss ($total_in in, $total_out out) | | |"
        [ "$result" = pass ] || break
        best=$calls
        best_us=$us
    done
    row "| bridged + recorded calls, 50 pps each way, $(python3 -c "print(f'{$MEDIA_LOSS:.0%}')") loss in the pcap | $best calls | $best_us µs per packet at $best calls | rtpengine 28 µs; bare C relay 6 µs | ≤ 15 µs; ≥ 700 calls, < 0.1% loss |"
fi

stop_agents 2>/dev/null || true
stop_server

echo
echo "| scenario | highest passing | CPU at the fixed rate | Kamailio / rtpengine here | target |"
echo "|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "Server pinned to core $SERVER_CORE, SIPp to core $SIPP_CORE; steps of $STEP_SECONDS s, fixed-rate runs of $FIXED_SECONDS s; RUST_LOG=$RUST_LOG; idle server $idle_ms ms CPU/s (included in the per-operation figures)."
