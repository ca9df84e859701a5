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
root=$(cd "$here/.." && pwd)
BIN=${1:-build/tapstack}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac

ROUNDS=${TSB_ROUNDS:-3}
MB=${TSB_TCP_MB:-200}
CONN_N=${TSB_TCP_CONN_N:-1000}
RR_N=${TSB_TCP_RR_N:-10000}
INSTR=${TSB_TCP_INSTR:-1}
I_SHORT=${TSB_TCP_INSTR_SHORT:-300}
I_LONG=${TSB_TCP_INSTR_LONG:-1800}
VERBOSE=${TSB_VERBOSE:-0}
SUMMARY=${TSB_SUMMARY:-}
for v in ROUNDS MB CONN_N RR_N I_SHORT I_LONG; do
    case ${!v} in ''|*[!0-9]*) echo "bench_tcp: $v must be a positive integer" >&2; exit 2 ;; esac
done
[ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 20 ] || { echo "bench_tcp: TSB_ROUNDS 1..20" >&2; exit 2; }
[ "$MB" -ge 1 ] && [ "$MB" -le 4096 ] || { echo "bench_tcp: TSB_TCP_MB 1..4096" >&2; exit 2; }
[ "$CONN_N" -ge 10 ] && [ "$CONN_N" -le 20000 ] || { echo "bench_tcp: TSB_TCP_CONN_N 10..20000" >&2; exit 2; }
[ "$RR_N" -ge 10 ] && [ "$RR_N" -le 1000000 ] || { echo "bench_tcp: TSB_TCP_RR_N 10..1000000" >&2; exit 2; }
[ "$I_SHORT" -ge 10 ] && [ "$I_LONG" -gt "$I_SHORT" ] && [ "$I_LONG" -le 100000 ] ||
    { echo "bench_tcp: need 10 <= TSB_TCP_INSTR_SHORT < TSB_TCP_INSTR_LONG <= 100000" >&2; exit 2; }
SIZE=$((MB * 1048576))

TAG=$(printf '%04d' $(( $$ % 10000 )))
NS_A=tsb${TAG}A; IF_A=tsb${TAG}A0          # tapstack path: kernel side
NS_B=tsb${TAG}B; IF_B=tsb${TAG}B0          # Linux path: the client's side
NS_C=tsb${TAG}C; IF_C=tsb${TAG}C0          # Linux path: the server's side
A_KERN=10.77.0.1; A_STACK=10.77.0.2
B_ADDR=10.78.0.1; C_ADDR=10.78.0.2
ECHO_PORT=7; DISCARD_PORT=9
SOCK=/tmp/tsb-$$.sock
TMP=
DATA=                                      # the bulk files (tmpfs when /dev/shm is one)
DPID=                                      # the tapstack daemon we started
SPID=                                      # the Linux-side tcpbench server we started
BG=()                                      # bulk receivers running now (timeout pids)
CREATED_NS=()                              # namespaces we created (only these are removed)
PROBLEMS=()                                # problems seen (printed, not fatal)
STARTED=$(date +%s.%N)

die() {  # die STATUS MESSAGE: a set-up failure (or daemon death): explain, clean up, exit
    local st=$1; shift
    echo "bench_tcp: FAILED: $*" >&2
    if [ -n "$TMP" ] && [ -s "$TMP/daemon.err" ]; then
        echo "bench_tcp: daemon stderr (last 10 lines):" >&2
        tail -n 10 "$TMP/daemon.err" | sed 's/^/    | /' >&2
    fi
    exit "$st"
}

