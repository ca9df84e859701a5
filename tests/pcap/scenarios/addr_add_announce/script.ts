# ip addr add and a link that comes up. Linux (arp_notify=0, the default) sends no
# gratuitous ARP for either: nothing is sent before the sysctl. With
# net.ipv4.conf.tap0.arp_notify=1 the link coming up announces every address
# (who-has A tell A, broadcast, zero target MAC), and so does a MAC change
# (inetdev_event); tapstack also announces an address added to an up link.
ip link set tap0 address 02:00:00:00:00:02
ip addr add 10.0.0.5/24 dev tap0
ip link set tap0 down
ip link set tap0 up
sleep 0.1
sysctl -w net.ipv4.conf.tap0.arp_notify=1
ip link set tap0 down
ip link set tap0 up
sleep 0.1
ip addr add 10.0.0.6/24 dev tap0
sleep 0.1
ip link set tap0 address 02:00:00:00:00:22
sleep 0.1
ip addr show dev tap0

