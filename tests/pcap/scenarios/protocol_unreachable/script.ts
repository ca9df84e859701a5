# An unknown IP protocol (253, RFC 3692 experimental):
#  t=0.01 unicast -> ICMP protocol unreachable (type 3 code 2) quoting the datagram
#  t=0.02 to the subnet broadcast -> no ICMP (RFC 1122 3.2.2)
ip link set tap0 address 02:00:00:00:00:02
sleep 0.1
nstat
sleep 8
# the ICMP error used the STALE entry: DELAY, then three unanswered unicast probes
ip -s neigh show

