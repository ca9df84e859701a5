#!/usr/bin/env bash
# The stack pings the kernel through `tapstack ctl`: `ping -c 3 -s SIZE 10.99.0.1` for
# SIZE 56, 1472, 4000, 65000 — exit 0, "3 received", three reply lines of SIZE+8 bytes.
. "$(dirname "$0")/lib.sh"
tsl_topology_a
dst=$(sab 10.99.0.1 10.99.0.3)
for size in 56 1472 4000 65000; do
    out=$(TS_TIMEOUT=40 ts ping -c 3 -s "$size" "$dst" 2>&1)
    rc=$?
    note "size $size: $(printf '%s\n' "$out" | grep 'packets transmitted')"
    [ $rc = 0 ] || { printf '%s\n' "$out" | sed 's/^/    | /'; fail "ctl ping -c 3 -s $size $dst: exit $rc"; }
    expect_contains "ping -s $size" "$out" "^PING $dst \\($dst\\) $size\\($((size + 28))\\) bytes of data\\.$"
    expect_contains "ping -s $size" "$out" '^3 packets transmitted, 3 received, 0% packet loss, time [0-9]+ms$'
    expect_contains "ping -s $size" "$out" '^rtt min/avg/max/mdev = [0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+ ms$'
    n=$(count_matches "$out" "^$((size + 8)) bytes from $dst: icmp_seq=[123] ttl=64 time=[0-9.]+ ms$")
    [ "$n" = 3 ] || { printf '%s\n' "$out" | sed 's/^/    | /'; fail "ping -s $size: $n reply lines, expected 3"; }
done
