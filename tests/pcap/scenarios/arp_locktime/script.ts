# Two hosts answer for 10.0.0.1: the peer (02:00:00:00:00:01) after 1 ms, then
# 02:00:00:00:00:0b after 2 ms. Within locktime (1 s) of the last update the first
# answer wins (arp_process: override only after n->updated + locktime): echo 1 and 2
# go to the peer. At t=1.5 s 02:00:00:00:00:0b announces itself again with a unicast
# reply: now it overrides the address, so echo 3 (t=2) goes to it, and is not answered.
ip link set tap0 address 02:00:00:00:00:02
ping -c 3 -W 1 10.0.0.1
ip -s neigh show
nstat

