# Packet journeys (trace on): the ARP request and its reply, an echo request and
# its reply, and an echo request dropped for its ICMP checksum. Pins the format.
ip link set tap0 address 02:00:00:00:00:02
trace on
sleep 0.1
trace off
sleep 8
# the echo reply used the STALE entry: DELAY, then three unanswered unicast probes
ip -s neigh show

