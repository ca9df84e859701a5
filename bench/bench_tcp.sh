#!/usr/bin/env bash
# bench/bench_tcp.sh — TCP: bulk throughput each way, connection set-up rate and 1-byte
# request/response latency, tapstack against the Linux kernel over veth measured in the
# same run; then the instructions per byte received, counted by callgrind over --replay
# runs (see bench/README.md).
#
#   bash bench/bench_tcp.sh [BIN]         BIN: the tapstack binary (default build/tapstack)
#
# Two paths, the same tools on both:
#   tapstack  namespace tsb<T>A (kernel, 10.77.0.1/24 on the TAP's host side tsb<T>A0)
#             <-> tapstack daemon (tap0 10.77.0.2/24, `serve echo tcp 7`,
#             `serve discard tcp 9`, its own `nc` for the bulk runs)
#   Linux     namespace tsb<T>B (10.78.0.1/24) <-> veth <-> namespace tsb<T>C (10.78.0.2/24,
#             `tcpbench serve 7 9`, netcat-openbsd for the bulk runs)
# <T> is a 4-digit tag from this script's pid, so concurrent runs never collide.
#   bulk in    the kernel sends SIZE bytes: `nc -N DST PORT < FILE` in tsb<T>A (B), to
#              tapstack's `nc -l PORT > FILE` (to `nc -l PORT > FILE` in tsb<T>C)
#   bulk out   tapstack's `nc -N 10.77.0.1 PORT < FILE` (nc in tsb<T>C) to `nc -l PORT >
#              FILE` in tsb<T>A (tsb<T>B); time: the sender's start to the receiver's
#              exit, every byte written to its file (size checked)
#   conn       `tcpbench conn`: N sequential connect()+close() to the discard port
#   rr         `tcpbench rr`: N 1-byte request/response round trips to the echo port
#              over one connection (TCP_NODELAY)
# bench/tcpbench.c is compiled on the fly (cc -O2) into the temporary directory.
# The paths are measured alternately (odd rounds tapstack first); each figure is the
# median over the rounds, each ratio the median of the per-round ratios (x1.00 = as good
# as Linux, bigger is worse).
#
# Then (TSB_TCP_INSTR=1) the instructions per received payload byte: deterministic
# `--replay` runs under valgrind's callgrind of a bulk receive into `serve discard tcp 9`
# (a handshake, then full-sized segments; two lengths, the difference counted), with the
# top 10 functions by instructions. Needs valgrind (apt-get install valgrind; installed
# when missing and run as root with apt-get) and python3.
#
# Environment (defaults in brackets):
#   TSB_ROUNDS [3]           rounds (each runs both paths)
#   TSB_TCP_MB [200]         MB per bulk run (MiB: 1048576 bytes)
#   TSB_TCP_CONN_N [1000]    connections per set-up run
#   TSB_TCP_RR_N [10000]     round trips per request/response run
#   TSB_TCP_INSTR [1]        0: skip the callgrind part
#   TSB_TCP_INSTR_SHORT [300], TSB_TCP_INSTR_LONG [1800]: segments in the two replay runs
#   TSB_VERBOSE [0]          1: print every client's result line as it comes
#   TSB_SUMMARY              if set, a file to which summary rows are appended
#
# Exit status: 0 when the benchmark ran (short transfers, failures and slow figures are
# reported as problems, not fatal); 2 when something could not be set up (not root, no
# /dev/net/tun, no cc or nc, the daemon or the network did not come up); 3 when the
# tapstack daemon died or stopped answering, or a callgrind run failed its checks.
# Everything created (daemon, Linux server, nc processes, TAP, veth, namespaces, control
# socket, temporary files) is removed on every exit path.
set -u
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
bench_init bench_tcp "${1:-}"

