# tests/live/lib.sh — shared helpers for the live tests (sourced by tests/live/t_*.sh).
#
# Every test talks to the real Linux kernel over TAP devices whose host side lives in a
# network namespace the test creates; nothing is sent anywhere else. Names are unique per
# run: namespaces and host interfaces are "tsl<TAG><X>" (TAG = 6 hex digits), so a concurrent
# run, or a user's tap0, is never touched.
#
# Environment (set by run_live.sh; a test can also be run alone: TSL_BIN=... bash t_x.sh):
#   TSL_BIN       the tapstack binary (normally an ASan build)
#   TSL_TAG       6-hex-digit run tag used in every name (default: random)
#   TSL_STATE     file where pids/namespaces are recorded, so run_live.sh can sweep up
#                 after a test that was killed by its time limit
#   TSL_SABOTAGE  1: each test deliberately asserts something false (a wrong address,
#                 a wrong count) and must then FAIL — proves the assertions can fail
#
# A test reports with `fail REASON` (prints "FAIL: REASON", exits 1) or `skip REASON`
# (exit 77); reaching the end is a pass. The EXIT trap (tsl_cleanup) stops every daemon
# by pid with SIGTERM, requires exit status 0 and no sanitizer report on its stderr,
# requires its TAP interfaces to be gone, deletes the namespaces and checks that no
# interface of this run remains — and turns a pass into a FAIL when any of that is wrong.

set -u
export LC_ALL=C
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

