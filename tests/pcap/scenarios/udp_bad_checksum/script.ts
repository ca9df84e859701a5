# UDP checksums (RFC 768, RFC 1122 4.1.3.4), with serve echo udp 7:
#  t=0.01 to 7, checksum wrong          -> dropped: UdpInCsumErrors, UdpInErrors, no ICMP
#  t=0.02 to closed 9999, checksum wrong -> dropped the same way, no port unreachable
#  t=0.03 to 7, checksum 0 (none)       -> accepted and echoed (with a checksum)
#  t=0.04 to 7, checksum computes to 0, sent as 0xffff -> accepted; the echo's checksum
#         also computes to 0 (same words) and must be sent as 0xffff
#  t=0.05 to 7, good checksum           -> echoed
ip link set tap0 address 02:00:00:00:00:02
serve echo udp 7
sleep 0.015
nstat
sleep 0.01
nstat
sleep 0.075
nstat
sleep 6
ip -s neigh show

