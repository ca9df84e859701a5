#!/usr/bin/env bash
# TCP over the VXLAN overlay (RFC 7348, VNI 42, port 4789), the set-up of t_vxlan.sh:
#   tslA: 10.99.0.1/24 + kernel vxlan42 192.168.42.1/24
#      --tap0-- stack: 10.99.0.2/24 + vxlan0 (id 42) 192.168.42.2/24
# The overlay's MTU is 1450, so both SYNs offer MSS 1410 (1450 - 40). 5 MB each way
# with nc on both sides through it (TSL_TCP_MB), compared by SHA-256; while the first
# transfer runs the stack's `ss -ti` shows the connection with mss 1398 (1410 less the
# 12 bytes of timestamps) and advmss 1410, and the stack counts the datagrams it
# decapsulated (UdpInDatagrams).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tcp.sh"
tsl_topology_a
for c in "ip link add vxlan0 type vxlan id 42 dstport 4789 local 10.99.0.2 remote 10.99.0.1 dev tap0" \
         "ip addr add 192.168.42.2/24 dev vxlan0" "ip link set vxlan0 up"; do
    out=$(ts $c 2>&1) || fail "$c: $out"
done
nsx "$NS_A" ip link add vxlan42 type vxlan id 42 dstport 4789 local 10.99.0.1 \
    remote 10.99.0.2 dev "$IF_A" || fail "kernel vxlan42 in $NS_A"
nsx "$NS_A" ip addr add 192.168.42.1/24 dev vxlan42 && nsx "$NS_A" ip link set vxlan42 up || fail "vxlan42 up"
out=$(timeout 10 ip netns exec "$NS_A" ping -c 1 -W 2 192.168.42.2 2>&1) || fail "ping 192.168.42.2 over the overlay: $out"
tcp_make_file "${TSL_TCP_MB:-5}"
ts nstat >/dev/null 2>&1

TCP_PAUSE=1 tcp_to_stack "Linux -> stack over VXLAN (1 s pause)" "$NS_A" 192.168.42.2 5001
info=$TCP_SS
[ -n "$info" ] || fail "ss -tin never showed the connection 192.168.42.2:5001"
note "stack ss -ti: $(printf '%s\n' "$info" | tail -n 1 | grep -oE 'mss:[0-9]+|advmss:[0-9]+|rcvmss:[0-9]+' | tr '\n' ' ')"
expect_contains "ss -ti over the overlay" "$info" " mss:1398 .*advmss:1410 "
tcp_from_stack "stack -> Linux over VXLAN" "$NS_A" 192.168.42.1 5002
ns=$(ts nstat 2>&1)
udp=$(printf '%s\n' "$ns" | awk '$1 == "UdpInDatagrams" {print $2}')
note "stack nstat: UdpInDatagrams $udp, $(printf '%s\n' "$ns" | grep -E '^Tcp(InSegs|OutSegs|RetransSegs) ' | awk '{printf "%s %s  ", $1, $2}')"
[ "${udp:-0}" -gt 1000 ] || fail "UdpInDatagrams ${udp:-0}: the TCP segments did not come encapsulated"
true
