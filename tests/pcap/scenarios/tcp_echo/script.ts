# `serve echo tcp 7` and a replayed Linux client 10.0.0.1:40000 (1 ms away):
#  t=0.010 SYN with mss 1460, sackOK, TS, wscale 7 -> SYN-ACK offering the same
#          (mss 1460, window 64240 unscaled on a SYN, wscale 7)
#  t=0.011 the handshake's ACK; t=0.012-0.014 11, 1448 and 552 bytes, each echoed
#          at once (PSH) and ACKed by the client
#  t=0.016 the client's FIN once the echo is back: the server reads the end, closes:
#          FIN (LAST_ACK); the client's ACK ends it (CLOSE)
# ss -tani while the connection is open; nstat: ActiveOpens 0, PassiveOpens 1,
# InSegs/OutSegs, no retransmission.
ip link set tap0 address 02:00:00:00:00:02
serve echo tcp 7
sleep 0.0125
ss -tani
sleep 0.1
ss -tan
serve list
nstat
sleep 6
ip -s neigh show

