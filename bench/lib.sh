# shellcheck shell=bash disable=SC2034,SC2154  # sets what its callers read; they set $here
# bench/lib.sh — what the benchmarks share (sourced, not run): the run's names and
# settings, the processes, namespaces, TAP and daemon they set up and always remove, the
# warm-up and health checks, and the result table with the end of a run (tapstack's clean
# shutdown checked, problems reported). Each bench_*.sh keeps only its own workload.
#
#   here=$(cd "$(dirname "$0")" && pwd)
#   . "$here/lib.sh"
#   bench_init bench_NAME "${1:-}"          # names, settings, the clean-up trap
#   bench_int ROUNDS TSB_ROUNDS 3 1 20      # checked integer settings
#   bench_preconditions "needs root (...)" ip ping ...   # root, tools, binary, TMP
#   ...
#
# Conventions: ts is the tapstack path (namespace NS_A, the kernel at A_KERN on the TAP's
# host side IF_A, the daemon's tap0 at A_STACK), lx the Linux path (namespaces NS_B and
# NS_C joined by the veth pair IF_B/IF_C, B_ADDR and C_ADDR). Every name carries TAG,
# 4 digits from the script's pid, so concurrent runs never collide. Only what the run
# created is removed: its namespaces (CREATED_NS), the processes it started (DPID: the
# daemon, SPID: the Linux-side server, BG: bounded clients), SOCK, DATA and TMP.
#
# The table: the caller fills the VAL associative array ("METRIC|ts" / "METRIC|lx":
# one value per round, with add) and prints rows with row. Ratios are per round, then the
# median: both paths of a round ran back to back, so each round's ratio sees the same
# machine noise.

# ---- the run: names, settings, clean-up --------------------------------------------
# bench_init NAME [BIN]: BENCH_NAME, root (the tree above $here), BIN (absolute), the
# common TSB_* settings, the names of both paths, the state the clean-up reads; installs
# the EXIT trap (bench_cleanup) and the INT/TERM/HUP one.
bench_init() {
    BENCH_NAME=$1
    root=$(cd "$here/.." && pwd)
    BIN=${2:-build/tapstack}
    case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
    VERBOSE=${TSB_VERBOSE:-0}
    SUMMARY=${TSB_SUMMARY:-}
    TAG=$(printf '%04d' $(( $$ % 10000 )))
    NS_A=tsb${TAG}A; IF_A=tsb${TAG}A0      # tapstack path: the kernel's side of the TAP
    NS_B=tsb${TAG}B; IF_B=tsb${TAG}B0      # Linux path: the client's side
    NS_C=tsb${TAG}C; IF_C=tsb${TAG}C0      # Linux path: the server's side
    A_KERN=10.77.0.1; A_STACK=10.77.0.2
    B_ADDR=10.78.0.1; C_ADDR=10.78.0.2
    SOCK=/tmp/tsb-$$.sock
    TMP=                                   # the run's temporary directory
    DATA=                                  # bulk files, when apart from TMP
    DPID=                                  # the tapstack daemon we started
    DSTATUS=                               # its exit status, once stopped
    SPID=                                  # the Linux-side server we started
    BG=()                                  # bounded commands running now (pids)
    CREATED_NS=()                          # namespaces we created (only these are removed)
    PROBLEMS=()                            # problems seen (printed, not fatal)
    STARTED=$(date +%s.%N)
    declare -gA VAL=()                     # "metric|path" -> values, one per round
    trap bench_cleanup EXIT
    trap 'echo "$BENCH_NAME: interrupted" >&2; exit 130' INT TERM HUP
}

# bench_int VAR ENV DEFAULT MIN MAX: VAR=${ENV:-DEFAULT}, an integer in MIN..MAX, or exit 2.
bench_int() {
    local -n v=$1
    v=${!2:-$3}
    case $v in ''|*[!0-9]*) echo "$BENCH_NAME: $2 must be a positive integer" >&2; exit 2 ;; esac
    [ "$v" -ge "$4" ] && [ "$v" -le "$5" ] || { echo "$BENCH_NAME: $2 $4..$5" >&2; exit 2; }
}

