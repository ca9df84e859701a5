#!/usr/bin/env bash
# flannel's VXLAN backend, with the Linux kernel as the other node (labs/flannel is the
# one-process version):
#   kernel "node1" tslA: underlay 10.99.0.1/24, flannel.1 10.244.1.0/32 (kernel vxlan),
#       cni0 10.244.1.1/24 (kernel bridge) --veth-- pod tslB 10.244.1.2
#     --tap0--
#   stack "node2": underlay tap0 10.99.0.2/24, flannel.1 10.244.2.0/32, cni0 10.244.2.1/24
#       --veth-- pod namespace "pod2" 10.244.2.2
# Both flannel.1 are `vxlan id 1 dstport 8472 nolearning`; each node has what flanneld
# writes for the other (a permanent neighbour entry for the other flannel.1 address, an
# FDB entry `MAC dst NODEIP self permanent`, a route `10.244.M.0/24 via 10.244.M.0 dev
# flannel.1 onlink`). The pods ping each other both ways, through both nodes' routing
# (TTL 62), up to the overlay MTU. Neither FDB gains an entry from the traffic; a VXLAN
# frame from a MAC nobody wrote (sent by hand from the kernel side) is received and
# answered, and still not learned: that is nolearning.
. "$(dirname "$0")/lib.sh"
need_tool ping
need_tool python3
KMAC=0a:f1:00:00:00:01          # the kernel's flannel.1
SMAC=0a:f1:00:00:00:02          # the stack's
tsl_topology_a
tsl_netns_add "$NS_B"
# --- the stack: node2 (its default namespace) and pod2 --------------------------------
for c in "ip link add flannel.1 type vxlan id 1 local 10.99.0.2 dev tap0 dstport 8472 $(sab nolearning learning)" \
         "ip link set flannel.1 address $SMAC" "ip addr add 10.244.2.0/32 dev flannel.1" "ip link set flannel.1 up" \
         "sysctl -w net.ipv4.ip_forward=1" \
         "ip link add cni0 type bridge" "ip addr add 10.244.2.1/24 dev cni0" "ip link set cni0 up" \
         "ip netns add pod2" "ip link add veth-pod2 type veth peer name eth0 netns pod2" \
         "ip link set veth-pod2 mtu 1450 master cni0 up" "ip -n pod2 link set eth0 mtu 1450 up" \
         "ip -n pod2 addr add 10.244.2.2/24 dev eth0" "ip -n pod2 route add default via 10.244.2.1" \
         "ip neigh add 10.244.1.0 lladdr $KMAC dev flannel.1 nud permanent" \
         "bridge fdb add $KMAC dev flannel.1 dst 10.99.0.1 self permanent" \
         "ip route add 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink"; do
    out=$(ts $c 2>&1) || fail "stack: $c: $out"
done
# --- the kernel: node1 (tslA) and its pod (tslB) ---------------------------------------
# Device names inside the namespaces are private to them (deleting the namespace deletes
# them); only names starting with this run's tag are checked for leftovers.
k() { nsx "$NS_A" "$@" || fail "kernel node1: $*"; }
k ip link add flannel.1 type vxlan id 1 local 10.99.0.1 dev "$IF_A" dstport 8472 nolearning
k ip link set flannel.1 address $KMAC
k ip addr add 10.244.1.0/32 dev flannel.1
k ip link set flannel.1 up
k sysctl -qw net.ipv4.ip_forward=1
k ip link add cni0 type bridge
k ip addr add 10.244.1.1/24 dev cni0
k ip link set cni0 up
k ip link add veth-pod1 type veth peer name eth0 netns "$NS_B"
k ip link set veth-pod1 mtu 1450 master cni0 up
nsx "$NS_B" ip link set eth0 mtu 1450 up && nsx "$NS_B" ip addr add 10.244.1.2/24 dev eth0 &&
    nsx "$NS_B" ip route add default via 10.244.1.1 || fail "kernel pod"
