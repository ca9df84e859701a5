#!/usr/bin/env bash
# bench/bench_vxlan.sh — the VXLAN encapsulation/decapsulation echo rate: tapstack against
# the Linux kernel in the same set-up, measured in the same run (see bench/README.md).
#
#   bash bench/bench_vxlan.sh [BIN]       BIN: the tapstack binary (default build/tapstack)
#
# The same two-node overlay on both paths:
#   node a: underlay 10.80.0.1/24 --veth-- node b: underlay 10.80.0.2/24
#           vx0 (vxlan id 42, dstport 4789, remote 10.80.0.2) 10.81.0.1/24
#                                          vx0 (..., remote 10.80.0.1) 10.81.0.2/24
#   tapstack  two namespaces (a, b) of one daemon (no TAP: nothing leaves the process);
#             its own `ping -f` runs in a (through `tapstack ctl ip netns exec a`)
#   Linux     namespaces tsb<T>C and tsb<T>D, a kernel veth pair, kernel vxlan devices;
#             iputils `ping -f` runs in tsb<T>C
# Each path floods echoes through the overlay (vx0, 10.81.0.2) and, as the baseline, over
# the bare underlay (10.80.0.2), at -s 56 and -s 1422 (the largest overlay payload: 1450
# bytes of inner IP in 1500-byte outer datagrams). The VXLAN cost of an echo round trip
# (two encapsulations, two decapsulations) is the overlay's time per echo minus the
# underlay's: the pinger's own cost cancels out, so that row compares the two VXLAN
# implementations. Rounds alternate the paths; figures are medians of the rounds, ratios
# medians of the per-round ratios (x1.00 = as good as Linux; bigger is worse).
#
# Environment (defaults in brackets):
#   TSB_ROUNDS [5]          rounds (each round runs both paths)
#   TSB_VXLAN_N [100000]    echoes per flood run on the Linux path
#   TSB_VXLAN_TS_N [1000000] ... on the tapstack path: its echoes are ~15 times faster, and
#                           runs of about the same length see the same machine noise
#   TSB_VERBOSE [0]         1: print every ping's statistics lines as they come
#   TSB_SUMMARY             if set, a file to which summary rows are appended (run_bench.sh)
#
# Exit status: 0 when the benchmark ran (slow figures and lost echoes are reported, not
# failed); 2 when something could not be set up; 3 when the tapstack daemon died or
# stopped answering. Everything created (daemon, namespaces with their veth and vxlan
# devices, control socket, temporary files) is removed on every exit path.
set -u
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
bench_init bench_vxlan "${1:-}"

bench_int ROUNDS TSB_ROUNDS 5 1 20
bench_int FLOOD_N TSB_VXLAN_N 100000 100 1000000
bench_int TS_N TSB_VXLAN_TS_N 1000000 100 10000000

NS_A=; IF_A=; NS_B=; IF_B=                 # no TAP on this benchmark (bench_finish)
# NS_C, IF_C (bench_init): Linux path: node a (pinging)
NS_D=tsb${TAG}D; IF_D=tsb${TAG}D0          # Linux path: node b (answering)
U1=10.80.0.1; U2=10.80.0.2                 # the underlay, on both paths
O1=10.81.0.1; O2=10.81.0.2                 # the overlay, on both paths

# ---- preconditions -----------------------------------------------------------------
bench_preconditions ip ping timeout awk sort
need_iputils_ping

# ---- set-up: the same overlay twice --------------------------------------------------
# overlay_cmds A B: the commands that build it, `ip -n A` / `ip -n B` prefixed, devices
# named as on both paths (the Linux underlay ends get the run's names).
overlay_cmds() {
    local a=$1 b=$2 ua=$3 ub=$4
    cat <<EOF
ip -n $a addr add $U1/24 dev $ua
ip -n $b addr add $U2/24 dev $ub
ip -n $a link set $ua up
ip -n $b link set $ub up
ip -n $a link add vx0 type vxlan id 42 dstport 4789 local $U1 remote $U2 dev $ua
ip -n $b link add vx0 type vxlan id 42 dstport 4789 local $U2 remote $U1 dev $ub
ip -n $a addr add $O1/24 dev vx0
ip -n $b addr add $O2/24 dev vx0
ip -n $a link set vx0 up
ip -n $b link set vx0 up
EOF
}
{ echo "ip netns add a"; echo "ip netns add b"
  echo "ip -n a link add eth0 type veth peer name eth0 netns b"
  overlay_cmds a b eth0 eth0; } >"$TMP/setup.ts"
