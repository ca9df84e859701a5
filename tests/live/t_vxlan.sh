#!/usr/bin/env bash
# Interop with the Linux kernel's vxlan driver (RFC 7348), VNI 42 on the IANA port 4789:
#   tslA: 10.99.0.1/24 (underlay) + kernel vxlan42 192.168.42.1/24
#      --tap0-- stack: 10.99.0.2/24 (underlay) + vxlan0 (id 42) 192.168.42.2/24
# Both sides learn (no static FDB entry but the default destination: `remote`). Pings
# both ways inside the overlay up to its MTU (1422-byte payload: 1450 - 20 - 8) and
# beyond it (4000 bytes: fragmented inside the overlay, each fragment encapsulated), the
# MACs learned on each side, and a device of another VNI (43) gets no answer.
. "$(dirname "$0")/lib.sh"
need_tool ping
tsl_topology_a
for c in "ip link add vxlan0 type vxlan id 42 dstport 4789 local 10.99.0.2 remote 10.99.0.1 dev tap0" \
         "ip addr add 192.168.42.2/24 dev vxlan0" "ip link set vxlan0 up"; do
    out=$(ts $c 2>&1) || fail "$c: $out"
done
nsx "$NS_A" ip link add vxlan42 type vxlan id "$(sab 42 43)" dstport 4789 local 10.99.0.1 \
    remote 10.99.0.2 dev "$IF_A" || fail "kernel vxlan42 in $NS_A"
nsx "$NS_A" ip addr add 192.168.42.1/24 dev vxlan42 && nsx "$NS_A" ip link set vxlan42 up || fail "vxlan42 up"
show=$(ts ip -d link show vxlan0 2>&1)
expect_contains "ip -d link show vxlan0" "$show" '^[0-9]+: vxlan0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 '
expect_contains "ip -d link show vxlan0" "$show" \
    'vxlan id 42 remote 10.99.0.1 local 10.99.0.2 dev tap0 srcport 0 0 dstport 4789 ttl auto ageing 300 udpcsum'
kmtu=$(nsx "$NS_A" cat /sys/class/net/vxlan42/mtu)
[ "$kmtu" = 1450 ] || fail "the kernel's vxlan42 has MTU $kmtu, expected 1450"
for size in 56 1422 4000; do
    out=$(timeout 20 ip netns exec "$NS_A" ping -c 2 -W 2 -s $size 192.168.42.2 2>&1)
    rc=$?
    note "kernel -> stack -s $size: $(printf '%s\n' "$out" | grep 'packets transmitted')"
    [ $rc = 0 ] || { printf '%s\n' "$out" | sed 's/^/    | /'; fail "kernel ping -s $size 192.168.42.2 over VXLAN: exit $rc"; }
    out=$(TS_TIMEOUT=20 ts ping -c 2 -W 2 -s $size 192.168.42.1 2>&1) || fail "stack ping -s $size 192.168.42.1: $out"
    expect_contains "stack -> kernel -s $size" "$out" '^2 packets transmitted, 2 received, 0% packet loss'
    note "stack -> kernel -s $size: $(printf '%s\n' "$out" | grep 'packets transmitted')"
done
# The 1422-byte payload fills the overlay exactly: 1450-byte inner IP datagrams, 1500-byte
# outer ones; the 4000-byte ping's fragments are each encapsulated.
kmac=$(nsx "$NS_A" cat /sys/class/net/vxlan42/address)
smac=$(ts ip link show vxlan0 | awk '/link\/ether/ {print $2}')
fdb=$(ts bridge fdb show dev vxlan0 2>&1)
note "stack fdb: $(printf '%s\n' "$fdb" | tr '\n' '|')"
expect_contains "stack learned the kernel's MAC" "$fdb" "^$kmac dst 10.99.0.1 via tap0 self $"
expect_contains "stack default destination" "$fdb" '^00:00:00:00:00:00 dst 10.99.0.1 via tap0 self permanent$'
kfdb=$(nsx "$NS_A" bridge fdb show dev vxlan42)
expect_contains "kernel learned the stack's MAC" "$kfdb" "^$smac dst 10.99.0.2 "
# VNI mismatch: a kernel device of VNI 43 on the same port gets no answer; the stack
# drops its frames as VXLAN_VNI_NOT_FOUND.
nsx "$NS_A" ip link add vxlan43 type vxlan id 43 dstport 4789 local 10.99.0.1 remote 10.99.0.2 \
    dev "$IF_A" || fail "kernel vxlan43"
nsx "$NS_A" ip addr add 192.168.43.1/24 dev vxlan43 && nsx "$NS_A" ip link set vxlan43 up || fail "vxlan43 up"
ts nstat >/dev/null 2>&1
out=$(timeout 20 ip netns exec "$NS_A" ping -c 2 -W 1 192.168.43.2 2>&1) && fail "VNI 43 got a reply: $out"
ns=$(ts nstat 2>&1)
note "after VNI 43: $(printf '%s\n' "$ns" | grep -E 'TsDropVXLAN' | tr -s ' ' | tr '\n' '|')"
expect_contains "VNI 43 dropped" "$ns" '^TsDropVXLAN_VNI_NOT_FOUND +[1-9]'
# nstat counts each encapsulated datagram as UDP.
ns=$(ts nstat -a 2>&1)
expect_contains "nstat" "$ns" '^UdpInDatagrams +[1-9]'
true
