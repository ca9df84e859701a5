# 10.0.0.1 moves to another MAC and announces it with a gratuitous ARP reply, as
# arping -A and keepalived send one (sender IP = target IP, target MAC = sender MAC).
# The entry was updated 1 ms after t=0 by the answer to our request; locktime
# (1 s) holds back ordinary replies until t=1.001, but Linux's arp_is_garp makes a
# gratuitous one override at once (arp_process).
#  t=0.1 02:00:00:00:00:0d: a broadcast reply for 10.0.0.1 whose target MAC is
#        ff:ff:ff:ff:ff:ff -- not gratuitous (target MAC != sender MAC): held back,
#        echo 2 (t=0.2) still goes to 02:00:00:00:00:01
#  t=0.3 02:00:00:00:00:0c: the gratuitous reply -> lladdr replaced, STALE (it was
#        broadcast); echo 3 (t=0.4, DELAY) and echo 4 go to 02:00:00:00:00:0c, which
#        answers them; at t=5.4 the unicast probe goes there too and its answer
#        makes the entry REACHABLE
ip link set tap0 address 02:00:00:00:00:02
ping -c 4 -i 0.2 10.0.0.1
ip -s neigh show
sleep 6
ip -s neigh show
nstat

