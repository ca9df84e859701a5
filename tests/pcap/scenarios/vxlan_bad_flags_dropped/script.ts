# VXLAN headers Linux refuses (vxlan_rcv), each dropped as VXLAN_INVALID_HDR with
# nothing sent back and nothing learned:
#  t=0     the I flag clear: the VNI is not valid
#  t=0.01  the I flag and a reserved flag (RFC 7348 says ignore it; Linux drops:
#          an extension it was not configured for)
#  t=0.02  the I flag and a reserved bit at the end of the first word
ip link set tap0 address 02:00:00:00:00:02
ip link add vxlan0 type vxlan id 42 remote 10.0.0.1 dev tap0
ip link set vxlan0 address 02:00:00:00:42:02
ip addr add 192.168.42.2/24 dev vxlan0
ip link set vxlan0 up
sleep 0.1
nstat
bridge fdb show dev vxlan0
ip -s link show vxlan0