die() {  # die STATUS MESSAGE: a set-up failure (or daemon death): explain, clean up, exit
    local st=$1; shift
    echo "$BENCH_NAME: FAILED: $*" >&2
    if [ -n "$TMP" ] && [ -s "$TMP/daemon.err" ]; then
        echo "$BENCH_NAME: daemon stderr (last 10 lines):" >&2
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

stop_daemon() {  # stop the daemon we started; sets DSTATUS
    [ -n "$DPID" ] || return 0
    stop_pid "$DPID"
    DSTATUS=$STOP_STATUS
    [ "$STOP_KILLED" = 1 ] && PROBLEMS+=("tapstack did not exit within 10 s of SIGTERM (killed)")
    DPID=
}

# bounded CMD...: run CMD (a `timeout ...`) in the background and wait for it, so that a
# signal reaches the trap at once (bash runs traps only between commands) and the
# clean-up stops it by its pid. Returns CMD's status.
bounded() {
    local rc
    "$@" &
    BG=("$!")
    wait "$!"
    rc=$?
    BG=()
    return $rc
}

bench_cleanup() {  # the EXIT trap: stop what we started, remove what we created
    local rc=$? ns i p
    set +e
    trap - EXIT INT TERM HUP
    for p in "${BG[@]}"; do stop_pid "$p"; done
    [ -n "$SPID" ] && stop_pid "$SPID"
    stop_daemon
    # The daemon removes its TAP on exit; if it could not, deleting the namespace does.
    for ns in "${CREATED_NS[@]}"; do ip netns del "$ns" 2>/dev/null; done
    # A TAP or veth end that never left the default namespace (set-up failed half-way).
    for i in "${IF_A:-}" "${IF_B:-}" "${IF_C:-}" "${IF_D:-}"; do
        [ -n "$i" ] && ip link show dev "$i" >/dev/null 2>&1 && ip link del dev "$i" 2>/dev/null
    done
    rm -f "$SOCK"
    [ -n "$DATA" ] && rm -rf "$DATA"
    [ -n "$TMP" ] && rm -rf "$TMP"
    exit "$rc"
}

# ---- preconditions and set-up ------------------------------------------------------
# bench_preconditions TOOL...: root, the tools, the binary, TMP created, and none of the
# run's namespaces or interfaces already there (someone else's: left alone). Sets commit.
bench_preconditions() {
    local t ns i
    [ "$(id -u)" = 0 ] || die 2 "needs root (network namespaces, TAP devices)"
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 || die 2 "$t is not installed"
    done
    [ -x "$BIN" ] || die 2 "$BIN is not an executable (build it: make build/tapstack)"
    TMP=$(mktemp -d "/tmp/tsb-${BENCH_NAME/_/-}.XXXXXX") || die 2 "mktemp failed"
    for ns in "${NS_A:-}" "${NS_B:-}" "${NS_C:-}" "${NS_D:-}"; do
        [ -n "$ns" ] && ip netns list 2>/dev/null | awk '{print $1}' | grep -qx -- "$ns" &&
            die 2 "namespace $ns already exists (not ours: left alone)"
    done
    for i in "${IF_A:-}" "${IF_B:-}" "${IF_C:-}" "${IF_D:-}"; do
        [ -n "$i" ] && ip link show dev "$i" >/dev/null 2>&1 &&
            die 2 "interface $i already exists (not ours: left alone)"
    done
    commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
    if [ "$commit" != unknown ] && ! git -C "$root" diff-index --quiet HEAD -- 2>/dev/null; then
        commit="$commit (+ uncommitted changes)"
    fi
}
need_tun() { [ -c /dev/net/tun ] || die 2 "/dev/net/tun is missing"; }
need_iputils_ping() { ping -V 2>&1 | grep -q iputils || die 2 "ping is not iputils ping"; }

# compile_tool NAME: bench/NAME.c (with bench/benchlib.h) built with cc -O2 into $TMP/NAME.
compile_tool() {
    [ -r "$here/$1.c" ] || die 2 "$here/$1.c is missing"
    cc -O2 -Wall -o "$TMP/$1" "$here/$1.c" 2>"$TMP/cc.err" ||
        { cat "$TMP/cc.err" >&2; die 2 "compiling bench/$1.c failed"; }
}

netns_add() {  # netns_add NS: a namespace of ours, lo up, no IPv6
    ip netns add "$1" || die 2 "ip netns add $1 failed"
    CREATED_NS+=("$1")
    # No IPv6: no autoconf or MLD chatter on the links while measuring.
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1
    ip -n "$1" link set lo up || die 2 "ip -n $1 link set lo up failed"
}

ctl() { timeout 5 "$BIN" ctl --ctl "$SOCK" "$@"; }   # a daemon command, bounded

# daemon_up SCRIPT: the tapstack daemon running SCRIPT, its control socket answering.
daemon_up() {
    local ok=0 i
    rm -f "$SOCK"
    "$BIN" -d -n -f "$1" --ctl "$SOCK" >"$TMP/daemon.out" 2>"$TMP/daemon.err" &
    DPID=$!
    for ((i = 0; i < 200; i++)); do              # up to ~10 s
        alive "$DPID" || die 2 "tapstack daemon exited during start-up"
        if [ -S "$SOCK" ] && ctl echo ready 2>/dev/null | grep -qx ready; then ok=1; break; fi
        sleep 0.05
    done
    [ $ok = 1 ] || die 2 "the daemon's control socket $SOCK did not answer within 10 s"
}

# start_daemon [LINE...]: the tapstack path. The daemon with tap0 ($A_STACK/24) and the
# script LINEs (`serve KIND PROTO PORT` lines are checked in `serve list`), the TAP's
# host side moved into NS_A with $A_KERN/24.
start_daemon() {
    local ok=0 i l kind proto port
    printf '%s\n' "ip link add tap0 type tap ifname $IF_A" "ip addr add $A_STACK/24 dev tap0" \
        "ip link set tap0 up" "$@" >"$TMP/setup.ts"
    daemon_up "$TMP/setup.ts"
    ctl serve list >"$TMP/serve.list" 2>&1
    for l in "$@"; do
        read -r _ kind proto port _ <<<"$l"
        [ "${l%% *}" = serve ] || continue
        grep -q "^$proto $port $kind" "$TMP/serve.list" ||
            { sed 's/^/    | /' "$TMP/serve.list" >&2; die 2 "tapstack's $proto $kind server on $port is not running (serve list)"; }
    done
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
}

# veth_path: the Linux path, NS_B and NS_C joined by a veth pair created directly in them.
veth_path() {
    netns_add "$NS_B"
    netns_add "$NS_C"
    ip link add "$IF_B" netns "$NS_B" type veth peer name "$IF_C" netns "$NS_C" ||
        die 2 "creating veth $IF_B/$IF_C failed"
    ip -n "$NS_B" addr add "$B_ADDR/24" dev "$IF_B" || die 2 "address on $IF_B failed"
    ip -n "$NS_C" addr add "$C_ADDR/24" dev "$IF_C" || die 2 "address on $IF_C failed"
    ip -n "$NS_B" link set dev "$IF_B" up || die 2 "ip link set $IF_B up failed"
    ip -n "$NS_C" link set dev "$IF_C" up || die 2 "ip link set $IF_C up failed"
}

# start_server NAME CMD...: the Linux-side server CMD in NS_C, up when it prints "ready".
start_server() {
    local name=$1 ok=0 i; shift
    # `ip netns exec` execs the program: $! is the server's own pid.
    ip netns exec "$NS_C" "$@" >"$TMP/server.out" 2>&1 &
    SPID=$!
    for ((i = 0; i < 100; i++)); do
        alive "$SPID" || { cat "$TMP/server.out" >&2; die 2 "the Linux $name server exited during start-up"; }
        grep -qx ready "$TMP/server.out" && { ok=1; break; }
        sleep 0.05
    done
    [ $ok = 1 ] || die 2 "the Linux $name server did not start within 5 s"
}

link_mtu() { ip -n "$1" -o link show dev "$2" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p'; }  # link_mtu NS DEV

# ---- warm-up and health ------------------------------------------------------------
warm() {  # warm WHAT CMD...: CMD must succeed (three tries); else a set-up failure
    local what=$1 i; shift
    for ((i = 0; i < 3; i++)); do        # the link may need a moment after coming up
        timeout -s INT -k 2 15 "$@" >"$TMP/warm.out" 2>&1 && return 0
        sleep 0.5
    done
    sed 's/^/    | /' "$TMP/warm.out" >&2
    die 2 "warm-up failed: $what"
}
# warm_pings [reverse]: ARP resolved and caches warm on both paths, both ways.
warm_pings() {
    warm "kernel -> tapstack" ip netns exec "$NS_A" ping -c 5 -i 0.05 -W 2 -q "$A_STACK"
    warm "tapstack -> kernel" "$BIN" ctl --ctl "$SOCK" ping -c 5 -i 0.05 -W 2 -q "$A_KERN"
    warm "kernel -> kernel (veth)" ip netns exec "$NS_B" ping -c 5 -i 0.05 -W 2 -q "$C_ADDR"
    [ "${1:-}" = reverse ] &&
        warm "kernel -> kernel (veth, reverse)" ip netns exec "$NS_C" ping -c 5 -i 0.05 -W 2 -q "$B_ADDR"
    return 0
}

check_daemon() {  # check_daemon WHAT: alive and answering its control socket, else exit 3
    if ! alive "$DPID"; then
        wait "$DPID" 2>/dev/null; DSTATUS=$?; DPID=
        die 3 "the tapstack daemon died during '$1' (exit status $DSTATUS)"
    fi
    ctl echo ready 2>/dev/null | grep -qx ready ||
        die 3 "the tapstack daemon stopped answering its control socket after '$1'"
}
check_server() {  # check_server WHAT: the Linux-side server still runs, else exit 2
    alive "$SPID" && return 0
    die 2 "the Linux server died during '$1' ($(tail -n 2 "$TMP/server.out" | tr '\n' ' '))"
}

# kv LINE KEY: the value of KEY=VALUE in a client's result line (empty when absent).
kv() { awk -v k="$2" '{ for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) { print substr($i, length(k) + 2); exit } }' <<<"$1"; }
ctr() { awk -v k="$2" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }' "$1"; }   # ctr FILE NAME
# Counters, "NAME VALUE" lines. ts_snmp PROTO: tapstack's (its nstat: absolute, history
# untouched, TsDrop* too); lx_snmp NS PROTO: a namespace's /proc/net/snmp (nstat would
# write its history file, shared with other users of /tmp).
ts_snmp() { ctl nstat -a -s 2>/dev/null | awk -v p="$1" '$1 ~ "^(" p "|TsDrop)" { print $1, $2 }'; }
lx_snmp() {
    ip netns exec "$1" cat /proc/net/snmp 2>/dev/null |
        awk -v p="$2" '$1 == p ":" { if (!h) { for (i = 2; i <= NF; i++) n[i] = $i; h = 1 }
                                    else for (i = 2; i <= NF; i++) print p n[i], $i }'
}
who() { [ "$1" = ts ] && echo tapstack || echo "Linux (veth)"; }

# ---- the table ---------------------------------------------------------------------
add() { VAL["$1|$2"]="${VAL["$1|$2"]:-}${VAL["$1|$2"]:+ }$3"; }  # add METRIC PATH VALUE

table_head() {  # table_head [LINUX_LABEL]: the header of the table of medians
    local lx=${1:-Linux(veth)}
    printf '%-38s %12s %12s %9s\n' "metric (medians of $ROUNDS rounds)" tapstack "$lx" ratio
    printf '%-38s %12s %12s %9s\n' "------" "--------" "$(printf '%*s' ${#lx} '' | tr ' ' -)" "-----"
}
ratio_note() {  # what the ratio column means (the first lines of the notes under a table)
    echo "ratio: x1.00 = as good as Linux over veth; bigger is worse (times: tapstack/Linux;"
    echo "       rates: Linux/tapstack). It is the median of the per-round ratios (both paths of"
    echo "       a round ran back to back), so it can differ from the ratio of the two medians."
}

median() {  # median of the numeric words (NA ignored); NA if none
    printf '%s\n' $1 | grep -v '^NA$' | sort -g |
        awk '{ v[NR] = $1 } END { if (NR == 0) { print "NA"; exit }
              if (NR % 2) m = v[(NR + 1) / 2]; else m = (v[NR / 2] + v[NR / 2 + 1]) / 2
              print m }'
}
fmt() {  # fmt VALUE DECIMALS
    [ "$1" = NA ] && { echo NA; return; }
    awk -v v="$1" -v d="$2" 'BEGIN { printf "%.*f", d, v }'
}
# ratios KIND "TS1 TS2 ..." "LX1 LX2 ...": the per-round ratios, "time" -> TS/LX, "rate"
# -> LX/TS (bigger is worse either way); NA where a value is missing or zero. Both paths
# of a round ran back to back, so each round's ratio sees the same machine noise.
ratios() {
    awk -v k="$1" -v ts="$2" -v lx="$3" 'BEGIN {
        n = split(ts, t, " "); split(lx, l, " "); out = ""
        for (i = 1; i <= n; i++) {
            r = "NA"
            if (t[i] != "NA" && l[i] != "NA") {
                if (k == "time" && l[i] > 0) r = sprintf("%.3f", t[i] / l[i])
                if (k == "rate" && t[i] > 0) r = sprintf("%.3f", l[i] / t[i])
            }
            out = out (i > 1 ? " " : "") r
        }
        print out }'
}

