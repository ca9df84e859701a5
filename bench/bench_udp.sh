#!/usr/bin/env bash
# bench/bench_udp.sh — UDP echo rate, round trips and bulk receive rate: tapstack against
# the Linux kernel over veth, measured in the same run (see bench/README.md).
#
#   bash bench/bench_udp.sh [BIN]         BIN: the tapstack binary (default build/tapstack)
#
# Two paths, the same client (bench/udpbench.c, compiled on the fly into a temporary
# directory) on both:
#   tapstack  namespace tsb<T>A (kernel, 10.77.0.1/24 on the TAP's host side tsb<T>A0)
#             <-> tapstack daemon (tap0 10.77.0.2/24, `serve echo udp 7`, `serve discard udp 9`)
#   Linux     namespace tsb<T>B (10.78.0.1/24) <-> veth <-> namespace tsb<T>C (10.78.0.2/24,
#             `udpbench serve`: echo on 7, discard on 9, its discard count on 10)
# <T> is a 4-digit tag from this script's pid, so concurrent runs never collide.
# The paths are measured alternately (round 1: tapstack then Linux, round 2: Linux then
# tapstack, ...); each figure is the median over the rounds, each ratio the median of the
# per-round ratios (x1.00 = as good as Linux, bigger is worse). Metrics: request/response
# echo rate and mean round trip (64 and 1472 bytes), pipelined echo rate (W in flight, for
# each W of TSB_UDP_WINDOW), and the bulk receive rate of 1472-byte datagrams sent as fast
# as the kernel goes (with tapstack's offloads on, off, or both: TSB_OFFLOAD).
#
# Environment (defaults in brackets):
#   TSB_ROUNDS [5]          rounds per metric (each round runs both paths)
#   TSB_UDP_RR_N [5000]     datagrams per request/response run
#   TSB_UDP_PIPE_N [20000]  datagrams per pipelined run
#   TSB_UDP_WINDOW [1 64]   datagrams in flight in the pipelined runs: one or more
#                           numbers (space or comma separated), each measured every round
#   TSB_OFFLOAD [on]        tapstack's offloads on tap0: on (its defaults), off (the whole
#                           run with `ethtool -K tap0 rx off tx off tso off gso off`), both
#                           (the defaults, and the bulk run again with them off each round).
#                           A binary without the ethtool command has no offloads: then the
#                           knob is reported as "offloads: none" and changes nothing
#   TSB_UDP_BULK_N [20000]  datagrams per bulk run
#   TSB_VERBOSE [0]         1: print every client's result line as it comes
#   TSB_SUMMARY             if set, a file to which summary rows are appended
#                           ("bench|metric|tapstack|linux|ratio"), for run_bench.sh
#
# Exit status: 0 when the benchmark ran (whatever the figures, losses included — they are
# reported); 2 when something could not be set up (not root, no /dev/net/tun, no cc, the
# daemon, the servers or the network did not come up); 3 when the tapstack daemon died or
# stopped answering during the run. Everything created (daemon, Linux server, TAP, veth,
# namespaces, control socket, temporary files) is removed on every exit path.
set -u
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
BIN=${1:-build/tapstack}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac

ROUNDS=${TSB_ROUNDS:-5}
RR_N=${TSB_UDP_RR_N:-5000}
PIPE_N=${TSB_UDP_PIPE_N:-20000}
WINDOWS=$(tr ',' ' ' <<<"${TSB_UDP_WINDOW:-1 64}" | xargs)    # "1, 64" -> "1 64"
OFFLOAD=${TSB_OFFLOAD:-on}
BULK_N=${TSB_UDP_BULK_N:-20000}
VERBOSE=${TSB_VERBOSE:-0}
SUMMARY=${TSB_SUMMARY:-}
for v in ROUNDS RR_N PIPE_N BULK_N; do
    case ${!v} in ''|*[!0-9]*) echo "bench_udp: $v must be a positive integer" >&2; exit 2 ;; esac
done
[ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 20 ] || { echo "bench_udp: TSB_ROUNDS 1..20" >&2; exit 2; }
[ "$RR_N" -ge 10 ] && [ "$RR_N" -le 200000 ] || { echo "bench_udp: TSB_UDP_RR_N 10..200000" >&2; exit 2; }
[ "$PIPE_N" -ge 10 ] && [ "$PIPE_N" -le 1000000 ] || { echo "bench_udp: TSB_UDP_PIPE_N 10..1000000" >&2; exit 2; }
[ -n "${WINDOWS// /}" ] || { echo "bench_udp: TSB_UDP_WINDOW: at least one window" >&2; exit 2; }
for w in $WINDOWS; do
    case $w in ''|*[!0-9]*) echo "bench_udp: TSB_UDP_WINDOW: '$w' is not a number" >&2; exit 2 ;; esac
    [ "$w" -ge 1 ] && [ "$w" -le 256 ] || { echo "bench_udp: TSB_UDP_WINDOW: each 1..256" >&2; exit 2; }
done
case $OFFLOAD in on|off|both) ;; *) echo "bench_udp: TSB_OFFLOAD on, off or both" >&2; exit 2 ;; esac
[ "$BULK_N" -ge 10 ] && [ "$BULK_N" -le 1000000 ] || { echo "bench_udp: TSB_UDP_BULK_N 10..1000000" >&2; exit 2; }

