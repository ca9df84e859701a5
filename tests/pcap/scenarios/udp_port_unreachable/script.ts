# Datagrams for ports nobody listens on (RFC 1122 4.1.3.1, RFC 792):
#  t=0.01 unicast to 9999, 15 bytes  -> ICMP port unreachable (type 3 code 3) quoting
#         the whole datagram (Linux quotes up to 576 bytes of ICMP datagram)
#  t=0.02 unicast to 9998, 1000 bytes -> port unreachable quoting the first 548 bytes
#  t=0.03 to the subnet broadcast 10.0.0.255 -> no ICMP (RFC 1122 3.2.2)
#  t=0.04 to the limited broadcast 255.255.255.255 -> no ICMP
#  t=0.05 to port 7, whose echo server was stopped at t=0 -> port unreachable
# Counters (Linux __udp4_lib_rcv / __udp4_lib_mcast_deliver): UdpNoPorts for each
# unicast datagram; a broadcast that no socket takes counts UdpIgnoredMulti instead.
ip link set tap0 address 02:00:00:00:00:02
serve echo udp 7
serve stop 7
serve list
sleep 0.025
echo "== t=0.025: two unicast datagrams to closed ports"
nstat
sleep 0.02
echo "== t=0.045: two broadcast datagrams to a closed port"
nstat
sleep 0.01
echo "== t=0.055: a datagram to the stopped server's port"
nstat
sleep 6
ip -s neigh show

