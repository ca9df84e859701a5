#!/usr/bin/env bash
# UDP echo (RFC 862) against the kernel: `serve echo udp 7` in the stack; from namespace
# tslA a Python UDP client (connected to 10.99.0.2:7) sends datagrams of 1, 1000, 1472
# (the largest that fits one 1500-byte frame) and 8000 bytes (fragmented both ways: the
# stack reassembles it and fragments its echo) and each must come back byte for byte.
# The stack's counters then show 4 datagrams in and 4 out, and `serve list` one peer.
. "$(dirname "$0")/lib.sh"
need_tool python3
tsl_topology_a
out=$(ts serve echo udp 7 2>&1) || fail "serve echo udp 7: $out"
ts nstat >/dev/null 2>&1                 # zero nstat's history: the check below counts increments

# SABOTAGE: the client expects one byte of each echo to differ.
flip=$(sab 0 1)
client=$(cat <<'EOF'
import os, socket, sys
flip = sys.argv[1] == "1"
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.connect(("10.99.0.2", 7))
bad = 0
for size in (1, 1000, 1472, 8000):
    data = os.urandom(size)
    s.send(data)
    try:
        got = s.recv(65535)
    except OSError as e:                         # socket.timeout is an OSError
        print(f"size {size}: no echo ({e!r})")
        bad += 1
        continue
    want = bytes([data[0] ^ 0xFF]) + data[1:] if flip else data
    if got == want:
        print(f"size {size}: echoed, {len(got)} bytes identical")
    else:
        diff = next((i for i in range(min(len(got), len(want))) if got[i] != want[i]), min(len(got), len(want)))
        print(f"size {size}: WRONG echo: {len(got)} bytes, first difference at byte {diff}")
        bad += 1
sys.exit(1 if bad else 0)
EOF
)
res=$(timeout 30 ip netns exec "$NS_A" python3 -c "$client" "$flip" 2>&1)
rc=$?
printf '%s\n' "$res" | sed 's/^/    /'
[ $rc = 0 ] || fail "UDP echo from the kernel: $(printf '%s\n' "$res" | grep -cvE 'identical$') of 4 datagrams not echoed intact (exit $rc)"

st=$(ts nstat 2>&1)
for c in UdpInDatagrams UdpOutDatagrams; do
    n=$(printf '%s\n' "$st" | awk -v c=$c '$1 == c { print $2 }')
    [ "${n:-0}" = 4 ] || { printf '%s\n' "$st" | sed 's/^/    | /'; fail "nstat: $c ${n:-0}, expected 4"; }
done
n=$(printf '%s\n' "$st" | awk '$1 == "IpReasmOKs" { print $2 }')
[ "${n:-0}" = 1 ] || fail "nstat: IpReasmOKs ${n:-0}, expected 1 (the 8000-byte datagram)"
n=$(printf '%s\n' "$st" | awk '$1 == "IpFragCreates" { print $2 }')
[ "${n:-0}" = 6 ] || fail "nstat: IpFragCreates ${n:-0}, expected 6 (the 8000-byte echo in 6 fragments)"
sl=$(ts serve list 2>&1)
expect_contains "serve list" "$sl" '^udp 7 echo 1$'
note "nstat: UdpInDatagrams 4, UdpOutDatagrams 4, IpReasmOKs 1, IpFragCreates 6; serve list: $sl"
