#!/usr/bin/env bash
# The stack's neighbour entry for the kernel walks Linux's NUD machine
# (net/core/neighbour.c neigh_timer_handler), watched with `ip neigh show dev tap0`:
#
#   base_reachable_time_ms=1000 (reachable_time is then random in [0.5, 1.5) s),
#   delay_first_probe_time=5 s (default), retrans 1 s, ucast_solicit 3.
#
#   ping once            -> REACHABLE (resolved by ARP)
#   idle                 -> STALE, possibly through DELAY -> PROBE -> REACHABLE first: on
#                           Linux an entry used less than delay_first_probe_time ago goes
#                           REACHABLE -> DELAY, not STALE, when reachable_time runs out
#   one ping on STALE    -> DELAY at once (the packet goes out, confirmation awaited)
#   within 5 s (+ a probe) -> PROBE -> REACHABLE (the kernel answers the unicast probe);
#                           a ping reply is no confirmation on Linux
#
# Every observed change must be an edge Linux allows; STALE and DELAY must be seen.
# `ip -s neigh` must show the pending timer ("next STATE in N.Ns").
. "$(dirname "$0")/lib.sh"
tsl_topology_a
peer=10.99.0.1
key=$(sab 10.99.0.1 10.99.0.3)

out=$(ts sysctl -w net.ipv4.neigh.tap0.base_reachable_time_ms=1000 2>&1) ||
    fail "sysctl -w net.ipv4.neigh.tap0.base_reachable_time_ms=1000: $out"
expect_contains sysctl "$out" '^net\.ipv4\.neigh\.tap0\.base_reachable_time_ms = 1000$'
out=$(ts sysctl net.ipv4.neigh.tap0.delay_first_probe_time 2>&1)
expect_contains sysctl "$out" '^net\.ipv4\.neigh\.tap0\.delay_first_probe_time = 5$'

# state: the NUD state of $key in the stack's table ("" when there is no entry).
state() {
    ts ip neigh show dev tap0 2>/dev/null | awk -v k="$key" '$1 == k { print $NF; exit }'
}

seq=""          # observed states, consecutive duplicates folded
last=""
observe() {
    local s=$1
    [ "$s" = "$last" ] && return 0
    case "$last>$s" in
        ">"*|"REACHABLE>STALE"|"REACHABLE>DELAY"|"DELAY>REACHABLE"|"DELAY>PROBE"|"PROBE>REACHABLE"|"STALE>DELAY") ;;
        *) fail "illegal NUD transition $last -> ${s:-<no entry>} (so far: $seq)" ;;
    esac
    seq="${seq:+$seq -> }${s:-<no entry>}"
    last=$s
}
# poll_until STATE SECONDS: observe every ~0.1 s until STATE is seen.
poll_until() {
    local want=$1 t=$2 s t0=$SECONDS
    while [ $((SECONDS - t0)) -lt "$t" ]; do
        s=$(state)
        [ -n "$s" ] || fail "no neighbour entry for $key in the stack (sequence so far: $seq)"
        observe "$s"
        [ "$s" = "$want" ] && return 0
        sleep 0.1
    done
    fail "$key did not become $want within ${t}s (sequence: $seq)"
}

out=$(ts ping -c 1 -W 2 $peer 2>&1) || fail "first ping -c 1 $peer failed: $out"
s=$(state)
[ "$s" = REACHABLE ] || fail "right after a successful ping, $key is \"${s:-<no entry>}\", expected REACHABLE"
observe "$s"

# Idle: reachable_time (<= 1.5 s), then DELAY until delay_first_probe_time after the last
# use, a probe, REACHABLE again, and STALE another reachable_time later: <= ~8.5 s.
poll_until STALE 12
note "idle: $seq"
seq_idle=$seq

# One ping on a STALE entry: DELAY at once.
out=$(ts ping -c 1 -W 2 $peer 2>&1) || fail "second ping -c 1 $peer failed: $out"
s=$(state)
[ "$s" = DELAY ] || fail "right after a ping on a STALE entry, $key is \"${s:-<no entry>}\", expected DELAY"
seq=""; last=STALE; observe DELAY

# The timer is shown by ip -s neigh.
sn=$(ts ip -s neigh show dev tap0 2>&1)
line=$(printf '%s\n' "$sn" | grep "^$key ")
printf '%s\n' "$line" | grep -qE 'next [A-Za-z]+ in [0-9]+(\.[0-9]+)?s' ||
    fail "ip -s neigh show dev tap0: the line for $key (\"$line\") lacks the timer \"next ... in ...s\""
note "ip -s neigh: $line"

# delay_first_probe_time 5 s, then a unicast probe answered within ~1 s.
poll_until REACHABLE 8
note "after a ping on STALE: $seq"
case "$seq_idle" in *STALE*) ;; *) fail "STALE never observed" ;; esac
case "$seq" in *DELAY*) ;; *) fail "DELAY never observed" ;; esac
