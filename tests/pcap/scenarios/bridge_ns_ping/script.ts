# A ping from namespace ns1 to namespace ns2 over a learning bridge, every hop on
# a replay device. Four devices, two cables (Wire: what one end sends enters the
# other 10 us later):
#   ns1/eth0 (10.0.5.1) ==cable== p1 -[ br0 ]- p2 ==cable== ns2/eth0 (10.0.5.2)
# p1 and p2 are ports of br0 in the default namespace; br0 takes the lower of
# their MACs (p1's) and holds no address: it only switches.
#  t=0   ns1's ARP request for 10.0.5.2 (broadcast) enters p1 and is flooded out p2
#        (not back out p1); br0 learns ns1's MAC behind p1. ns2 answers (unicast to
#        ns1's MAC, now known: out p1 only) and learns ns1 from the request.
#        Then the echo request goes out p2 only, the reply out p1 only.
#  t=1   the second echo, both ways, on learned entries.
#  t=5   ns2's entry for ns1 (STALE from the request, used by the replies: DELAY)
#        is probed by unicast across the bridge, answered: REACHABLE.
# A frame for another host starts the clock on ns2/eth0 (dropped: TsDropOTHERHOST).
ip link add br0 type bridge
ip link add p1 type tap
ip link add p2 type tap
ip link set p1 address 02:00:00:00:05:11
ip link set p2 address 02:00:00:00:05:12
ip link set p1 master br0
ip link set p2 master br0
ip link set br0 up
ip link set p1 up
ip link set p2 up
ip netns add ns1
ip netns add ns2
ip -n ns1 link add eth0 type tap
ip -n ns1 link set eth0 address 02:00:00:00:05:01
ip -n ns1 addr add 10.0.5.1/24 dev eth0
ip -n ns1 link set eth0 up
ip -n ns2 link add eth0 type tap
ip -n ns2 link set eth0 address 02:00:00:00:05:02
ip -n ns2 addr add 10.0.5.2/24 dev eth0
ip -n ns2 link set eth0 up
ip link show br0
ip netns exec ns1 ping -c 2 10.0.5.2
echo "== the bridge learned each namespace behind its port; its own MACs are the ports'"
bridge fdb show
echo "== each namespace learned the other's MAC"
ip -n ns1 neigh show
ip -n ns2 neigh show
echo "== 3 frames in and 3 out on each port; nothing up br0 but the broadcast"
ip -s link show p1
ip -s link show p2
ip -s link show br0
ip netns exec ns2 nstat
sleep 5
echo "== t=6: ns2 probed ns1 at t=5 through the bridge"
ip -n ns2 neigh show
bridge fdb show