TAG=$(printf '%04d' $(( $$ % 10000 )))
NS_A=tsb${TAG}A; IF_A=tsb${TAG}A0          # tapstack path: kernel side (the client)
NS_B=tsb${TAG}B; IF_B=tsb${TAG}B0          # Linux path: the client's side
NS_C=tsb${TAG}C; IF_C=tsb${TAG}C0          # Linux path: the server's side
A_KERN=10.77.0.1; A_STACK=10.77.0.2
B_ADDR=10.78.0.1; C_ADDR=10.78.0.2
ECHO_PORT=7; DISCARD_PORT=9; STATS_PORT=10 # STATS_PORT: Linux server only
SOCK=/tmp/tsb-$$.sock
TMP=
DPID=                                      # the tapstack daemon we started
SPID=                                      # the Linux-side udpbench server we started
CREATED_NS=()                              # namespaces we created (only these are removed)
PROBLEMS=()                                # problems seen (printed, not fatal)
STARTED=$(date +%s.%N)

die() {  # die STATUS MESSAGE: a set-up failure (or daemon death): explain, clean up, exit
    local st=$1; shift
    echo "bench_udp: FAILED: $*" >&2
    if [ -n "$TMP" ] && [ -s "$TMP/daemon.err" ]; then
        echo "bench_udp: daemon stderr (last 10 lines):" >&2
        tail -n 10 "$TMP/daemon.err" | sed 's/^/    | /' >&2
    fi
    exit "$st"
}