bench_int ROUNDS TSB_ROUNDS 3 1 20
bench_int MB TSB_TCP_MB 200 1 4096
bench_int CONN_N TSB_TCP_CONN_N 1000 10 20000
bench_int RR_N TSB_TCP_RR_N 10000 10 1000000
bench_int I_SHORT TSB_TCP_INSTR_SHORT 300 10 100000
bench_int I_LONG TSB_TCP_INSTR_LONG 1800 10 100000
INSTR=${TSB_TCP_INSTR:-1}
[ "$I_LONG" -gt "$I_SHORT" ] ||
    { echo "bench_tcp: need 10 <= TSB_TCP_INSTR_SHORT < TSB_TCP_INSTR_LONG <= 100000" >&2; exit 2; }
SIZE=$((MB * 1048576))
ECHO_PORT=7; DISCARD_PORT=9

# ---- preconditions -----------------------------------------------------------------
need_tun
bench_preconditions ip ping timeout awk sort cc nc ss stat
nc -h 2>&1 | grep -q 'OpenBSD netcat' || die 2 "nc is not netcat-openbsd (apt-get install netcat-openbsd)"
# The bulk files: in memory when /dev/shm is a tmpfs with room (both paths write theirs
# to the same place, so the file system costs the same on both).
if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] &&
   [ "$(df -k --output=avail /dev/shm 2>/dev/null | tail -n 1)" -gt $((SIZE / 1024 * 3)) ]; then
    DATA=$(mktemp -d /dev/shm/tsb-bench-tcp.XXXXXX) || die 2 "mktemp in /dev/shm failed"
else
    DATA=$(mktemp -d /tmp/tsb-bench-tcp-data.XXXXXX) || die 2 "mktemp failed"
fi
compile_tool tcpbench
TB=$TMP/tcpbench
SRC=$DATA/src.bin
head -c "$SIZE" /dev/urandom >"$SRC" || die 2 "cannot write $SRC"

# ---- set-up ------------------------------------------------------------------------
# Path A: the daemon, its TAP and its two servers; path B: the veth pair, tcpbench's
# server in C.
start_daemon "serve echo tcp $ECHO_PORT" "serve discard tcp $DISCARD_PORT"
veth_path
start_server tcpbench "$TB" serve "$ECHO_PORT" "$DISCARD_PORT"

mtu_a=$(link_mtu "$NS_A" "$IF_A")
mtu_b=$(link_mtu "$NS_B" "$IF_B")
offloads=$(ctl ethtool -k tap0 2>/dev/null | awk -F': ' '$1 ~ /^(rx-checksumming|tx-checksumming|tcp-segmentation-offload|generic-segmentation-offload)$/ {
    printf "%s%s %s", s, $1, $2; s = ", " }')

warm_rr() {  # warm_rr WHAT NS DST: 100 round trips over TCP, all echoed
    local line
    line=$(timeout -k 2 15 ip netns exec "$2" "$TB" rr "$3" "$ECHO_PORT" 100 10 2>&1 | tail -n 1)
    [ "$(kv "$line" done)" = 100 ] && [ "$(kv "$line" bad)" = 0 ] && return 0
    echo "    | $line" >&2
    die 2 "warm-up failed: $1"
}
warm_pings
warm_rr "TCP echo, tapstack" "$NS_A" "$A_STACK"
warm_rr "TCP echo, Linux (veth)" "$NS_B" "$C_ADDR"

