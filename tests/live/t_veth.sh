#!/usr/bin/env bash
# A veth pair into a tapstack namespace, reached by the Linux kernel through the stack:
#   tslA: 10.99.0.1/24 --tap0-- stack (10.99.0.2, ip_forward=1) --v0== veth ==v1-- c1: 10.98.0.2/24
# The kernel pings c1 (TTL 63: one hop, the stack's default namespace), c1 pings the
# kernel, and the pair's counters agree: what v0 sent, v1 received, and back.
. "$(dirname "$0")/lib.sh"
need_tool ping
tsl_topology_a
tsl_veth_c1
show=$(ts ip link show v0 2>&1)
expect_contains "ip link show v0" "$show" '^[0-9]+: v0@if[0-9]+: <BROADCAST,MULTICAST,UP,LOWER_UP> .* state UP '
expect_contains "ip link show v0" "$show" 'link-netns c1'
dst=$(sab 10.98.0.2 10.98.0.3)
out=$(timeout 20 ip netns exec "$NS_A" ping -c 3 -W 2 "$dst" 2>&1)
rc=$?
note "kernel -> c1: $(printf '%s\n' "$out" | grep 'packets transmitted')"
[ $rc = 0 ] || { printf '%s\n' "$out" | sed 's/^/    | /'; fail "ping -c 3 $dst from $NS_A over the veth pair: exit $rc"; }
n=$(count_matches "$out" "^64 bytes from $dst: icmp_seq=[123] ttl=63 ")
[ "$n" = 3 ] || { printf '%s\n' "$out" | sed 's/^/    | /'; fail "$n replies with ttl=63 from $dst, expected 3"; }
out=$(TS_TIMEOUT=20 ts ip netns exec c1 ping -c 3 -W 2 10.99.0.1 2>&1) || fail "c1 pings 10.99.0.1: $out"
expect_contains "c1 -> kernel" "$out" '^3 packets transmitted, 3 received, 0% packet loss'
note "c1 -> kernel: $(printf '%s\n' "$out" | grep 'packets transmitted')"
# ip -s link: the second number of the line under "TX:" / "RX:" is the packet count.
pk() { printf '%s\n' "$1" | awk -v w="$2:" '$1 == w { getline; print $2; exit }'; }
# The four counters come from two commands; a neighbour probe sent between them would
# show as a difference, so a mismatch is read again (up to three times) before failing.
for try in 1 2 3; do
    s0=$(ts ip -s link show v0 2>&1); s1=$(ts ip netns exec c1 ip -s link show v1 2>&1)
    tx0=$(pk "$s0" TX); rx1=$(pk "$s1" RX); tx1=$(pk "$s1" TX); rx0=$(pk "$s0" RX)
    [ "$tx0" = "$rx1" ] && [ "$tx1" = "$rx0" ] && break
    sleep 0.5
done
note "v0 tx $tx0 -> v1 rx $rx1; v1 tx $tx1 -> v0 rx $rx0"
[ -n "$tx0" ] && [ "$tx0" -ge 6 ] || fail "v0 sent ${tx0:-?} packets, expected at least 6"
[ "$tx0" = "$rx1" ] && [ "$tx1" = "$rx0" ] || fail "counters disagree: v0 tx $tx0 v1 rx $rx1, v1 tx $tx1 v0 rx $rx0"
# Deleting the namespace deletes the pair.
ts ip netns del c1 >/dev/null 2>&1 || fail "ip netns del c1"
out=$(ts ip link show v0 2>&1) && fail "v0 still exists after its peer's namespace went: $out"
true