row() {  # row LABEL METRIC KIND DECIMALS
    local label=$1 m=$2 kind=$3 dec=$4 ts lx rt
    ts=$(median "${VAL["$m|ts"]:-}")
    lx=$(median "${VAL["$m|lx"]:-}")
    if [ "$kind" = abs ]; then
        rt="-"
    else
        rt=$(median "$(ratios "$kind" "${VAL["$m|ts"]:-}" "${VAL["$m|lx"]:-}")")
        [ "$rt" != NA ] && rt=$(awk -v r="$rt" 'BEGIN { printf "x%.2f", r }')
    fi
    printf '%-38s %12s %12s %9s\n' "$label" "$(fmt "$ts" "$dec")" "$(fmt "$lx" "$dec")" "$rt"
    [ -n "$SUMMARY" ] && echo "$BENCH_NAME|$label|$(fmt "$ts" "$dec")|$(fmt "$lx" "$dec")|$rt" >>"$SUMMARY"
    return 0
}

# per_round_row METRIC rate|time|- NAME_WIDTH VALUES_WIDTH: one line of the per-round
# values: tapstack's, Linux's and (unless -) their ratios.
per_round_row() {
    local m=$1 rt=""
    [ "$2" != - ] && rt=$(ratios "$2" "${VAL["$m|ts"]:-}" "${VAL["$m|lx"]:-}")
    printf "  %-${3}s %-${4}s | %-${4}s | %s\n" "$m" "${VAL["$m|ts"]:-}" "${VAL["$m|lx"]:-}" "$rt"
}

