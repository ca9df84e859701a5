#!/usr/bin/env bash
# The control socket (docs/commands.md):
#  - a bad command prints exactly one line on stderr, beginning with the command's name,
#    exits non-zero, and the daemon keeps running (a ping right after works);
#  - `ping -c 2` output is streamed as it happens, not at the end;
#  - SIGINT to a ctl client running `ping` (no -c) interrupts the command: ping prints
#    its statistics and the client exits with ping's status (0: replies came);
#  - `exit` through ctl stops the daemon cleanly: status 0, its TAP gone.
. "$(dirname "$0")/lib.sh"
tsl_topology_a
kern=$(sab 10.99.0.1 10.99.0.3)

# 1. a bad command
ts ip link set nosuchdev up >"$TSL_TMP/bad.out" 2>"$TSL_TMP/bad.err"
rc=$?
[ $rc != 0 ] || fail "ip link set nosuchdev up: exit 0, expected non-zero"
nl=$(wc -l <"$TSL_TMP/bad.err")
[ "$nl" = 1 ] || { sed 's/^/    | /' "$TSL_TMP/bad.err"; fail "ip link set nosuchdev up: $nl lines on stderr, expected exactly 1"; }
grep -q '^ip' "$TSL_TMP/bad.err" || fail "ip link set nosuchdev up: stderr \"$(cat "$TSL_TMP/bad.err")\" does not begin with \"ip\""
[ -s "$TSL_TMP/bad.out" ] && fail "ip link set nosuchdev up: unexpected stdout \"$(head -c 200 "$TSL_TMP/bad.out")\""
note "bad command: exit $rc, stderr: $(cat "$TSL_TMP/bad.err")"
tsl_alive "$TSL_DAEMON_PID" || fail "the daemon died after a bad command"
# ... and an unknown command too
ts frobnicate >/dev/null 2>"$TSL_TMP/bad2.err" && fail "an unknown command exited 0"
[ "$(wc -l <"$TSL_TMP/bad2.err")" = 1 ] || fail "an unknown command printed $(wc -l <"$TSL_TMP/bad2.err") stderr lines, expected 1"
out=$(ts ping -c 1 -W 2 "$kern" 2>&1) || { printf '%s\n' "$out" | sed 's/^/    | /'; fail "ping -c 1 $kern after the bad command failed"; }
expect_contains "ping after a bad command" "$out" '^1 packets transmitted, 1 received'

# 2. streaming: the first reply line arrives while ping -c 2 still runs (1 s interval).
ts ping -c 2 "$kern" >"$TSL_TMP/stream.out" 2>&1 &
pc=$!; tsl_helper $pc
seen=0; streamed=0
for ((i = 0; i < 250; i++)); do         # <= 5 s; the window itself is the 1 s interval
    if grep -q "icmp_seq=1 " "$TSL_TMP/stream.out"; then
        seen=1
        grep -q 'packets transmitted' "$TSL_TMP/stream.out" || streamed=1
        break
    fi
    tsl_alive $pc || break
    sleep 0.02
done
[ $seen = 0 ] && grep -q "icmp_seq=1 " "$TSL_TMP/stream.out" && seen=1     # came only at the end
tsl_wait_exit $pc 10
rc=$?
[ $rc = 0 ] || { sed 's/^/    | /' "$TSL_TMP/stream.out"; fail "ping -c 2 $kern through ctl: exit $rc"; }
[ $seen = 1 ] || fail "ping -c 2: no icmp_seq=1 line"
[ $streamed = 1 ] || fail "ping -c 2: output was not streamed (the reply line came only with the statistics)"
grep -q '^2 packets transmitted, 2 received' "$TSL_TMP/stream.out" || fail "ping -c 2 through ctl: no \"2 packets transmitted, 2 received\""

# 3. SIGINT to the ctl client: started directly (no timeout, no function/subshell in
# between), so that $! is the client and the signal reaches it.
"${TSL_CLIENT_ENV[@]}" "$TSL_BIN" ctl --ctl "$TSL_SOCK" ping "$kern" >"$TSL_TMP/int.out" 2>"$TSL_TMP/int.stderr" &
pc=$!; tsl_helper $pc
for ((i = 0; i < 100; i++)); do
    [ "$(grep -c 'icmp_seq=' "$TSL_TMP/int.out")" -ge 2 ] && break
    tsl_alive $pc || break
    sleep 0.05
done
[ "$(grep -c 'icmp_seq=' "$TSL_TMP/int.out")" -ge 2 ] || { kill -TERM $pc 2>/dev/null; fail "ping $kern (no -c) through ctl: fewer than 2 replies in 5 s"; }
kill -INT $pc
tsl_wait_exit $pc 5
rc=$?
if [ $rc = 255 ]; then
    kill -TERM $pc 2>/dev/null; tsl_wait_exit $pc 3
    fail "the ctl client running ping did not exit within 5 s of SIGINT (output: $(tail -n 2 "$TSL_TMP/int.out" | tr '\n' ' '))"
fi
grep -q "^--- $kern ping statistics ---$" "$TSL_TMP/int.out" || { sed 's/^/    | /' "$TSL_TMP/int.out"; fail "after SIGINT: no \"--- $kern ping statistics ---\""; }
grep -qE '^[0-9]+ packets transmitted, [0-9]+ received' "$TSL_TMP/int.out" || fail "after SIGINT: no \"packets transmitted\" line"
[ $rc = 0 ] || fail "the ctl client exited $rc after SIGINT; ping got replies, so its status is 0"
note "SIGINT: $(grep 'packets transmitted' "$TSL_TMP/int.out")"
# The daemon is fine and serves the next command.
out=$(ts ping -c 1 -W 2 "$kern" 2>&1) || fail "ping after the interrupted ping failed: $out"

# 3b. A client that dies without a word (SIGKILL) stops its command too: the kernel's
# count of echo requests received (per namespace, /proc/net/snmp) stops growing.
in_echos() {
    ip netns exec "$NS_A" awk '/^Icmp:/ { if (!c) { for (i = 1; i <= NF; i++) if ($i == "InEchos") c = i } else { print $c; exit } }' /proc/net/snmp
}
"${TSL_CLIENT_ENV[@]}" "$TSL_BIN" ctl --ctl "$TSL_SOCK" ping -i 0.2 "$kern" >/dev/null 2>&1 &
pc=$!; tsl_helper $pc
sleep 0.7
kill -KILL $pc
tsl_wait_exit $pc 5
sleep 0.3
a=$(in_echos); sleep 1; b=$(in_echos)
note "SIGKILL: kernel InEchos $a -> $b one second after the client died"
[ "$a" = "$b" ] || fail "ping kept running after its ctl client was killed (kernel InEchos $a -> $b in 1 s)"
tsl_alive "$TSL_DAEMON_PID" || fail "the daemon died when a ctl client was killed"

# 4. exit through ctl
out=$(ts exit 2>&1)
rc=$?
[ $rc = 0 ] || fail "ctl exit: status $rc ($out)"
tsl_daemon_exited "$TSL_DAEMON_PID" 10
rc=$?
[ $rc = 255 ] && fail "the daemon still runs 10 s after exit"
[ $rc = 0 ] || fail "the daemon exited with status $rc after exit, expected 0"
tsl_if_gone "$NS_A" "$IF_A" 2 || fail "$IF_A still exists in $NS_A after exit"
[ -e "$TSL_SOCK" ] && fail "the control socket $TSL_SOCK was not removed at exit"
note "exit: daemon status 0, $IF_A gone"
