# Malformed input is dropped silently, each with its own counter (nstat after each
# frame, 50 ms later). Only the ARP request and the last, good echo are answered.
# The peer here is not scripted: it never answers the stack's probes.

ip link set tap0 address 02:00:00:00:00:02
sleep 0.05
echo "== t=0: the peer's ARP request"
nstat
sleep 0.1
echo "== t=0.1: IP header checksum wrong"
nstat
sleep 0.1
echo "== t=0.2: ICMP checksum wrong"
nstat
sleep 0.1
echo "== t=0.3: IP total length 1000 > 84 bytes received"
nstat
sleep 0.1
echo "== t=0.4: frame of 10 bytes"
nstat
sleep 0.1
echo "== t=0.5: IHL 4"
nstat
sleep 0.1
echo "== t=0.6: 802.1Q tagged echo request"
nstat
sleep 0.1
echo "== t=0.7: version 6 in an IPv4 frame"
nstat
sleep 0.1
echo "== t=0.8: IP total length 16 < header length 20"
nstat
sleep 0.1
echo "== t=0.9: IPv4 frame of 24 bytes (10-byte IP header)"
nstat
sleep 0.1
echo "== t=1.0: ICMP message of 4 bytes"
nstat
sleep 0.1
echo "== t=1.1: unknown ethertype 0x88b5"
nstat
sleep 0.1
echo "== t=1.2: good echo request"
nstat
sleep 8.5
echo "== t=9.75: the reply used the STALE entry: DELAY, PROBE at 6.2, three unanswered unicast probes, FAILED at 9.2"
ip -s neigh show
