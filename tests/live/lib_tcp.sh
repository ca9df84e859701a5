# tests/live/lib_tcp.sh — bulk TCP transfers between Linux's nc (netcat-openbsd, in a
# namespace) and the stack's nc, compared by SHA-256 (sourced after lib.sh by the
# t_tcp_*.sh tests that move a file each way).
#
#   tcp_make_file MB               a random file: TCP_SRC, its size TCP_SIZE, TCP_WANT the
#                                  digest a receiver must produce (another one when
#                                  sabotaging, so every comparison then fails)
#   tcp_to_stack LABEL NS ADDR PORT [PREFIX]
#                                  the stack listens (`PREFIX nc -l PORT > FILE`, PREFIX
#                                  e.g. "ip netns exec c1"), NS's nc -N sends TCP_SRC to
#                                  ADDR:PORT; the file must arrive whole
#   tcp_from_stack LABEL NS ADDR PORT [PREFIX]
#                                  NS's nc -l PORT receives, the stack's `PREFIX nc -N
#                                  ADDR PORT < TCP_SRC` sends
# Each sets TCP_SECS (the transfer's wall-clock time) and prints a note with the rate.
# TCP_LIMIT bounds each transfer (seconds, default 60). With TCP_PAUSE=SECONDS the
# sender of tcp_to_stack pauses that long halfway, and the stack's `ss -tin` of the
# connection, taken then, is left in TCP_SS (the stack answers ctl slowly while it is
# busy moving bytes; the pause is not left out of TCP_SECS).

need_tool sha256sum
need_tool nc
nc -h 2>&1 | grep -q 'OpenBSD netcat' || skip "nc is not netcat-openbsd ($(nc -h 2>&1 | head -n 1))"

TCP_LIMIT=${TCP_LIMIT:-60}

tcp_make_file() {
    TCP_SIZE=$(($1 * 1048576))
    TCP_SRC=$TSL_TMP/random.bin
    head -c "$TCP_SIZE" /dev/urandom >"$TCP_SRC" || fail "cannot write $TCP_SRC"
    TCP_WANT=$(sha256sum <"$TCP_SRC" | cut -d' ' -f1)
    # SABOTAGE: expect the digest of another file.
    TCP_WANT=$(sab "$TCP_WANT" "$(printf 'x' | sha256sum | cut -d' ' -f1)")
}

tcp_secs() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }

# tcp_check WHAT FILE SECS: the received file's digest, and the note with the rate.
tcp_check() {
    local n got
    n=$(stat -c %s "$2" 2>/dev/null || echo 0)
    got=$(sha256sum <"$2" | cut -d' ' -f1)
    [ "$got" = "$TCP_WANT" ] || fail "$1: sha256 of the received file differs (received $n of $TCP_SIZE bytes)"
    note "$1: $((TCP_SIZE / 1048576)) MB in $3 s ($(awk -v s="$3" -v n="$TCP_SIZE" \
        'BEGIN { if (s > 0) printf "%.1f", n * 8 / s / 1e6; else print "inf" }') Mbit/s), sha256 equal"
    rm -f "$2"
}

tcp_to_stack() {
    local label=$1 ns=$2 addr=$3 port=$4 pre=${5:-} out=$TSL_TMP/to$4.out t0 sn kn rc i
    t0=$(date +%s.%N)
    TS_TIMEOUT=$((TCP_LIMIT + 10)) ts "$pre nc -l $port > $out" >"$TSL_TMP/s$port.stdout" 2>"$TSL_TMP/s$port.stderr" &
    sn=$!; tsl_helper $sn
    for ((i = 0; i < 100; i++)); do
        ts $pre ss -tln 2>/dev/null | grep -qE " 0\.0\.0\.0:$port " && break
        sleep 0.05
    done
    { head -c $((TCP_SIZE / 2)) "$TCP_SRC"; sleep "${TCP_PAUSE:-0}"; tail -c +$((TCP_SIZE / 2 + 1)) "$TCP_SRC"; } |
        timeout "$TCP_LIMIT" ip netns exec "$ns" nc -N "$addr" "$port" >/dev/null 2>"$TSL_TMP/k$port.err" &
    kn=$!; tsl_helper $kn
    TCP_SS=""
    while [ -n "${TCP_PAUSE:-}" ] && [ -z "$TCP_SS" ] && tsl_alive $kn; do
        TCP_SS=$(ts $pre ss -tin 2>/dev/null | grep -A1 -F " $addr:$port ")
    done
    tsl_wait_exit $kn $((TCP_LIMIT + 5)); rc=$?
    [ $rc = 0 ] || fail "$label: Linux's nc -N $addr $port exited $rc ($(head -c 200 "$TSL_TMP/k$port.err"))"
    tsl_wait_exit $sn 30; rc=$?
    [ $rc = 0 ] || fail "$label: the stack's nc -l $port exited $rc ($(head -c 200 "$TSL_TMP/s$port.stderr"))"
    TCP_SECS=$(tcp_secs "$t0")
    tcp_check "$label" "$out" "$TCP_SECS"
}

tcp_from_stack() {
    local label=$1 ns=$2 addr=$3 port=$4 pre=${5:-} out=$TSL_TMP/from$4.out t0 kn rc i res
    t0=$(date +%s.%N)
    timeout "$TCP_LIMIT" ip netns exec "$ns" nc -l "$port" >"$out" 2>"$TSL_TMP/k$port.err" </dev/null &
    kn=$!; tsl_helper $kn
    for ((i = 0; i < 100; i++)); do
        ip netns exec "$ns" ss -Htln "sport = :$port" 2>/dev/null | grep -q "$port" && break
        sleep 0.05
    done
    res=$(TS_TIMEOUT=$((TCP_LIMIT + 5)) ts "$pre nc -N $addr $port < $TCP_SRC" 2>&1); rc=$?
    [ $rc = 0 ] || fail "$label: the stack's nc -N $addr $port exited $rc ($res)"
    tsl_wait_exit $kn 30; rc=$?
    [ $rc = 0 ] || fail "$label: Linux's nc -l $port exited $rc ($(head -c 200 "$TSL_TMP/k$port.err"))"
    TCP_SECS=$(tcp_secs "$t0")
    tcp_check "$label" "$out" "$TCP_SECS"
}
