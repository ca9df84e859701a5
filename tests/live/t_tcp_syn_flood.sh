#!/usr/bin/env bash
# A SYN flood at a listening port does not stop an established transfer there:
#   - the stack runs `serve echo tcp 7007` (listen backlog 128); Linux's nc -N in tslA
#     sends it 20 MB (TSL_TCP_MB) and reads the echo back, compared by SHA-256;
#   - once that connection is ESTAB (and the sender pauses a moment so the flood meets
#     it mid-stream), Python in tslA sends 20,000 SYNs to 10.99.0.2:7007 through a raw
#     socket: source 10.99.0.1 (the namespace's address), distinct random source
#     ports in 1024-32767, random ISNs, an MSS option, paced over about two seconds;
#   - a kernel socket never asked for these connections, so Linux would answer every
#     SYN-ACK with an RST and free the stack's half-open children at once. A real flood
#     from forged sources gets no such help: an `ip rule` in tslA blackholes TCP from
#     10.99.0.1 ports 1024-32767 to port 7007 (the RSTs; nc's own port is above 32767),
#     so the SYN backlog fills and stays full as under a spoofed flood;
#   - during the flood the stack answers pings from tslA (it stays responsive);
#   - after it: the echo came back whole, nstat counts the SYN cookies Linux would send
#     (TCPReqQFullDoCookies, SyncookiesSent) and `ss -tan` shows the full SYN backlog
#     (128 connections in SYN-RECV).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tcp.sh"
need_tool python3
tsl_topology_a
out=$(timeout 10 ip netns exec "$NS_A" ping -c 1 -W 2 10.99.0.2 2>&1) || fail "ping 10.99.0.2 from $NS_A failed: $out"
nsx "$NS_A" ip rule add from 10.99.0.1 ipproto tcp sport 1024-32767 dport 7007 blackhole ||
    fail "ip rule ... blackhole in $NS_A"
out=$(ts serve echo tcp 7007 2>&1) || fail "serve echo tcp 7007: $out"
MB=${TSL_TCP_MB:-20}
NSYN=20000
tcp_make_file "$MB"
ts nstat >/dev/null 2>&1
# TX "dropped" of the namespace's end of the TAP: frames the stack did not read in time.
txdropped() { nsx "$NS_A" ip -s link show dev "$IF_A" | awk '$1 == "TX:" { getline; print $4; exit }'; }
drop0=$(txdropped)

cat >"$TSL_TMP/flood.py" <<'PY'
import random, socket, struct, sys, time
n, src, dst, dport = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)   # the kernel adds IP
pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, 24)
def csum(b):
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while t >> 16: t = (t & 0xffff) + (t >> 16)
    return ~t & 0xffff
ports = random.sample(range(1024, 32768), n)       # distinct: each SYN a new 4-tuple
sent, t0 = 0, time.time()
for i in range(n):
    sport, isn = ports[i], random.getrandbits(32)
    h = struct.pack("!HHIIBBHHH", sport, dport, isn, 0, 6 << 4, 0x02, 64240, 0, 0) + struct.pack("!BBH", 2, 4, 1460)
    h = h[:16] + struct.pack("!H", csum(pseudo + h)) + h[18:]
    try:
        s.sendto(h, (dst, 0)); sent += 1
    except OSError:
        time.sleep(0.001)
    if i % 1000 == 999: time.sleep(max(0, t0 + (i + 1) * 0.0001 - time.time()))   # about 10,000 a second
print(sent)
PY

# The echo client: half the file, a pause, the rest (nc -N: FIN at the end, then the
# rest of the echo until the stack's FIN).
out_echo=$TSL_TMP/echo.out
t0=$(date +%s.%N)
{ head -c $((TCP_SIZE / 2)) "$TCP_SRC"; sleep 1.5; tail -c +$((TCP_SIZE / 2 + 1)) "$TCP_SRC"; } |
    timeout 60 ip netns exec "$NS_A" nc -N 10.99.0.2 7007 >"$out_echo" 2>"$TSL_TMP/nc.err" &
