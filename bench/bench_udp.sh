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
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
bench_init bench_udp "${1:-}"

bench_int ROUNDS TSB_ROUNDS 5 1 20
bench_int RR_N TSB_UDP_RR_N 5000 10 200000
bench_int PIPE_N TSB_UDP_PIPE_N 20000 10 1000000
bench_int BULK_N TSB_UDP_BULK_N 20000 10 1000000
WINDOWS=$(tr ',' ' ' <<<"${TSB_UDP_WINDOW:-1 64}" | xargs)    # "1, 64" -> "1 64"
OFFLOAD=${TSB_OFFLOAD:-on}
[ -n "${WINDOWS// /}" ] || { echo "bench_udp: TSB_UDP_WINDOW: at least one window" >&2; exit 2; }
for w in $WINDOWS; do
    case $w in ''|*[!0-9]*) echo "bench_udp: TSB_UDP_WINDOW: '$w' is not a number" >&2; exit 2 ;; esac
    [ "$w" -ge 1 ] && [ "$w" -le 256 ] || { echo "bench_udp: TSB_UDP_WINDOW: each 1..256" >&2; exit 2; }
done
case $OFFLOAD in on|off|both) ;; *) echo "bench_udp: TSB_OFFLOAD on, off or both" >&2; exit 2 ;; esac
ECHO_PORT=7; DISCARD_PORT=9; STATS_PORT=10 # STATS_PORT: Linux server only

# ---- preconditions -----------------------------------------------------------------
need_tun
bench_preconditions ip ping timeout awk sort cc
compile_tool udpbench
UB=$TMP/udpbench

# ---- set-up ------------------------------------------------------------------------
# Path A: the daemon, its TAP and its two servers; path B: the veth pair, udpbench's
# server in C.
start_daemon "serve echo udp $ECHO_PORT" "serve discard udp $DISCARD_PORT"
veth_path
start_server udpbench "$UB" serve "$ECHO_PORT" "$DISCARD_PORT" "$STATS_PORT"

mtu_a=$(link_mtu "$NS_A" "$IF_A")
mtu_b=$(link_mtu "$NS_B" "$IF_B")

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
    ctl ethtool -K tap0 $words >"$TMP/K.out" 2>&1 ||
        { sed 's/^/    | /' "$TMP/K.out" >&2; die 3 "ethtool -K tap0 $words failed"; }
    ctl ethtool -k tap0 >"$TMP/k.now" 2>&1 ||
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
if ctl ethtool -k tap0 >"$TMP/k.default" 2>&1 &&
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
warm_pings
warm_udp "UDP echo, tapstack" "$NS_A" "$A_STACK"
warm_udp "UDP echo, Linux (veth)" "$NS_B" "$C_ADDR"

# ---- measuring ---------------------------------------------------------------------
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

# UDP counters, "NAME VALUE" lines: tapstack's, and the Linux server's namespace C's.
ts_counters() { ts_snmp Udp; }
lx_counters() { lx_snmp "$NS_C" Udp; }
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
table_head
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
ratio_note
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
    k="time"; case $m in *.rate) k=rate ;; *.recvpct|*.sendrate) k=- ;; esac
    per_round_row "$m" "$k" 16 36
done

bench_finish "no echo lost, every bulk datagram accounted for, no stalls, clean shutdown"
exit 0
