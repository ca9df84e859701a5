# t=0.01-0.135: the flood. t=0.2: an unfragmented echo -> answered at once.
# t=0.3: a fragmented echo while reassembly memory is full -> refused, no reply.
# ipfrag_time 2 s: the queues expire at t=2.01-2.135 (ICMP time exceeded, fragment
# reassembly, rate limited per destination); t=3: a fragmented echo -> answered.
ip link set tap0 address 02:00:00:00:00:02
sysctl -w net.ipv4.ipfrag_time=2
sleep 0.25
echo "== t=0.25: flood queued up to the memory limit; the plain ping was answered"
nstat
sleep 0.1
echo "== t=0.35: the fragmented echo was refused"
nstat
sleep 3
echo "== t=3.35: memory freed, the fragmented echo was answered"
nstat

