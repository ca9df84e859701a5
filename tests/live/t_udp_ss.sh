#!/usr/bin/env bash
# ss -u and serve list over the stack's UDP sockets (iproute2's ss; docs/commands.md):
#  - `serve echo udp 7`: `ss -uan` lists it as UNCONN on 0.0.0.0:7 (peer 0.0.0.0:*), and
#    `serve list` prints "udp 7 echo 0";
#  - `nc -u 10.99.0.1 6000` running in the background (a connected socket, nothing sent):
#    `ss -uan` lists it as ESTAB from 10.99.0.2:EPHEMERAL (ip_local_port_range) to
#    10.99.0.1:6000; `ss -un` (no -a) lists it alone, without a State column; `ss -uln`
#    lists the server alone;
#  - once the nc client is interrupted, its socket is gone from `ss -uan`.
. "$(dirname "$0")/lib.sh"
tsl_topology_a
out=$(ts serve echo udp 7 2>&1) || fail "serve echo udp 7: $out"
# SABOTAGE: look for the server on port 8.
sport=$(sab 7 8)

show() { printf '%s\n' "$2" | sed "s/^/    $1| /"; }
ss_all=$(ts ss -uan 2>&1) || fail "ss -uan: exit $? ($ss_all)"
show "ss -uan " "$ss_all"
expect_contains "ss -uan header" "$ss_all" '^State +Recv-Q +Send-Q +Local Address:Port +Peer Address:Port'
expect_contains "ss -uan (server)" "$ss_all" "^UNCONN +0 +0 +0\\.0\\.0\\.0:$sport +0\\.0\\.0\\.0:\\* *\$"
[ "$(count_matches "$ss_all" '^(UNCONN|ESTAB) ')" = 1 ] || fail "ss -uan: expected exactly one socket before nc starts"
sl=$(ts serve list 2>&1) || fail "serve list: exit $? ($sl)"
expect_contains "serve list" "$sl" "^udp $sport echo 0\$"

"${TSL_CLIENT_ENV[@]}" "$TSL_BIN" ctl --ctl "$TSL_SOCK" nc -u 10.99.0.1 6000 >"$TSL_TMP/nc.out" 2>"$TSL_TMP/nc.stderr" &
nc=$!; tsl_helper $nc
for ((i = 0; i < 100; i++)); do
    ts ss -uan 2>/dev/null | grep -q '^ESTAB ' && break
    tsl_alive $nc || break
    sleep 0.05
done
ss_all=$(ts ss -uan 2>&1)
show "ss -uan " "$ss_all"
re_estab='^ESTAB +0 +0 +10\.99\.0\.2:([0-9]+) +10\.99\.0\.1:6000 *$'
expect_contains "ss -uan (nc's connected socket)" "$ss_all" "$re_estab"
eph=$(printf '%s\n' "$ss_all" | sed -nE "s/$re_estab/\\1/p")
[ "$eph" -ge 32768 ] && [ "$eph" -le 60999 ] || fail "nc's local port $eph is outside ip_local_port_range 32768-60999"
expect_contains "ss -uan (server, still)" "$ss_all" "^UNCONN +0 +0 +0\\.0\\.0\\.0:$sport +0\\.0\\.0\\.0:\\* *\$"
ss_est=$(ts ss -un 2>&1)
show "ss -un  " "$ss_est"
expect_contains "ss -un header" "$ss_est" '^Recv-Q +Send-Q +Local Address:Port +Peer Address:Port'
expect_contains "ss -un (nc)" "$ss_est" "^0 +0 +10\\.99\\.0\\.2:$eph +10\\.99\\.0\\.1:6000 *\$"
[ "$(printf '%s\n' "$ss_est" | wc -l)" = 2 ] || fail "ss -un: expected the header and one socket"
ss_l=$(ts ss -uln 2>&1)
show "ss -uln " "$ss_l"
expect_contains "ss -uln (server)" "$ss_l" "^UNCONN +0 +0 +0\\.0\\.0\\.0:$sport +0\\.0\\.0\\.0:\\* *\$"
expect_lacks "ss -uln" "$ss_l" '^ESTAB'

# Interrupt nc (its ctl client goes away): the socket is closed.
kill -TERM $nc 2>/dev/null
tsl_wait_exit $nc 5
[ $? = 255 ] && fail "the ctl client running nc -u did not exit within 5 s of SIGTERM"
for ((i = 0; i < 40; i++)); do
    ts ss -uan 2>/dev/null | grep -q '^ESTAB ' || break
    sleep 0.05
done
ss_all=$(ts ss -uan 2>&1)
expect_lacks "ss -uan after nc ended" "$ss_all" '^ESTAB'
expect_contains "ss -uan after nc ended (server)" "$ss_all" "^UNCONN +0 +0 +0\\.0\\.0\\.0:$sport "
note "server UNCONN 0.0.0.0:$sport; nc ESTAB 10.99.0.2:$eph -> 10.99.0.1:6000, gone after SIGTERM; serve list: $sl"
