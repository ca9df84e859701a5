#!/usr/bin/env bash
# Commands on a non-terminal stdin: `tapstack -n --ctl SOCK < PIPE` runs each line to
# completion (the asynchronous ping too, before the next line starts), keeps the stack
# running meanwhile, and exits with status 0 at end of input, its TAP removed.
. "$(dirname "$0")/lib.sh"
IF_S=$(tsl_name S0)
NS_S=$(tsl_name S)
fifo=$TSL_TMP/stdin
mkfifo "$fifo"
TSL_DAEMON_OUT=$TSL_TMP/stdin.out
TSL_DAEMON_ERR=$TSL_TMP/daemon-stdin.err
"$TSL_BIN" -n --ctl "$TSL_SOCK" <"$fifo" >"$TSL_DAEMON_OUT" 2>"$TSL_DAEMON_ERR" &
TSL_DAEMON_PID=$!
TSL_PIDS+=("$TSL_DAEMON_PID")
tsl_record "pid $TSL_DAEMON_PID $TSL_SOCK"
exec 3>"$fifo"
printf '%s\n' "ip link add tap0 type tap ifname $IF_S" "ip addr add 10.97.0.2/24 dev tap0" \
    "ip link set tap0 up" "echo configured" >&3
# The host side is configured while the stack runs, between two lines of its input.
for ((i = 0; i < 100; i++)); do grep -q '^configured$' "$TSL_DAEMON_OUT" && break; tsl_alive $TSL_DAEMON_PID || break; sleep 0.05; done
grep -q '^configured$' "$TSL_DAEMON_OUT" || fail "the first lines did not run (output: $(head -c 300 "$TSL_DAEMON_OUT"; head -c 300 "$TSL_DAEMON_ERR"))"
tsl_netns_add "$NS_S"
tsl_move_if "$IF_S" "$NS_S" 10.97.0.1/24
dst=$(sab 10.97.0.1 10.97.0.3)
printf '%s\n' "ping -c 2 $dst" "echo after-ping" "ip neigh show dev tap0" >&3
exec 3>&-            # end of input
tsl_daemon_exited "$TSL_DAEMON_PID" 20
rc=$?
out=$(cat "$TSL_DAEMON_OUT")
[ $rc = 255 ] && fail "tapstack still runs 20 s after the end of its input"
[ $rc = 0 ] || { printf '%s\n' "$out" | sed 's/^/    | /'; sed 's/^/    ! /' "$TSL_DAEMON_ERR" | head -n 10; fail "tapstack exited with status $rc at end of input, expected 0"; }
expect_contains "stdin ping" "$out" '^2 packets transmitted, 2 received, 0% packet loss'
# ping ran to completion before the next line started: its statistics come first.
a=$(printf '%s\n' "$out" | grep -n 'packets transmitted' | head -n 1 | cut -d: -f1)
b=$(printf '%s\n' "$out" | grep -n '^after-ping$' | head -n 1 | cut -d: -f1)
[ -n "$b" ] || fail "the line after ping never ran"
[ "$a" -lt "$b" ] || fail "the line after ping ran before ping finished (statistics at line $a, next command's output at line $b)"
expect_contains "stdin ip neigh" "$out" "^$dst lladdr [0-9a-f:]+ REACHABLE *$"
tsl_if_gone "$NS_S" "$IF_S" 2 || fail "$IF_S still exists after tapstack exited"
[ -s "$TSL_DAEMON_ERR" ] && fail "unexpected stderr: $(head -c 300 "$TSL_DAEMON_ERR")"
note "stdin mode: exit 0, ping 2/2, $IF_S gone"