alive() {  # alive PID: running and not a zombie
    local st
    [ -r "/proc/$1/stat" ] || return 1
    st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
    [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# stop_pid PID: SIGTERM, up to 10 s, then SIGKILL; by pid only. Sets STOP_STATUS and
# STOP_KILLED (1 if SIGKILL was needed).
stop_pid() {
    local pid=$1 i
    STOP_KILLED=0
    if alive "$pid"; then
        kill -TERM "$pid" 2>/dev/null
        for ((i = 0; i < 200; i++)); do alive "$pid" || break; sleep 0.05; done
        if alive "$pid"; then kill -KILL "$pid" 2>/dev/null; STOP_KILLED=1; fi
    fi
    wait "$pid" 2>/dev/null
    STOP_STATUS=$?
}

DSTATUS=
stop_daemon() {
    [ -n "$DPID" ] || return 0
    stop_pid "$DPID"
    DSTATUS=$STOP_STATUS
    [ "$STOP_KILLED" = 1 ] && PROBLEMS+=("tapstack did not exit within 10 s of SIGTERM (killed)")
    DPID=
}
stop_server() {
    [ -n "$SPID" ] || return 0
    stop_pid "$SPID"
    SPID=
}

cleanup() {
    local rc=$? ns i
    set +e
    trap - EXIT INT TERM HUP
    stop_daemon
    stop_server
    # The daemon removes its TAP on exit; if it could not, deleting the namespace does.
    for ns in "${CREATED_NS[@]}"; do ip netns del "$ns" 2>/dev/null; done
    # A TAP that never left the default namespace (set-up failed half-way).
    for i in "$IF_A" "$IF_B" "$IF_C"; do
        ip link show dev "$i" >/dev/null 2>&1 && ip link del dev "$i" 2>/dev/null
    done
    rm -f "$SOCK"
    [ -n "$TMP" ] && rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'echo "bench_udp: interrupted" >&2; exit 130' INT TERM HUP

# ---- preconditions -----------------------------------------------------------------
[ "$(id -u)" = 0 ] || die 2 "needs root (network namespaces, TAP devices)"
[ -c /dev/net/tun ] || die 2 "/dev/net/tun is missing"
for t in ip ping timeout awk sort cc; do
    command -v "$t" >/dev/null 2>&1 || die 2 "$t is not installed"
done
[ -x "$BIN" ] || die 2 "$BIN is not an executable (build it: make build/tapstack)"
[ -r "$here/udpbench.c" ] || die 2 "$here/udpbench.c is missing"
TMP=$(mktemp -d /tmp/tsb-bench-udp.XXXXXX) || die 2 "mktemp failed"
for ns in "$NS_A" "$NS_B" "$NS_C"; do
    ip netns list 2>/dev/null | awk '{print $1}' | grep -qx -- "$ns" &&
        die 2 "namespace $ns already exists (not ours: left alone)"
done
for i in "$IF_A" "$IF_B" "$IF_C"; do
    ip link show dev "$i" >/dev/null 2>&1 && die 2 "interface $i already exists (not ours: left alone)"
done
UB=$TMP/udpbench
cc -O2 -Wall -o "$UB" "$here/udpbench.c" 2>"$TMP/cc.err" || { cat "$TMP/cc.err" >&2; die 2 "compiling bench/udpbench.c failed"; }

commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ "$commit" != unknown ] && ! git -C "$root" diff-index --quiet HEAD -- 2>/dev/null; then
    commit="$commit (+ uncommitted changes)"
fi

# ---- set-up ------------------------------------------------------------------------
netns_add() {
    ip netns add "$1" || die 2 "ip netns add $1 failed"
    CREATED_NS+=("$1")
    # No IPv6: no autoconf or MLD chatter on the links while measuring.
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1
    ip -n "$1" link set lo up || die 2 "ip -n $1 link set lo up failed"
}

# Path A: the daemon, its TAP and its two servers; the TAP's host side goes into
# namespace A.
cat >"$TMP/setup.ts" <<EOF
ip link add tap0 type tap ifname $IF_A
ip addr add $A_STACK/24 dev tap0
ip link set tap0 up
serve echo udp $ECHO_PORT
serve discard udp $DISCARD_PORT
EOF
rm -f "$SOCK"
"$BIN" -d -n -f "$TMP/setup.ts" --ctl "$SOCK" >"$TMP/daemon.out" 2>"$TMP/daemon.err" &
DPID=$!
ok=0
for ((i = 0; i < 200; i++)); do                  # up to ~10 s
    alive "$DPID" || die 2 "tapstack daemon exited during start-up"
    if [ -S "$SOCK" ] && timeout 5 "$BIN" ctl --ctl "$SOCK" echo ready 2>/dev/null | grep -qx ready; then
        ok=1; break
    fi
    sleep 0.05
done
[ $ok = 1 ] || die 2 "the daemon's control socket $SOCK did not answer within 10 s"
timeout 5 "$BIN" ctl --ctl "$SOCK" serve list >"$TMP/serve.list" 2>&1
grep -q "^udp $ECHO_PORT echo" "$TMP/serve.list" && grep -q "^udp $DISCARD_PORT discard" "$TMP/serve.list" ||
    { sed 's/^/    | /' "$TMP/serve.list" >&2; die 2 "tapstack's UDP echo/discard servers are not running (serve list)"; }
ok=0
for ((i = 0; i < 100; i++)); do
    ip link show dev "$IF_A" >/dev/null 2>&1 && { ok=1; break; }
    sleep 0.05
done
[ $ok = 1 ] || die 2 "host TAP interface $IF_A did not appear"
netns_add "$NS_A"
ip link set dev "$IF_A" netns "$NS_A" || die 2 "ip link set $IF_A netns $NS_A failed"
ip -n "$NS_A" addr add "$A_KERN/24" dev "$IF_A" || die 2 "address on $IF_A failed"
ip -n "$NS_A" link set dev "$IF_A" up || die 2 "ip link set $IF_A up failed"

# Path B: two namespaces joined by a veth pair created directly inside them; the Linux
# server in C.
netns_add "$NS_B"
netns_add "$NS_C"
ip link add "$IF_B" netns "$NS_B" type veth peer name "$IF_C" netns "$NS_C" ||
    die 2 "creating veth $IF_B/$IF_C failed"
ip -n "$NS_B" addr add "$B_ADDR/24" dev "$IF_B" || die 2 "address on $IF_B failed"
ip -n "$NS_C" addr add "$C_ADDR/24" dev "$IF_C" || die 2 "address on $IF_C failed"
ip -n "$NS_B" link set dev "$IF_B" up || die 2 "ip link set $IF_B up failed"
ip -n "$NS_C" link set dev "$IF_C" up || die 2 "ip link set $IF_C up failed"
# `ip netns exec` execs the program: $! is the server's own pid.
ip netns exec "$NS_C" "$UB" serve "$ECHO_PORT" "$DISCARD_PORT" "$STATS_PORT" >"$TMP/server.out" 2>&1 &
SPID=$!
ok=0
for ((i = 0; i < 100; i++)); do
    alive "$SPID" || { cat "$TMP/server.out" >&2; die 2 "the Linux udpbench server exited during start-up"; }
    grep -qx ready "$TMP/server.out" && { ok=1; break; }
    sleep 0.05
done
[ $ok = 1 ] || die 2 "the Linux udpbench server did not start within 5 s"

mtu_a=$(ip -n "$NS_A" -o link show dev "$IF_A" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p')
mtu_b=$(ip -n "$NS_B" -o link show dev "$IF_B" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p')

# kv LINE KEY: the value of KEY=VALUE in a udpbench result line (empty when absent).
kv() { awk -v k="$2" '{ for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) { print substr($i, length(k) + 2); exit } }' <<<"$1"; }

# tapstack's offloads (the TAP's virtio-net header: partial checksums and super-frames in
# both directions, net/tap.c). `ethtool -K tap0 rx off` also stops the kernel sending
# partial checksums (TUNSETOFFLOAD without TUN_F_CSUM: tapstack verifies every checksum
# itself); tx/tso/gso off makes tapstack checksum and segment in software before writing.
# A binary without the ethtool command has no offloads at all ("none"): the knob is skipped.
OFF_WORDS="rx off tx off tso off gso off"
ON_WORDS="rx on tx on tso on gso on"
# offload_summary FILE: the legacy groups of an `ethtool -k` listing, on one line.
offload_summary() {
    awk -F': ' '$1 ~ /^(rx-checksumming|tx-checksumming|scatter-gather|tcp-segmentation-offload|generic-segmentation-offload|rx-gro-hw|tx-udp-segmentation)$/ {
        printf "%s%s %s", s, $1, $2; s = ", " }' "$1"
}
# offload_set on|off: ethtool -K on tap0, then check the listing says what we asked
# (on: exactly the daemon's defaults, saved at start-up).
offload_set() {
    local words=$OFF_WORDS
    [ "$1" = on ] && words=$ON_WORDS
    # shellcheck disable=SC2086
    timeout 5 "$BIN" ctl --ctl "$SOCK" ethtool -K tap0 $words >"$TMP/K.out" 2>&1 ||
        { sed 's/^/    | /' "$TMP/K.out" >&2; die 3 "ethtool -K tap0 $words failed"; }
    timeout 5 "$BIN" ctl --ctl "$SOCK" ethtool -k tap0 >"$TMP/k.now" 2>&1 ||
        die 3 "ethtool -k tap0 failed after ethtool -K tap0 $words"
    if [ "$1" = on ]; then
        cmp -s "$TMP/k.now" "$TMP/k.default" ||
            die 3 "ethtool -K tap0 $words did not restore the default offloads: $(offload_summary "$TMP/k.now")"
    else
        [ -z "$(awk -F': ' '$1 ~ /^(rx|tx)-checksumming$|^(tcp|generic)-segmentation-offload$/ && $2 !~ /^off/' "$TMP/k.now")" ] ||
            die 3 "ethtool -K tap0 $words left some on: $(offload_summary "$TMP/k.now")"
    fi
    return 0
}
HAS_OFFLOADS=0
if timeout 5 "$BIN" ctl --ctl "$SOCK" ethtool -k tap0 >"$TMP/k.default" 2>&1 &&
   grep -q '^Features for tap0:' "$TMP/k.default"; then
    HAS_OFFLOADS=1
    OFFLOADS_DEFAULT=$(offload_summary "$TMP/k.default")
else
    OFFLOADS_DEFAULT="none (this binary has no ethtool command: no offloads to turn off)"
fi
BULK_OFF=0                      # 1: the bulk run again each round with the offloads off
if [ "$HAS_OFFLOADS" = 1 ]; then
    case $OFFLOAD in
        off) offload_set off ;;
        both) BULK_OFF=1 ;;
    esac
fi

# Warm-up: ARP resolved both ways, both servers answering, caches warm. A failure here
# is a set-up failure.
warm() {  # warm WHAT CMD...
    local what=$1 i; shift
    for ((i = 0; i < 3; i++)); do        # the link may need a moment after coming up
        timeout -s INT -k 2 15 "$@" >"$TMP/warm.out" 2>&1 && return 0
        sleep 0.5
    done
    sed 's/^/    | /' "$TMP/warm.out" >&2
    die 2 "warm-up failed: $what"
}
warm_udp() {  # warm_udp WHAT NS DST: 200 echoes, none lost
    local what=$1 ns=$2 dst=$3 i line
    for ((i = 0; i < 3; i++)); do
        line=$(timeout -k 2 15 ip netns exec "$ns" "$UB" rr "$dst" "$ECHO_PORT" 64 200 200 10 2>&1 | tail -n 1)
        [ "$(kv "$line" recv)" = 200 ] && return 0
        sleep 0.5
    done
    echo "    | $line" >&2
    die 2 "warm-up failed: $what"
}
warm "kernel -> tapstack" ip netns exec "$NS_A" ping -c 5 -i 0.05 -W 2 -q "$A_STACK"
warm "tapstack -> kernel" "$BIN" ctl --ctl "$SOCK" ping -c 5 -i 0.05 -W 2 -q "$A_KERN"
warm "kernel -> kernel (veth)" ip netns exec "$NS_B" ping -c 5 -i 0.05 -W 2 -q "$C_ADDR"
warm_udp "UDP echo, tapstack" "$NS_A" "$A_STACK"
warm_udp "UDP echo, Linux (veth)" "$NS_B" "$C_ADDR"

# ---- measuring ---------------------------------------------------------------------
declare -A VAL=()          # "metric|path" -> space-separated values, one per round
add() { VAL["$1|$2"]="${VAL["$1|$2"]:-}${VAL["$1|$2"]:+ }$3"; }
who() { [ "$1" = ts ] && echo tapstack || echo "Linux (veth)"; }

# check_daemon WHAT: the daemon must still be alive and answer its control socket.
check_daemon() {
    if ! alive "$DPID"; then
        wait "$DPID" 2>/dev/null; DSTATUS=$?; DPID=
        die 3 "the tapstack daemon died during '$1' (exit status $DSTATUS)"
    fi
    if ! timeout 5 "$BIN" ctl --ctl "$SOCK" echo ready 2>/dev/null | grep -qx ready; then
        die 3 "the tapstack daemon stopped answering its control socket after '$1'"
    fi
}
check_server() {
    alive "$SPID" && return 0
    PROBLEMS+=("the Linux udpbench server died during '$1' ($(tail -n 2 "$TMP/server.out" | tr '\n' ' '))")
    die 2 "the Linux udpbench server died during '$1'"
}

# run_client PATH LIMIT ARGS...: udpbench ARGS in the client namespace of PATH, towards
# the far end of PATH, bounded by LIMIT seconds. Sets R_LINE (its result line) and R_RC.
run_client() {
    local path=$1 limit=$2 mode=$3 ns dst; shift 3
    if [ "$path" = ts ]; then ns=$NS_A; dst=$A_STACK; else ns=$NS_B; dst=$C_ADDR; fi
    if [ -n "${PIN_CPU:-}" ]; then
        timeout -k 3 "$limit" ip netns exec "$ns" taskset -c "$PIN_CPU" "$UB" "$mode" "$dst" "$@" >"$TMP/last.out" 2>&1
    else
        timeout -k 3 "$limit" ip netns exec "$ns" "$UB" "$mode" "$dst" "$@" >"$TMP/last.out" 2>&1
    fi
    R_RC=$?
    R_LINE=$(grep -m1 "^$mode " "$TMP/last.out")
    [ "$VERBOSE" = 1 ] && echo "    $(who "$path"): ${R_LINE:-(no result, exit $R_RC) $(tail -n 1 "$TMP/last.out")}"
    if [ -z "$R_LINE" ]; then
        if [ "$R_RC" = 124 ] || [ "$R_RC" = 137 ]; then
            PROBLEMS+=("$(who "$path"): 'udpbench $mode $*' did not finish within $limit s (stalled?)")
        else
            PROBLEMS+=("$(who "$path"): 'udpbench $mode $*' printed no result (exit $R_RC): $(tail -n 2 "$TMP/last.out" | tr '\n' ' ' | cut -c1-160)")
        fi
    fi
    return 0
}

# echo_metric PATH rr|pipe SIZE [same|cross|WINDOW]: echoes per second, mean round trip
# and loss. With same/cross (request/response only): the far end (the tapstack daemon, or
# the Linux server) pinned to CPU0 and the client to CPU0 too (same) or to CPU1 (cross).
# pipe: WINDOW datagrams in flight.
echo_metric() {
    local path=$1 mode=$2 size=$3 pin=${4:-} win=${4:-} n m what sent recv lost x far mask
    [ "$mode" = pipe ] && pin=
    PIN_CPU=
    if [ -n "$pin" ]; then
        if [ -z "$CPU0" ] || { [ "$pin" = cross ] && [ -z "$CPU1" ]; }; then
            add "rr${size}_$pin.rate" "$path" NA; add "rr${size}_$pin.rtt" "$path" NA; return 0
        fi
        if [ "$path" = ts ]; then far=$DPID; mask=$DMASK; else far=$SPID; mask=$SMASK; fi
        taskset -apc "$CPU0" "$far" >/dev/null 2>&1 ||
            { add "rr${size}_$pin.rate" "$path" NA; add "rr${size}_$pin.rtt" "$path" NA; return 0; }
        PIN_CPU=$CPU0; [ "$pin" = cross ] && PIN_CPU=$CPU1
        n=$RR_N; m="rr${size}_$pin"
        what="request/response, $size bytes, $n datagrams, client on CPU $PIN_CPU, server on CPU $CPU0"
        run_client "$path" 40 rr "$ECHO_PORT" "$size" "$n" 200 30
        [ -n "$mask" ] && taskset -ap "$mask" "$far" >/dev/null 2>&1
        PIN_CPU=
    elif [ "$mode" = rr ]; then
        n=$RR_N; m="rr$size"; what="request/response, $size bytes, $n datagrams"
        # 200 ms per lost datagram; the whole run at most 30 s
        run_client "$path" 40 rr "$ECHO_PORT" "$size" "$n" 200 30
    else
        n=$PIPE_N; m="pipe${size}w$win"; what="pipelined ($win in flight), $size bytes, $n datagrams"
        run_client "$path" 40 pipe "$ECHO_PORT" "$size" "$n" "$win" 200 30
    fi
    sent=$(kv "$R_LINE" sent); recv=$(kv "$R_LINE" recv); lost=$(kv "$R_LINE" lost)
    if [ -n "$sent" ] && [ -n "$recv" ]; then
        add "$m.rate" "$path" "$(kv "$R_LINE" rate)"
        add "$m.rtt" "$path" "$(kv "$R_LINE" rtt_avg_us)"
        add "$m.loss" "$path" "$(awk -v n="$n" -v r="$recv" 'BEGIN { printf "%.2f", (n - r) * 100 / n }')"
        [ "$sent" != "$n" ] && PROBLEMS+=("$(who "$path"): $what: only $sent of $n sent (time limit or send errors: $(kv "$R_LINE" senderr))")
        [ "${lost:-0}" != 0 ] && PROBLEMS+=("$(who "$path"): $what: $lost of $sent lost (no echo within 200 ms)")
        for x in late dup bad recverr; do
            [ "$(kv "$R_LINE" $x)" ] && [ "$(kv "$R_LINE" $x)" != 0 ] &&
                PROBLEMS+=("$(who "$path"): $what: $x=$(kv "$R_LINE" $x)")
        done
    else
        add "$m.rate" "$path" NA; add "$m.rtt" "$path" NA; add "$m.loss" "$path" NA
    fi
    if [ "$path" = ts ]; then check_daemon "udpbench $mode $size"; else check_server "udpbench $mode $size"; fi
    return 0
}

# Counters. tapstack: its nstat (absolute, history untouched); Linux: namespace C's
# /proc/net/snmp (nstat would write its history file, shared with other users of /tmp).
# Output: "NAME VALUE" lines.
ts_counters() {
    timeout 5 "$BIN" ctl --ctl "$SOCK" nstat -a -s 2>/dev/null | awk '/^(Udp|TsDrop)/ { print $1, $2 }'
}
lx_counters() {
    ip netns exec "$NS_C" cat /proc/net/snmp 2>/dev/null |
        awk '$1 == "Udp:" { if (!h) { for (i = 2; i <= NF; i++) n[i] = $i; h = 1 }
                           else for (i = 2; i <= NF; i++) print "Udp" n[i], $i }'
}
ctr() { awk -v k="$2" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }' "$1"; }   # ctr FILE NAME
devstat() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3" 2>/dev/null || echo 0; }
lx_count() {  # the Linux server's discard count (it drains its queue before answering)
    timeout -k 2 10 ip netns exec "$NS_B" "$UB" stats "$C_ADDR" "$STATS_PORT" 2>/dev/null |
        sed -n 's/^count=\([0-9]*\) .*/\1/p'
}

