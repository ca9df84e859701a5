#!/usr/bin/env bash
# UDP over the TAP's offloads, with them on and then all off (ethtool -K tap0 tx off rx
# off tso off gso off). From namespace tslA a Python client
#   - sends datagrams of 1000, 1472 and 8000 bytes to `serve echo udp 7`: each comes back
#     byte for byte (8000: fragmented both ways);
#   - sends 300 datagrams of 1400 bytes to `serve discard udp 9`: with offloads on the
#     kernel leaves their checksums partial and the stack checksums none of them in
#     software (ethtool -S tap0: rx_csum_sw_bytes does not move, rx_csum_partial counts
#     them); with offloads off it verifies every byte;
#   - where the kernel has UDP segmentation for TUN (Linux >= 6.2), sends 8000 bytes with
#     UDP_SEGMENT 1400: one 8000-byte super-frame crosses the TAP (rx_gso_packets) and the
#     stack receives and echoes it as the six datagrams the sender meant; with offloads
#     off the kernel cuts it itself and the echo is the same.
. "$(dirname "$0")/lib.sh"
need_tool python3
tsl_topology_a
out=$(ts serve echo udp 7 2>&1) || fail "serve echo udp 7: $out"
out=$(ts serve discard udp 9 2>&1) || fail "serve discard udp 9: $out"

dstat() { ts ethtool -S tap0 2>/dev/null | awk -v k="$1:" '$1 == k { print $2 }'; }

client=$(cat <<'EOF'
import os, socket, sys
mode, flip = sys.argv[1], sys.argv[2] == "1"
def check(what, got, data):
    want = bytes([data[0] ^ 0xFF]) + data[1:] if flip else data
    if got != want:
        print(f"{what}: WRONG echo ({len(got)} of {len(data)} bytes)")
        return 1
    print(f"{what}: {len(got)} bytes identical")
    return 0
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.connect(("10.99.0.2", 7))
bad = 0
if mode == "echo":
    for size in (1000, 1472, 8000):
        data = os.urandom(size)
        s.send(data)
        try:
            bad += check(f"echo {size}", s.recv(65535), data)
        except OSError as e:
            print(f"echo {size}: no echo ({e!r})"); bad += 1
elif mode == "bulk":
    d = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    d.connect(("10.99.0.2", 9))
    for i in range(300):
        d.send(os.urandom(1400))
    print("bulk: 300 datagrams of 1400 bytes sent")
elif mode == "uso":
    s.setsockopt(socket.IPPROTO_UDP, 103, 1400)         # UDP_SEGMENT
    data = os.urandom(8000)
    s.send(data)
    got = b""
    try:
        while len(got) < len(data):
            got += s.recv(65535)
    except OSError as e:
        print(f"uso: {len(got)} of 8000 bytes echoed ({e!r})")
    bad += check("uso 8000 as 1400-byte segments", got, data)
sys.exit(1 if bad else 0)
EOF
)
py() {   # py MODE
    local res rc
    res=$(timeout 30 ip netns exec "$NS_A" python3 -c "$client" "$1" "$(sab 0 1)" 2>&1)
    rc=$?
    printf '%s\n' "$res" | sed 's/^/    /'
    [ $rc = 0 ] || fail "$LABEL: $1: $(printf '%s\n' "$res" | tail -n 1) (exit $rc)"
}
uso=$(ts ethtool -k tap0 2>&1 | awk '$1 == "tx-udp-segmentation:" { print $2 }')

round() {   # round LABEL ON(1|0)
    LABEL=$1
    py echo
    local sw0 part0 gso0 sw1 part1 gso1
    sw0=$(dstat rx_csum_sw_bytes); part0=$(dstat rx_csum_partial)
    py bulk
    sleep 0.5
    sw1=$(dstat rx_csum_sw_bytes); part1=$(dstat rx_csum_partial)
    note "$LABEL: bulk receive: rx_csum_sw_bytes +$((sw1 - sw0)), rx_csum_partial +$((part1 - part0))"
    if [ "$2" = 1 ]; then
        [ $((sw1 - sw0)) = 0 ] || fail "$LABEL: the stack checksummed $((sw1 - sw0)) bytes in software"
        [ $((part1 - part0)) -ge 300 ] || fail "$LABEL: only $((part1 - part0)) partial-checksum frames for 300 datagrams"
    else
        [ $((sw1 - sw0)) -ge $((300 * 1408)) ] || fail "$LABEL: only $((sw1 - sw0)) bytes verified in software"
    fi
    if [ "$uso" = on ]; then
        gso0=$(dstat rx_gso_packets)
        py uso
        gso1=$(dstat rx_gso_packets)
        note "$LABEL: UDP_SEGMENT send: rx_gso_packets +$((gso1 - gso0))"
        [ $((gso1 - gso0)) = "$2" ] || fail "$LABEL: rx_gso_packets +$((gso1 - gso0)), expected +$2"
    fi
}
round "offloads on" 1
tx0=$(dstat tx_csum_partial)
[ "${tx0:-0}" -gt 0 ] || fail "the stack's echoes left no partial checksum to the kernel (tx_csum_partial ${tx0:-0})"
out=$(ts ethtool -K tap0 tx off rx off tso off gso off 2>&1) || fail "ethtool -K tap0 ... off: $out"
round "offloads off" 0
[ "$(dstat tx_csum_partial)" = "$tx0" ] || fail "tx_csum_partial moved with tx off"