# ---- measuring ---------------------------------------------------------------------
# TCP counters, "NAME VALUE" lines. tapstack: its nstat (absolute, history untouched,
# TsDrop* too); Linux: a namespace's /proc/net/snmp (nstat would write its history file).
ts_counters() { ts_snmp Tcp; }
lx_counters() { lx_snmp "$1" Tcp; }
delta() { echo $(( $(ctr "$TMP/c1" "$1") - $(ctr "$TMP/c0" "$1") )); }
# ts_drops WHAT: tapstack's TsDrop* counters that moved between d0 and d1. TCP's own
# (TsDropTCP_*: old data of a retransmission, an out-of-window segment) are TCP doing
# its job and are listed as information; any other (no memory, a full queue) is a problem.
DROP_INFO=()
ts_drops() {
    local moved
    moved=$(awk 'NR == FNR { a[$1] = $2; next } $1 ~ /^TsDrop/ && $2 - a[$1] > 0 {
                 printf "%s%s +%d", s, $1, $2 - a[$1]; s = ", " }' "$TMP/d0" "$TMP/d1")
    [ -z "$moved" ] && return 0
    if grep -qE 'TsDrop([^T]|T[^C]|TC[^P])' <<<"$moved"; then
        PROBLEMS+=("tapstack: $1: drop counters moved: $moved")
    else
        DROP_INFO+=("$1: $moved")
    fi
    return 0
}

# The daemon's CPU time so far, in ns (the scheduler's count, /proc/PID/schedstat): what
# tapstack itself spent on a run, user and kernel (its system calls) together.
ts_cpu() { awk '{ print $1 }' "/proc/$DPID/schedstat" 2>/dev/null || echo 0; }
# add_cpu METRIC PATH CPU0 UNITS DIVISOR: tapstack's CPU since CPU0, in µs per unit.
add_cpu() {
    if [ "$2" = lx ]; then add "$1" lx NA; return 0; fi
    if [ "$2" = ts ]; then
        add "$1" ts "$(awk -v a="$3" -v b="$(ts_cpu)" -v n="$4" 'BEGIN { printf "%.1f", (n > 0) ? (b - a) / 1000 / n : 0 }')"
    fi
}

# wait_listen PATH NS PORT: until PORT listens on the far end (tapstack's ss, or the
# namespace's), at most 5 s.
wait_listen() {
    local i
    for ((i = 0; i < 100; i++)); do
        if [ "$1" = ts ]; then
            ctl ss -tln 2>/dev/null | grep -qE ":$3 " && return 0
        else
            ip netns exec "$2" ss -Htln "sport = :$3" 2>/dev/null | grep -q ":$3" && return 0
        fi
        sleep 0.02
    done
    return 1
}

# sender_counters PATH in|out: the TCP counters of the bulk run's sender (the kernel in
# tsb<T>A or tsb<T>B; tapstack or the kernel in tsb<T>C).
sender_counters() {
    case $1.$2 in
        ts.in) lx_counters "$NS_A" ;;
        lx.in) lx_counters "$NS_B" ;;
        ts.out) ts_counters ;;
        lx.out) lx_counters "$NS_C" ;;
    esac
}

LIMIT=$(( MB / 5 + 60 ))                      # seconds per bulk run (5 MB/s at worst)
PORT=5000                                      # a fresh port for every bulk run

