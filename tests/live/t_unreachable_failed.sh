#!/usr/bin/env bash
# Pinging an address on the link that nobody has: ARP resolution fails after
# mcast_solicit (3) broadcasts 1 s apart, every queued packet gets "Destination Host
# Unreachable" from the stack's own address (neigh_invalidate -> icmp_send), ping exits 1
# and the entry stays FAILED (as `ip neigh` on Linux shows it).
. "$(dirname "$0")/lib.sh"
tsl_topology_a
ghost=10.99.0.77
shown=$(sab $ghost 10.99.0.78)

out=$(TS_TIMEOUT=30 ts ping -c 3 $ghost 2>&1)
rc=$?
note "$(printf '%s\n' "$out" | grep 'packets transmitted')"
[ $rc = 1 ] || { printf '%s\n' "$out" | sed 's/^/    | /'; fail "ping -c 3 $ghost: exit $rc, expected 1"; }
n=$(count_matches "$out" "^From 10\\.99\\.0\\.2 icmp_seq=[0-9]+ Destination Host Unreachable$")
[ "$n" -ge 1 ] || { printf '%s\n' "$out" | sed 's/^/    | /'; fail "ping: no \"From 10.99.0.2 icmp_seq=N Destination Host Unreachable\" line"; }
expect_contains ping "$out" '^3 packets transmitted, 0 received, \+[0-9]+ errors, 100% packet loss'
expect_lacks ping "$out" 'bytes from'

all=$(ts ip neigh show 2>&1)
printf '%s\n' "$all" | grep -qE "^$shown dev tap0 +FAILED *$" ||
    { printf '%s\n' "$all" | sed 's/^/    | /'; fail "ip neigh show lacks \"$shown dev tap0  FAILED\""; }
bydev=$(ts ip neigh show dev tap0 2>&1)
printf '%s\n' "$bydev" | grep -qE "^$shown +FAILED *$" ||
    { printf '%s\n' "$bydev" | sed 's/^/    | /'; fail "ip neigh show dev tap0 lacks \"$shown  FAILED\""; }
# Nothing went out to the kernel's address meanwhile, and the stack still works.
out=$(ts ping -c 1 -W 2 10.99.0.1 2>&1) || fail "ping 10.99.0.1 after the failed resolution: $out"