# bench_finish NONE_TEXT: stop the daemon, check it shut down cleanly (exit 0, TAP gone,
# nothing on stderr), then bench_report.
bench_finish() {
    stop_daemon
    if [ "$DSTATUS" != 0 ]; then
        PROBLEMS+=("tapstack exited with status $DSTATUS on SIGTERM (expected 0, a clean shutdown)")
    fi
    if [ -n "${IF_A:-}" ] && ip -n "$NS_A" link show dev "$IF_A" >/dev/null 2>&1; then
        PROBLEMS+=("the TAP's host side $IF_A still exists after tapstack exited")
    fi
    if [ -s "$TMP/daemon.err" ]; then
        PROBLEMS+=("tapstack wrote to stderr: $(head -n 3 "$TMP/daemon.err" | tr '\n' ' ' | cut -c1-200)")
    fi
    bench_report "$1"
}

# bench_report NONE_TEXT: the problems seen (or "none (NONE_TEXT)"), the summary row and
# the run time.
bench_report() {
    echo
    if [ ${#PROBLEMS[@]} -eq 0 ]; then
        echo "problems: none ($1)"
    else
        echo "problems seen (${#PROBLEMS[@]}):"
        for p in "${PROBLEMS[@]}"; do echo "  - $p"; done
    fi
    [ -n "$SUMMARY" ] && echo "$BENCH_NAME|problems|${#PROBLEMS[@]}|||" >>"$SUMMARY"
    echo "$BENCH_NAME: done in $(awk -v s="$STARTED" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s"
}
