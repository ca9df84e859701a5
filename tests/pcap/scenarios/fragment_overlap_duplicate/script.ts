# Datagram 0x3001: fragments 1, 2, 2 again, 3 -> the duplicate is dropped alone and
#   the datagram is answered (3 reply fragments at t=0.013).
# Datagram 0x3002: fragment 1, then one overlapping it (bytes 1000-2480) -> the whole
#   datagram is discarded (RFC 5722, Linux since 4.19); fragments 2 and 3 that follow
#   start a new queue that cannot complete: no reply; it times out at t=30.022
#   without ICMP (no fragment zero).
ip link set tap0 address 02:00:00:00:00:02
sleep 0.1
nstat
sleep 30
echo "== t=30.1"
nstat

