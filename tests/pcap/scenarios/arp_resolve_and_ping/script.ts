# ping 10.0.0.1 with an empty neighbour table: a broadcast ARP request at t=0, the
# peer's reply 1 ms later releases the queued echo request; the second echo goes
# out at t=1 s on the REACHABLE entry. The peer answers each 1 ms later.
ip link set tap0 address 02:00:00:00:00:02
ping -c 2 10.0.0.1
ip -s neigh show
nstat

