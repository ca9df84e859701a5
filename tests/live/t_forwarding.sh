#!/usr/bin/env bash
# The stack as a router between two namespaces (net.ipv4.ip_forward=1):
#   tslA: 10.99.0.1/24 default via 10.99.0.2 --tap0-- stack --tap1-- 10.98.0.1/24 default via 10.98.0.2 :tslB
# A ping from tslA to tslB is answered with TTL 63 (64 minus our hop); with -t 1 the
# stack answers "Time to live exceeded" from 10.99.0.2; with ip_forward=0 nothing passes
# (Linux's ip_error drops silently when forwarding is off).
. "$(dirname "$0")/lib.sh"
need_tool ping
tsl_topology_router
dst=$(sab 10.98.0.1 10.98.0.3)

out=$(timeout 20 ip netns exec "$NS_A" ping -c 3 -W 2 "$dst" 2>&1)
rc=$?
note "forwarded: $(printf '%s\n' "$out" | grep 'packets transmitted')"
[ $rc = 0 ] || { printf '%s\n' "$out" | sed 's/^/    | /'; fail "ping -c 3 $dst from $NS_A through the stack: exit $rc"; }
expect_contains "forwarded ping" "$out" '^3 packets transmitted, 3 received, 0% packet loss'
n=$(count_matches "$out" "^64 bytes from $dst: icmp_seq=[123] ttl=63 ")
[ "$n" = 3 ] || { printf '%s\n' "$out" | sed 's/^/    | /'; fail "forwarded ping: $n replies with ttl=63, expected 3"; }
fw=$(ts nstat -a 2>/dev/null | awk '$1 == "IpForwDatagrams" { print $2 }')
note "IpForwDatagrams = ${fw:-?}"

out=$(timeout 20 ip netns exec "$NS_A" ping -c 1 -W 2 -t 1 "$dst" 2>&1)
rc=$?
note "ttl 1: $(printf '%s\n' "$out" | grep -E 'From|transmitted' | tr '\n' ' ')"
[ $rc != 0 ] || fail "ping -t 1 $dst succeeded; the stack must not forward a TTL 1 packet"
expect_contains "ping -t 1" "$out" '^From 10\.99\.0\.2 icmp_seq=1 Time to live exceeded$'

out=$(ts sysctl -w net.ipv4.ip_forward=0 2>&1) || fail "sysctl -w net.ipv4.ip_forward=0: $out"
out=$(timeout 20 ip netns exec "$NS_A" ping -c 2 -W 1 "$dst" 2>&1)
rc=$?
note "ip_forward=0: $(printf '%s\n' "$out" | grep 'packets transmitted')"
[ $rc = 1 ] || { printf '%s\n' "$out" | sed 's/^/    | /'; fail "with ip_forward=0, ping $dst exited $rc, expected 1 (no reply)"; }
expect_contains "ping with ip_forward=0" "$out" '^2 packets transmitted, 0 received'
expect_lacks "ping with ip_forward=0" "$out" 'bytes from|^From '

# And back on: forwarding resumes.
ts sysctl -w net.ipv4.ip_forward=1 >/dev/null 2>&1
out=$(timeout 20 ip netns exec "$NS_A" ping -c 1 -W 2 "$dst" 2>&1) || fail "with ip_forward=1 again, ping $dst failed: $out"
