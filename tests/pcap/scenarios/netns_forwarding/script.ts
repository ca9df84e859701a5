# Three devices in two namespaces, each with its own input and golden: tap0 in the
# default namespace (the default lab) and, in namespace rt, tap0 (192.168.1.1/24,
# host A 192.168.1.2) and tap1 (192.168.2.1/24, host B 192.168.2.2), with
# ip_forward=1 in rt only. Both namespaces have a tap0: the ports tell them apart.
# rt/tap1 is created in the default namespace and moved: its port binds on arrival.
#  t=0    A pings B through rt: ARP for B on rt/tap1, the request goes out rt/tap1
#         with TTL 63; B's reply comes back on rt/tap1 and leaves rt/tap0 after
#         ARP for A. At the same time (equal timestamps: --dev order) the peer
#         10.0.0.1 asks for 10.0.0.2 and pings it on the default tap0: answered there.
#  t=1    A's second echo: forwarded both ways at once (neighbours resolved)
#  t=2    on the default tap0, a datagram for 192.168.2.2: not forwarded (ip_forward=0
#         in the default namespace: IpInAddrErrors), nothing leaves rt
ip link set tap0 address 02:00:00:00:00:02
ip netns add rt
ip -n rt link add tap0 type tap
ip -n rt link set tap0 address 02:00:00:00:01:01
ip -n rt addr add 192.168.1.1/24 dev tap0
ip -n rt link set tap0 up
ip link add tap1 type tap
ip link set tap1 netns rt
ip -n rt link set tap1 address 02:00:00:00:02:01
ip -n rt addr add 192.168.2.1/24 dev tap1
ip -n rt link set tap1 up
ip netns exec rt sysctl -w net.ipv4.ip_forward=1
sleep 2.5
echo "== t=2.5: rt forwarded 4 datagrams; the default namespace none"
ip netns exec rt nstat
ip -n rt neigh show
nstat
sleep 7
echo "== t=9.5: 10.0.0.1, learnt STALE and used by the reply: DELAY, unicast probe at 5, answered"
ip -s neigh show
echo "== rt: confirmed by the ARP replies at t=0, still REACHABLE"
ip -n rt -s neigh show

