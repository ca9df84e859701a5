# Segments to a port nobody listens on (RFC 9293 §3.10.7.1, Linux tcp_v4_send_reset):
#  t=0.01 SYN seq 5000 -> RST|ACK seq 0 ack 5001
#  t=0.02 ACK 7777     -> RST seq 7777 (no ACK)
#  t=0.03 RST          -> nothing (an RST is never answered)
# TcpOutRsts 2, each drop counted (TsDropNO_SOCKET); trace shows where.
ip link set tap0 address 02:00:00:00:00:02
trace on
sleep 0.1
trace off
nstat
sleep 6
ip -s neigh show

