#!/usr/bin/env bash
# bench/bench_ping.sh — ping round trips and ICMP echo rate: tapstack against the Linux
# kernel over veth, measured in the same run (see bench/README.md).
#
#   bash bench/bench_ping.sh [BIN]        BIN: the tapstack binary (default build/tapstack)
#
# Two paths, the same tool (iputils ping) on both:
#   tapstack  namespace tsb<T>A (kernel, 10.77.0.1/24 on the TAP's host side tsb<T>A0)
#             <-> tapstack daemon (tap0 10.77.0.2/24)
#   Linux     namespace tsb<T>B (10.78.0.1/24) <-> veth <-> namespace tsb<T>C (10.78.0.2/24)
# <T> is a 4-digit tag from this script's pid, so concurrent runs never collide.
# The paths are measured alternately (round 1: tapstack then Linux, round 2: Linux then
# tapstack, ...); each figure is the median over the rounds, each ratio the median of the
# per-round ratios (x1.00 = as good as Linux, bigger is worse). Metrics: ping round trips
# at -s 56/1472/4000, the ping -f echo rate (unpinned, and with ping and the daemon pinned
# to one CPU and to two CPUs), and the reverse direction (tapstack pings the kernel).
#
# Environment (defaults in brackets):
#   TSB_ROUNDS [3]        rounds per metric (each round runs both paths)
#   TSB_RTT_N  [100]      echoes per round for the round-trip metrics (ping -i 0.01)
#   TSB_FLOOD_N [10000]   echoes per round for the flood metrics (ping -f)
#   TSB_VERBOSE [0]       1: print every ping's statistics lines as they come
#   TSB_SUMMARY           if set, a file to which summary rows are appended
#                         ("bench|metric|tapstack|linux|ratio"), for run_bench.sh
#
# Exit status: 0 when the benchmark ran (whatever the figures, lost echoes included — they
# are reported); 2 when something could not be set up (not root, no /dev/net/tun, no
# ping, the daemon or the network did not come up); 3 when the tapstack daemon died or
# stopped answering during the run. Everything created (daemon, TAP, veth, namespaces,
# control socket, temporary files) is removed on every exit path.
set -u
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
BIN=${1:-build/tapstack}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac

ROUNDS=${TSB_ROUNDS:-3}
RTT_N=${TSB_RTT_N:-100}
FLOOD_N=${TSB_FLOOD_N:-10000}
VERBOSE=${TSB_VERBOSE:-0}
SUMMARY=${TSB_SUMMARY:-}
for v in ROUNDS RTT_N FLOOD_N; do
    case ${!v} in ''|*[!0-9]*) echo "bench_ping: TSB_$v must be a positive integer" >&2; exit 2 ;; esac
    [ "${!v}" -ge 1 ] || { echo "bench_ping: TSB_$v must be >= 1" >&2; exit 2; }
done
[ "$ROUNDS" -le 20 ] || { echo "bench_ping: TSB_ROUNDS at most 20" >&2; exit 2; }
[ "$RTT_N" -ge 2 ] && [ "$RTT_N" -le 5000 ] || { echo "bench_ping: TSB_RTT_N 2..5000" >&2; exit 2; }
[ "$FLOOD_N" -ge 2 ] && [ "$FLOOD_N" -le 200000 ] || { echo "bench_ping: TSB_FLOOD_N 2..200000" >&2; exit 2; }

TAG=$(printf '%04d' $(( $$ % 10000 )))
NS_A=tsb${TAG}A; IF_A=tsb${TAG}A0          # tapstack path: kernel side
NS_B=tsb${TAG}B; IF_B=tsb${TAG}B0          # Linux path: pinging side
NS_C=tsb${TAG}C; IF_C=tsb${TAG}C0          # Linux path: answering side
A_KERN=10.77.0.1; A_STACK=10.77.0.2
B_ADDR=10.78.0.1; C_ADDR=10.78.0.2
SOCK=/tmp/tsb-$$.sock
TMP=
DPID=                                      # the tapstack daemon we started
CREATED_NS=()                              # namespaces we created (only these are removed)
PROBLEMS=()                                # tapstack problems seen (printed, not fatal)
STARTED=$(date +%s.%N)