# bulk PATH in|out: SIZE bytes through nc, the receiver writing its file in DATA. in:
# the kernel sends to the far end (tapstack, or namespace C); out: the far end sends to
# the kernel. The time runs from the sender's start to the receiver's exit (every byte
# written); rate MB/s = SIZE / time / 1e6.
bulk() {
    local path=$1 dir=$2 port=$((PORT++)) out=$DATA/recv.bin rpid rc src_rc t0 t1 got what cpu0
    what="bulk $dir, $MB MB, port $port"
    rm -f "$out"
    [ "$path" = ts ] && ts_counters >"$TMP/d0"
    sender_counters "$path" "$dir" >"$TMP/c0"
    cpu0=$(ts_cpu)
    # the receiver, in the background
    if [ "$dir" = in ] && [ "$path" = ts ]; then
        timeout -k 3 "$LIMIT" "$BIN" ctl --ctl "$SOCK" "nc -l $port > $out" >"$TMP/recv.out" 2>&1 &
        rpid=$!; BG=("$rpid")
        wait_listen ts "" "$port"
    elif [ "$dir" = in ]; then
        timeout -k 3 "$LIMIT" ip netns exec "$NS_C" nc -l "$port" >"$out" 2>"$TMP/recv.out" </dev/null &
        rpid=$!; BG=("$rpid")
        wait_listen lx "$NS_C" "$port"
    elif [ "$path" = ts ]; then
        timeout -k 3 "$LIMIT" ip netns exec "$NS_A" nc -l "$port" >"$out" 2>"$TMP/recv.out" </dev/null &
        rpid=$!; BG=("$rpid")
        wait_listen lx "$NS_A" "$port"
    else
        timeout -k 3 "$LIMIT" ip netns exec "$NS_B" nc -l "$port" >"$out" 2>"$TMP/recv.out" </dev/null &
        rpid=$!; BG=("$rpid")
        wait_listen lx "$NS_B" "$port"
    fi || { PROBLEMS+=("$(who "$path"): $what: the receiver did not listen within 5 s"); }
    # the sender, in the foreground (in the background and waited for, so that a signal
    # reaches the trap at once)
    t0=$(date +%s.%N)
    if [ "$dir" = in ] && [ "$path" = ts ]; then
        timeout -k 3 "$LIMIT" ip netns exec "$NS_A" nc -N "$A_STACK" "$port" <"$SRC" >/dev/null 2>"$TMP/send.out" &
    elif [ "$dir" = in ]; then
        timeout -k 3 "$LIMIT" ip netns exec "$NS_B" nc -N "$C_ADDR" "$port" <"$SRC" >/dev/null 2>"$TMP/send.out" &
    elif [ "$path" = ts ]; then
        timeout -k 3 "$LIMIT" "$BIN" ctl --ctl "$SOCK" "nc -N $A_KERN $port < $SRC" >"$TMP/send.out" 2>&1 &
    else
        timeout -k 3 "$LIMIT" ip netns exec "$NS_C" nc -N "$B_ADDR" "$port" <"$SRC" >/dev/null 2>"$TMP/send.out" &
    fi
    BG+=("$!")
    wait "$!"; src_rc=$?
    wait "$rpid"; rc=$?
    t1=$(date +%s.%N)
    BG=()
    got=$(stat -c %s "$out" 2>/dev/null || echo 0)
    rm -f "$out"
    [ "$src_rc" = 0 ] || PROBLEMS+=("$(who "$path"): $what: the sender exited $src_rc ($(head -c 160 "$TMP/send.out" | tr '\n' ' '))")
    [ "$rc" = 0 ] || PROBLEMS+=("$(who "$path"): $what: the receiver exited $rc ($(head -c 160 "$TMP/recv.out" | tr '\n' ' '))")
    if [ "$got" != "$SIZE" ]; then
        PROBLEMS+=("$(who "$path"): $what: received $got of $SIZE bytes")
        add "bulk$dir" "$path" NA
    else
        add "bulk$dir" "$path" "$(awk -v n="$SIZE" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", n / (b - a) / 1e6 }')"
    fi
    sender_counters "$path" "$dir" >"$TMP/c1"
    add "bulk${dir}.retrans" "$path" "$(delta TcpRetransSegs)"
    add_cpu "bulk${dir}.cpu" "$path" "$cpu0" "$MB"
    if [ "$path" = ts ]; then
        ts_counters >"$TMP/d1"
        ts_drops "$what"
        check_daemon "$what"
    fi
    [ "$VERBOSE" = 1 ] && echo "    $(who "$path"): $what: $got bytes, $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }') s"
    return 0
}

# client PATH MODE ARGS...: tcpbench MODE in the client namespace towards the far end.
# Sets R_LINE.
client() {
    local path=$1 mode=$2 ns dst limit; shift 2
    if [ "$path" = ts ]; then ns=$NS_A; dst=$A_STACK; else ns=$NS_B; dst=$C_ADDR; fi
    limit=$(( ${*: -1} + 10 ))
    bounded timeout -k 3 "$limit" ip netns exec "$ns" "$TB" "$mode" "$dst" "$@" >"$TMP/last.out" 2>&1
    R_LINE=$(grep -m1 "^$mode " "$TMP/last.out")
    [ "$VERBOSE" = 1 ] && echo "    $(who "$path"): ${R_LINE:-(no result) $(tail -n 1 "$TMP/last.out")}"
    [ -n "$R_LINE" ] || PROBLEMS+=("$(who "$path"): 'tcpbench $mode $*' printed no result: $(tail -n 2 "$TMP/last.out" | tr '\n' ' ' | cut -c1-160)")
    return 0
}

