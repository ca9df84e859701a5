#!/usr/bin/env bash
# A 1 MiB random file each way with `nc -u`, compared by SHA-256:
#  (a) kernel -> stack: the stack runs `nc -u -l -w 2 5001 > FILE` (through ctl, in the
#      background; the stack opens FILE), namespace tslA runs netcat-openbsd
#      `nc -u -q 1 10.99.0.2 5001 < FILE` (16 KiB reads: 64 datagrams of 12 fragments);
#  (b) stack -> kernel: tslA runs `nc -u -l -w 3 5002 > FILE`, the stack runs
#      `nc -u -w 1 10.99.0.1 5002 < FILE` (64 datagrams, paced 1 ms apart).
# Each direction prints the bytes received and the loss (bytes missing); it passes only
# when the SHA-256 of what arrived equals the sent file's. UDP gives no guarantee, but on
# a TAP between two idle stacks nothing may be lost: a loss is a finding, not noise.
# A ping resolves both neighbour entries first. Otherwise the kernel reorders: while it
# resolves 10.99.0.2 its first datagrams wait in the neighbour queue, and when the reply
# comes nc's next datagram (sent on another CPU) can leave before the queue is flushed —
# seen on the kernel's side of the TAP (tcpdump in tslA) as IDs N+5 before N+2..N+4, the
# file then arriving complete but with 16 KiB blocks "0 1 5 2 3 4 6 ..." (4 runs in 60
# under CPU load). That is the kernel's ARP queue, not the stack; the stack delivers what
# arrives in order.
. "$(dirname "$0")/lib.sh"
need_tool python3
need_tool sha256sum
need_tool ss
need_tool nc
nc -h 2>&1 | grep -q 'OpenBSD netcat' || skip "nc is not netcat-openbsd ($(nc -h 2>&1 | head -n 1))"
tsl_topology_a
SIZE=1048576
src=$TSL_TMP/random.bin
head -c $SIZE /dev/urandom >"$src" || fail "cannot write $src"
sum=$(sha256sum <"$src" | cut -d' ' -f1)
# SABOTAGE: expect the digest of another file.
want=$(sab "$sum" "$(printf 'x' | sha256sum | cut -d' ' -f1)")

# kernel counters in tslA (/proc/net/snmp, per namespace): NAME of the Udp: line
kudp() {
    ip netns exec "$NS_A" awk -v n="$1" '/^Udp:/ { if (!c) { for (i = 1; i <= NF; i++) if ($i == n) c = i } else { print $c; exit } }' /proc/net/snmp
}
# stack counter NAME from a saved `nstat` output
sstat() { printf '%s\n' "$1" | awk -v n="$2" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }'; }

# report WHAT FILE: bytes, loss, digest; fails unless the digest is $want
report() {
    local what=$1 f=$2 got n
    n=$(stat -c %s "$f" 2>/dev/null || echo 0)
    got=$(sha256sum <"$f" | cut -d' ' -f1)
    note "$what: received $n of $SIZE bytes, loss $((SIZE - n)) bytes; sha256 $( [ "$got" = "$sum" ] && echo equal || echo DIFFERENT)"
    if [ "$got" != "$want" ]; then
        [ "$got" != "$sum" ] && diagnose "$src" "$f" | sed 's/^/    /'
        fail "$what: sha256 of the received file differs (received $n of $SIZE bytes, $((SIZE - n)) missing)"
    fi
}

# diagnose SENT RECEIVED: where the received file differs, 16 KiB datagram by datagram
# (netcat-openbsd reads and sends 16384 bytes at a time; so does the stack's nc).
diagnose() {
    python3 - "$1" "$2" <<'EOF'
import sys
B = 16384
a, b = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
sent = [a[i:i + B] for i in range(0, len(a), B)]
recv = [b[i:i + B] for i in range(0, len(b), B)]
index = {c: i for i, c in enumerate(sent)}
order = [index.get(c) for c in recv]
print(f"received {len(recv)} blocks of 16 KiB for {len(sent)} sent; received order: "
      + " ".join("?" if x is None else str(x) for x in order))
for k, c in enumerate(recv):
    if order[k] is not None:
        continue
    ref = sent[k] if k < len(sent) else b""
    bad = [i for i in range(min(len(c), len(ref))) if c[i] != ref[i]]
    where = f"bytes {bad[0]}..{bad[-1]} of it ({len(bad)} differ)" if bad else f"length {len(c)}"
    # does the wrong part come from elsewhere in the file?
    src = a.find(c[bad[0]:bad[0] + 64]) if bad else -1
    print(f"block {k}: matches no sent block; vs sent block {k}: {where}"
          + (f"; those bytes occur at offset {src} of the sent file (block {src // B}, +{src % B})" if src >= 0 else ""))
EOF
}