daemon_up "$TMP/setup.ts"
[ -s "$TMP/daemon.err" ] && die 2 "the daemon's set-up failed: $(head -n 2 "$TMP/daemon.err" | tr '\n' ' ')"

netns_add "$NS_C"
netns_add "$NS_D"
ip link add "$IF_C" netns "$NS_C" type veth peer name "$IF_D" netns "$NS_D" || die 2 "creating veth $IF_C/$IF_D failed"
while read -r line; do
    $line || die 2 "Linux path: $line failed"
done < <(overlay_cmds "$NS_C" "$NS_D" "$IF_C" "$IF_D")

ts() { timeout -s INT -k 3 "$1" "$BIN" ctl --ctl "$SOCK" "${@:2}"; }
for dst in $U2 $O2; do          # ARP on the underlay and the overlay, both ways, both paths
    ts 15 ip netns exec a ping -c 3 -i 0.05 -W 2 -q "$dst" >"$TMP/warm" 2>&1 || die 2 "warm-up: tapstack a -> $dst: $(tail -n 2 "$TMP/warm")"
    timeout 15 ip netns exec "$NS_C" ping -c 3 -i 0.05 -W 2 -q "$dst" >"$TMP/warm" 2>&1 || die 2 "warm-up: Linux C -> $dst: $(tail -n 2 "$TMP/warm")"
done
for dst in $U1 $O1; do
    ts 15 ip netns exec b ping -c 3 -i 0.05 -W 2 -q "$dst" >"$TMP/warm" 2>&1 || die 2 "warm-up: tapstack b -> $dst"
    timeout 15 ip netns exec "$NS_D" ping -c 3 -i 0.05 -W 2 -q "$dst" >"$TMP/warm" 2>&1 || die 2 "warm-up: Linux D -> $dst"
done
ts 10 ip netns exec a nstat -n >/dev/null; ts 10 ip netns exec b nstat -n >/dev/null
ts_vx_rx0=$(ts 10 ip netns exec a ip -s link show vx0 | awk '/RX:/ { getline; print $2 }')
lx_vx_rx0=$(ip netns exec "$NS_C" cat /sys/class/net/vx0/statistics/rx_packets)

# ---- measuring ---------------------------------------------------------------------
declare -A REPLIES=()          # path|dst -> echo replies in all rounds (checked against vx0)

# flood PATH DST SIZE: one ping -f (FLOOD_N or TS_N echoes); adds the rate (replies per second of
# ping's own "time") and the loss under "KIND.SIZE" (KIND vx or ul by DST).
flood() {
    local path=$1 dst=$2 size=$3 kind=ul n=$FLOOD_N lim line tx rx ms rate loss
    [ "$dst" = "$O2" ] && kind=vx
    [ "$path" = ts ] && n=$TS_N
    lim=$(( n / 2000 + 30 ))
    if [ "$path" = ts ]; then
        ts "$lim" ip netns exec a ping -f -c "$n" -q -s "$size" "$dst" >"$TMP/last" 2>&1
    else
        timeout -s INT -k 3 "$lim" ip netns exec "$NS_C" ping -f -c "$n" -q -s "$size" "$dst" >"$TMP/last" 2>&1
    fi
    line=$(grep -m1 'packets transmitted' "$TMP/last")
    tx=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' <<<"$line")
    rx=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$line")
    ms=$(sed -n 's/.*time \([0-9]*\)ms.*/\1/p' <<<"$line")
    [ "$VERBOSE" = 1 ] && echo "    $path ping -f -s $size $dst: $line"
    rate=NA; loss=NA
    if [ -n "$tx" ] && [ -n "$rx" ] && [ -n "$ms" ]; then
        rate=$(awk -v r="$rx" -v t="$ms" 'BEGIN { if (t < 1) t = 1; printf "%.0f", r * 1000 / t }')
        loss=$(awk -v t="$tx" -v r="$rx" 'BEGIN { printf "%.2f", t ? (t - r) * 100 / t : 100 }')
        [ "$rx" -lt "$n" ] && PROBLEMS+=("$path: ping -f -s $size $dst: $rx of $n echoes answered")
        REPLIES["$path|$kind"]=$(( ${REPLIES["$path|$kind"]:-0} + rx ))
    else
        PROBLEMS+=("$path: ping -f -s $size $dst printed no statistics: $(tail -n 1 "$TMP/last" | cut -c1-120)")
    fi
    add "$kind$size.rate" "$path" "$rate"
    add "$kind$size.loss" "$path" "$loss"
    [ "$path" = ts ] && check_daemon "ping -f -s $size $dst"
    return 0
}

