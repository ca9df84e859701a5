# t=0.010: a 4000-byte echo request in 3 fragments -> reassembled, answered by a
#          4000-byte reply in 3 fragments (1500, 1500, 1040)
# t=0.020: a 65535-byte echo request (the largest datagram) in 45 fragments, sent
#          last fragment first -> a 65535-byte reply in 45 fragments
# t=0.1:   ping -s 3000: each request leaves as 3 fragments (no DF), the peer's
#          fragmented replies are reassembled
ip link set tap0 address 02:00:00:00:00:02
sleep 0.1
ping -c 2 -s 3000 10.0.0.1
nstat
sleep 4
echo "== t=5.1: the entry went DELAY at 0.01 (replies used it), PROBE at 5.01; answered"
ip -s neigh show