out=$(timeout 10 ip netns exec "$NS_A" ping -c 1 -W 2 10.99.0.2 2>&1) || fail "ping 10.99.0.2 from $NS_A (to resolve the neighbours) failed: $out"

# ---- (a) kernel -> stack
ts nstat >/dev/null 2>&1                         # zero nstat's history
aout=$TSL_TMP/a.out
t0=$(date +%s.%N)
TS_TIMEOUT=40 ts "nc -u -l -w 2 5001 > $aout" >"$TSL_TMP/a.stdout" 2>"$TSL_TMP/a.stderr" &
sn=$!; tsl_helper $sn
for ((i = 0; i < 100; i++)); do
    ts ss -uln 2>/dev/null | grep -qE ' 0\.0\.0\.0:5001 ' && break
    tsl_alive $sn || break
    sleep 0.05
done
ts ss -uln 2>/dev/null | grep -qE ' 0\.0\.0\.0:5001 ' || fail "(a) the stack's nc -u -l 5001 is not bound (stderr: $(cat "$TSL_TMP/a.stderr"))"
timeout 30 ip netns exec "$NS_A" nc -u -q 1 10.99.0.2 5001 <"$src" >/dev/null 2>"$TSL_TMP/a.kerr"
rc=$?
[ $rc = 0 ] || fail "(a) kernel nc -u -q 1 10.99.0.2 5001: exit $rc ($(head -c 200 "$TSL_TMP/a.kerr"))"
tsl_wait_exit $sn 15
rc=$?
[ $rc = 255 ] && fail "(a) the stack's nc -u -l -w 2 did not end 15 s after the sender finished"
[ $rc = 0 ] || fail "(a) the stack's nc -u -l -w 2 5001 exited $rc (stderr: $(head -c 200 "$TSL_TMP/a.stderr"))"
st=$(ts nstat 2>&1)
note "(a) kernel -> stack in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s; stack: UdpInDatagrams $(sstat "$st" UdpInDatagrams), UdpRcvbufErrors $(sstat "$st" UdpRcvbufErrors), IpReasmOKs $(sstat "$st" IpReasmOKs), IpReasmFails $(sstat "$st" IpReasmFails); kernel UDP OutDatagrams $(kudp OutDatagrams)"
report "(a) kernel -> stack" "$aout"

# ---- (b) stack -> kernel
bout=$TSL_TMP/b.out
kin0=$(kudp InDatagrams); krb0=$(kudp RcvbufErrors)
t0=$(date +%s.%N)
timeout 40 ip netns exec "$NS_A" nc -u -l -w 3 5002 >"$bout" 2>"$TSL_TMP/b.kerr" </dev/null &
kn=$!; tsl_helper $kn
for ((i = 0; i < 100; i++)); do
    ip netns exec "$NS_A" ss -Huln 'sport = :5002' 2>/dev/null | grep -q 5002 && break
    tsl_alive $kn || break
    sleep 0.05
done
ip netns exec "$NS_A" ss -Huln 'sport = :5002' 2>/dev/null | grep -q 5002 || fail "(b) kernel nc -u -l 5002 is not bound ($(head -c 200 "$TSL_TMP/b.kerr"))"
out=$(TS_TIMEOUT=30 ts "nc -u -w 1 10.99.0.1 5002 < $src" 2>&1)
rc=$?
[ $rc = 0 ] || fail "(b) the stack's nc -u -w 1 10.99.0.1 5002: exit $rc ($out)"
tsl_wait_exit $kn 15
rc=$?
[ $rc = 255 ] && fail "(b) kernel nc -u -l -w 3 did not end 15 s after the stack's nc finished"
[ $rc = 0 ] || fail "(b) kernel nc -u -l -w 3 5002 exited $rc ($(head -c 200 "$TSL_TMP/b.kerr"))"
st=$(ts nstat 2>&1)
note "(b) stack -> kernel in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s; stack: UdpOutDatagrams $(sstat "$st" UdpOutDatagrams), UdpSndbufErrors $(sstat "$st" UdpSndbufErrors); kernel UDP InDatagrams +$(( $(kudp InDatagrams) - kin0 )), RcvbufErrors +$(( $(kudp RcvbufErrors) - krb0 ))"
report "(b) stack -> kernel" "$bout"
