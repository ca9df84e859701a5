#!/usr/bin/env bash
# The kernel pings the stack: from namespace tslA, `ping -c 3 -s SIZE 10.99.0.2` for
# SIZE 56, 1472 (the largest unfragmented), 4000 and 65000 (fragmented both ways:
# the stack reassembles the request and fragments its reply). Every reply must arrive.
. "$(dirname "$0")/lib.sh"
need_tool ping
tsl_topology_a
dst=$(sab 10.99.0.2 10.99.0.3)
for size in 56 1472 4000 65000; do
    w=2; [ "$size" -gt 4000 ] && w=5
    out=$(timeout 30 ip netns exec "$NS_A" ping -c 3 -W $w -s "$size" "$dst" 2>&1)
    rc=$?
    note "size $size: $(printf '%s\n' "$out" | grep 'packets transmitted')"
    [ $rc = 0 ] || { printf '%s\n' "$out" | sed 's/^/    | /'; fail "ping -s $size $dst from the kernel: exit $rc"; }
    expect_contains "ping -s $size" "$out" '^3 packets transmitted, 3 received, 0% packet loss'
    n=$(count_matches "$out" "^$((size + 8)) bytes from $dst: icmp_seq=[123] ttl=64 ")
    [ "$n" = 3 ] || { printf '%s\n' "$out" | sed 's/^/    | /'; fail "ping -s $size: $n reply lines \"$((size + 8)) bytes from $dst: ... ttl=64\", expected 3"; }
    expect_lacks "ping -s $size" "$out" 'DUP!|truncated|wrong data'
done
