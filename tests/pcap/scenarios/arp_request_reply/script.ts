# ARP (RFC 826) with Linux's rules. Inputs:
#  t=0.0 10.0.0.1 asks who-has 10.0.0.2 (broadcast)   -> reply; 10.0.0.1 STALE
#  t=0.1 10.0.0.1 asks who-has 10.0.0.77              -> nothing (not ours)
#  t=0.2 gratuitous ARP from 10.0.0.5                 -> nothing (arp_accept=0)
#  t=0.3 10.0.0.1 asks again, unicast                 -> reply; still STALE
#  t=0.4 unsolicited reply from 10.0.0.6              -> nothing learnt
#  t=0.5 10.0.0.1 asks from MAC 02:00:00:00:00:11     -> reply to it; lladdr replaced
ip link set tap0 address 02:00:00:00:00:02
sleep 0.05
echo "== t=0.05: the request created 10.0.0.1 as STALE"
ip -s neigh show
sleep 0.4
echo "== t=0.45: nothing else was learnt"
ip -s neigh show
sleep 0.1
echo "== t=0.55: a request with another MAC overrides the entry"
ip -s neigh show
nstat