# bulk_metric PATH: BULK_N datagrams of 1472 bytes as fast as the kernel sends them, to the
# discard port; then markers to the echo port until one is echoed (the receiver has taken
# in everything before it). Received datagrams: tapstack's UdpInDatagrams - UdpOutDatagrams
# (every marker that arrives is echoed once, nothing else is sent); the Linux server's own
# discard count, cross-checked with namespace C's counters the same way.
# bulk_metric PATH [PREFIX]: the figures go to PREFIX.* (default bulk; bulkoff for the run
# with tapstack's offloads off, whose Linux run is the one right next to it).
bulk_metric() {
    local path=$1 B=${2:-bulk} what="bulk, $BULK_N datagrams of 1472 bytes" sent markers total send_us
    local c0 c1 d_in d_out d_rcvbuf d_dev recv mk_arr mk_drop dev_blast other unacc x
    [ "$B" = bulkoff ] && what="$what, tapstack's offloads off"
    if [ "$path" = ts ]; then
        ts_counters >"$TMP/c0"
        d_dev=$(devstat "$NS_A" "$IF_A" tx_dropped)
    else
        c0=$(lx_count)
        lx_counters >"$TMP/c0"
        d_dev=$(( $(devstat "$NS_B" "$IF_B" tx_dropped) + $(devstat "$NS_C" "$IF_C" rx_dropped) ))
    fi
    run_client "$path" 30 blast "$DISCARD_PORT" 1472 "$BULK_N" "$ECHO_PORT" 2000
    if [ "$path" = ts ]; then
        ts_counters >"$TMP/c1"
        d_dev=$(( $(devstat "$NS_A" "$IF_A" tx_dropped) - d_dev ))
    else
        lx_counters >"$TMP/c1"
        d_dev=$(( $(devstat "$NS_B" "$IF_B" tx_dropped) + $(devstat "$NS_C" "$IF_C" rx_dropped) - d_dev ))
        c1=$(lx_count)
    fi
    sent=$(kv "$R_LINE" sent); markers=$(kv "$R_LINE" markers); total=$(kv "$R_LINE" total_us)
    send_us=$(kv "$R_LINE" send_us)
    d_in=$(( $(ctr "$TMP/c1" UdpInDatagrams) - $(ctr "$TMP/c0" UdpInDatagrams) ))
    d_out=$(( $(ctr "$TMP/c1" UdpOutDatagrams) - $(ctr "$TMP/c0" UdpOutDatagrams) ))
    d_rcvbuf=$(( $(ctr "$TMP/c1" UdpRcvbufErrors) - $(ctr "$TMP/c0" UdpRcvbufErrors) ))
    if [ -z "$sent" ] || [ -z "$markers" ]; then
        for x in recvpct rate mbs sendrate devloss sockloss; do add "$B.$x" "$path" NA; done
        if [ "$path" = ts ]; then check_daemon "udpbench blast"; else check_server "udpbench blast"; fi
        return 0
    fi
    mk_arr=$d_out                                   # markers that arrived (each echoed once)
    mk_drop=$(( markers - mk_arr ))
    recv=$(( d_in - d_out ))
    if [ "$path" = lx ]; then
        if [ -n "$c0" ] && [ -n "$c1" ]; then
            [ $(( c1 - c0 )) != "$recv" ] &&
                PROBLEMS+=("Linux (veth): $what: the server counted $(( c1 - c0 )) datagrams, the kernel's counters $recv")
            recv=$(( c1 - c0 ))
        else
            PROBLEMS+=("Linux (veth): $what: the server did not answer its stats query")
        fi
    fi
    # Where the missing ones went: the device (tapstack: the TAP's queue, full because
    # tapstack did not read fast enough; Linux: veth/backlog), the socket's receive buffer
    # (UdpRcvbufErrors), or somewhere else (tapstack's TsDrop* counters, or unaccounted).
    dev_blast=$(( d_dev - mk_drop ))
    [ "$dev_blast" -lt 0 ] && dev_blast=0
    unacc=$(( sent - recv - dev_blast - d_rcvbuf ))
    if [ "$path" = ts ]; then
        other=$(awk 'NR == FNR { a[$1] = $2; next } $1 ~ /^TsDrop/ && $2 - a[$1] > 0 {
                       printf "%s%s +%d", s, $1, $2 - a[$1]; s = ", " }' "$TMP/c0" "$TMP/c1")
        [ -n "$other" ] && PROBLEMS+=("tapstack: $what: drop counters moved: $other")
    fi
    [ "$unacc" != 0 ] &&
        PROBLEMS+=("$(who "$path"): $what: $unacc datagrams unaccounted for (sent $sent, received $recv, dropped at the device $dev_blast, at the socket $d_rcvbuf)")
    [ "$(kv "$R_LINE" senderr)" != 0 ] &&
        PROBLEMS+=("$(who "$path"): $what: $(kv "$R_LINE" senderr) send errors ($(kv "$R_LINE" lasterr))")
    add "$B".recvpct "$path" "$(awk -v r="$recv" -v s="$BULK_N" 'BEGIN { printf "%.2f", r * 100 / s }')"
    add "$B".devloss "$path" "$(awk -v r="$dev_blast" -v s="$BULK_N" 'BEGIN { printf "%.2f", r * 100 / s }')"
    add "$B".sockloss "$path" "$(awk -v r="$d_rcvbuf" -v s="$BULK_N" 'BEGIN { printf "%.2f", r * 100 / s }')"
    add "$B".sendrate "$path" "$(awk -v n="$sent" -v t="$send_us" 'BEGIN { if (t < 1) t = 1; printf "%.0f", n * 1e6 / t }')"
    if [ "$(kv "$R_LINE" marker_echoed)" = 1 ] && [ "${total:-0}" -gt 0 ]; then
        add "$B".rate "$path" "$(awk -v n="$recv" -v t="$total" 'BEGIN { printf "%.0f", n * 1e6 / t }')"
        add "$B".mbs "$path" "$(awk -v n="$recv" -v t="$total" 'BEGIN { printf "%.1f", n * 1472 / t }')"
    else
        PROBLEMS+=("$(who "$path"): $what: no marker echoed within 2 s of the end of the blast (receiver stalled?)")
        add "$B".rate "$path" NA; add "$B".mbs "$path" NA
    fi
    [ "$VERBOSE" = 1 ] && echo "    $(who "$path"): received $recv, lost at the device $dev_blast, at the socket $d_rcvbuf, markers $markers ($mk_drop dropped)"
    if [ "$path" = ts ]; then check_daemon "udpbench blast"; else check_server "udpbench blast"; fi
    return 0
}

