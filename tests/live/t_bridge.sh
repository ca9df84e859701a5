#!/usr/bin/env bash
# The stack as a learning bridge between two namespaces, holding an address itself:
#   tslA: 10.97.0.1/24 --tap0--+ br0 10.97.0.3/24 +--tap1-- 10.97.0.2/24 :tslB
# A pings B across the bridge (layer 2: the TTL stays 64), A and B ping br0's address,
# `bridge fdb show` lists both hosts' MACs as learned behind their ports, br0 has the
# lower of its ports' MACs, and after
# `ip link set tap1 nomaster` B is cut off.
. "$(dirname "$0")/lib.sh"
need_tool ping
tsl_daemon_start \
    "ip link add tap0 type tap ifname $IF_A" \
    "ip link add tap1 type tap ifname $IF_B" \
    "ip link add br0 type bridge" \
    "ip link set tap0 master br0" \
    "ip link set tap1 master br0" \
    "ip addr add 10.97.0.3/24 dev br0" \
    "ip link set tap0 up" \
    "ip link set tap1 up" \
    "ip link set br0 up"
tsl_netns_add "$NS_A"
tsl_netns_add "$NS_B"
tsl_move_if "$IF_A" "$NS_A" 10.97.0.1/24
tsl_move_if "$IF_B" "$NS_B" 10.97.0.2/24
dst=$(sab 10.97.0.2 10.97.0.9)

out=$(timeout 20 ip netns exec "$NS_A" ping -c 3 -W 2 "$dst" 2>&1)
rc=$?
note "bridged: $(printf '%s\n' "$out" | grep 'packets transmitted')"
[ $rc = 0 ] || { printf '%s\n' "$out" | sed 's/^/    | /'; fail "ping -c 3 $dst from $NS_A across the bridge: exit $rc"; }
n=$(count_matches "$out" "^64 bytes from $dst: icmp_seq=[123] ttl=64 ")
[ "$n" = 3 ] || { printf '%s\n' "$out" | sed 's/^/    | /'; fail "bridged ping: $n replies with ttl=64, expected 3"; }

for ns in "$NS_A" "$NS_B"; do
    out=$(timeout 20 ip netns exec "$ns" ping -c 2 -W 2 10.97.0.3 2>&1) ||
        { printf '%s\n' "$out" | sed 's/^/    | /'; fail "ping br0's 10.97.0.3 from $ns failed"; }
    expect_contains "ping br0 from $ns" "$out" '^2 packets transmitted, 2 received'
done

mac_a=$(ip -n "$NS_A" -br link show "$IF_A" | awk '{ print $3 }')
mac_b=$(ip -n "$NS_B" -br link show "$IF_B" | awk '{ print $3 }')
fdb=$(ts bridge fdb show 2>&1) || fail "bridge fdb show: $fdb"
note "fdb: $(printf '%s\n' "$fdb" | tr '\n' '|')"
expect_contains "bridge fdb show" "$fdb" "^$mac_a dev tap0 master br0 $"
expect_contains "bridge fdb show" "$fdb" "^$mac_b dev tap1 master br0 $"
# The bridge's own MAC is the lower of its ports' (Linux br_stp_recalculate_bridge_id):
# one permanent entry per port, none of its own, and br0 shows that port's MAC.
p0=$(ts ip -br link show tap0 | awk '{ print $3 }')
p1=$(ts ip -br link show tap1 | awk '{ print $3 }')
expect_contains "bridge fdb show" "$fdb" "^$p0 dev tap0 master br0 permanent$"
expect_contains "bridge fdb show" "$fdb" "^$p1 dev tap1 master br0 permanent$"
low=$p0; [[ "$p1" < "$p0" ]] && low=$p1
expect_contains "ip link show br0" "$(ts ip link show br0 2>&1)" "link/ether $low "
link=$(ts ip link show tap1 2>&1)
expect_contains "ip link show tap1" "$link" "qdisc pfifo_fast master br0 state "

out=$(ts ip link set tap1 nomaster 2>&1) || fail "ip link set tap1 nomaster: $out"
out=$(timeout 20 ip netns exec "$NS_A" ping -c 2 -W 1 10.97.0.2 2>&1)
rc=$?
note "after nomaster: $(printf '%s\n' "$out" | grep 'packets transmitted')"
[ $rc = 1 ] || { printf '%s\n' "$out" | sed 's/^/    | /'; fail "after nomaster, ping 10.97.0.2 exited $rc, expected 1 (no reply)"; }
