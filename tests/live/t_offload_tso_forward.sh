#!/usr/bin/env bash
# TCP super-frames through the stack as a router:
#   tslA: 10.99.0.1 --tap0-- stack --tap1-- 10.98.0.1 :tslB
# A 4 MiB TCP transfer from tslA to tslB (nc) crosses the stack three times:
#   1. offloads on: tslA's kernel hands tap0 64 KiB TSO frames (rx_gso_packets), the stack
#      forwards them whole and tap1 gives them to tslB's kernel as they are
#      (tx_gso_packets): no segmentation and no checksum in the stack;
#   2. `ethtool -K tap1 tso off`: the stack segments each one in software before tap1
#      (tx_sw_gso_segs), leaving the checksums to tap1 (tx_csum_partial);
#   3. `ethtool -K tap1 tx off` as well: the stack also completes every checksum
#      (tx_sw_csum).
# Every time the file arrives intact (sha256).
. "$(dirname "$0")/lib.sh"
need_tool nc
need_tool sha256sum
tsl_topology_router
head -c $((4 << 20)) /dev/urandom >"$TSL_TMP/src"
want=$(sha256sum <"$TSL_TMP/src" | cut -d' ' -f1)
[ "$TSL_SABOTAGE" = 1 ] && want=0000

dstat() { ts ethtool -S "$1" 2>/dev/null | awk -v k="$2:" '$1 == k { print $2 }'; }

transfer() {   # transfer LABEL PORT
    local got rc
    rm -f "$TSL_TMP/dst"
    ip netns exec "$NS_B" timeout 30 nc -l -p "$2" >"$TSL_TMP/dst" 2>"$TSL_TMP/nc-l.stderr" &
    local lpid=$!
    tsl_helper "$lpid"
    for ((i = 0; i < 100; i++)); do
        ip netns exec "$NS_B" ss -ltn 2>/dev/null | grep -q ":$2 " && break
        sleep 0.05
    done
    timeout 30 ip netns exec "$NS_A" nc -N 10.98.0.1 "$2" <"$TSL_TMP/src" 2>"$TSL_TMP/nc.stderr"
    rc=$?
    tsl_wait_exit "$lpid" 10
    [ $rc = 0 ] || fail "$1: nc to 10.98.0.1:$2 exited $rc: $(head -c 200 "$TSL_TMP/nc.stderr")"
    got=$(sha256sum <"$TSL_TMP/dst" | cut -d' ' -f1)
    [ "$got" = "$want" ] || fail "$1: received $(stat -c %s "$TSL_TMP/dst" 2>/dev/null) bytes, sha256 differs"
}

snap() { for k in rx_gso_packets tx_gso_packets tx_sw_gso_segs tx_csum_partial tx_sw_csum; do
             eval "$1_$k=\$(dstat $2 $k)"; done; }
delta() { eval "echo \$((\${b_$1:-0} - \${a_$1:-0}))"; }

snap a tap0; a_tx_gso_packets=$(dstat tap1 tx_gso_packets); a_tx_sw_gso_segs=$(dstat tap1 tx_sw_gso_segs)
transfer "offloads on" 5001
snap b tap0; b_tx_gso_packets=$(dstat tap1 tx_gso_packets); b_tx_sw_gso_segs=$(dstat tap1 tx_sw_gso_segs)
note "offloads on: 4 MiB intact; tap0 rx_gso_packets +$(delta rx_gso_packets), tap1 tx_gso_packets +$(delta tx_gso_packets), tx_sw_gso_segs +$(delta tx_sw_gso_segs)"
[ "$(delta rx_gso_packets)" -gt 0 ] || fail "offloads on: no super-frame came from tslA's kernel"
[ "$(delta tx_gso_packets)" -gt 0 ] || fail "offloads on: no super-frame left by tap1"
[ "$(delta tx_sw_gso_segs)" = 0 ] || fail "offloads on: the stack segmented in software"

out=$(ts ethtool -K tap1 tso off 2>&1) || fail "ethtool -K tap1 tso off: $out"
snap a tap1
transfer "tap1 tso off" 5002
snap b tap1
note "tap1 tso off: intact; tx_sw_gso_segs +$(delta tx_sw_gso_segs), tx_csum_partial +$(delta tx_csum_partial), tx_sw_csum +$(delta tx_sw_csum)"
[ "$(delta tx_sw_gso_segs)" -gt 0 ] || fail "tap1 tso off: no software segmentation"
[ "$(delta tx_gso_packets)" = 0 ] || fail "tap1 tso off: super-frames still left by tap1"
[ "$(delta tx_csum_partial)" -gt 0 ] || fail "tap1 tso off: no checksum left to tap1"

out=$(ts ethtool -K tap1 tx off 2>&1) || fail "ethtool -K tap1 tx off: $out"
snap a tap1
transfer "tap1 tso and tx off" 5003
snap b tap1
note "tap1 tx off too: intact; tx_sw_gso_segs +$(delta tx_sw_gso_segs), tx_sw_csum +$(delta tx_sw_csum)"
[ "$(delta tx_sw_csum)" -gt 0 ] || fail "tap1 tx off: no checksum completed in software"
[ "$(delta tx_csum_partial)" = 0 ] || fail "tap1 tx off: checksums still left to tap1"