# CPU placement (as in bench_ping.sh): on these VMs waking a process on another CPU costs
# far more than on the same one, and every echo here wakes two processes (the client and
# the far end), so the unpinned request/response figures swing with where the scheduler
# puts them. They are also measured pinned. CPU0/CPU1 are the first two CPUs we may use.
cpus=$(taskset -pc $$ 2>/dev/null | sed 's/.*: *//' | awk -F, '{
    for (i = 1; i <= NF; i++) { n = split($i, r, "-"); if (n == 1) r[2] = r[1]
        for (c = r[1]; c <= r[2]; c++) printf "%d ", c } }')
CPU0=$(awk '{print $1}' <<<"$cpus"); CPU1=$(awk '{print $2}' <<<"$cpus")
command -v taskset >/dev/null 2>&1 || { CPU0=; CPU1=; }
DMASK=$(taskset -p "$DPID" 2>/dev/null | sed 's/.*: *//')    # the daemon's own affinity
SMASK=$(taskset -p "$SPID" 2>/dev/null | sed 's/.*: *//')    # the Linux server's

echo "=== bench_udp: tapstack vs the Linux kernel over veth"
echo "tapstack commit $commit, $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(uname -sr), $(nproc) CPUs"
echo "binary $BIN"
echo "paths: tapstack = netns $NS_A ($A_KERN, TAP $IF_A, mtu ${mtu_a:-?}) <-> tapstack tap0 ($A_STACK), serve echo udp $ECHO_PORT, serve discard udp $DISCARD_PORT"
echo "       Linux    = netns $NS_B ($B_ADDR, veth $IF_B, mtu ${mtu_b:-?}) <-> netns $NS_C ($C_ADDR), udpbench serve (echo $ECHO_PORT, discard $DISCARD_PORT)"
echo "$ROUNDS rounds, paths alternated (odd rounds tapstack first, even rounds Linux first), median of rounds;" \
     "$RR_N datagrams per request/response run, $PIPE_N per pipelined run (${WINDOWS// /, } in flight), $BULK_N per bulk run"
