# Linux NUD states (net/core/neighbour.c) with short timers:
# base_reachable_time 1 s (reachable_time drawn in [0.5, 1.5) s), retrans 1 s.
ip link set tap0 address 02:00:00:00:00:02
sysctl -w net.ipv4.neigh.tap0.base_reachable_time_ms=1000
sysctl -w net.ipv4.neigh.tap0.delay_first_probe_time=0
echo "== t=0: ping resolves 10.0.0.1: INCOMPLETE, broadcast request, reply -> REACHABLE"
ping -c 1 10.0.0.1
ip -s neigh show
sleep 2
echo "== t=2.002: reachable_time passed, unused within delay_first_probe_time=0 -> STALE"
ip -s neigh show
sysctl -w net.ipv4.neigh.tap0.delay_first_probe_time=1
ping -c 1 10.0.0.1
echo "== t=2.003: a packet used the STALE entry -> DELAY (1 s)"
ip -s neigh show
sleep 1.5
echo "== t=3.503: no confirmation in 1 s -> PROBE; unicast probe at 3.002 unanswered"
ip -s neigh show
sleep 1
echo "== t=4.503: second unicast probe (4.002) answered -> REACHABLE"
ip -s neigh show
echo "== 10.0.0.3 never answers"
ping -c 1 -W 0.5 10.0.0.3
ip -s neigh show
sleep 3
echo "== broadcast probes at +0, +1, +2 s; FAILED at +3 s"
ip -s neigh show
nstat

