# Journeys (trace on) of a datagram to the echo server and of its echo, and of a
# datagram to a closed port with its ICMP port unreachable. Pins the format.
ip link set tap0 address 02:00:00:00:00:02
serve echo udp 7
trace on
sleep 0.1
trace off
sleep 6
ip -s neigh show

