#!/usr/bin/env bash
# A random file each way over TCP with `nc` on both sides, compared by SHA-256, first
# with the TAP's offloads on (TSO, checksum offload: the default), then after the
# stack's `ethtool -K tap0 tso off tx off` (segments cut and summed in software):
#  (a) kernel -> stack: the stack runs `nc -l 5001 > FILE`, namespace tslA runs
#      netcat-openbsd `nc -N 10.99.0.2 5001` fed FILE with a 1 s pause halfway; while
#      the bytes flow the stack's `ss -tan` must show the connection ESTAB with both
#      addresses;
#  (b) stack -> kernel: tslA runs `nc -l 5002 > FILE`, the stack `nc -N 10.99.0.1 5002 <
#      FILE`.
# TSL_TCP_MB sets the size (default 50 MB). Each direction prints its time and rate.
. "$(dirname "$0")/lib.sh"
need_tool sha256sum
need_tool nc
need_tool ethtool
nc -h 2>&1 | grep -q 'OpenBSD netcat' || skip "nc is not netcat-openbsd ($(nc -h 2>&1 | head -n 1))"
tsl_topology_a
MB=${TSL_TCP_MB:-50}
SIZE=$((MB * 1048576))
src=$TSL_TMP/random.bin
head -c $SIZE /dev/urandom >"$src" || fail "cannot write $src"
sum=$(sha256sum <"$src" | cut -d' ' -f1)
# SABOTAGE: expect the digest of another file.
want=$(sab "$sum" "$(printf 'x' | sha256sum | cut -d' ' -f1)")
out=$(timeout 10 ip netns exec "$NS_A" ping -c 1 -W 2 10.99.0.2 2>&1) || fail "ping 10.99.0.2 from $NS_A failed: $out"

secs() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
rate() { awk -v s="$1" -v n="$SIZE" 'BEGIN { if (s > 0) printf "%.1f", n * 8 / s / 1e6; else print "inf" }'; }
check() {   # WHAT FILE
    local n got
    n=$(stat -c %s "$2" 2>/dev/null || echo 0)
    got=$(sha256sum <"$2" | cut -d' ' -f1)
    [ "$got" = "$want" ] || fail "$1: sha256 of the received file differs (received $n of $SIZE bytes)"
}

transfer() {    # LABEL PORTA PORTB
    local label=$1 pa=$2 pb=$3 aout=$TSL_TMP/a$2.out bout=$TSL_TMP/b$3.out t0 sn kn rc i seen=""
    # ---- (a) kernel -> stack
    t0=$(date +%s.%N)
    TS_TIMEOUT=300 ts "nc -l $pa > $aout" >"$TSL_TMP/a.stdout" 2>"$TSL_TMP/a.stderr" &
    sn=$!; tsl_helper $sn
    for ((i = 0; i < 100; i++)); do
        ts ss -tln 2>/dev/null | grep -qE " 0\.0\.0\.0:$pa " && break
        sleep 0.05
    done
    # the sender pauses 1 s halfway, so ss looks at a transfer in progress however fast
    # the rest goes (the pause is left out of the rate)
    { head -c $((SIZE / 2)) "$src"; sleep 1; tail -c +$((SIZE / 2 + 1)) "$src"; } |
        timeout 300 ip netns exec "$NS_A" nc -N 10.99.0.2 "$pa" >/dev/null 2>"$TSL_TMP/a.kerr" &
    kn=$!; tsl_helper $kn
    # ss during the transfer: ESTAB, the stack's address and port, the kernel's address
    while [ -z "$seen" ] && tsl_alive $kn; do
        seen=$(ts ss -tan 2>/dev/null | grep -E "^ESTAB +[0-9]+ +[0-9]+ +10\.99\.0\.2:$pa +10\.99\.0\.1:[0-9]+ ")
    done
    tsl_wait_exit $kn 300; rc=$?
    [ $rc = 0 ] || fail "$label (a) kernel nc -N 10.99.0.2 $pa exited $rc ($(head -c 200 "$TSL_TMP/a.kerr"))"
    tsl_wait_exit $sn 60; rc=$?
    [ $rc = 0 ] || fail "$label (a) the stack's nc -l $pa exited $rc ($(head -c 200 "$TSL_TMP/a.stderr"))"
    local ta; ta=$(awk -v s="$(secs "$t0")" 'BEGIN { printf "%.1f", s - 1 }')
    [ -n "$seen" ] || fail "$label (a) ss -tan never showed ESTAB 10.99.0.2:$pa <-> 10.99.0.1 during the transfer"
    check "$label (a) kernel -> stack" "$aout"
    note "$label (a) kernel -> stack: $MB MB in $ta s ($(rate "$ta") Mbit/s), sha256 equal; ss -tan: $(echo $seen)"
    # ---- (b) stack -> kernel
    t0=$(date +%s.%N)
    timeout 300 ip netns exec "$NS_A" nc -l "$pb" >"$bout" 2>"$TSL_TMP/b.kerr" </dev/null &
    kn=$!; tsl_helper $kn
    for ((i = 0; i < 100; i++)); do
        ip netns exec "$NS_A" ss -Htln "sport = :$pb" 2>/dev/null | grep -q "$pb" && break
        sleep 0.05
    done
    out=$(TS_TIMEOUT=300 ts "nc -N 10.99.0.1 $pb < $src" 2>&1); rc=$?
    [ $rc = 0 ] || fail "$label (b) the stack's nc -N 10.99.0.1 $pb exited $rc ($out)"
    tsl_wait_exit $kn 60; rc=$?
    [ $rc = 0 ] || fail "$label (b) kernel nc -l $pb exited $rc ($(head -c 200 "$TSL_TMP/b.kerr"))"
    local tb; tb=$(secs "$t0")
    check "$label (b) stack -> kernel" "$bout"
    note "$label (b) stack -> kernel: $MB MB in $tb s ($(rate "$tb") Mbit/s), sha256 equal"
    rm -f "$aout" "$bout"
}

transfer "offloads on" 5001 5002
out=$(ts ethtool -K tap0 tso off tx off 2>&1) || fail "ethtool -K tap0 tso off tx off: $out"
ts ethtool -k tap0 | grep -qE '^tcp-segmentation-offload: off' || fail "tso still on: $(ts ethtool -k tap0 | head -n 12 | tr '\n' ' ')"
transfer "tso/tx off" 5003 5004
