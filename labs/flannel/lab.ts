# labs/flannel/lab.ts — two Kubernetes "nodes" joined by flannel's VXLAN overlay (README.md here).
#   pod1 10.244.1.2 --veth-- cni0 10.244.1.1 [node1] flannel.1 10.244.1.0 --+
#                                                      eth0 192.168.50.1     | underlay
#   pod2 10.244.2.2 --veth-- cni0 10.244.2.1 [node2] flannel.1 10.244.2.0   | (veth pair)
#                                                      eth0 192.168.50.2 ---+
# Run: tapstack -n -f labs/flannel/lab.ts   (no TAP needed; the shell stays open after)
echo "== the underlay: two nodes on one wire (a veth pair), 192.168.50.0/24"
ip netns add node1
ip netns add node2
ip -n node1 link add eth0 type veth peer name eth0 netns node2
ip -n node1 addr add 192.168.50.1/24 dev eth0
ip -n node2 addr add 192.168.50.2/24 dev eth0
ip -n node1 link set eth0 up
ip -n node2 link set eth0 up
echo "== flannel.1 on each node, as flanneld makes it (its MAC set here, so the script knows it)"
ip -n node1 link add flannel.1 type vxlan id 1 local 192.168.50.1 dev eth0 dstport 8472 nolearning
ip -n node2 link add flannel.1 type vxlan id 1 local 192.168.50.2 dev eth0 dstport 8472 nolearning
ip -n node1 link set flannel.1 address 0a:f1:00:00:00:01
ip -n node2 link set flannel.1 address 0a:f1:00:00:00:02
ip -n node1 addr add 10.244.1.0/32 dev flannel.1
ip -n node2 addr add 10.244.2.0/32 dev flannel.1
ip -n node1 link set flannel.1 up
ip -n node2 link set flannel.1 up
echo "== each node routes between its pods and the overlay"
ip netns exec node1 sysctl -w net.ipv4.ip_forward=1
ip netns exec node2 sysctl -w net.ipv4.ip_forward=1
echo "== cni0 and one pod per node, as the CNI bridge plugin makes them (MTU 1450: flannel's)"
ip -n node1 link add cni0 type bridge
ip -n node2 link add cni0 type bridge
ip -n node1 addr add 10.244.1.1/24 dev cni0
ip -n node2 addr add 10.244.2.1/24 dev cni0
ip -n node1 link set cni0 up
ip -n node2 link set cni0 up
ip netns add pod1
ip netns add pod2
ip -n node1 link add veth-pod1 type veth peer name eth0 netns pod1
ip -n node2 link add veth-pod2 type veth peer name eth0 netns pod2
ip -n node1 link set veth-pod1 mtu 1450 master cni0 up
ip -n node2 link set veth-pod2 mtu 1450 master cni0 up
ip -n pod1 link set eth0 mtu 1450 up
ip -n pod2 link set eth0 mtu 1450 up
ip -n pod1 addr add 10.244.1.2/24 dev eth0
ip -n pod2 addr add 10.244.2.2/24 dev eth0
ip -n pod1 route add default via 10.244.1.1
ip -n pod2 route add default via 10.244.2.1
echo "== what flanneld writes on node1 for node2 (VtepMAC 0a:f1:00:00:00:02, PublicIP 192.168.50.2)"
ip netns exec node1 ip neigh add 10.244.2.0 lladdr 0a:f1:00:00:00:02 dev flannel.1 nud permanent
ip netns exec node1 bridge fdb add 0a:f1:00:00:00:02 dev flannel.1 dst 192.168.50.2 self permanent
ip netns exec node1 ip route add 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink
echo "== ... and on node2 for node1"
ip netns exec node2 ip neigh add 10.244.1.0 lladdr 0a:f1:00:00:00:01 dev flannel.1 nud permanent
ip netns exec node2 bridge fdb add 0a:f1:00:00:00:01 dev flannel.1 dst 192.168.50.1 self permanent
ip netns exec node2 ip route add 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink
echo "== node1: flannel.1, its routes, its UDP socket"
ip netns exec node1 ip -d link show flannel.1
ip netns exec node1 ip route
ip netns exec node1 ip route get 10.244.2.2
ip netns exec node1 ss -uan
echo "== pod1 pings pod2: pod1 -> cni0 -> node1 routes -> flannel.1 -> UDP 8472 -> node2 -> cni0 -> pod2"
ip netns exec pod1 ping -c 2 -i 0.2 10.244.2.2
echo "== pod2 pings pod1"
ip netns exec pod2 ping -c 1 10.244.1.2
echo "== one more echo, traced on every namespace it crosses"
ip netns exec pod1 trace on
ip netns exec node1 trace on
ip netns exec node2 trace on
ip netns exec pod2 trace on
ip netns exec pod1 ping -c 1 10.244.2.2
ip netns exec pod1 trace off
ip netns exec node1 trace off
ip netns exec node2 trace off
ip netns exec pod2 trace off
echo "== the tables after the pings: only what flanneld wrote (nolearning: nothing learned)"
ip netns exec node1 bridge fdb show dev flannel.1
ip netns exec node1 ip neigh show dev flannel.1
ip netns exec node2 bridge fdb show dev flannel.1
ip netns exec node2 ip neigh show dev flannel.1
echo "== each node's bridge learned its own pod; the pods resolved only their gateway"
ip netns exec node1 bridge fdb show br cni0
ip -n pod1 neigh show
ip -n node1 -s link show flannel.1
