#!/usr/bin/env bash
# TAP offloads as both sides see them. The stack's tap0 (IFF_VNET_HDR) asks the kernel
# for partial checksums and super-frames (TUNSETOFFLOAD), so `ethtool -k` on the host
# side of the TAP shows checksum and segmentation offload on; `ethtool -K tap0 rx off`
# in the stack takes them away on the host side too, and `rx on rx-gro-hw on` gives them
# back. ping -s 8000 works both ways with the offloads on and with all of them off
# (tx, rx, tso, gso), and the stack's own `ethtool -k tap0` reports what it switched.
. "$(dirname "$0")/lib.sh"
need_tool ping
need_tool ethtool
tsl_topology_a

host_k() { ip netns exec "$NS_A" ethtool -k "$IF_A" 2>&1; }
feat() { printf '%s\n' "$1" | awk -v f="$2" '{ sub(/^\t/, "") } $1 == f ":" { print $2; exit }'; }

k=$(ts ethtool -k tap0 2>&1) || fail "ethtool -k tap0: $k"
d=$(ts ip -d link show tap0 2>&1)
expect_contains "ip -d link show tap0" "$d" "tun type tap pi off vnet_hdr $(sab on off) persist off"
for f in rx-checksumming tx-checksum-ip-generic tx-tcp-segmentation tx-tcp-ecn-segmentation rx-gro-hw; do
    [ "$(feat "$k" $f)" = on ] || { printf '%s\n' "$k" | head -20 | sed 's/^/    | /'; fail "stack: $f is not on"; }
done
uso=$(feat "$k" tx-udp-segmentation)
note "stack tap0: rx-checksumming, tx-checksumming, tso, rx-gro-hw on; tx-udp-segmentation $uso"

h=$(host_k)
want=$(sab on off)
for f in tx-checksum-ip-generic tx-tcp-segmentation tx-tcp-ecn-segmentation; do
    [ "$(feat "$h" $f)" = "$want" ] || { printf '%s\n' "$h" | head -20 | sed 's/^/    | /'; fail "host $IF_A: $f is $(feat "$h" $f), expected $want"; }
done
if [ "$uso" = on ]; then
    [ "$(feat "$h" tx-udp-segmentation)" = on ] || fail "host $IF_A: tx-udp-segmentation not on although the stack accepted USO"
fi
note "host $IF_A: tx-checksum-ip-generic, tx-tcp-segmentation, tx-tcp-ecn-segmentation on"

pings() {   # pings LABEL: 8000-byte pings both ways
    local out rc
    out=$(timeout 20 ip netns exec "$NS_A" ping -c 2 -s 8000 -W 2 10.99.0.2 2>&1)
    rc=$?
    [ $rc = 0 ] || { printf '%s\n' "$out" | sed 's/^/    | /'; fail "$1: ping -s 8000 10.99.0.2 from the kernel: exit $rc"; }
    expect_contains "$1: kernel pings stack" "$out" '^8008 bytes from 10\.99\.0\.2: icmp_seq=2 '
    out=$(TS_TIMEOUT=20 ts ping -c 2 -s 8000 -W 2 10.99.0.1 2>&1)
    rc=$?
    [ $rc = 0 ] || { printf '%s\n' "$out" | sed 's/^/    | /'; fail "$1: ping -s 8000 10.99.0.1 from the stack: exit $rc"; }
    expect_contains "$1: stack pings kernel" "$out" '^8008 bytes from 10\.99\.0\.1: icmp_seq=2 '
    note "$1: ping -s 8000 both ways"
}
pings "offloads on"

out=$(ts ethtool -K tap0 rx off 2>&1) || fail "ethtool -K tap0 rx off: $out"
expect_contains "ethtool -K tap0 rx off" "$out" '^rx-gro-hw: off \[not requested\]$'
h=$(host_k)
for f in tx-checksum-ip-generic tx-tcp-segmentation tx-udp-segmentation; do
    [ "$(feat "$h" $f)" = off ] || { printf '%s\n' "$h" | head -20 | sed 's/^/    | /'; fail "host $IF_A after rx off: $f is $(feat "$h" $f), expected off"; }
done
note "rx off in the stack: the host side's checksum and segmentation offloads are off"
out=$(ts ethtool -K tap0 rx on rx-gro-hw on 2>&1) || fail "ethtool -K tap0 rx on rx-gro-hw on: $out"
h=$(host_k)
[ "$(feat "$h" tx-tcp-segmentation)" = on ] || fail "host $IF_A: tx-tcp-segmentation not back on after rx on rx-gro-hw on"

out=$(ts ethtool -K tap0 tx off rx off tso off gso off 2>&1) || fail "ethtool -K tap0 tx off rx off tso off gso off: $out"
k=$(ts ethtool -k tap0 2>&1)
for f in rx-checksumming tx-checksumming tcp-segmentation-offload generic-segmentation-offload rx-gro-hw; do
    [ "$(feat "$k" $f)" = off ] || fail "stack after everything off: $f is $(feat "$k" $f)"
done
pings "offloads off"
