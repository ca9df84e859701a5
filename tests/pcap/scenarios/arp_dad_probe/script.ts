# An RFC 5227 probe (sender 0.0.0.0) for 10.0.0.2: Linux defends the address with a
# reply to the prober's MAC whose target IP is the probe's sender, 0.0.0.0
# (arp_process: arp_send_dst(ARPOP_REPLY, ..., sip, dev, tip, sha, ...)), and
# learns nothing.
ip link set tap0 address 02:00:00:00:00:02
sleep 0.1
ip -s neigh show
nstat