kn=$!; tsl_helper $kn
seen=""
for ((i = 0; i < 100; i++)); do
    seen=$(ts ss -tan 2>/dev/null | grep -E '^ESTAB .* 10\.99\.0\.2:7007 +10\.99\.0\.1:(3[2-9][0-9]{3}|[4-6][0-9]{4}) ')
    [ -n "$seen" ] && break
    sleep 0.05
done
[ -n "$seen" ] || fail "the echo connection never showed ESTAB in the stack's ss -tan"
timeout 30 ip netns exec "$NS_A" python3 "$TSL_TMP/flood.py" $NSYN 10.99.0.1 10.99.0.2 7007 >"$TSL_TMP/flood.out" 2>&1 &
fp=$!; tsl_helper $fp
sleep 0.3
pings=$(timeout 20 ip netns exec "$NS_A" ping -n -c 5 -i 0.2 -W 1 10.99.0.2 2>&1)
tsl_wait_exit $fp 30; rc=$?
[ $rc = 0 ] || fail "the flooder exited $rc: $(head -c 300 "$TSL_TMP/flood.out")"
sent=$(tail -n 1 "$TSL_TMP/flood.out")
tapdrops=$(( $(txdropped) - drop0 ))
synrecv=$(ts ss -tan 2>/dev/null | grep -cE '^SYN-RECV +[0-9]+ +[0-9]+ +10\.99\.0\.2:7007 ')
tsl_wait_exit $kn 60; rc=$?
[ $rc = 0 ] || fail "Linux's nc -N 10.99.0.2 7007 exited $rc ($(head -c 200 "$TSL_TMP/nc.err"))"
secs=$(tcp_secs "$t0")
note "flood: $sent SYNs sent from $NS_A; ping during it: $(printf '%s\n' "$pings" | grep 'packets transmitted')"
got=$(printf '%s\n' "$pings" | sed -n 's/.* transmitted, \([0-9]*\) received.*/\1/p')
[ "${got:-0}" -ge 3 ] || fail "only ${got:-0} of 5 pings answered during the flood"
tcp_check "echo of $MB MB through the flood (both ways, 1.5 s pause included)" "$out_echo" "$secs"
ns=$(ts nstat 2>&1)
note "stack nstat: $(printf '%s\n' "$ns" | grep -E '^Tcp(ExtSyncookies|ExtTCPReqQFull|ExtListen|PassiveOpens|InSegs|OutRsts|InErrs)' |
    awk '{printf "%s %s  ", $1, $2}')"
note "SYN-RECV after the flood: $synrecv; frames the TAP's queue dropped: $tapdrops"
cnt() { printf '%s\n' "$ns" | awk -v k="$1" '$1 == k {print $2}'; }
cookies=$(cnt TcpExtSyncookiesSent); doc=$(cnt TcpExtTCPReqQFullDoCookies)
[ "$sent" = $NSYN ] || fail "the flooder sent $sent of $NSYN SYNs"
# Every SYN is accounted for: a place in the backlog (128), a cookie, or a drop on the
# TAP's queue before the stack read it (data frames may be among those drops too).
min=$((sent - synrecv - tapdrops))
[ "${cookies:-0}" -ge "$min" ] && [ "${cookies:-0}" -le "$((sent - synrecv))" ] ||
    fail "SyncookiesSent ${cookies:-0}: expected $min..$((sent - synrecv)) ($sent SYNs, $synrecv in the backlog, $tapdrops dropped by the TAP)"
[ "${doc:-0}" = "${cookies:-0}" ] || fail "TCPReqQFullDoCookies ${doc:-0} differs from SyncookiesSent ${cookies:-0}"
[ "$synrecv" = 128 ] || fail "$synrecv connections in SYN-RECV after the flood, expected the backlog's 128"
true
