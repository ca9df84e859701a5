# labs/tcp/lab.ts — one TCP connection, step by step (see README.md here).
#   client 10.7.0.1 [eth0] ----veth---- [eth0] 10.7.0.2 server
# Run from the repository's top: tapstack -n --seed 1 -f labs/tcp/lab.ts   (no TAP needed)
echo "== two hosts on one wire: namespaces client and server, a veth pair"
ip netns add client
ip netns add server
ip -n client link add eth0 type veth peer name eth0 netns server
ip -n client addr add 10.7.0.1/24 dev eth0
ip -n server addr add 10.7.0.2/24 dev eth0
ip -n client link set eth0 up
ip -n server link set eth0 up
ip netns exec server serve echo tcp 7
ip netns exec server serve discard tcp 9
echo "== 1. a whole connection in trace: handshake, data, close (both hosts traced)"
ip netns exec client trace on
ip netns exec server trace on
ip netns exec client nc -N 10.7.0.2 7 < labs/tcp/hello.txt
ip netns exec client trace off
ip netns exec server trace off
echo "== 2. ss -ti during a transfer: docs/commands.md (72 KB) to discard over a 200 kbit/s link"
ip netns exec client tc qdisc add dev eth0 root netem rate 200kbit
ip netns exec client nc -w 1 10.7.0.2 9 < docs/commands.md
echo "-- nc wrote the file and gave up after 1 s without news; its socket sends the rest:"
ip netns exec client ss -tani
sleep 4
echo "-- 4 s later: all acknowledged, the FIN too"
ip netns exec client ss -tan
ip netns exec client tc qdisc del dev eth0 root
echo "== 3. loss recovery: netem drops 10% of what the client sends; 1.2 MB (/bin/bash) to discard"
ip netns exec client tc qdisc add dev eth0 root netem loss 10%
ip netns exec client nstat -n
echo "== 4. cwnd over time: trace on lo prints the client's connection events, no journeys"
ip netns exec client trace on lo
ip netns exec client nc -N -w 3 10.7.0.2 9 < /bin/bash
ip netns exec client trace off lo
ip netns exec client tc -s qdisc show dev eth0
ip netns exec client nstat
