#!/usr/bin/env bash
# TCP across a veth pair into a tapstack namespace, forwarded by the stack's default
# namespace (the set-up of t_veth.sh, as labs/docker wires a container):
#   tslA: 10.99.0.1/24 (10.98.0.0/24 via .2) --tap0-- stack (10.99.0.2, ip_forward=1)
#       --v0 10.98.0.1 == veth == v1 10.98.0.2-- namespace c1 (default via 10.98.0.1)
# 5 MB each way (TSL_TCP_MB) with nc on both sides, compared by SHA-256:
#   Linux -> c1: `ip netns exec c1 nc -l 5001 > FILE` in the stack, Linux's nc -N;
#   c1 -> Linux: Linux's nc -l 5002, `ip netns exec c1 nc -N 10.99.0.1 5002 < FILE`.
# During the first, c1's `ss -tin` shows the connection from 10.99.0.1 (mss 1448); the
# default namespace forwarded the segments (IpForwDatagrams) and holds no TCP socket of
# its own, and c1's `nstat` counted the connection (PassiveOpens, ActiveOpens).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tcp.sh"
tsl_topology_a
tsl_veth_c1
out=$(timeout 10 ip netns exec "$NS_A" ping -c 1 -W 2 10.98.0.2 2>&1) || fail "ping 10.98.0.2 from $NS_A: $out"
tcp_make_file "${TSL_TCP_MB:-5}"
ts nstat >/dev/null 2>&1
ts ip netns exec c1 nstat >/dev/null 2>&1

TCP_PAUSE=1 tcp_to_stack "Linux -> c1 across the veth (1 s pause)" "$NS_A" 10.98.0.2 5001 "ip netns exec c1"
[ -n "$TCP_SS" ] || fail "c1's ss -tin never showed the connection 10.98.0.2:5001"
note "c1 ss -tin: $(printf '%s\n' "$TCP_SS" | head -n 1 | tr -s ' ') $(printf '%s\n' "$TCP_SS" | tail -n 1 | grep -oE ' mss:[0-9]+')"
expect_contains "c1's ss -tin" "$TCP_SS" " 10\.98\.0\.2:5001 +10\.99\.0\.1:[0-9]+ "
expect_contains "c1's ss -tin" "$TCP_SS" " mss:1448 "
tcp_from_stack "c1 -> Linux across the veth" "$NS_A" 10.99.0.1 5002 "ip netns exec c1"

root=$(ts nstat 2>&1)
c1=$(ts ip netns exec c1 nstat 2>&1)
cnt() { printf '%s\n' "$1" | awk -v k="$2" '$1 == k {print $2}'; }
note "default namespace: IpForwDatagrams $(cnt "$root" IpForwDatagrams); c1: PassiveOpens $(cnt "$c1" TcpPassiveOpens) ActiveOpens $(cnt "$c1" TcpActiveOpens) InSegs $(cnt "$c1" TcpInSegs) OutSegs $(cnt "$c1" TcpOutSegs)"
# the file both ways through it: at least 32 datagrams a MB even as 64 KiB super-segments
# (GRO/TSO make the count depend on the windows and the timing: only that floor is asserted)
[ "$(cnt "$root" IpForwDatagrams)" -ge $(( ${TSL_TCP_MB:-5} * 32 )) ] 2>/dev/null || fail "the default namespace forwarded $(cnt "$root" IpForwDatagrams) datagrams"
[ -z "$(cnt "$root" TcpPassiveOpens)$(cnt "$root" TcpActiveOpens)" ] || fail "the default namespace opened TCP connections itself"
[ "$(cnt "$c1" TcpPassiveOpens)" = 1 ] && [ "$(cnt "$c1" TcpActiveOpens)" = 1 ] ||
    fail "c1 counted PassiveOpens $(cnt "$c1" TcpPassiveOpens), ActiveOpens $(cnt "$c1" TcpActiveOpens), expected 1 and 1"
ts ip netns del c1 >/dev/null 2>&1 || fail "ip netns del c1"
true
