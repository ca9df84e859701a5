#!/usr/bin/env bash
# `serve echo tcp 7007` in the stack; from namespace tslA, 50 Python clients at once each
# send 256 KiB of random bytes (while reading, so neither side's buffers deadlock), shut
# their write side (half-close) and read until the server's FIN: each must get back
# exactly what it sent. Then Linux's `nc -N` (half-close at the end of its input) must
# still get the whole echo. `serve list` counts the connections. Offloads on, then after
# the stack's `ethtool -K tap0 tso off tx off`.
. "$(dirname "$0")/lib.sh"
need_tool python3
need_tool nc
need_tool sha256sum
nc -h 2>&1 | grep -q 'OpenBSD netcat' || skip "nc is not netcat-openbsd ($(nc -h 2>&1 | head -n 1))"
tsl_topology_a
out=$(ts serve echo tcp 7007 2>&1) || fail "serve echo tcp 7007: $out"
out=$(timeout 10 ip netns exec "$NS_A" ping -c 1 -W 2 10.99.0.2 2>&1) || fail "ping 10.99.0.2 from $NS_A failed: $out"
N=50
SZ=262144
# SABOTAGE: the clients expect one byte more than they send.
EXTRA=$(sab 0 1)

cat >"$TSL_TMP/clients.py" <<'PY'
import os, selectors, socket, sys, time
n, size, extra = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
sel = selectors.DefaultSelector()
conns = []
for i in range(n):
    s = socket.create_connection(("10.99.0.2", 7007), timeout=10)
    s.setblocking(False)
    c = {"s": s, "data": os.urandom(size), "sent": 0, "got": bytearray(), "eof": False, "i": i}
    conns.append(c)
    sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE, c)
deadline = time.time() + 40
live = n
while live and time.time() < deadline:
    for key, ev in sel.select(timeout=1):
        c = key.data; s = c["s"]
        if ev & selectors.EVENT_WRITE and c["sent"] < size:
            try:
                c["sent"] += s.send(c["data"][c["sent"]:c["sent"] + 65536])
            except BlockingIOError:
                pass
            if c["sent"] == size:
                s.shutdown(socket.SHUT_WR)
                sel.modify(s, selectors.EVENT_READ, c)
        if ev & selectors.EVENT_READ:
            try:
                b = s.recv(65536)
            except BlockingIOError:
                continue
            if b:
                c["got"] += b
            else:
                c["eof"] = True; sel.unregister(s); s.close(); live -= 1
bad = [c for c in conns if not c["eof"] or bytes(c["got"]) != c["data"] + b"\0" * extra]
if bad and len(sys.argv) > 4:
    sys.stdout.flush()
    os.system(sys.argv[4])      # while the sockets are still open: what each side holds
for c in bad[:5]:
    print(f"client {c['i']}: sent {c['sent']}, got {len(c['got'])} bytes, FIN {'seen' if c['eof'] else 'missing'}, "
          f"{'equal' if bytes(c['got']) == c['data'] else 'different'}")
print(f"{n - len(bad)} of {n} clients got their {size} bytes back intact")
sys.exit(1 if bad else 0)
PY

# On failure, before the clients close: the stack's sockets and TCP counters, the kernel's.
{
    echo "echo '--- stack: ss -tn (queues not empty)'"
    echo "'$TSL_BIN' ctl --ctl '$TSL_SOCK' ss -tni 2>&1 | awk 'NR == 1 || \$1 != 0 || \$2 != 0 { print; getline; print }' | head -n 40"
    echo "echo '--- stack: nstat -az (TCP, not zero)'"
    echo "'$TSL_BIN' ctl --ctl '$TSL_SOCK' nstat -az 2>&1 | grep -E '^(Tcp|TcpExt)' | awk '\$2 != 0' | head -n 60"
    echo "echo '--- kernel: ss -tnio (queues not empty)'"
    echo "ss -tnio 2>&1 | grep -v -A1 '^TIME-WAIT' | grep -v '^--' | head -n 40"
    echo "echo '--- kernel: nstat -az (TCP, not zero)'"
    echo "nstat -az 2>&1 | grep -E '^(Tcp|TcpExt)' | awk '\$2 != 0' | head -n 60"
} >"$TSL_TMP/dump.sh"

round() {   # LABEL
    local t0 out rc
    t0=$(date +%s.%N)
    out=$(timeout 50 ip netns exec "$NS_A" python3 "$TSL_TMP/clients.py" $N $SZ $EXTRA "bash $TSL_TMP/dump.sh" 2>&1); rc=$?
    [ $rc = 0 ] || { echo "$out"; fail "$1: $N concurrent echo clients: $(echo "$out" | grep -E '^client|clients got' | tail -c 600)"; }
    note "$1: $(echo "$out" | tail -n 1) in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
    # half-close: nc -N sends 1 MiB, shuts its write side, and must still get all of it
    head -c 1048576 /dev/urandom >"$TSL_TMP/h.in"
    timeout 30 ip netns exec "$NS_A" nc -N 10.99.0.2 7007 <"$TSL_TMP/h.in" >"$TSL_TMP/h.out" 2>"$TSL_TMP/h.err"; rc=$?
    [ $rc = 0 ] || fail "$1: nc -N 10.99.0.2 7007 exited $rc ($(head -c 200 "$TSL_TMP/h.err"))"
    [ "$(sha256sum <"$TSL_TMP/h.out")" = "$(sha256sum <"$TSL_TMP/h.in")" ] &&
        [ "$(stat -c %s "$TSL_TMP/h.out")" = $((1048576 + EXTRA)) -o $EXTRA = 0 ] ||
        fail "$1: after nc -N's half-close the echo came back $(stat -c %s "$TSL_TMP/h.out") of 1048576 bytes, $( cmp -s "$TSL_TMP/h.in" "$TSL_TMP/h.out" && echo equal || echo different)"
    note "$1: nc -N (half-close after 1 MiB) got the whole echo back"
}

round "offloads on"
out=$(ts ethtool -K tap0 tso off tx off 2>&1) || fail "ethtool -K tap0 tso off tx off: $out"
round "tso/tx off"
list=$(ts serve list)
expect=$(( 2 * (N + 1) ))
echo "$list" | grep -qE "^tcp 7007 echo $expect\$" || fail "serve list: want 'tcp 7007 echo $expect', got: $list"
note "serve list: $list"
