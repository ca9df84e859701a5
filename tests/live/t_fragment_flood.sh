#!/usr/bin/env bash
# A fragment flood must not starve receiving. From namespace tslA, 20,000 first
# fragments (MF set, offset 0) of UDP datagrams that never complete, at about 20,000/s
# (AF_PACKET, so the kernel's own reassembly is not involved). Reassembly is bounded by
# its own memory (ipfrag_high_thresh), never by the packet pool: during and right after
# the flood an ordinary ping is answered within a second, the stack keeps reading (its
# IpReasmReqds goes far past the 2,176 where a pool-bound stack stopped), the poll loop
# does not spin on an empty pool (TsDropNOMEM stays small), and once the queues expire
# (ipfrag_time 3 s here) a fragmented ping is answered too.
. "$(dirname "$0")/lib.sh"
need_tool ping
need_tool python3
tsl_topology_a
ts sysctl -w net.ipv4.ipfrag_time=3 >/dev/null || fail "sysctl ipfrag_time"
nsx "$NS_A" ping -c 1 -W 2 10.99.0.2 >/dev/null || fail "no ping before the flood"
mac=$(nsx "$NS_A" ip neigh show 10.99.0.2 dev "$IF_A" | awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }')
[ -n "$mac" ] || fail "no neighbour entry for 10.99.0.2 in $NS_A"
ts nstat >/dev/null 2>&1
nsx "$NS_A" python3 - "$IF_A" "$mac" 20000 <<'PY' &
import socket, struct, sys, time
ifname, dmac, n = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", "")), int(sys.argv[3])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((ifname, 0))
smac = s.getsockname()[4][:6]
def csum(b):
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while t >> 16: t = (t & 0xffff) + (t >> 16)
    return ~t & 0xffff
src, dst = socket.inet_aton("10.99.0.1"), socket.inet_aton("10.99.0.2")
start = time.monotonic()
for i in range(n):
    udp = struct.pack("!HHHH", 40000, 9, 1480, 0)            # claims more than it carries
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, i & 0xffff, 0x2000, 64, 17, 0, src, dst)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    s.send(dmac + smac + b"\x08\x00" + h + udp)
    if i % 200 == 199:                                        # pace: 20,000/s
        lag = start + (i + 1) / 20000 - time.monotonic()
        if lag > 0: time.sleep(lag)
PY
gen=$!
sleep 0.5
t0=$(date +%s%N)
nsx "$NS_A" ping -c 1 -W 1 10.99.0.2 >/dev/null || fail "ping during the flood not answered within 1 s"
note "ping during the flood answered in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
wait $gen || fail "flood generator failed"
nsx "$NS_A" ping -c 1 -W 1 10.99.0.2 >/dev/null || fail "ping right after the flood not answered within 1 s"
st=$(ts nstat -a 2>&1)
reqds=$(printf '%s\n' "$st" | awk '$1 == "IpReasmReqds" { print $2 }')
nomem=$(printf '%s\n' "$st" | awk '$1 == "TsDropNOMEM" { print $2 }')
fmem=$(printf '%s\n' "$st" | awk '$1 == "TsDropFRAG_MEM" { print $2 }')
note "IpReasmReqds ${reqds:-0}, TsDropFRAG_MEM ${fmem:-0}, TsDropNOMEM ${nomem:-0}"
[ "${reqds:-0}" -gt "$(sab 10000 100000)" ] || fail "the stack stopped reading: IpReasmReqds ${reqds:-0}"
[ "${fmem:-0}" -gt 0 ] || fail "reassembly memory limit never reached (TsDropFRAG_MEM 0)"
[ "${nomem:-0}" -lt 1000 ] || fail "TsDropNOMEM ${nomem}: the pool ran dry or the loop spun"
# Memory comes back when the queues time out; then fragmented datagrams are reassembled.
ok=0
for i in $(seq 1 12); do
    if nsx "$NS_A" ping -c 1 -W 1 -s 3000 10.99.0.2 >/dev/null 2>&1; then ok=1; break; fi
done
[ $ok = 1 ] || fail "fragmented ping never answered after the queues expired"
note "fragmented ping answered after $i attempt(s)"
