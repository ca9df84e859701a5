#!/usr/bin/env bash
# bench/bench_veth.sh — the veth ping round trip: two namespaces joined by a veth pair,
# one flood-pinging the other, inside tapstack against the Linux kernel, measured in the
# same run (see bench/README.md).
#
#   bash bench/bench_veth.sh [BIN]        BIN: the tapstack binary (default build/tapstack)
#
# Two paths, the same workload: a reply-paced flood ping (`ping -f -c N -q`: the next echo
# request leaves as soon as the reply is in), at -s 56 and -s 1472.
#   tapstack  one tapstack process (`tapstack -n -f SCRIPT`: no TAP, no daemon) holding
#             namespaces a (10.79.0.1/24) and b (10.79.0.2/24) joined by its veth pair;
#             its own ping runs in a (`ip netns exec a ping -f ...`)
#   Linux     kernel namespaces tsb<T>B (10.78.0.1/24) and tsb<T>C (10.78.0.2/24) joined
#             by a kernel veth pair; iputils ping runs in tsb<T>B
# <T> is a 4-digit tag from this script's pid, so concurrent runs never collide. The paths
# are measured alternately (odd rounds tapstack first, even rounds Linux first); each
# figure is the median over the rounds, each ratio the median of the per-round ratios
# (x1.00 = as good as Linux, bigger is worse).
#
# Environment (defaults in brackets):
#   TSB_ROUNDS [3]          rounds (each runs both paths at both sizes)
#   TSB_VETH_N [100000]     echoes per flood run
#   TSB_VERBOSE [0]         1: print every ping's statistics lines as they come
#   TSB_SUMMARY             if set, a file to which summary rows are appended
#                           ("bench|metric|tapstack|linux|ratio"), for run_bench.sh
#
# Exit status: 0 when the benchmark ran (lost echoes and slow figures are reported, not
# fatal); 2 when something could not be set up (not root, no ping, no binary, a warm-up
# failed). Everything created (namespaces with their veth pair, temporary files) is
# removed on every exit path; the tapstack processes end with their script.
set -u
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
bench_init bench_veth "${1:-}"
NS_A=; IF_A=                               # no TAP, no daemon on this benchmark

bench_int ROUNDS TSB_ROUNDS 3 1 20
bench_int N TSB_VETH_N 100000 100 1000000
TS_A=10.79.0.1; TS_B=10.79.0.2             # inside tapstack (its own namespaces a and b)

# ---- preconditions -----------------------------------------------------------------
bench_preconditions ip ping timeout awk sort
need_iputils_ping

# ---- set-up: the Linux path ------------------------------------------------------
veth_path
warm "kernel -> kernel (veth)" ip netns exec "$NS_B" ping -c 5 -i 0.05 -W 2 -q "$C_ADDR"

# ---- the tapstack path: one script per run ---------------------------------------
# ts_script SIZE: the namespaces and the pair, a warm-up (ARP resolved, which must
# succeed), then the flood; `ip -s link` of both ends checks the counters.
ts_script() {
    cat <<EOF
ip netns add a
ip netns add b
ip -n a link add v0 type veth peer name v1 netns b
ip -n a addr add $TS_A/24 dev v0
ip -n b addr add $TS_B/24 dev v1
ip -n a link set v0 up
ip -n b link set v1 up
ip netns exec a ping -c 3 -i 0.01 -q $TS_B
ip netns exec a ping -f -c $N -q -s $1 $TS_B
ip -n a -s link show v0
ip -n b -s link show v1
EOF
}

# ---- measuring ---------------------------------------------------------------------
# parse_ping OUTFILE: the LAST statistics of OUTFILE into the globals
#   P_TX P_RX P_TIME P_DUP P_ERR      (empty when absent)
parse_ping() {
    local line
    line=$(grep 'packets transmitted' "$1" | tail -n 1)
    P_TX=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' <<<"$line")
    P_RX=$(sed -n 's/.* \([0-9]*\) \(packets \)\{0,1\}received.*/\1/p' <<<"$line")
    P_TIME=$(sed -n 's/.*time \([0-9]*\)ms.*/\1/p' <<<"$line")
    P_DUP=$(sed -n 's/.*+\([0-9]*\) duplicates.*/\1/p' <<<"$line")
    P_ERR=$(sed -n 's/.*+\([0-9]*\) errors.*/\1/p' <<<"$line")
    if [ "$VERBOSE" = 1 ]; then
        grep -E 'packets transmitted|^rtt' "$1" | tail -n 2 | sed 's/^/    | /'
    fi
}

# note_run WHO WHAT: record losses, duplicates, failures of one run.
note_run() {
    local who=$1 what=$2
    if [ -z "$P_TX" ] || [ -z "$P_RX" ] || [ -z "$P_TIME" ]; then
        PROBLEMS+=("$who: '$what' printed no statistics (exit $P_RC): $(tail -n 2 "$TMP/last.out" | tr '\n' ' ' | cut -c1-160)")
        return
    fi
    [ "$P_RC" = 124 ] || [ "$P_RC" = 137 ] && PROBLEMS+=("$who: '$what' did not finish within its time limit")
    [ "$P_TX" != "$N" ] && PROBLEMS+=("$who: '$what' transmitted $P_TX of $N echo requests")
    [ "$P_RX" -lt "$P_TX" ] && PROBLEMS+=("$who: '$what' lost $((P_TX - P_RX)) of $P_TX echoes")
    [ -n "$P_DUP" ] && PROBLEMS+=("$who: '$what' got $P_DUP duplicate replies")
    [ -n "$P_ERR" ] && PROBLEMS+=("$who: '$what' reported $P_ERR errors")
    return 0
}

