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
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
bench_init bench_ping "${1:-}"

bench_int ROUNDS TSB_ROUNDS 3 1 20
bench_int RTT_N TSB_RTT_N 100 2 5000
bench_int FLOOD_N TSB_FLOOD_N 10000 2 200000

# ---- preconditions -----------------------------------------------------------------
need_tun
bench_preconditions ip ping timeout awk sort taskset
need_iputils_ping

# ---- set-up ------------------------------------------------------------------------
# Path A: the daemon and its TAP; path B: the veth pair.
start_daemon
veth_path

mtu_a=$(link_mtu "$NS_A" "$IF_A")
mtu_b=$(link_mtu "$NS_B" "$IF_B")

# Warm-up (ARP resolved both ways, caches warm); a failure here is a set-up failure.
warm_pings reverse

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
table_head
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
ratio_note
echo "       'reverse' = tapstack pings the kernel (tapstack ctl ping) vs namespace C pinging"
echo "       B. Loss is absolute (% of echoes), not a ratio. '1 CPU' / '2 CPUs': ping and the"
echo "       tapstack daemon pinned to one CPU / to two different CPUs (Linux: ping pinned alike)."
echo
echo "per-round values (tapstack | Linux | ratio):"
for m in rtt56.avg rtt1472.avg rtt4000.avg flood.rate flood_same.rate flood_cross.rate rev56.avg \
         revflood.rate; do
    k="time"; case $m in *.rate) k=rate ;; esac
    per_round_row "$m" "$k" 16 24
done

bench_finish "no loss, no duplicates, no stalls, clean shutdown"
exit 0
