# Forwarding between tap0 and tap1 (only tap0 is captured).
#  t=0    UDP to 192.168.1.9, TTL 1 -> ICMP time exceeded (code 0) from 10.0.0.2
#  t=0.1  the same with TTL 5 -> forwarded out tap1 with TTL 4 (permanent neighbour)
#  t=0.2  TTL 5 to 192.168.1.10, which never answers ARP on tap1 -> after 3 probes
#         (t=3.2) ICMP host unreachable back to 10.0.0.1 quoting the TTL-4 datagram
#  t=5    ip_forward=0: the datagram is dropped silently (IpInAddrErrors)
ip link set tap0 address 02:00:00:00:00:02
sysctl -w net.ipv4.ip_forward=1
ip link add tap1 type tap
ip addr add 192.168.1.1/24 dev tap1
ip link set tap1 up
ip neigh add 192.168.1.9 lladdr 02:00:00:00:01:09 dev tap1 nud permanent
sleep 1
echo "== t=1"
ip -s link show tap1
ip neigh show
nstat
sleep 3
echo "== t=4: 192.168.1.10 FAILED"
ip neigh show
nstat
sysctl -w net.ipv4.ip_forward=0
sleep 1.5
echo "== t=5.5: with ip_forward=0"
ip -s link show tap1
nstat

