# The UDP length field against the IP payload (RFC 768; Linux __udp4_lib_rcv):
#  t=0.01 length 100, 24 bytes arrived -> dropped (UdpInErrors, TsDropUDP_BADLEN)
#  t=0.02 length 13 ("short"), 19 more bytes in the IP payload -> trimmed to the
#         length (checksum over the 13 bytes), echoed as 5 bytes "short"
#  t=0.03 length 4 (< the header)    -> dropped (UdpInErrors)
#  t=0.04 IP payload of 4 bytes (no whole UDP header) -> dropped (UdpInErrors)
ip link set tap0 address 02:00:00:00:00:02
serve echo udp 7
sleep 0.015
nstat
sleep 0.01
nstat
sleep 0.01
nstat
sleep 0.01
nstat
sleep 6
ip -s neigh show