# record PATH SIZE: replies per second and microseconds per echo (the round trip under
# flood: one echo in flight at a time), from the statistics line's count and time.
record() {
    local rate=NA us=NA
    if [ -n "$P_RX" ] && [ -n "$P_TIME" ] && [ "$P_RX" -gt 0 ]; then
        rate=$(awk -v r="$P_RX" -v t="$P_TIME" 'BEGIN { if (t < 1) t = 1; printf "%.0f", r * 1000 / t }')
        us=$(awk -v r="$P_RX" -v t="$P_TIME" 'BEGIN { if (t < 1) t = 1; printf "%.3f", t * 1000 / r }')
    fi
    add "rate$2" "$1" "$rate"
    add "rtt$2" "$1" "$us"
}

LIMIT=$(awk -v n="$N" 'BEGIN { l = int(n / 2000) + 20; if (l > 600) l = 600; print l }')

run_ts() {  # run_ts SIZE
    local what="tapstack -n -f: ip netns exec a ping -f -c $N -q -s $1"
    ts_script "$1" >"$TMP/ts.ts"
    bounded timeout -k 3 "$LIMIT" "$BIN" -n -f "$TMP/ts.ts" </dev/null >"$TMP/last.out" 2>"$TMP/ts.err"
    P_RC=$?
    parse_ping "$TMP/last.out"
    note_run tapstack "$what"
    [ "$P_RC" = 0 ] || PROBLEMS+=("tapstack: '$what' exited with status $P_RC")
    [ -s "$TMP/ts.err" ] && PROBLEMS+=("tapstack wrote to stderr: $(head -n 3 "$TMP/ts.err" | tr '\n' ' ' | cut -c1-200)")
    # counters: what v0 sent is what v1 received, and back (warm-up and ARP included)
    local tx0 rx1
    tx0=$(awk '/v0@/{f=1} f&&/TX:/{getline; print $2; exit}' "$TMP/last.out")
    rx1=$(awk '/v1@/{f=1} f&&/RX:/{getline; print $2; exit}' "$TMP/last.out")
    [ -n "$tx0" ] && [ "$tx0" = "$rx1" ] ||
        PROBLEMS+=("tapstack: v0 sent ${tx0:-?} frames, v1 received ${rx1:-?} (-s $1)")
    record ts "$1"
}

run_lx() {  # run_lx SIZE
    local what="ping -f -c $N -q -s $1"
    bounded timeout -s INT -k 3 "$LIMIT" ip netns exec "$NS_B" ping -f -c "$N" -q -s "$1" "$C_ADDR" \
        >"$TMP/last.out" 2>&1
    P_RC=$?
    parse_ping "$TMP/last.out"
    note_run "Linux (veth)" "$what"
    record lx "$1"
}

# A first tapstack run: the script must work before anything is measured.
ts_script 56 | sed "s/-c $N /-c 100 /" >"$TMP/warm.ts"
timeout -k 3 30 "$BIN" -n -f "$TMP/warm.ts" </dev/null >"$TMP/warm.out" 2>&1 ||
    { sed 's/^/    | /' "$TMP/warm.out" >&2; die 2 "warm-up failed: tapstack's own namespaces and veth"; }
grep -q '^100 packets transmitted, 100 received' "$TMP/warm.out" ||
    { sed 's/^/    | /' "$TMP/warm.out" >&2; die 2 "warm-up failed: tapstack's flood ping lost echoes"; }

echo "=== bench_veth: a veth pair between two namespaces, tapstack vs the Linux kernel"
echo "tapstack commit $commit, $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(uname -sr), $(nproc) CPUs"
echo "binary $BIN"
echo "paths: tapstack = one process: netns a ($TS_A) <-> its veth pair <-> netns b ($TS_B)"
echo "       Linux    = netns $NS_B ($B_ADDR) <-> kernel veth $IF_B/$IF_C <-> netns $NS_C ($C_ADDR)"
echo "$ROUNDS rounds, paths alternated (odd rounds tapstack first), median of rounds; ping -f -c $N per run"
echo

SIZES="56 1472"
for ((r = 1; r <= ROUNDS; r++)); do
    if [ $((r % 2)) = 1 ]; then order="ts lx"; else order="lx ts"; fi
    [ "$VERBOSE" = 1 ] && echo "--- round $r ($order)"
    for size in $SIZES; do
        for p in $order; do "run_$p" "$size"; done
    done
done

# ---- the table ---------------------------------------------------------------------
table_head
for size in $SIZES; do
    row "echo rate, ping -f -s $size (replies/s)" "rate$size" rate 0
    row "round trip, ping -f -s $size (us)" "rtt$size" time 3
done
echo
echo "ratio: x1.00 = as good as Linux; bigger is worse (times: tapstack/Linux; rates:"
echo "       Linux/tapstack), the median of the per-round ratios. A ratio below 1: tapstack"
echo "       did better. The round trip is ping's time / replies: one echo in flight at a time."
echo
echo "per-round values (tapstack | Linux | ratio):"
for m in rate56 rate1472; do per_round_row "$m" rate 10 30; done

bench_report "no loss, no duplicates, counters matching, clean exits"
exit 0
