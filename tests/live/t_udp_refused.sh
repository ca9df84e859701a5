#!/usr/bin/env bash
# ICMP port unreachable reaches the kernel's connected UDP socket (RFC 1122 4.1.3.3):
# from namespace tslA, Python connects a UDP socket to a stack port nobody listens on
# (10.99.0.2:9) and sends one datagram; the stack answers with ICMP port unreachable and
# the socket's next call fails with ECONNREFUSED — a recv() on one socket, a second send()
# on another. The stack counts UdpNoPorts 2 and two ICMP destination unreachables.
. "$(dirname "$0")/lib.sh"
need_tool python3
tsl_topology_a
ts nstat >/dev/null 2>&1                 # zero nstat's history

# SABOTAGE: the client sends to port 7, where a discard server runs: nothing is refused.
port=$(sab 9 7)
if [ "$TSL_SABOTAGE" = 1 ]; then ts serve discard udp 7 >/dev/null 2>&1 || fail "serve discard udp 7 failed"; fi
client=$(cat <<'PYEOF'
import errno, socket, sys, time
port = int(sys.argv[1])
bad = 0
def refused(what, call):
    global bad
    try:
        call()
    except ConnectionRefusedError as e:
        print(f"{what}: ECONNREFUSED ({e})")
        return
    except OSError as e:                 # a timeout included
        print(f"{what}: {errno.errorcode.get(e.errno, e.errno)} ({e!r}), expected ECONNREFUSED")
        bad += 1
        return
    print(f"{what}: succeeded, expected ECONNREFUSED")
    bad += 1
# 1. send, then recv: recv reports the error
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a.settimeout(3)
a.connect(("10.99.0.2", port))
a.send(b"anyone there?")
refused("recv after send", lambda: a.recv(100))
# 2. send, give the ICMP time to arrive, send again: the second send reports the error
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
b.connect(("10.99.0.2", port))
b.send(b"anyone there? (2)")
time.sleep(0.5)
refused("second send", lambda: b.send(b"still nobody?"))
sys.exit(1 if bad else 0)
PYEOF
)
res=$(timeout 30 ip netns exec "$NS_A" python3 -c "$client" "$port" 2>&1)
rc=$?
printf '%s\n' "$res" | sed 's/^/    /'
[ $rc = 0 ] || fail "connected UDP socket to 10.99.0.2:$port: not refused as expected (exit $rc)"

st=$(ts nstat 2>&1)
n=$(printf '%s\n' "$st" | awk '$1 == "UdpNoPorts" { print $2 }')
[ "${n:-0}" = 2 ] || { printf '%s\n' "$st" | sed 's/^/    | /'; fail "nstat: UdpNoPorts ${n:-0}, expected 2"; }
n=$(printf '%s\n' "$st" | awk '$1 == "IcmpOutDestUnreachs" { print $2 }')
[ "${n:-0}" = 2 ] || { printf '%s\n' "$st" | sed 's/^/    | /'; fail "nstat: IcmpOutDestUnreachs ${n:-0}, expected 2"; }
note "stack: UdpNoPorts 2, IcmpOutDestUnreachs 2"
