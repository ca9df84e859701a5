# Head-end replication (no multicast underlay): vxlan0 has no `remote`; the
# all-zeros entry lists three VTEPs, added as flannel-like agents or an operator
# do with `bridge fdb append`. A ping to 192.168.42.1, not resolved yet, makes
# vxlan0 send an ARP request to ff:ff:ff:ff:ff:ff: it leaves once per VTEP (clones
# of one frame, the first VTEP's last, as Linux vxlan_xmit), each copy first
# waiting for the underlay's ARP for its VTEP (the VTEPs answer 1 ms later). Nobody
# answers inside the overlay: the ping gets no reply and ARP on vxlan0 retries
# after 1 s, again to all three, now at once.
ip link set tap0 address 02:00:00:00:00:02
ip link add vxlan0 type vxlan id 42 dev tap0
ip link set vxlan0 address 02:00:00:00:42:02
ip addr add 192.168.42.2/24 dev vxlan0
ip link set vxlan0 up
bridge fdb append 00:00:00:00:00:00 dev vxlan0 dst 10.0.0.3
bridge fdb append 00:00:00:00:00:00 dev vxlan0 dst 10.0.0.4
bridge fdb append 00:00:00:00:00:00 dev vxlan0 dst 10.0.0.5
bridge fdb show dev vxlan0
ping -c 1 -W 1.5 192.168.42.1
ip neigh show
nstat

