# The journey trace across a bridge and a veth pair into a namespace: br0 with two
# ports, tap1 (a wire: the host 172.17.0.9 behind it) and veth1, whose peer eth0
# (172.17.0.2/16) is in namespace c1; tap0 (the default lab) only starts the clock.
# c1 pings the host twice, traced in both namespaces:
#  - c1's ARP request, a broadcast, is flooded: a clone leaves tap1, the original
#    goes up br0 (no address: ARP_NOT_FOR_US); each copy prints its own journey
#  - the host's reply crosses tap1 > br0 > veth1 into c1 (learned port by port)
#  - echo 1: [c1] eth0 tx > veth1 rx (br_forward to tap1) > tap1 tx, and the reply
#    back tap1 rx > veth1 tx > [c1] eth0 rx
#  - echo 2 with `trace on -v`: one stage a line, ours and Linux's in two columns
ip link set tap0 address 02:00:00:00:00:02
sleep 0.01
ip link add br0 type bridge
ip link set br0 up
ip link add tap1 type tap
ip link set tap1 master br0
ip link set tap1 up
ip netns add c1
ip link add veth1 type veth peer name eth0 netns c1
ip link set veth1 master br0
ip link set veth1 up
ip -n c1 link set eth0 address 02:42:ac:11:00:02
ip -n c1 addr add 172.17.0.2/16 dev eth0
ip -n c1 link set eth0 up
trace on
ip netns exec c1 trace on
ip netns exec c1 ping -c 1 172.17.0.9
trace on -v
ip netns exec c1 ping -c 1 172.17.0.9
trace off
ip netns exec c1 trace off
bridge fdb show