k ip neigh add 10.244.2.0 lladdr $SMAC dev flannel.1 nud permanent
k bridge fdb add $SMAC dev flannel.1 dst 10.99.0.2 self permanent
k ip route add 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink
# --- the pods ping each other through both nodes ---------------------------------------
for size in 56 1422; do
    out=$(timeout 20 ip netns exec "$NS_B" ping -c 2 -W 2 -s $size 10.244.2.2 2>&1)
    rc=$?
    note "kernel pod -> stack pod -s $size: $(printf '%s\n' "$out" | grep 'packets transmitted')"
    [ $rc = 0 ] || { printf '%s\n' "$out" | sed 's/^/    | /'; fail "kernel pod ping -s $size 10.244.2.2: exit $rc"; }
    expect_contains "kernel pod -> stack pod -s $size" "$out" "bytes from 10\.244\.2\.2: icmp_seq=2 ttl=62 "
    out=$(TS_TIMEOUT=20 ts ip netns exec pod2 ping -c 2 -W 2 -s $size 10.244.1.2 2>&1) ||
        fail "stack pod ping -s $size 10.244.1.2: $out"
    expect_contains "stack pod -> kernel pod -s $size" "$out" '^2 packets transmitted, 2 received, 0% packet loss'
    expect_contains "stack pod -> kernel pod -s $size" "$out" "bytes from 10\.244\.1\.2: icmp_seq=2 ttl=62 "
    note "stack pod -> kernel pod -s $size: $(printf '%s\n' "$out" | grep 'packets transmitted')"
done
# --- nolearning: a VXLAN frame from a MAC no one wrote, sent by hand from node1's
# underlay address: the stack answers the echo inside it (its reply goes to the kernel's
# flannel.1 by the entries above) but learns nothing.
ts nstat -n >/dev/null 2>&1
nsx "$NS_A" python3 - <<'EOF' || fail "could not send the hand-made VXLAN frame"
import socket, struct
def csum(b):
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
icmp = struct.pack('!BBHHH', 8, 0, 0, 0x4242, 1) + b'not-in-the-fdb!!'
icmp = icmp[:2] + struct.pack('!H', csum(icmp)) + icmp[4:]
ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(icmp), 1, 0, 64, 1, 0,
                 socket.inet_aton('10.244.1.0'), socket.inet_aton('10.244.2.0'))
ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
eth = bytes.fromhex('0af100000002' '020000009999' '0800')     # to the stack's flannel.1
vxlan = struct.pack('!II', 0x08 << 24, 1 << 8)                 # I flag, VNI 1
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(vxlan + eth + ip + icmp, ('10.99.0.2', 8472))
EOF
for ((i = 0; i < 40; i++)); do
    ns=$(ts nstat -s 2>&1)
    printf '%s\n' "$ns" | grep -qE '^IcmpOutEchoReps +1 ' && break
    sleep 0.05
done
expect_contains "the hand-made frame was received and answered" "$ns" '^IcmpInEchos +1 '
expect_contains "the hand-made frame was received and answered" "$ns" '^IcmpOutEchoReps +1 '
# --- the tables: exactly what "flanneld" wrote, on both sides --------------------------
fdb=$(ts bridge fdb show dev flannel.1 2>&1)
note "stack fdb: $(printf '%s\n' "$fdb" | tr '\n' '|')"
[ "$fdb" = "$KMAC dst 10.99.0.1 self permanent" ] || { printf '%s\n' "$fdb" | sed 's/^/    | /'; fail "the stack's flannel.1 FDB is not just the static entry"; }
neigh=$(ts ip neigh show dev flannel.1 2>&1)
[ "$neigh" = "10.244.1.0 lladdr $KMAC PERMANENT " ] || fail "the stack's flannel.1 neighbours: $neigh"
kfdb=$(nsx "$NS_A" bridge fdb show dev flannel.1 | grep ' dst ')
note "kernel fdb: $(printf '%s\n' "$kfdb" | tr '\n' '|')"
[ "$kfdb" = "$SMAC dst 10.99.0.2 self permanent" ] || { printf '%s\n' "$kfdb" | sed 's/^/    | /'; fail "the kernel's flannel.1 FDB is not just the static entry"; }
kneigh=$(nsx "$NS_A" ip neigh show dev flannel.1)
expect_contains "kernel neighbours" "$kneigh" "^10\.244\.2\.0 lladdr $SMAC PERMANENT"
[ "$(printf '%s\n' "$kneigh" | grep -c .)" = 1 ] || fail "the kernel's flannel.1 resolved more than the static neighbour: $kneigh"
# --- how the stack shows its side, as iproute2 shows a flannel node ---------------------
show=$(ts ip -d link show flannel.1 2>&1)
expect_contains "ip -d link show flannel.1" "$show" '^[0-9]+: flannel\.1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 '
expect_contains "ip -d link show flannel.1" "$show" \
    'vxlan id 1 local 10\.99\.0\.2 dev tap0 srcport 0 0 dstport 8472 nolearning ttl auto ageing 300 udpcsum'
routes=$(ts ip route 2>&1)
expect_contains "ip route" "$routes" '^10\.244\.1\.0/24 via 10\.244\.1\.0 dev flannel\.1 onlink $'
kroutes=$(nsx "$NS_A" ip route)
expect_contains "the kernel's ip route (same format)" "$kroutes" '^10\.244\.2\.0/24 via 10\.244\.2\.0 dev flannel\.1 onlink $'
true
