# Linux's per-destination ICMP error limit (icmp_ratelimit 1000 ms, burst 6,
# icmp_ratemask includes destination unreachable): ten datagrams of an unknown
# protocol 10 ms apart get six protocol unreachables, then none; the eleventh,
# at t=1.2 s, gets one again (a token accrued).
ip link set tap0 address 02:00:00:00:00:02
sleep 0.5
nstat
sleep 1
nstat
sleep 7
# the errors used the STALE entry: DELAY, then three unanswered unicast probes
ip -s neigh show

