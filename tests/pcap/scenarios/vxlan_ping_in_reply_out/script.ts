# A ping inside a VXLAN overlay (RFC 7348, VNI 42 on UDP 4789): the station
# 192.168.42.1 behind the VTEP 10.0.0.1 (the peer) asks for 192.168.42.2 (vxlan0)
# and pings it twice; every frame arrives on tap0 wrapped in IPv4/UDP/VXLAN.
#  t=0     the inner ARP request: vxlan0 learns 02:00:00:00:42:01 behind 10.0.0.1 and
#          answers; the answer waits for the underlay's ARP for 10.0.0.1 (answered
#          1 ms later) and leaves wrapped: outer UDP from a port hashed from the inner
#          flow (ip_local_port_range) to 4789, checksummed, TTL 64, DF clear
#  t=0.01  echo 1 -> the reply, wrapped, to the learned VTEP
#  t=1     echo 2 -> the same: one inner flow, one outer source port
ip link set tap0 address 02:00:00:00:00:02
ip link add vxlan0 type vxlan id 42 remote 10.0.0.1 dev tap0
ip link set vxlan0 address 02:00:00:00:42:02
ip addr add 192.168.42.2/24 dev vxlan0
ip link set vxlan0 up
sleep 1.1
bridge fdb show dev vxlan0
ip neigh show
ip -s link show vxlan0
nstat

