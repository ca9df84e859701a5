# netem on tap0's egress: every frame the stack sends (its ARP request, its echo
# requests) leaves 50 ms +- 10 ms late, in time order, and about one in five is
# lost (counted as dropped). The peer answers 1 ms after it sees a frame. The seed
# decides which frames are lost and each delay: the run is the same every time.
# `tc qdisc del` restores pfifo_fast: the last two echoes take 2 ms.
ip link set tap0 address 02:00:00:00:00:02
tc qdisc add dev tap0 root netem delay 50ms 10ms loss 20%
tc qdisc show dev tap0
ip link show tap0
ping -c 10 -i 0.2 10.0.0.1
tc -s qdisc show dev tap0
tc qdisc del dev tap0 root
ping -c 2 -i 0.2 10.0.0.1
tc -s qdisc show
nstat