# conn PATH: CONN_N sequential connect+close to the discard port; the far end's
# PassiveOpens must have grown by the connections made.
conn() {
    local path=$1 what="$CONN_N sequential connect+close" ok opens cpu0
    if [ "$path" = ts ]; then ts_counters >"$TMP/c0"; else lx_counters "$NS_C" >"$TMP/c0"; fi
    cp "$TMP/c0" "$TMP/d0"
    cpu0=$(ts_cpu)
    client "$path" conn "$DISCARD_PORT" "$CONN_N" 120
    add_cpu conn.cpu "$path" "$cpu0" "$CONN_N"
    if [ "$path" = ts ]; then ts_counters >"$TMP/c1"; else lx_counters "$NS_C" >"$TMP/c1"; fi
    cp "$TMP/c1" "$TMP/d1"
    ok=$(kv "$R_LINE" ok)
    if [ -n "$ok" ]; then
        add conn.rate "$path" "$(kv "$R_LINE" rate)"
        add conn.us "$path" "$(kv "$R_LINE" connect_avg_us)"
        add conn.p50 "$path" "$(kv "$R_LINE" connect_p50_us)"
        [ "$ok" != "$CONN_N" ] && PROBLEMS+=("$(who "$path"): $what: $ok of $CONN_N connected ($(kv "$R_LINE" fail) failed: $(kv "$R_LINE" first_err))")
        opens=$(delta TcpPassiveOpens)
        [ "$opens" != "$ok" ] && PROBLEMS+=("$(who "$path"): $what: the far end counted $opens PassiveOpens for $ok connections")
    else
        add conn.rate "$path" NA; add conn.us "$path" NA; add conn.p50 "$path" NA
    fi
    if [ "$path" = ts ]; then ts_drops "$what"; check_daemon "$what"; else check_server "$what"; fi
    return 0
}

# rr PATH: RR_N 1-byte round trips to the echo port over one connection.
rr() {
    local path=$1 what="$RR_N 1-byte request/response" done cpu0
    cpu0=$(ts_cpu)
    client "$path" rr "$ECHO_PORT" "$RR_N" 120
    add_cpu rr.cpu "$path" "$cpu0" "$RR_N"
    done=$(kv "$R_LINE" done)
    if [ "$done" = "$RR_N" ]; then
        add rr.rate "$path" "$(kv "$R_LINE" rate)"
        add rr.avg "$path" "$(kv "$R_LINE" rtt_avg_us)"
        add rr.p50 "$path" "$(kv "$R_LINE" rtt_p50_us)"
        add rr.p99 "$path" "$(kv "$R_LINE" rtt_p99_us)"
    else
        PROBLEMS+=("$(who "$path"): $what: ${done:-0} round trips done (error $(kv "$R_LINE" error))")
        add rr.rate "$path" NA; add rr.avg "$path" NA; add rr.p50 "$path" NA; add rr.p99 "$path" NA
    fi
    [ "$(kv "$R_LINE" bad)" ] && [ "$(kv "$R_LINE" bad)" != 0 ] && PROBLEMS+=("$(who "$path"): $what: $(kv "$R_LINE" bad) wrong echoes")
    if [ "$path" = ts ]; then check_daemon "$what"; else check_server "$what"; fi
    return 0
}

