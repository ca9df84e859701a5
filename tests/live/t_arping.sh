#!/usr/bin/env bash
# The kernel ARPs for the stack: `arping -c 3 -I tslA0 10.99.0.2` from namespace tslA gets
# 3 replies, from the MAC address the stack shows for tap0.
. "$(dirname "$0")/lib.sh"
need_tool arping
tsl_topology_a
mac=$(ts ip link show tap0 | awk '/link\/ether/ {print $2}')
[ -n "$mac" ] || fail "ip link show tap0 (through ctl) prints no link/ether address"
dst=$(sab 10.99.0.2 10.99.0.3)
out=$(timeout 20 ip netns exec "$NS_A" arping -c 3 -I "$IF_A" "$dst" 2>&1)
rc=$?
note "$(printf '%s\n' "$out" | grep -E 'Sent|Received')"
[ $rc = 0 ] || { printf '%s\n' "$out" | sed 's/^/    | /'; fail "arping -c 3 -I $IF_A $dst: exit $rc"; }
expect_contains arping "$out" '^Received 3 response\(s\)'
n=$(printf '%s\n' "$out" | grep -ciE "^Unicast reply from $dst \[$mac\]")
[ "$n" = 3 ] || { printf '%s\n' "$out" | sed 's/^/    | /'; fail "arping: $n replies \"from $dst [$mac]\", expected 3"; }
# As Linux's arp_process does for a request to one of its addresses, the stack learnt
# the sender: a STALE entry with the kernel's MAC.
kmac=$(ip -n "$NS_A" -o link show dev "$IF_A" | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
neigh=$(ts ip neigh show dev tap0)
printf '%s\n' "$neigh" | grep -qE "^10\.99\.0\.1 lladdr $kmac +STALE *$" ||
    fail "the stack's ip neigh show dev tap0 is \"$neigh\", expected 10.99.0.1 lladdr $kmac STALE"