alive() {  # alive PID: running and not a zombie
    local st
    [ -r "/proc/$1/stat" ] || return 1
    st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
    [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# stop_pid PID: SIGTERM, up to 10 s, then SIGKILL; by pid only. Sets STOP_STATUS and
# STOP_KILLED (1 if SIGKILL was needed).
stop_pid() {
    local pid=$1 i
    STOP_KILLED=0
    if alive "$pid"; then
        kill -TERM "$pid" 2>/dev/null
        for ((i = 0; i < 200; i++)); do alive "$pid" || break; sleep 0.05; done
        if alive "$pid"; then kill -KILL "$pid" 2>/dev/null; STOP_KILLED=1; fi
    fi
    wait "$pid" 2>/dev/null
    STOP_STATUS=$?
}

DSTATUS=
stop_daemon() {
    [ -n "$DPID" ] || return 0
    stop_pid "$DPID"
    DSTATUS=$STOP_STATUS
    [ "$STOP_KILLED" = 1 ] && PROBLEMS+=("tapstack did not exit within 10 s of SIGTERM (killed)")
    DPID=
}

cleanup() {
    local rc=$? ns i p
    set +e
    trap - EXIT INT TERM HUP
    for p in "${BG[@]}"; do stop_pid "$p"; done
    [ -n "$SPID" ] && stop_pid "$SPID"
    stop_daemon
    # The daemon removes its TAP on exit; if it could not, deleting the namespace does.
    for ns in "${CREATED_NS[@]}"; do ip netns del "$ns" 2>/dev/null; done
    for i in "$IF_A" "$IF_B" "$IF_C"; do
        ip link show dev "$i" >/dev/null 2>&1 && ip link del dev "$i" 2>/dev/null
    done
    rm -f "$SOCK"
    [ -n "$DATA" ] && rm -rf "$DATA"
    [ -n "$TMP" ] && rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'echo "bench_tcp: interrupted" >&2; exit 130' INT TERM HUP

# ---- preconditions -----------------------------------------------------------------
[ "$(id -u)" = 0 ] || die 2 "needs root (network namespaces, TAP devices)"
[ -c /dev/net/tun ] || die 2 "/dev/net/tun is missing"
for t in ip ping timeout awk sort cc nc ss stat; do
    command -v "$t" >/dev/null 2>&1 || die 2 "$t is not installed"
done
nc -h 2>&1 | grep -q 'OpenBSD netcat' || die 2 "nc is not netcat-openbsd (apt-get install netcat-openbsd)"
[ -x "$BIN" ] || die 2 "$BIN is not an executable (build it: make build/tapstack)"
[ -r "$here/tcpbench.c" ] || die 2 "$here/tcpbench.c is missing"
TMP=$(mktemp -d /tmp/tsb-bench-tcp.XXXXXX) || die 2 "mktemp failed"
# The bulk files: in memory when /dev/shm is a tmpfs with room (both paths write theirs
# to the same place, so the file system costs the same on both).
if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] &&
   [ "$(df -k --output=avail /dev/shm 2>/dev/null | tail -n 1)" -gt $((SIZE / 1024 * 3)) ]; then
    DATA=$(mktemp -d /dev/shm/tsb-bench-tcp.XXXXXX) || die 2 "mktemp in /dev/shm failed"
else
    DATA=$(mktemp -d /tmp/tsb-bench-tcp-data.XXXXXX) || die 2 "mktemp failed"
fi
for ns in "$NS_A" "$NS_B" "$NS_C"; do
    ip netns list 2>/dev/null | awk '{print $1}' | grep -qx -- "$ns" &&
        die 2 "namespace $ns already exists (not ours: left alone)"
done
for i in "$IF_A" "$IF_B" "$IF_C"; do
    ip link show dev "$i" >/dev/null 2>&1 && die 2 "interface $i already exists (not ours: left alone)"
done
TB=$TMP/tcpbench
cc -O2 -Wall -o "$TB" "$here/tcpbench.c" 2>"$TMP/cc.err" || { cat "$TMP/cc.err" >&2; die 2 "compiling bench/tcpbench.c failed"; }
SRC=$DATA/src.bin
head -c "$SIZE" /dev/urandom >"$SRC" || die 2 "cannot write $SRC"

commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ "$commit" != unknown ] && ! git -C "$root" diff-index --quiet HEAD -- 2>/dev/null; then
    commit="$commit (+ uncommitted changes)"
fi

# ---- set-up ------------------------------------------------------------------------
netns_add() {
    ip netns add "$1" || die 2 "ip netns add $1 failed"
    CREATED_NS+=("$1")
    # No IPv6: no autoconf or MLD chatter on the links while measuring.
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1
    ip -n "$1" link set lo up || die 2 "ip -n $1 link set lo up failed"
}

# Path A: the daemon, its TAP and its two servers; the TAP's host side goes into
# namespace A.
cat >"$TMP/setup.ts" <<EOF
ip link add tap0 type tap ifname $IF_A
ip addr add $A_STACK/24 dev tap0
ip link set tap0 up
serve echo tcp $ECHO_PORT
serve discard tcp $DISCARD_PORT
EOF
rm -f "$SOCK"
"$BIN" -d -n -f "$TMP/setup.ts" --ctl "$SOCK" >"$TMP/daemon.out" 2>"$TMP/daemon.err" &
DPID=$!
ok=0
for ((i = 0; i < 200; i++)); do                  # up to ~10 s
    alive "$DPID" || die 2 "tapstack daemon exited during start-up"
    if [ -S "$SOCK" ] && timeout 5 "$BIN" ctl --ctl "$SOCK" echo ready 2>/dev/null | grep -qx ready; then
        ok=1; break
    fi
    sleep 0.05
done
[ $ok = 1 ] || die 2 "the daemon's control socket $SOCK did not answer within 10 s"
ctl() { timeout 5 "$BIN" ctl --ctl "$SOCK" "$@"; }
ctl serve list >"$TMP/serve.list" 2>&1
grep -q "^tcp $ECHO_PORT echo" "$TMP/serve.list" && grep -q "^tcp $DISCARD_PORT discard" "$TMP/serve.list" ||
    { sed 's/^/    | /' "$TMP/serve.list" >&2; die 2 "tapstack's TCP echo/discard servers are not running (serve list)"; }
ok=0
for ((i = 0; i < 100; i++)); do
    ip link show dev "$IF_A" >/dev/null 2>&1 && { ok=1; break; }
    sleep 0.05
done
[ $ok = 1 ] || die 2 "host TAP interface $IF_A did not appear"
netns_add "$NS_A"
ip link set dev "$IF_A" netns "$NS_A" || die 2 "ip link set $IF_A netns $NS_A failed"
ip -n "$NS_A" addr add "$A_KERN/24" dev "$IF_A" || die 2 "address on $IF_A failed"
ip -n "$NS_A" link set dev "$IF_A" up || die 2 "ip link set $IF_A up failed"

# Path B: two namespaces joined by a veth pair created directly inside them; the Linux
# server in C.
netns_add "$NS_B"
netns_add "$NS_C"
ip link add "$IF_B" netns "$NS_B" type veth peer name "$IF_C" netns "$NS_C" ||
    die 2 "creating veth $IF_B/$IF_C failed"
ip -n "$NS_B" addr add "$B_ADDR/24" dev "$IF_B" || die 2 "address on $IF_B failed"
ip -n "$NS_C" addr add "$C_ADDR/24" dev "$IF_C" || die 2 "address on $IF_C failed"
ip -n "$NS_B" link set dev "$IF_B" up || die 2 "ip link set $IF_B up failed"
ip -n "$NS_C" link set dev "$IF_C" up || die 2 "ip link set $IF_C up failed"
# `ip netns exec` execs the program: $! is the server's own pid.
ip netns exec "$NS_C" "$TB" serve "$ECHO_PORT" "$DISCARD_PORT" >"$TMP/server.out" 2>&1 &
SPID=$!
ok=0
for ((i = 0; i < 100; i++)); do
    alive "$SPID" || { cat "$TMP/server.out" >&2; die 2 "the Linux tcpbench server exited during start-up"; }
    grep -qx ready "$TMP/server.out" && { ok=1; break; }
    sleep 0.05
done
[ $ok = 1 ] || die 2 "the Linux tcpbench server did not start within 5 s"

mtu_a=$(ip -n "$NS_A" -o link show dev "$IF_A" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p')
mtu_b=$(ip -n "$NS_B" -o link show dev "$IF_B" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p')
offloads=$(ctl ethtool -k tap0 2>/dev/null | awk -F': ' '$1 ~ /^(rx-checksumming|tx-checksumming|tcp-segmentation-offload|generic-segmentation-offload)$/ {
    printf "%s%s %s", s, $1, $2; s = ", " }')

# kv LINE KEY: the value of KEY=VALUE in a tcpbench result line (empty when absent).
kv() { awk -v k="$2" '{ for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) { print substr($i, length(k) + 2); exit } }' <<<"$1"; }

warm() {  # warm WHAT CMD...
    local what=$1 i; shift
    for ((i = 0; i < 3; i++)); do        # the link may need a moment after coming up
        timeout -s INT -k 2 15 "$@" >"$TMP/warm.out" 2>&1 && return 0
        sleep 0.5
    done
    sed 's/^/    | /' "$TMP/warm.out" >&2
    die 2 "warm-up failed: $what"
}
warm_rr() {  # warm_rr WHAT NS DST: 100 round trips over TCP, all echoed
    local line
    line=$(timeout -k 2 15 ip netns exec "$2" "$TB" rr "$3" "$ECHO_PORT" 100 10 2>&1 | tail -n 1)
    [ "$(kv "$line" done)" = 100 ] && [ "$(kv "$line" bad)" = 0 ] && return 0
    echo "    | $line" >&2
    die 2 "warm-up failed: $1"
}
warm "kernel -> tapstack" ip netns exec "$NS_A" ping -c 5 -i 0.05 -W 2 -q "$A_STACK"
warm "tapstack -> kernel" "$BIN" ctl --ctl "$SOCK" ping -c 5 -i 0.05 -W 2 -q "$A_KERN"
warm "kernel -> kernel (veth)" ip netns exec "$NS_B" ping -c 5 -i 0.05 -W 2 -q "$C_ADDR"
warm_rr "TCP echo, tapstack" "$NS_A" "$A_STACK"
warm_rr "TCP echo, Linux (veth)" "$NS_B" "$C_ADDR"

# ---- measuring ---------------------------------------------------------------------
declare -A VAL=()          # "metric|path" -> space-separated values, one per round
add() { VAL["$1|$2"]="${VAL["$1|$2"]:-}${VAL["$1|$2"]:+ }$3"; }
who() { [ "$1" = ts ] && echo tapstack || echo "Linux (veth)"; }

check_daemon() {  # check_daemon WHAT: alive and answering its control socket
    if ! alive "$DPID"; then
        wait "$DPID" 2>/dev/null; DSTATUS=$?; DPID=
        die 3 "the tapstack daemon died during '$1' (exit status $DSTATUS)"
    fi
    ctl echo ready 2>/dev/null | grep -qx ready || die 3 "the tapstack daemon stopped answering its control socket after '$1'"
}
check_server() {
    alive "$SPID" && return 0
    die 2 "the Linux tcpbench server died during '$1' ($(tail -n 2 "$TMP/server.out" | tr '\n' ' '))"
}

# TCP counters, "NAME VALUE" lines. tapstack: its nstat (absolute, history untouched,
# TsDrop* too); Linux: a namespace's /proc/net/snmp (nstat would write its history file).
ts_counters() { ctl nstat -a -s 2>/dev/null | awk '/^(Tcp|TsDrop)/ { print $1, $2 }'; }
lx_counters() {
    ip netns exec "$1" cat /proc/net/snmp 2>/dev/null |
        awk '$1 == "Tcp:" { if (!h) { for (i = 2; i <= NF; i++) n[i] = $i; h = 1 }
                           else for (i = 2; i <= NF; i++) print "Tcp" n[i], $i }'
}
ctr() { awk -v k="$2" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }' "$1"; }   # ctr FILE NAME
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
    timeout -k 3 "$limit" ip netns exec "$ns" "$TB" "$mode" "$dst" "$@" >"$TMP/last.out" 2>&1 &
    BG=("$!"); wait "$!"; BG=()
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
BENCH_NAME=bench_tcp
# shellcheck source=bench/table.sh
. "$(dirname "$0")/table.sh"

printf '%-38s %12s %12s %9s\n' "metric (medians of $ROUNDS rounds)" tapstack "Linux(veth)" ratio
printf '%-38s %12s %12s %9s\n' "------" "--------" "-----------" "-----"
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
for m in bulkin bulkout conn.rate rr.rate; do
    printf '  %-10s %-30s | %-30s | %s\n' "$m" "${VAL["$m|ts"]:-}" "${VAL["$m|lx"]:-}" \
        "$(ratios rate "${VAL["$m|ts"]:-}" "${VAL["$m|lx"]:-}")"
done

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