echo "=== bench_tcp: tapstack vs the Linux kernel over veth"
echo "tapstack commit $commit, $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(uname -sr), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary $BIN"
echo "paths: tapstack = netns $NS_A ($A_KERN, TAP $IF_A, mtu ${mtu_a:-?}) <-> tapstack tap0 ($A_STACK): its nc, serve echo tcp $ECHO_PORT, serve discard tcp $DISCARD_PORT"
echo "       Linux    = netns $NS_B ($B_ADDR, veth $IF_B, mtu ${mtu_b:-?}) <-> netns $NS_C ($C_ADDR): nc, tcpbench serve (echo $ECHO_PORT, discard $DISCARD_PORT)"
echo "tapstack offloads: ${offloads:-none}"
echo "$ROUNDS rounds, paths alternated (odd rounds tapstack first), median of rounds; bulk $MB MB per run," \
     "$CONN_N connections per set-up run, $RR_N round trips per request/response run"
echo

for ((r = 1; r <= ROUNDS; r++)); do
    if [ $((r % 2)) = 1 ]; then order="ts lx"; else order="lx ts"; fi
    [ "$VERBOSE" = 1 ] && echo "--- round $r ($order)"
    for p in $order; do bulk "$p" in; done
    for p in $order; do bulk "$p" out; done
    for p in $order; do conn "$p"; done
    for p in $order; do rr "$p"; done
done

# ---- the table ---------------------------------------------------------------------
table_head
row "bulk in: kernel -> far end (MB/s)" bulkin rate 1
row "bulk out: far end -> kernel (MB/s)" bulkout rate 1
row "connect+close, sequential (/s)" conn.rate rate 0
row "connect() time, mean (us)" conn.us time 1
row "connect() time, median (us)" conn.p50 time 1
row "1-byte req/resp rate (/s)" rr.rate rate 0
row "1-byte round trip, mean (us)" rr.avg time 1
row "1-byte round trip, median (us)" rr.p50 time 1
row "1-byte round trip, p99 (us)" rr.p99 time 1
row "bulk in: sender's retransmits (segs)" bulkin.retrans abs 0
row "bulk out: sender's retransmits (segs)" bulkout.retrans abs 0
row "tapstack CPU, bulk in (us per MB)" bulkin.cpu abs 0
row "tapstack CPU, bulk out (us per MB)" bulkout.cpu abs 0
row "tapstack CPU per connect+close (us)" conn.cpu abs 1
row "tapstack CPU per 1-byte round trip (us)" rr.cpu abs 1
echo
echo "ratio: x1.00 = as good as Linux over veth; bigger is worse (times: tapstack/Linux;"
echo "       rates: Linux/tapstack), the median of the per-round ratios. Bulk: $MB MB with"
echo "       nc -N into nc -l > FILE, from the sender's start to the receiver's exit. Targets:"
echo "       bulk each way x2.00 or better (0.5x Linux's throughput); connect+close x2.00 or better.
       tapstack CPU: the daemon's time on a CPU during the run (/proc/PID/schedstat: its
       code and its system calls), per MB, connection or round trip; steadier than the
       rates on a busy machine, and what a change to the stack's code moves."
