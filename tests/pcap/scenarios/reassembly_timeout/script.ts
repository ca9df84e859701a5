# Datagram 0x2001: fragments 1 and 2 of 3 (t=0, 0.001). Datagram 0x2002: fragments
# 2 and 3 (t=0.002, 0.003), never the first. ipfrag_time is 30 s:
#  t=30.000 0x2001 expires -> ICMP time exceeded, code 1 (reassembly), quoting
#           fragment zero (RFC 792, RFC 1122 3.3.2); the stack first resolves 10.0.0.1
#  t=30.002 0x2002 expires -> no ICMP (fragment zero never came)
ip link set tap0 address 02:00:00:00:00:02
sleep 29.999
echo "== t=29.999: both datagrams still waiting"
nstat
sleep 1.001
echo "== t=31: both timed out"
nstat