if [ "$HAS_OFFLOADS" = 1 ] && [ "$OFFLOAD" = off ]; then
    echo "tapstack offloads (TSB_OFFLOAD=off, ethtool -K tap0 $OFF_WORDS): $(offload_summary "$TMP/k.now")"
else
    echo "tapstack offloads (TSB_OFFLOAD=$OFFLOAD): $OFFLOADS_DEFAULT"
fi
[ "$BULK_OFF" = 1 ] && echo "  and the bulk run again each round after ethtool -K tap0 $OFF_WORDS (then back on)"
echo "pinned runs: far end (tapstack daemon / Linux server) on CPU ${CPU0:-?}, client on CPU ${CPU0:-?} (1 CPU) or ${CPU1:-?} (2 CPUs); CPUs allowed: ${cpus:-?}"
echo

for ((r = 1; r <= ROUNDS; r++)); do
    if [ $((r % 2)) = 1 ]; then order="ts lx"; else order="lx ts"; fi
    [ "$VERBOSE" = 1 ] && echo "--- round $r ($order)"
    for size in 64 1472; do
        for p in $order; do echo_metric "$p" rr "$size"; done
    done
    for pin in same cross; do
        for p in $order; do echo_metric "$p" rr 64 "$pin"; done
    done
    for w in $WINDOWS; do
        for size in 64 1472; do
            for p in $order; do echo_metric "$p" pipe "$size" "$w"; done
        done
    done
    for p in $order; do bulk_metric "$p"; done
    if [ "$BULK_OFF" = 1 ]; then
        offload_set off
        for p in $order; do bulk_metric "$p" bulkoff; done
        offload_set on
    fi
