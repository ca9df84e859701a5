# ip addr add and a link that comes up. Linux (arp_notify=0, the default) sends no
# gratuitous ARP for either; the stack should stay silent too.
ip link set tap0 address 02:00:00:00:00:02
ip addr add 10.0.0.5/24 dev tap0
ip link set tap0 down
ip link set tap0 up
sleep 0.1
ip addr show dev tap0