say() { echo "bench_ping: $*"; }
die() {  # die STATUS MESSAGE: a set-up failure (or daemon death): explain, clean up, exit
    local st=$1; shift
    echo "bench_ping: FAILED: $*" >&2
    if [ -n "$TMP" ] && [ -s "$TMP/daemon.err" ]; then
        echo "bench_ping: daemon stderr (last 10 lines):" >&2
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

# Stop the daemon (SIGTERM, up to 10 s, then SIGKILL), by its pid only. Sets DSTATUS.
DSTATUS=
stop_daemon() {
    local i
    [ -n "$DPID" ] || return 0
    if alive "$DPID"; then
        kill -TERM "$DPID" 2>/dev/null
        for ((i = 0; i < 200; i++)); do alive "$DPID" || break; sleep 0.05; done
        if alive "$DPID"; then
            kill -KILL "$DPID" 2>/dev/null
            PROBLEMS+=("tapstack did not exit within 10 s of SIGTERM (killed)")
        fi
    fi
    wait "$DPID" 2>/dev/null
    DSTATUS=$?
    DPID=
}

cleanup() {
    local rc=$? ns i
    set +e
    trap - EXIT INT TERM HUP
    stop_daemon
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
trap 'echo "bench_ping: interrupted" >&2; exit 130' INT TERM HUP

# ---- preconditions -----------------------------------------------------------------
[ "$(id -u)" = 0 ] || die 2 "needs root (network namespaces, TAP devices)"
[ -c /dev/net/tun ] || die 2 "/dev/net/tun is missing"
for t in ip ping timeout awk sort taskset; do
    command -v "$t" >/dev/null 2>&1 || die 2 "$t is not installed"
done
ping -V 2>&1 | grep -q iputils || die 2 "ping is not iputils ping"
[ -x "$BIN" ] || die 2 "$BIN is not an executable (build it: make build/tapstack)"
TMP=$(mktemp -d /tmp/tsb-bench-ping.XXXXXX) || die 2 "mktemp failed"
for ns in "$NS_A" "$NS_B" "$NS_C"; do
    ip netns list 2>/dev/null | awk '{print $1}' | grep -qx -- "$ns" &&
        die 2 "namespace $ns already exists (not ours: left alone)"
done
for i in "$IF_A" "$IF_B" "$IF_C"; do
    ip link show dev "$i" >/dev/null 2>&1 && die 2 "interface $i already exists (not ours: left alone)"
done

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


# Path A: the daemon and its TAP; the TAP's host side goes into namespace A.
cat >"$TMP/setup.ts" <<EOF
ip link add tap0 type tap ifname $IF_A
ip addr add $A_STACK/24 dev tap0
ip link set tap0 up
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

# Path B: two namespaces joined by a veth pair created directly inside them.
netns_add "$NS_B"
netns_add "$NS_C"
ip link add "$IF_B" netns "$NS_B" type veth peer name "$IF_C" netns "$NS_C" ||
    die 2 "creating veth $IF_B/$IF_C failed"
ip -n "$NS_B" addr add "$B_ADDR/24" dev "$IF_B" || die 2 "address on $IF_B failed"
ip -n "$NS_C" addr add "$C_ADDR/24" dev "$IF_C" || die 2 "address on $IF_C failed"
ip -n "$NS_B" link set dev "$IF_B" up || die 2 "ip link set $IF_B up failed"
ip -n "$NS_C" link set dev "$IF_C" up || die 2 "ip link set $IF_C up failed"

mtu_a=$(ip -n "$NS_A" -o link show dev "$IF_A" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p')
mtu_b=$(ip -n "$NS_B" -o link show dev "$IF_B" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p')

# Warm-up (ARP resolved both ways, caches warm); a failure here is a set-up failure.
warm() {  # warm WHAT CMD...
    local what=$1 i; shift
    for ((i = 0; i < 3; i++)); do        # the link may need a moment after coming up
        timeout -s INT -k 2 15 "$@" >"$TMP/warm.out" 2>&1 && return 0
        sleep 0.5
    done
    sed 's/^/    | /' "$TMP/warm.out" >&2
    die 2 "warm-up failed: $what"
}
warm "kernel -> tapstack" ip netns exec "$NS_A" ping -c 5 -i 0.05 -W 2 -q "$A_STACK"
warm "tapstack -> kernel" "$BIN" ctl --ctl "$SOCK" ping -c 5 -i 0.05 -W 2 -q "$A_KERN"
warm "kernel -> kernel (veth)" ip netns exec "$NS_B" ping -c 5 -i 0.05 -W 2 -q "$C_ADDR"
warm "kernel -> kernel (veth, reverse)" ip netns exec "$NS_C" ping -c 5 -i 0.05 -W 2 -q "$B_ADDR"

# ---- measuring ---------------------------------------------------------------------
# run_ping OUTFILE LIMIT CMD...: run one ping (bounded by LIMIT seconds, then SIGINT, so
# iputils still prints its statistics), and parse its statistics into the globals
#   P_TX P_RX P_TIME P_MIN P_AVG P_MDEV P_DUP P_ERR P_RC      (empty when absent)
run_ping() {
    local out=$1 limit=$2 line; shift 2
    timeout -s INT -k 3 "$limit" "$@" >"$out" 2>&1
    P_RC=$?
    line=$(grep -m1 'packets transmitted' "$out")
    P_TX=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' <<<"$line")
    P_RX=$(sed -n 's/.* \([0-9]*\) \(packets \)\{0,1\}received.*/\1/p' <<<"$line")
    P_TIME=$(sed -n 's/.*time \([0-9]*\)ms.*/\1/p' <<<"$line")
    P_DUP=$(sed -n 's/.*+\([0-9]*\) duplicates.*/\1/p' <<<"$line")
    P_ERR=$(sed -n 's/.*+\([0-9]*\) errors.*/\1/p' <<<"$line")
    line=$(grep -m1 '^rtt min/avg/max/mdev = ' "$out")
    P_MIN=$(sed -n 's|^rtt min/avg/max/mdev = \([0-9.]*\)/[0-9.]*/[0-9.]*/[0-9.]* ms.*|\1|p' <<<"$line")
    P_AVG=$(sed -n 's|^rtt min/avg/max/mdev = [0-9.]*/\([0-9.]*\)/[0-9.]*/[0-9.]* ms.*|\1|p' <<<"$line")
    P_MDEV=$(sed -n 's|^rtt min/avg/max/mdev = [0-9.]*/[0-9.]*/[0-9.]*/\([0-9.]*\) ms.*|\1|p' <<<"$line")
    if [ "$VERBOSE" = 1 ]; then
        echo "    \$ ${*}  (exit $P_RC)"
        grep -E 'packets transmitted|^rtt' "$out" | sed 's/^/    | /'
    fi
}

declare -A VAL=()          # "metric|path" -> space-separated values, one per round
add() { VAL["$1|$2"]="${VAL["$1|$2"]:-}${VAL["$1|$2"]:+ }$3"; }

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

# note_run PATH WHAT N: record losses, duplicates, failures and stalls of one ping run.
note_run() {
    local path=$1 what=$2 n=$3 who
    [ "$path" = ts ] && who=tapstack || who="Linux (veth)"
    if [ "$P_RC" = 124 ] || [ "$P_RC" = 137 ]; then
        PROBLEMS+=("$who: '$what' did not finish within its time limit (stalled?)")
    fi
    if [ -z "$P_TX" ] || [ -z "$P_RX" ]; then
        PROBLEMS+=("$who: '$what' printed no statistics (exit $P_RC): $(tail -n 2 "$TMP/last.out" | tr '\n' ' ' | cut -c1-160)")
        return
    fi
    if [ "$P_TX" != "$n" ]; then
        PROBLEMS+=("$who: '$what' transmitted $P_TX of $n echo requests")
    fi
    if [ "$P_RX" -lt "$P_TX" ]; then
        PROBLEMS+=("$who: '$what' lost $((P_TX - P_RX)) of $P_TX echoes")
    fi
    [ -n "$P_DUP" ] && PROBLEMS+=("$who: '$what' got $P_DUP duplicate replies")
    [ -n "$P_ERR" ] && PROBLEMS+=("$who: '$what' reported $P_ERR errors")
    return 0
}

# A limit for a ping of N echoes at interval I seconds: generous (iputils' timer slack
# makes -i 0.01 about 16 ms), and never more than 60 s.
limit_for() { awk -v n="$1" -v i="$2" 'BEGIN { l = int(n * (i + 0.02) * 3) + 10; if (l > 60) l = 60; print l }'; }

# rtt_metric PATH ROUND SIZE: kernel pings the other end, N echoes every 10 ms.
rtt_metric() {
    local path=$1 size=$2 lim what
    lim=$(limit_for "$RTT_N" 0.01)
    what="ping -c $RTT_N -i 0.01 -q -s $size"
    if [ "$path" = ts ]; then
        run_ping "$TMP/last.out" "$lim" ip netns exec "$NS_A" ping -c "$RTT_N" -i 0.01 -q -s "$size" "$A_STACK"
    else
        run_ping "$TMP/last.out" "$lim" ip netns exec "$NS_B" ping -c "$RTT_N" -i 0.01 -q -s "$size" "$C_ADDR"
    fi
    note_run "$path" "$what" "$RTT_N"
    add "rtt$size.min" "$path" "${P_MIN:-NA}"
    add "rtt$size.avg" "$path" "${P_AVG:-NA}"
    add "rtt$size.mdev" "$path" "${P_MDEV:-NA}"
    add "rtt$size.loss" "$path" "$(loss_pct)"
    [ "$path" = ts ] && check_daemon "$what"
    return 0
}

loss_pct() {
    if [ -n "$P_TX" ] && [ -n "$P_RX" ] && [ "$P_TX" -gt 0 ]; then
        awk -v t="$P_TX" -v r="$P_RX" 'BEGIN { printf "%.2f", (t - r) * 100 / t }'
    else
        echo NA
    fi
}

# flood_metric PATH: kernel flood-pings the other end (ping -f: the next request goes out
# as soon as the reply is in, or after 10 ms); the rate is replies per second of
# ping's own "time" (first request to the end).
flood_metric() {
    local path=$1 lim what rate
    lim=$(limit_for "$FLOOD_N" 0.001)
    what="ping -f -c $FLOOD_N -q"
    if [ "$path" = ts ]; then
        run_ping "$TMP/last.out" "$lim" ip netns exec "$NS_A" ping -f -c "$FLOOD_N" -q "$A_STACK"
    else
        run_ping "$TMP/last.out" "$lim" ip netns exec "$NS_B" ping -f -c "$FLOOD_N" -q "$C_ADDR"
    fi
    note_run "$path" "$what" "$FLOOD_N"
    rate=NA
    if [ -n "$P_RX" ] && [ -n "$P_TIME" ]; then
        rate=$(awk -v r="$P_RX" -v t="$P_TIME" 'BEGIN { if (t < 1) t = 1; printf "%.0f", r * 1000 / t }')
    fi
    add flood.rate "$path" "$rate"
    add flood.loss "$path" "$(loss_pct)"
    add flood.avg "$path" "${P_AVG:-NA}"
    [ "$path" = ts ] && check_daemon "$what"
    return 0
}

# rev_metric PATH: the other direction — tapstack pings the kernel (through `tapstack
# ctl`), against namespace C pinging namespace B over the veth.
rev_metric() {
    local path=$1 lim what
    lim=$(limit_for "$RTT_N" 0.01)
    if [ "$path" = ts ]; then
        what="tapstack ctl ping -c $RTT_N -i 0.01 -q"
        run_ping "$TMP/last.out" "$lim" "$BIN" ctl --ctl "$SOCK" ping -c "$RTT_N" -i 0.01 -q "$A_KERN"
    else
        what="ping -c $RTT_N -i 0.01 -q (C -> B)"
        run_ping "$TMP/last.out" "$lim" ip netns exec "$NS_C" ping -c "$RTT_N" -i 0.01 -q "$B_ADDR"
    fi
    note_run "$path" "$what" "$RTT_N"
    add rev56.min "$path" "${P_MIN:-NA}"
    add rev56.avg "$path" "${P_AVG:-NA}"
    add rev56.mdev "$path" "${P_MDEV:-NA}"
    add rev56.loss "$path" "$(loss_pct)"
    [ "$path" = ts ] && check_daemon "$what"
    return 0
}

# CPU placement. On a VM, waking a process on another CPU costs far more than on the same
# one, and the tapstack path has two processes (ping and the daemon) where the Linux path
# has one: the unpinned flood rate swings with where the scheduler puts them. So the flood
# is also measured pinned: ping and the daemon on one CPU, and on two different CPUs (the
# Linux path's ping pinned alike). CPU0/CPU1 are the first two CPUs we may run on.
cpus=$(taskset -pc $$ 2>/dev/null | sed 's/.*: *//' | awk -F, '{
    for (i = 1; i <= NF; i++) { n = split($i, r, "-"); if (n == 1) r[2] = r[1]
        for (c = r[1]; c <= r[2]; c++) printf "%d ", c } }')
CPU0=$(awk '{print $1}' <<<"$cpus"); CPU1=$(awk '{print $2}' <<<"$cpus")
DMASK=$(taskset -p "$DPID" 2>/dev/null | sed 's/.*: *//')    # the daemon's own affinity

# flood_pinned_metric PATH same|cross
flood_pinned_metric() {
    local path=$1 mode=$2 lim what rate pc
    lim=$(limit_for "$FLOOD_N" 0.001)
    if [ -z "$CPU0" ] || { [ "$mode" = cross ] && [ -z "$CPU1" ]; }; then
        add "flood_$mode.rate" "$path" NA; return 0
    fi
    pc=$CPU0; [ "$mode" = cross ] && pc=$CPU1
    what="ping -f -c $FLOOD_N -q, ping on CPU $pc"
    if [ "$path" = ts ]; then
        taskset -apc "$CPU0" "$DPID" >/dev/null 2>&1 || { add "flood_$mode.rate" ts NA; return 0; }
        what="$what, tapstack on CPU $CPU0"
        run_ping "$TMP/last.out" "$lim" ip netns exec "$NS_A" taskset -c "$pc" ping -f -c "$FLOOD_N" -q "$A_STACK"
        [ -n "$DMASK" ] && taskset -ap "$DMASK" "$DPID" >/dev/null 2>&1
    else
        run_ping "$TMP/last.out" "$lim" ip netns exec "$NS_B" taskset -c "$pc" ping -f -c "$FLOOD_N" -q "$C_ADDR"
    fi
    note_run "$path" "$what" "$FLOOD_N"
    rate=NA
    if [ -n "$P_RX" ] && [ -n "$P_TIME" ]; then
        rate=$(awk -v r="$P_RX" -v t="$P_TIME" 'BEGIN { if (t < 1) t = 1; printf "%.0f", r * 1000 / t }')
    fi
    add "flood_$mode.rate" "$path" "$rate"
    [ "$path" = ts ] && check_daemon "$what"
    return 0
}

# rev_flood_metric PATH: tapstack flood-pings the kernel (tapstack ctl ping -f), against
# namespace C flood-pinging B. Only the rate and the loss: tapstack's ping stamps replies
# with the stack clock, which is read once per receive batch, so its per-echo round trips
# under flood are not comparable (it can print a minimum of 0.000 ms).
rev_flood_metric() {
    local path=$1 lim what rate
    lim=$(limit_for "$FLOOD_N" 0.001)
    if [ "$path" = ts ]; then
        what="tapstack ctl ping -f -c $FLOOD_N -q"
        run_ping "$TMP/last.out" "$lim" "$BIN" ctl --ctl "$SOCK" ping -f -c "$FLOOD_N" -q "$A_KERN"
    else
        what="ping -f -c $FLOOD_N -q (C -> B)"
        run_ping "$TMP/last.out" "$lim" ip netns exec "$NS_C" ping -f -c "$FLOOD_N" -q "$B_ADDR"
    fi
    note_run "$path" "$what" "$FLOOD_N"
    rate=NA
    if [ -n "$P_RX" ] && [ -n "$P_TIME" ]; then
        rate=$(awk -v r="$P_RX" -v t="$P_TIME" 'BEGIN { if (t < 1) t = 1; printf "%.0f", r * 1000 / t }')
    fi
    add revflood.rate "$path" "$rate"
    add revflood.loss "$path" "$(loss_pct)"
    [ "$path" = ts ] && check_daemon "$what"
    return 0
}

echo "=== bench_ping: tapstack vs the Linux kernel over veth"
echo "tapstack commit $commit, $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(uname -sr), $(nproc) CPUs"
echo "binary $BIN"
echo "paths: tapstack = netns $NS_A ($A_KERN, TAP $IF_A, mtu ${mtu_a:-?}) <-> tapstack tap0 ($A_STACK)"
echo "       Linux    = netns $NS_B ($B_ADDR, veth $IF_B, mtu ${mtu_b:-?}) <-> netns $NS_C ($C_ADDR)"
echo "$ROUNDS rounds, paths alternated (odd rounds tapstack first, even rounds Linux first), median of rounds; $RTT_N echoes per rtt run," \
     "$FLOOD_N per flood run"
echo "pinned flood runs: CPU ${CPU0:-?} (1 CPU) and CPUs ${CPU0:-?}+${CPU1:-?} (2 CPUs); CPUs allowed: ${cpus:-?}"
echo

SIZES="56 1472 4000"
for ((r = 1; r <= ROUNDS; r++)); do
    if [ $((r % 2)) = 1 ]; then order="ts lx"; else order="lx ts"; fi
    [ "$VERBOSE" = 1 ] && echo "--- round $r ($order)"
    for size in $SIZES; do
        for p in $order; do rtt_metric "$p" "$size"; done
    done
    for p in $order; do flood_metric "$p"; done
    for p in $order; do flood_pinned_metric "$p" same; done
    for p in $order; do flood_pinned_metric "$p" cross; done
    for p in $order; do rev_metric "$p"; done
    for p in $order; do rev_flood_metric "$p"; done
done

# ---- the table ---------------------------------------------------------------------
BENCH_NAME=bench_ping
# shellcheck source=bench/table.sh
. "$(dirname "$0")/table.sh"

printf '%-38s %12s %12s %9s\n' "metric (medians of $ROUNDS rounds)" tapstack "Linux(veth)" ratio
printf '%-38s %12s %12s %9s\n' "------" "--------" "-----------" "-----"
for size in $SIZES; do
    frag=""; [ "$size" -gt 1472 ] && frag=", fragmented"
    [ "$size" = 56 ] && row "rtt min  -s $size (ms)" "rtt$size.min" time 3
    row "rtt avg  -s $size$frag (ms)" "rtt$size.avg" time 3
    row "rtt mdev -s $size (ms)" "rtt$size.mdev" time 3
done
row "echo rate, ping -f (replies/s)" flood.rate rate 0
row "rtt avg under ping -f (ms)" flood.avg time 3
row "loss under ping -f (%)" flood.loss abs 2
row "echo rate, ping -f, 1 CPU (replies/s)" flood_same.rate rate 0
row "echo rate, ping -f, 2 CPUs (replies/s)" flood_cross.rate rate 0
row "reverse rtt min (ms)" rev56.min time 3
row "reverse rtt avg (ms)" rev56.avg time 3
row "reverse rtt mdev (ms)" rev56.mdev time 3
row "reverse echo rate, ping -f (replies/s)" revflood.rate rate 0
row "reverse loss under ping -f (%)" revflood.loss abs 2
echo
echo "ratio: x1.00 = as good as Linux over veth; bigger is worse (times: tapstack/Linux;"
echo "       rates: Linux/tapstack). It is the median of the per-round ratios (both paths of"
echo "       a round ran back to back), so it can differ from the ratio of the two medians."
echo "       'reverse' = tapstack pings the kernel (tapstack ctl ping) vs namespace C pinging"
echo "       B. Loss is absolute (% of echoes), not a ratio. '1 CPU' / '2 CPUs': ping and the"
echo "       tapstack daemon pinned to one CPU / to two different CPUs (Linux: ping pinned alike)."
echo
echo "per-round values (tapstack | Linux | ratio):"
for m in rtt56.avg rtt1472.avg rtt4000.avg flood.rate flood_same.rate flood_cross.rate rev56.avg \
         revflood.rate; do
    k="time"; case $m in *.rate) k=rate ;; esac
    printf '  %-16s %-24s | %-24s | %s\n' "$m" "${VAL["$m|ts"]:-}" "${VAL["$m|lx"]:-}" \
        "$(ratios "$k" "${VAL["$m|ts"]:-}" "${VAL["$m|lx"]:-}")"
done

bench_finish "no loss, no duplicates, no stalls, clean shutdown"
exit 0