# The VXLAN cost of one echo round trip in microseconds, per round: 1e6/vx - 1e6/ul.
cost() {
    local size=$1 path v u
    for path in ts lx; do
        read -ra v <<<"${VAL["vx$size.rate|$path"]}"
        read -ra u <<<"${VAL["ul$size.rate|$path"]}"
        VAL["cost$size|$path"]=$(awk -v vs="${v[*]}" -v us="${u[*]}" 'BEGIN {
            n = split(vs, a, " "); split(us, b, " ")
            for (i = 1; i <= n; i++) {
                c = "NA"
                if (a[i] != "NA" && b[i] != "NA" && a[i] > 0 && b[i] > 0) c = sprintf("%.3f", 1e6 / a[i] - 1e6 / b[i])
                printf "%s%s", (i > 1 ? " " : ""), c
            } }')
    done
}

echo "=== bench_vxlan: VXLAN encap/decap echo rate, tapstack vs the Linux kernel (veth + vxlan)"
echo "tapstack commit $commit, $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(uname -sr), $(nproc) CPUs"
echo "binary $BIN"
echo "paths: tapstack = namespaces a, b of one daemon: veth eth0 $U1 <-> $U2, vx0 (vni 42, 4789) $O1 <-> $O2;"
echo "                  its own ping -f in a (tapstack ctl ip netns exec a ping ...)"
echo "       Linux    = namespaces $NS_C, $NS_D: veth $IF_C/$IF_D, kernel vxlan vx0, the same addresses;"
echo "                  iputils ping -f in $NS_C"
echo "$ROUNDS rounds, paths alternated, median of rounds; echoes per run: tapstack $TS_N, Linux $FLOOD_N"
echo

for ((r = 1; r <= ROUNDS; r++)); do
    if [ $((r % 2)) = 1 ]; then order="ts lx"; else order="lx ts"; fi
    [ "$VERBOSE" = 1 ] && echo "--- round $r ($order)"
    for size in 56 1422; do
        for dst in $U2 $O2; do
            for p in $order; do flood "$p" "$dst" "$size"; done
        done
    done
done
cost 56; cost 1422

# Every overlay echo came back through vx0 (its rx counter), on both paths; tapstack
# dropped nothing on the way.
ts_vx_rx=$(ts 10 ip netns exec a ip -s link show vx0 | awk '/RX:/ { getline; print $2 }')
lx_vx_rx=$(ip netns exec "$NS_C" cat /sys/class/net/vx0/statistics/rx_packets)
for p in ts lx; do
    if [ "$p" = ts ]; then got=$(( ${ts_vx_rx:-0} - ${ts_vx_rx0:-0} )); else got=$(( lx_vx_rx - lx_vx_rx0 )); fi
    want=${REPLIES["$p|vx"]:-0}
    [ "$got" -ge "$want" ] || PROBLEMS+=("$p: vx0 received $got frames, fewer than the $want overlay echo replies")
done
for n in a b; do
    drops=$(ts 10 ip netns exec "$n" nstat -a | awk '$1 ~ /^TsDrop/ && $2 > 0 { printf "%s %s ", $1, $2 }')
    [ -n "$drops" ] && PROBLEMS+=("tapstack namespace $n dropped: $drops")
done

# ---- the table ---------------------------------------------------------------------
table_head "Linux(vxlan)"
for size in 56 1422; do
    row "overlay echo rate -s $size (replies/s)" "vx$size.rate" rate 0
    row "underlay echo rate -s $size (replies/s)" "ul$size.rate" rate 0
    row "VXLAN cost per echo -s $size (us)" "cost$size" time 3
    row "overlay loss -s $size (%)" "vx$size.loss" abs 2
done
echo
echo "ratio: x1.00 = as good as Linux; bigger is worse (rates: Linux/tapstack; cost: tapstack/Linux),"
echo "       the median of the per-round ratios. 'overlay': ping -f through vx0 (two encapsulations"
echo "       and two decapsulations per echo); 'underlay': the same over the bare veth; 'VXLAN"
echo "       cost' = 1e6/overlay - 1e6/underlay: the time VXLAN adds to one echo round trip, with"
echo "       the pinger's own cost (iputils: three system calls per echo; tapstack's ping: none)"
echo "       cancelled out."
echo
echo "per-round values (tapstack | Linux | ratio):"
for m in vx56.rate ul56.rate cost56 vx1422.rate ul1422.rate cost1422; do
    k=rate; case $m in cost*) k=time ;; esac
    per_round_row "$m" "$k" 12 26
done
bench_finish "every echo answered through vx0, no tapstack drops, clean shutdown"
exit 0