if [ ${#DROP_INFO[@]} -gt 0 ]; then
    echo "       tapstack's TCP discarded segments (TCP's own checks, counted, not problems):"
    for d in "${DROP_INFO[@]}"; do echo "         $d"; done
fi
echo
echo "per-round values (tapstack | Linux | ratio):"
for m in bulkin bulkout conn.rate rr.rate; do per_round_row "$m" rate 10 30; done

# ---- instructions per received byte: callgrind over --replay -----------------------
# A bulk receive, made deterministic: the input is written here (python3 with
# tests/pcap/pcaplib.py), as a Linux sender's segments would arrive: the peer's ARP
# request, its SYN (MSS 1460, SACK permitted, timestamps, window scale 7), the ACK of the
# stack's SYN-ACK, then full-sized segments of 1448 bytes every 20 µs of virtual time,
# into `serve discard tcp 9`. The stack's ISN comes from the seeded generator, so a first
# replay with the SYN alone gives the SYN-ACK whose sequence number the rest acknowledge.
# Two runs of different lengths, the difference counted (start-up and shutdown cancel);
# the replay's capture writer (pcap_tap_fn, which a live run does not have: it writes
# the stack's ACKs to OUT.pcap) is left out: each run is counted twice, whole and with
# --toggle-collect=pcap_tap_fn (only the writer), and the second taken from the first.
# Each run is checked: exit 0, nothing on stderr, the stack's last ACK covers every byte sent,
# no drop counter moved.
instr() {
    command -v python3 >/dev/null || { PROBLEMS+=("instructions per byte: python3 is missing"); return 0; }
    if ! command -v valgrind >/dev/null; then
        if command -v apt-get >/dev/null; then
            echo "bench_tcp: installing valgrind (apt-get install valgrind)" >&2
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends valgrind >/dev/null 2>&1 ||
                { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
                      apt-get install -y -qq --no-install-recommends valgrind >/dev/null 2>&1; }
        fi
        command -v valgrind >/dev/null ||
            { PROBLEMS+=("instructions per byte: valgrind is missing (apt-get install valgrind)"); return 0; }
    fi
    local I=$TMP/instr gap_us=20 sleep_s
    mkdir -p "$I"
    sleep_s=$(( (I_LONG * gap_us) / 1000000 + 2 ))
    cat >"$I/script.ts" <<EOF
ip link set tap0 address 02:00:00:00:00:02
serve discard tcp 9
sleep $sleep_s
nstat -a
EOF
    sed '1a ethtool -K tap0 rx on' "$I/script.ts" >"$I/script_rx.ts"
    # pass 0: the SYN alone, for the stack's ISN and timestamp
    python3 "$here/tcp_instr_pcap.py" "$root/tests/pcap" syn "$I/syn.pcap" || die 3 "writing the SYN pcap failed"
    "$BIN" --replay "$I/syn.pcap" --dev tap0 --out "$I/synack.pcap" -f "$I/script.ts" --seed 1 >/dev/null 2>"$I/syn.err" ||
        die 3 "the SYN replay failed: $(head -n 3 "$I/syn.err")"
    python3 "$here/tcp_instr_pcap.py" "$root/tests/pcap" data "$I/synack.pcap" "$I" "$I_SHORT" "$I_LONG" "$gap_us" ||
        die 3 "writing the bulk pcaps failed (no SYN-ACK in the SYN replay?)"
    local name script n out run
    declare -gA IR=()
    # callgrind_fns CG: "FUNCTION SELF_IR" lines of a callgrind output
    callgrind_fns() {
        callgrind_annotate --auto=no --threshold=100 "$1" 2>/dev/null |
            awk 'match($0, /^ *[0-9,]+ +\( *[0-9.]+%\) +/) {
                     n = $1; gsub(",", "", n); f = substr($0, RLENGTH + 1)
                     sub(/ \[.*$/, "", f); sub(/^.*:/, "", f); ir[f] += n }
                 END { for (f in ir) print f, ir[f] }'
    }
    for script in script script_rx; do
        for name in short long; do
            n=$I_SHORT; [ $name = long ] && n=$I_LONG
            # two counts of the same run: everything (all), and only what pcap_tap_fn
            # does (cap: --toggle-collect counts inside it alone); all - cap is the stack
            for run in all cap; do
                out=$I/$name.$script.$run
                timeout 900 valgrind --tool=callgrind --callgrind-out-file="$out.cg" --log-file="$out.vg" \
                    $([ $run = cap ] && echo --toggle-collect=pcap_tap_fn) \
                    "$BIN" --replay "$I/$name.pcap" --dev tap0 --out "$out.pcap" \
                    -f "$I/$script.ts" --seed 1 >"$out.txt" 2>"$out.err" ||
                    die 3 "the $name callgrind run failed: $(cat "$out.err" "$out.vg" | head -n 5)"
                [ -s "$out.err" ] && die 3 "the $name callgrind run wrote to stderr: $(head -n 3 "$out.err")"
                python3 "$here/tcp_instr_pcap.py" "$root/tests/pcap" check "$out.pcap" "$I/peer.txt" "$n" ||
                    die 3 "the $name callgrind run ($script) did not acknowledge every byte"
                awk '$1 ~ /^TsDrop/ && $2 > 0 { bad = bad " " $1 "=" $2 } END { if (bad) { print bad; exit 1 } }' "$out.txt" ||
                    die 3 "the $name callgrind run ($script) dropped packets"
                IR[$name.$script.$run]=$(awk '$1 == "totals:" { print $2; exit } $1 == "summary:" { s = $2 } END { if (s != "") print s }' "$out.cg" | head -n 1)
                case ${IR[$name.$script.$run]} in ''|*[!0-9]*) die 3 "no instruction total in $out.cg" ;; esac
                callgrind_fns "$out.cg" >"$out.fn"
            done
            IR[$name.$script]=$(( ${IR[$name.$script.all]} - ${IR[$name.$script.cap]} ))
            # per function, the capture's part taken out
            awk 'NR == FNR { c[$1] = $2; next } { print $1, $2 - c[$1] }' \
                "$I/$name.$script.cap.fn" "$I/$name.$script.all.fn" >"$I/$name.$script.fn"
        done
    done
    local bytes=$(( (I_LONG - I_SHORT) * 1448 )) segs=$((I_LONG - I_SHORT)) sw rx
    sw=$(awk -v l="${IR[long.script]}" -v s="${IR[short.script]}" -v b=$bytes 'BEGIN { printf "%.2f", (l - s) / b }')
    rx=$(awk -v l="${IR[long.script_rx]}" -v s="${IR[short.script_rx]}" -v b=$bytes 'BEGIN { printf "%.2f", (l - s) / b }')
    echo
    echo "instructions per received byte (callgrind over --replay, $I_SHORT and $I_LONG segments of 1448 bytes"
    echo "into serve discard tcp 9; the difference: $segs segments, $bytes bytes; the replay's capture writer left out):"
    printf '  %-62s %6s  (%s Ir per segment)\n' "tcp_rx_instr_per_byte (software checksum)" "$sw" \
        "$(awk -v l="${IR[long.script]}" -v s="${IR[short.script]}" -v n=$segs 'BEGIN { printf "%.0f", (l - s) / n }')"
    printf '  %-62s %6s  (%s Ir per segment)\n' "tcp_rx_instr_per_byte_rxcsum (checksum verified by the device)" "$rx" \
        "$(awk -v l="${IR[long.script_rx]}" -v s="${IR[short.script_rx]}" -v n=$segs 'BEGIN { printf "%.0f", (l - s) / n }')"
    echo "top 10 functions by instructions of the extra segments, rx checksum offload (self Ir per segment, per byte, share):"
    awk -v n=$segs -v b=$bytes -v tot="$(( ${IR[long.script_rx]} - ${IR[short.script_rx]} ))" '
        NR == FNR { s[$1] = $2; next }
        { d = $2 - s[$1]; if (d > 0) printf "  %-40s %7.1f %6.3f %5.1f%%\n", $1, d / n, d / b, 100 * d / tot }' \
        "$I/short.script_rx.fn" "$I/long.script_rx.fn" | sort -k2,2gr | head -n 10
    [ -n "$SUMMARY" ] && {
        echo "bench_tcp|tcp rx instructions/payload byte|$sw|-|-"
        echo "bench_tcp|tcp rx instructions/payload byte, rx csum offload|$rx|-|-"
    } >>"$SUMMARY"
    return 0
}
[ "$INSTR" = 1 ] && instr

bench_finish "every transfer complete, every connection and echo answered, no drop counter moved, clean shutdown"
exit 0
