#!/usr/bin/env bash
# The stack's tcpdump writes a pcap that the real tcpdump and tshark read:
# `tcpdump -i tap0 -w FILE -c 6` through ctl (it returns after 6 frames), a ping -c 3
# from tslA, then tshark finds echo requests and replies (>= 4 ICMP frames of the 6:
# the first two may be the kernel's ARP request and the stack's reply).
. "$(dirname "$0")/lib.sh"
need_tool tshark
need_tool tcpdump
tsl_topology_a
pcap=$TSL_TMP/cap.pcap          # removed by the cleanup with $TSL_TMP

TS_TIMEOUT=30 ts tcpdump -i tap0 -w "$pcap" -c 6 >"$TSL_TMP/cap.out" 2>"$TSL_TMP/cap.stderr" &
cap=$!; tsl_helper $cap
# The capture is running once its file exists (the header may still sit in a stdio buffer).
for ((i = 0; i < 100; i++)); do
    [ -e "$pcap" ] && break
    tsl_alive $cap || break
    sleep 0.05
done
[ -e "$pcap" ] || fail "tcpdump -w $pcap did not create the file (stderr: $(cat "$TSL_TMP/cap.stderr"))"

src=$(sab 10.99.0.1 10.99.0.3)
t_start=$(date +%s)
out=$(timeout 20 ip netns exec "$NS_A" ping -c 3 -W 2 10.99.0.2 2>&1) || fail "ping from $NS_A failed: $out"
tsl_wait_exit $cap 10
rc=$?
[ $rc = 255 ] && { kill -TERM $cap 2>/dev/null; fail "tcpdump -c 6 through ctl did not finish after 6+ frames"; }
[ $rc = 0 ] || fail "tcpdump -c 6 through ctl exited $rc (stderr: $(cat "$TSL_TMP/cap.stderr"))"
note "tapstack tcpdump: $(cat "$TSL_TMP/cap.out" "$TSL_TMP/cap.stderr" | tr '\n' ' ' | cut -c1-200)"

total=$(timeout 20 tshark -r "$pcap" 2>"$TSL_TMP/tshark.err" | wc -l)
[ "$total" = 6 ] || fail "tshark -r: $total frames, expected 6 ($(head -c 300 "$TSL_TMP/tshark.err"))"
req=$(timeout 20 tshark -r "$pcap" -Y "icmp.type == 8 && ip.src == $src && ip.dst == 10.99.0.2" 2>/dev/null | wc -l)
rep=$(timeout 20 tshark -r "$pcap" -Y "icmp.type == 0 && ip.src == 10.99.0.2 && ip.dst == $src" 2>/dev/null | wc -l)
icmp=$(timeout 20 tshark -r "$pcap" -Y icmp 2>/dev/null | wc -l)
note "tshark: $icmp ICMP frames ($req echo requests, $rep echo replies) of $total"
[ "$icmp" -ge 4 ] || { timeout 20 tshark -r "$pcap" 2>&1 | sed 's/^/    | /'; fail "tshark -Y icmp: $icmp frames, expected >= 4"; }
[ "$req" -ge 2 ] && [ "$rep" -ge 2 ] || { timeout 20 tshark -r "$pcap" 2>&1 | sed 's/^/    | /'; fail "tshark: $req echo requests from $src and $rep replies, expected >= 2 each"; }
# Frames are whole and valid: tshark sees no malformed packet.
bad=$(timeout 20 tshark -r "$pcap" -Y '_ws.malformed || _ws.expert.severity >= error' 2>/dev/null | wc -l)
[ "$bad" = 0 ] || fail "tshark flags $bad frames as malformed or erroneous"
# Record times are wall-clock UTC (the stack's monotonic clock plus the offset taken at
# start): every record lies between the ping's start and now, give or take 2 s.
t_end=$(date +%s)
shift_s=$(sab 0 3600)
times=$(timeout 20 tcpdump -tt -n -r "$pcap" 2>/dev/null | awk '{ print int($1) }')
for t in $times; do
    t=$((t + shift_s))
    [ "$t" -ge $((t_start - 2)) ] && [ "$t" -le $((t_end + 2)) ] ||
        fail "pcap record time $t is not wall-clock time (capture ran from $t_start to $t_end)"
done
note "record times $(echo $times | tr ' ' '\n' | sort -u | tr '\n' ' ')within [$t_start, $t_end]"
td=$(timeout 20 tcpdump -n -r "$pcap" 2>&1)
tdn=$(count_matches "$td" "IP $src > 10\\.99\\.0\\.2: ICMP echo request")
[ "$tdn" -ge 2 ] || { printf '%s\n' "$td" | sed 's/^/    | /'; fail "tcpdump -r: $tdn echo requests from $src, expected >= 2"; }
expect_contains "tcpdump -r" "$td" "IP 10\\.99\\.0\\.2 > $src: ICMP echo reply"