done

# ---- the table ---------------------------------------------------------------------
BENCH_NAME=bench_udp
# shellcheck source=bench/table.sh
. "$(dirname "$0")/table.sh"

printf '%-38s %12s %12s %9s\n' "metric (medians of $ROUNDS rounds)" tapstack "Linux(veth)" ratio
printf '%-38s %12s %12s %9s\n' "------" "--------" "-----------" "-----"
for size in 64 1472; do
    row "echo rate, req/resp, $size B (/s)" "rr$size.rate" rate 0
    row "rtt avg, req/resp, $size B (us)" "rr$size.rtt" time 1
    row "loss, req/resp, $size B (%)" "rr$size.loss" abs 2
done
row "echo rate, req/resp, 64 B, 1 CPU (/s)" rr64_same.rate rate 0
row "rtt avg, req/resp, 64 B, 1 CPU (us)" rr64_same.rtt time 1
row "echo rate, req/resp, 64 B, 2 CPUs (/s)" rr64_cross.rate rate 0
row "rtt avg, req/resp, 64 B, 2 CPUs (us)" rr64_cross.rtt time 1
for w in $WINDOWS; do
    for size in 64 1472; do
        row "echo rate, $w in flight, $size B (/s)" "pipe${size}w$w.rate" rate 0
        row "rtt avg, $w in flight, $size B (us)" "pipe${size}w$w.rtt" time 1
        row "loss, $w in flight, $size B (%)" "pipe${size}w$w.loss" abs 2
    done
