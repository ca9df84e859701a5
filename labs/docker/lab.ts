# labs/docker/lab.ts — two "containers" on a Docker-like bridge (see README.md here).
#   c1 (172.17.0.2) --veth-- docker0 (172.17.0.1) --veth-- c2 (172.17.0.3)
# Run: tapstack -n -f labs/docker/lab.ts   (no TAP needed; the shell stays open after)
echo "== the bridge, as dockerd makes it"
ip link add docker0 type bridge
ip link set docker0 address 02:42:ac:11:00:01
ip addr add 172.17.0.1/16 dev docker0
ip link set docker0 up
echo "== two containers: a namespace each, a veth pair each (eth0 inside, vethN on the bridge)"
ip netns add c1
ip netns add c2
ip link add veth1 type veth peer name eth0 netns c1
ip link add veth2 type veth peer name eth0 netns c2
ip link set veth1 master docker0
ip link set veth2 master docker0
ip link set veth1 up
ip link set veth2 up
ip -n c1 link set eth0 address 02:42:ac:11:00:02
ip -n c1 addr add 172.17.0.2/16 dev eth0
ip -n c1 link set eth0 up
ip -n c1 route add default via 172.17.0.1
ip -n c2 link set eth0 address 02:42:ac:11:00:03
ip -n c2 addr add 172.17.0.3/16 dev eth0
ip -n c2 link set eth0 up
ip -n c2 route add default via 172.17.0.1
ip link show
echo "== c1 pings c2: ARP broadcast flooded by the bridge, the reply learned, then unicast"
ip netns exec c1 ping -c 2 -i 0.2 172.17.0.3
echo "== c2 pings the bridge's own address (the containers' gateway)"
ip netns exec c2 ping -c 1 172.17.0.1
echo "== what the bridge learned: each container's MAC behind its veth"
bridge fdb show
echo "== what each container learned"
ip -n c1 neigh show
ip -n c2 neigh show
echo "== the journey of one ping, device by device (trace on where the bridge is, and in c1)"
trace on
ip netns exec c1 trace on
ip netns exec c1 ping -c 1 172.17.0.3
trace off
ip netns exec c1 trace off