TSL_BIN=${TSL_BIN:?TSL_BIN (path to tapstack) must be set}
case $TSL_BIN in /*) ;; *) TSL_BIN=$PWD/$TSL_BIN ;; esac
TSL_TAG=${TSL_TAG:-$(printf '%06x' $(( (RANDOM << 9 ^ RANDOM ^ $$) & 0xffffff )))}
TSL_SABOTAGE=${TSL_SABOTAGE:-0}
TSL_STATE=${TSL_STATE:-}
TSL_TMP=$(mktemp -d "/tmp/tsl-$$.XXXXXX")
TSL_SOCK=/tmp/tsl-$$.sock          # the control socket (never /run/tapstack.sock)

# ctl clients are sanitized too: their reports go to files (checked at cleanup), so they
# cannot disturb the stderr a test looks at.
TSL_CLIENT_ENV=(env "ASAN_OPTIONS=$ASAN_OPTIONS:log_path=$TSL_TMP/client-asan"
                "UBSAN_OPTIONS=$UBSAN_OPTIONS:log_path=$TSL_TMP/client-ubsan")

TSL_PIDS=()            # daemons we started
TSL_HELPERS=()         # background ctl clients we started
TSL_NSS=()             # namespaces we created
TSL_DAEMON_PID=        # the current daemon
TSL_DAEMON_ERR=
TSL_DAEMON_OUT=
declare -A TSL_STOPPED=()     # pid -> exit status, for daemons already reaped

# Names for this run.
tsl_name() { echo "tsl${TSL_TAG}$1"; }
NS_A=$(tsl_name A);  IF_A=$(tsl_name A0)
NS_B=$(tsl_name B);  IF_B=$(tsl_name B0)

note() { echo "    $*"; }
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

# sab NORMAL WRONG: the value a test asserts on — WRONG when sabotaging.
sab() { if [ "$TSL_SABOTAGE" = 1 ]; then echo "$2"; else echo "$1"; fi; }

need_tool() { command -v "$1" >/dev/null 2>&1 || skip "$1 is not installed"; }

tsl_record() { [ -n "$TSL_STATE" ] && echo "$*" >>"$TSL_STATE"; return 0; }

# ---- namespaces ---------------------------------------------------------------------

# tsl_netns_add NS: create namespace NS, no IPv6 inside (no autoconf/MLD chatter on the
# TAP), loopback up.
tsl_netns_add() {
    local ns=$1
    ip netns add "$ns" || fail "ip netns add $ns failed"
    TSL_NSS+=("$ns")
    tsl_record "ns $ns"
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 \
        net.ipv6.conf.all.disable_ipv6=1 >/dev/null 2>&1 || true
    ip -n "$ns" link set lo up || fail "ip -n $ns link set lo up failed"
}

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# tsl_wait_host_if IF [SECONDS]: wait until host interface IF exists (default namespace).
tsl_wait_host_if() {
    local ifn=$1 t=${2:-10} i
    for ((i = 0; i < t * 20; i++)); do
        ip link show dev "$ifn" >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    fail "host interface $ifn did not appear within ${t}s"
}

# tsl_move_if IF NS ADDR/PLEN [GATEWAY]: move the host side of a TAP into NS, configure it
# there and bring it up; optionally a default route via GATEWAY.
tsl_move_if() {
    local ifn=$1 ns=$2 addr=$3 gw=${4:-}
    tsl_wait_host_if "$ifn"
    ip link set dev "$ifn" netns "$ns" || fail "ip link set $ifn netns $ns failed"
    nsx "$ns" sysctl -qw "net.ipv6.conf.$ifn.disable_ipv6=1" >/dev/null 2>&1 || true
    ip -n "$ns" addr add "$addr" dev "$ifn" || fail "ip -n $ns addr add $addr dev $ifn failed"
    ip -n "$ns" link set dev "$ifn" up || fail "ip -n $ns link set $ifn up failed"
    if [ -n "$gw" ]; then
        ip -n "$ns" route add default via "$gw" || fail "ip -n $ns route add default via $gw failed"
    fi
}

# ---- the daemon ---------------------------------------------------------------------

# tsl_daemon_start SETUP_LINES...: write the lines to a -f file and run
# `tapstack -d -n -f FILE --ctl SOCK`; wait (bounded) until the control socket answers.
tsl_daemon_start() {
    local setup=$TSL_TMP/setup.ts i
    printf '%s\n' "$@" >"$setup"
    TSL_DAEMON_OUT=$TSL_TMP/daemon.out
    TSL_DAEMON_ERR=$TSL_TMP/daemon.err
    rm -f "$TSL_SOCK"
    "$TSL_BIN" -d -n -f "$setup" --ctl "$TSL_SOCK" >"$TSL_DAEMON_OUT" 2>"$TSL_DAEMON_ERR" &
    TSL_DAEMON_PID=$!
    TSL_PIDS+=("$TSL_DAEMON_PID")
    tsl_record "pid $TSL_DAEMON_PID $TSL_SOCK"
    for ((i = 0; i < 200; i++)); do
        if ! tsl_alive "$TSL_DAEMON_PID"; then
            fail "daemon exited during start-up: $(tr '\n' ' ' <"$TSL_DAEMON_ERR" | cut -c1-300)"
        fi
        if [ -S "$TSL_SOCK" ] && timeout 5 "${TSL_CLIENT_ENV[@]}" "$TSL_BIN" ctl --ctl "$TSL_SOCK" echo ready 2>/dev/null | grep -qx ready; then
            # The -f lines ran before the socket served anything; each must have worked.
            [ -s "$TSL_DAEMON_ERR" ] && fail "daemon set-up printed errors: $(head -n 3 "$TSL_DAEMON_ERR" | tr '\n' ' ')"
            return 0
        fi
        sleep 0.05
    done
    fail "daemon's control socket $TSL_SOCK did not answer within 10s"
}

# The standard topology: stack tap0 10.99.0.2/24 <-> host tslTAGA0 10.99.0.1/24 in tslTAGA.
tsl_topology_a() {
    tsl_daemon_start \
        "ip link add tap0 type tap ifname $IF_A" \
        "ip addr add 10.99.0.2/24 dev tap0" \
        "ip link set tap0 up"
    tsl_netns_add "$NS_A"
    tsl_move_if "$IF_A" "$NS_A" 10.99.0.1/24
}

# The stack as a router between two namespaces (net.ipv4.ip_forward=1):
#   tslA 10.99.0.1/24 (default via .2) --tap0-- stack --tap1-- 10.98.0.1/24 (default via .2) tslB
tsl_topology_router() {
    tsl_daemon_start \
        "ip link add tap0 type tap ifname $IF_A" \
        "ip link add tap1 type tap ifname $IF_B" \
        "ip addr add 10.99.0.2/24 dev tap0" \
        "ip addr add 10.98.0.2/24 dev tap1" \
        "ip link set tap0 up" \
        "ip link set tap1 up" \
        "sysctl -w net.ipv4.ip_forward=1"
    tsl_netns_add "$NS_A"
    tsl_netns_add "$NS_B"
    tsl_move_if "$IF_A" "$NS_A" 10.99.0.1/24 10.99.0.2
    tsl_move_if "$IF_B" "$NS_B" 10.98.0.1/24 10.98.0.2
}

# A namespace c1 in the stack behind a veth pair, as labs/docker wires a container
# (after tsl_topology_a): v0 10.98.0.1/24 in the stack's default namespace (forwarding
# on), v1 10.98.0.2/24 in c1 (default via 10.98.0.1); tslA reaches 10.98.0.0/24 via
# the stack.
tsl_veth_c1() {
    local c out
    for c in "sysctl -w net.ipv4.ip_forward=1" "ip netns add c1" \
             "ip link add v0 type veth peer name v1 netns c1" \
             "ip addr add 10.98.0.1/24 dev v0" "ip link set v0 up" \
             "ip netns exec c1 ip addr add 10.98.0.2/24 dev v1" "ip netns exec c1 ip link set v1 up" \
             "ip netns exec c1 ip route add default via 10.98.0.1"; do
        out=$(ts $c 2>&1) || fail "$c: $out"
    done
    nsx "$NS_A" ip route add 10.98.0.0/24 via 10.99.0.2 || fail "route to 10.98.0.0/24 in $NS_A"
}

# ts COMMAND...: run one command in the daemon through `tapstack ctl` (bounded by
# TS_TIMEOUT seconds, default 30; the client then gets SIGTERM and interrupts it).
ts() { timeout -k 3 "${TS_TIMEOUT:-30}" "${TSL_CLIENT_ENV[@]}" "$TSL_BIN" ctl --ctl "$TSL_SOCK" "$@"; }

# tsl_alive PID: running (not a zombie).
tsl_alive() {
    local st
    [ -r "/proc/$1/stat" ] || return 1
    st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
    [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# tsl_wait_exit PID SECONDS: wait until PID has exited; then reap it. Returns its exit
# status, or 255 (and leaves it running) on timeout. Only for our own children.
tsl_wait_exit() {
    local pid=$1 t=$2 i rc
    for ((i = 0; i < t * 20; i++)); do
        tsl_alive "$pid" || break
        sleep 0.05
    done
    tsl_alive "$pid" && return 255
    wait "$pid" 2>/dev/null
    rc=$?
    return $rc
}

# tsl_daemon_stop [PID]: SIGTERM, wait; echoes nothing, returns the exit status (255:
# did not exit in 15 s, then it is SIGKILLed).
tsl_daemon_stop() {
    local pid=${1:-$TSL_DAEMON_PID} rc
    [ -n "$pid" ] || return 0
    if [ -n "${TSL_STOPPED[$pid]+x}" ]; then return "${TSL_STOPPED[$pid]}"; fi
    tsl_alive "$pid" && kill -TERM "$pid" 2>/dev/null
    tsl_wait_exit "$pid" 15
    rc=$?
    if [ $rc = 255 ] && tsl_alive "$pid"; then
        kill -KILL "$pid" 2>/dev/null
        tsl_wait_exit "$pid" 5
        rc=255
    fi
    TSL_STOPPED[$pid]=$rc
    return $rc
}

# tsl_daemon_exited PID SECONDS: the daemon is expected to stop by itself (exit command):
# wait for it, record its status. Returns the status (255: still running).
tsl_daemon_exited() {
    local pid=$1 t=$2 rc
    tsl_wait_exit "$pid" "$t"
    rc=$?
    [ $rc != 255 ] && TSL_STOPPED[$pid]=$rc
    return $rc
}

# tsl_sanitizer_report FILE: print the first sanitizer line of FILE, if any.
tsl_sanitizer_report() {
    grep -m1 -E 'ERROR: (Address|Leak|Memory|Thread|UndefinedBehavior)Sanitizer|runtime error:|SUMMARY: (Address|Leak|Undefined)' "$1" 2>/dev/null
}

# tsl_if_gone NS IF [SECONDS]: interface IF does not exist in NS (waits up to SECONDS).
tsl_if_gone() {
    local ns=$1 ifn=$2 t=${3:-2} i
    for ((i = 0; i <= t * 20; i++)); do
        ip -n "$ns" link show dev "$ifn" >/dev/null 2>&1 || return 0
        sleep 0.05
    done
    return 1
}

# tsl_helper PID: a background client to kill at cleanup if it still runs.
tsl_helper() { TSL_HELPERS+=("$1"); tsl_record "pid $1 $TSL_SOCK"; }

tsl_cleanup() {
    local rc=$? problems=() pid st ns ifs rep
    set +e
    trap - EXIT
    for pid in "${TSL_HELPERS[@]}"; do
        if tsl_alive "$pid"; then
            kill -KILL "$pid" 2>/dev/null
            tsl_wait_exit "$pid" 3
        fi
    done
    for pid in "${TSL_PIDS[@]}"; do
        tsl_daemon_stop "$pid"
        st=$?
        [ "$st" = 0 ] || problems+=("tapstack (pid $pid) exit status $st on SIGTERM/exit, expected 0")
    done
    for f in "$TSL_TMP"/client-asan* "$TSL_TMP"/client-ubsan*; do
        [ -f "$f" ] || continue
        rep=$(tsl_sanitizer_report "$f")
        problems+=("sanitizer report from a ctl client: ${rep:-see $(basename "$f")}")
        sed 's/^/    | /' "$f" | head -n 20
    done
    for f in "$TSL_TMP"/daemon*.err "$TSL_TMP"/*.stderr; do
        [ -f "$f" ] || continue
        rep=$(tsl_sanitizer_report "$f")
        [ -n "$rep" ] && problems+=("sanitizer report in $(basename "$f"): $rep")
    done
    # Clean shutdown removes the TAPs: none of this run's interfaces may remain anywhere.
    for ns in "${TSL_NSS[@]}"; do
        for ((i = 0; i < 20; i++)); do
            ifs=$(ip -n "$ns" -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | grep "^tsl$TSL_TAG")
            [ -z "$ifs" ] && break
            sleep 0.1
        done
        [ -n "$ifs" ] && problems+=("interface(s) $(echo $ifs) still exist in namespace $ns after tapstack exited")
    done
    for ns in "${TSL_NSS[@]}"; do
        ip netns del "$ns" 2>/dev/null || problems+=("ip netns del $ns failed")
    done
    ifs=$(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | grep "^tsl$TSL_TAG")
    if [ -n "$ifs" ]; then
        problems+=("interface(s) $(echo $ifs) remain in the default namespace")
        for i in $ifs; do ip link del dev "$i" 2>/dev/null; done
    fi
    if [ -n "$TSL_DAEMON_ERR" ] && [ -s "$TSL_DAEMON_ERR" ] && { [ $rc != 0 ] || [ ${#problems[@]} -gt 0 ]; }; then
        echo "    --- daemon stderr (last 15 lines):"
        tail -n 15 "$TSL_DAEMON_ERR" | sed 's/^/    | /'
    fi
    rm -f "$TSL_SOCK"
    rm -rf "$TSL_TMP"
    if [ ${#problems[@]} -gt 0 ]; then
        for p in "${problems[@]}"; do echo "FAIL: cleanup: $p"; done
        [ $rc = 0 ] && rc=1
    fi
    exit $rc
}
trap tsl_cleanup EXIT
trap 'echo "FAIL: interrupted by a signal (time limit?)"; exit 143' TERM INT HUP

# ---- assertions ---------------------------------------------------------------------

# expect_contains WHAT TEXT PATTERN (grep -E)
expect_contains() {
    printf '%s\n' "$2" | grep -qE -- "$3" || { printf '%s\n' "$2" | tail -n 12 | sed 's/^/    | /'; fail "$1: output lacks /$3/"; }
}
expect_lacks() {
    if printf '%s\n' "$2" | grep -qE -- "$3"; then printf '%s\n' "$2" | tail -n 12 | sed 's/^/    | /'; fail "$1: output unexpectedly has /$3/"; fi
}
count_matches() { printf '%s\n' "$1" | grep -cE -- "$2"; }