done
row "bulk 1472 B: received (% of sent)" bulk.recvpct abs 2
row "bulk: lost at the device queue (%)" bulk.devloss abs 2
row "bulk: lost at the socket, rcvbuf (%)" bulk.sockloss abs 2
row "bulk: receive rate (datagrams/s)" bulk.rate rate 0
row "bulk: receive rate (MB/s)" bulk.mbs rate 1
row "bulk: kernel send rate (datagrams/s)" bulk.sendrate abs 0
if [ "$BULK_OFF" = 1 ]; then
    row "bulk, no offloads: received (%)" bulkoff.recvpct abs 2
    row "bulk, no offloads: lost at device (%)" bulkoff.devloss abs 2
    row "bulk, no offloads: lost at socket (%)" bulkoff.sockloss abs 2
    row "bulk, no offloads: rate (datagrams/s)" bulkoff.rate rate 0
    row "bulk, no offloads: rate (MB/s)" bulkoff.mbs rate 1
    row "bulk, no offloads: send rate (/s)" bulkoff.sendrate abs 0
fi
echo
echo "ratio: x1.00 = as good as Linux over veth; bigger is worse (times: tapstack/Linux;"
echo "       rates: Linux/tapstack). It is the median of the per-round ratios (both paths of"
echo "       a round ran back to back), so it can differ from the ratio of the two medians."
echo "       Loss and received rows are absolute (% of the datagrams sent), not ratios."
echo "       'req/resp': one datagram at a time, the next leaves when the last one's echo is"
echo "       in. '1 CPU' / '2 CPUs': the far end (tapstack daemon / Linux server) and the"
echo "       client pinned to one CPU / to two different CPUs. 'W in flight': pipelined, W"
echo "       datagrams outstanding, one sent per echo received."
echo "       Bulk: the kernel sends $BULK_N datagrams as fast as it can (sendmmsg); the receive"
echo "       rate is the datagrams received / (first send .. the receiver has taken in the"
echo "       last one). Device queue = the TAP's queue (tapstack did not read fast enough) /"
echo "       veth; socket = UdpRcvbufErrors (the server did not read fast enough)."
[ "$BULK_OFF" = 1 ] && printf '%s\n' "       'no offloads': tapstack after ethtool -K tap0 $OFF_WORDS;" \
    "       its Linux figure is the Linux bulk run right next to it."
# A receiver that lost nothing kept up with the sender: its rate is the sender's pace, a
# lower bound of what it could take.
for B in bulk bulkoff; do
    for p in ts lx; do
        kept=$(printf '%s\n' ${VAL["$B.recvpct|$p"]:-} | awk '$1 != "NA" && $1 >= 100 { k++ } END { print k + 0 }')
        if [ "$kept" -gt 0 ]; then
            label="bulk"; [ "$B" = bulkoff ] && label="bulk, no offloads"
            echo "       $label, $(who "$p"): nothing lost in $kept of $ROUNDS rounds: there the receive"
            echo "       rate is the sender's pace (the receiver kept up), a lower bound of what it can take."
        fi
    done
done
echo
echo "per-round values (tapstack | Linux | ratio):"
pipes=""; for w in $WINDOWS; do pipes="$pipes pipe64w$w.rate pipe1472w$w.rate"; done
offs=""; [ "$BULK_OFF" = 1 ] && offs="bulkoff.recvpct bulkoff.rate bulkoff.sendrate"
for m in rr64.rate rr1472.rate rr64_same.rate rr64_cross.rate $pipes bulk.recvpct bulk.rate bulk.sendrate $offs; do
    k="time"; case $m in *.rate) k=rate ;; *.recvpct|*.sendrate) k=none ;; esac
    if [ "$k" = none ]; then rt=""; else rt=$(ratios "$k" "${VAL["$m|ts"]:-}" "${VAL["$m|lx"]:-}"); fi
    printf '  %-16s %-36s | %-36s | %s\n' "$m" "${VAL["$m|ts"]:-}" "${VAL["$m|lx"]:-}" "$rt"
done

bench_finish "no echo lost, every bulk datagram accounted for, no stalls, clean shutdown"
exit 0
