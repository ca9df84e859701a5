#!/usr/bin/env bash
# bench/syscalls_per_echo.sh — system calls and context switches per ICMP echo in the
# tapstack daemon, counted by perf's syscall tracepoints (see bench/README.md).
#
#   bash bench/syscalls_per_echo.sh [BIN]     BIN: the tapstack binary (default build/tapstack)
#
# The daemon answers on tap0 (10.79.0.2/24); the TAP's host side (10.79.0.1/24) sits in
# namespace tsb<T>S, where `ping -f -c N` runs. While it runs,
#   perf stat -e 'syscalls:sys_enter_*' -e context-switches -p DAEMON
# counts what the daemon does; each count is divided by the replies ping received.
# Three placements: unpinned, ping and the daemon pinned to one CPU, and to two CPUs.
# A count is exact (perf counts every entry); the per-echo figure includes the few
# calls of the daemon's loop that are not per echo (timers), which N makes negligible.
#
# Environment: TSS_N [10000] echoes per run. Exit status: 0 when it ran; 2 when something
# could not be set up. Everything created (daemon, TAP, namespace, socket, files) is
# removed on every exit path; the daemon is stopped by its pid only.
set -u
export LC_ALL=C

BIN=${1:-build/tapstack}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
N=${TSS_N:-10000}
case $N in ''|*[!0-9]*) echo "syscalls_per_echo: TSS_N must be a positive integer" >&2; exit 2 ;; esac

TAG=$(printf '%04d' $(( $$ % 10000 )))
NS=tsb${TAG}S; IF=tsb${TAG}S0
KERN=10.79.0.1; STACK=10.79.0.2
SOCK=/tmp/tsb-$$.sock
TMP=; DPID=; MADE_NS=0

die() { echo "syscalls_per_echo: FAILED: $*" >&2; exit 2; }
alive() { [ -r "/proc/$1/stat" ] && ! sed 's/.*) //' "/proc/$1/stat" | grep -q '^[ZX]'; }
cleanup() {
    local rc=$? i
    set +e
    trap - EXIT INT TERM HUP
    if [ -n "$DPID" ]; then
        kill -TERM "$DPID" 2>/dev/null
        for ((i = 0; i < 200; i++)); do alive "$DPID" || break; sleep 0.05; done
        alive "$DPID" && kill -KILL "$DPID" 2>/dev/null
        wait "$DPID" 2>/dev/null
    fi
    [ "$MADE_NS" = 1 ] && ip netns del "$NS" 2>/dev/null
    ip link show dev "$IF" >/dev/null 2>&1 && ip link del dev "$IF" 2>/dev/null
    rm -f "$SOCK"
    [ -n "$TMP" ] && rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

[ "$(id -u)" = 0 ] || die "needs root"
for t in ip ping perf taskset timeout awk; do command -v "$t" >/dev/null || die "$t is not installed"; done
[ -x "$BIN" ] || die "$BIN is not an executable"
ip netns list | awk '{print $1}' | grep -qx -- "$NS" && die "namespace $NS exists (not ours)"
TMP=$(mktemp -d /tmp/tsb-syscalls.XXXXXX) || die "mktemp failed"

printf 'ip link add tap0 type tap ifname %s\nip addr add %s/24 dev tap0\nip link set tap0 up\n' \
    "$IF" "$STACK" >"$TMP/setup.ts"
"$BIN" -d -n -f "$TMP/setup.ts" --ctl "$SOCK" >"$TMP/daemon.out" 2>"$TMP/daemon.err" &
DPID=$!
for ((i = 0; i < 200; i++)); do
    alive "$DPID" || die "the daemon exited: $(tail -n 3 "$TMP/daemon.err")"
    [ -S "$SOCK" ] && ip link show dev "$IF" >/dev/null 2>&1 && break
    sleep 0.05
done
ip link show dev "$IF" >/dev/null 2>&1 || die "host interface $IF did not appear"
ip netns add "$NS" || die "ip netns add failed"
MADE_NS=1
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip link set dev "$IF" netns "$NS" || die "moving $IF failed"
ip -n "$NS" addr add "$KERN/24" dev "$IF" && ip -n "$NS" link set dev "$IF" up || die "configuring $IF failed"
ip netns exec "$NS" ping -c 3 -i 0.05 -W 2 -q "$STACK" >/dev/null || die "warm-up ping failed"

# measure LABEL PING_CPUS DAEMON_CPUS (empty: not pinned)
measure() {
    local label=$1 pcpu=$2 dcpu=$3 rx
    local pre=()
    [ -n "$pcpu" ] && pre=(taskset -c "$pcpu")
    if [ -n "$dcpu" ]; then taskset -a -p -c "$dcpu" "$DPID" >/dev/null; else taskset -a -p -c "0-$(( $(nproc) - 1 ))" "$DPID" >/dev/null; fi
    timeout -s INT 120 perf stat -x, -o "$TMP/perf.out" -e 'syscalls:sys_enter_*' -e context-switches \
        -p "$DPID" -- ip netns exec "$NS" "${pre[@]}" ping -f -q -c "$N" "$STACK" >"$TMP/ping.out" 2>&1
    rx=$(sed -n 's/.* \([0-9]*\) \(packets \)\{0,1\}received.*/\1/p' "$TMP/ping.out")
    [ -n "$rx" ] && [ "$rx" -gt 0 ] || die "$label: ping got no replies: $(cat "$TMP/ping.out")"
    awk -F, -v rx="$rx" -v label="$label" '
        $1 ~ /^[0-9]+$/ && $1 > 0 {
            name = $3; sub(/^syscalls:sys_enter_/, "", name)
            if (name == "context-switches") cs = $1; else { tot += $1; per[name] = $1 }
        }
        END {
            line = ""
            for (n in per) if (per[n] / rx >= 0.005) line = line sprintf(" %s %.2f", n, per[n] / rx)
            printf "%-26s replies %6d  syscalls/echo %5.2f  context switches/echo %4.2f |%s\n",
                   label, rx, tot / rx, cs / rx, line
        }' "$TMP/perf.out"
}

echo "syscalls_per_echo: $BIN, ping -f -c $N against tapstack (per echo, counted in the daemon)"
measure "unpinned" "" ""
measure "1 CPU (both on CPU 0)" 0 0
measure "2 CPUs (ping 0, daemon 1)" 0 1
