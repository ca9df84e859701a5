# RFC 862 echo over UDP (serve echo udp 7). The peer (40000 -> 7) sends:
#  t=0.010 1 byte (DF, as Linux sends what fits)      -> echoed: 29-byte datagram, DF
#  t=0.020 1472 bytes, DF: the largest that fits 1500  -> echoed in one 1500-byte frame, DF
#  t=0.030 8000 bytes in 6 fragments (no DF)           -> reassembled; the echo leaves in
#          6 fragments (5 x 1500 + 628), no DF (IP_PMTUDISC_WANT fragments locally)
# The echoes go out on the STALE entry learnt from the peer's ARP request: DELAY, a
# unicast probe at 5.01 answered by the peer -> REACHABLE.
ip link set tap0 address 02:00:00:00:00:02
serve echo udp 7
serve list
sleep 0.1
nstat
serve list
ss -uan
sleep 6
ip -s neigh show

