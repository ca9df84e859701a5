# The stack speaks first: nc -u sends one datagram (a file of the run's directory)
# to 10.0.0.1, whose address is not resolved yet.
#  t=0     nc -u -w 1 10.0.0.1 5000: ARP request; the datagram waits in the
#          neighbour queue; the peer's reply (1 ms) releases it; the peer answers
#          nothing on 5000; nc ends after 1 s idle. Linux counts the queued datagram
#          in UdpOutDatagrams (neigh_resolve_output queues it and returns 0, so
#          udp_send_skb counts it) and send() returns its length.
#  t=1.001 nc -u -v -w 1 10.0.0.1 9: the peer answers ICMP port unreachable; the
#          connected socket's next read fails with ECONNREFUSED: nc stops at once.
ip link set tap0 address 02:00:00:00:00:02
echo "hello from the stack" > msg.txt
nc -u -w 1 10.0.0.1 5000 < msg.txt
nstat
nc -u -v -w 1 10.0.0.1 9 < msg.txt
nstat
ss -uan

