#!/usr/bin/env bash
# A connect to a closed TCP port fails at once with ECONNREFUSED, both ways:
#  (a) Linux's `nc -v 10.99.0.2 7999` from tslA: the stack answers the SYN with an RST;
#      nc exits 1 with "Connection refused" well under a second (no SYN retries);
#  (b) the stack's `nc 10.99.0.1 7999`: the kernel's RST fails the connect; the stack's
#      nc exits 1 with OpenBSD nc's "nc: connect to 10.99.0.1 port 7999 (tcp) failed:
#      Connection refused", also at once. The stack counts the RST it sent (TcpOutRsts)
#      and Linux's socket sees it; then an open port (serve discard) still connects (-z).
. "$(dirname "$0")/lib.sh"
need_tool nc
nc -h 2>&1 | grep -q 'OpenBSD netcat' || skip "nc is not netcat-openbsd ($(nc -h 2>&1 | head -n 1))"
tsl_topology_a
out=$(timeout 10 ip netns exec "$NS_A" ping -c 1 -W 2 10.99.0.2 2>&1) || fail "ping 10.99.0.2 from $NS_A failed: $out"
secs() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }
# SABOTAGE: the port the messages must name.
P=$(sab 7999 7998)

ts nstat >/dev/null 2>&1
t0=$(date +%s.%N)
out=$(timeout 10 ip netns exec "$NS_A" nc -v 10.99.0.2 7999 </dev/null 2>&1); rc=$?
dt=$(secs "$t0")
[ $rc = 1 ] || fail "(a) Linux nc -v 10.99.0.2 7999: exit $rc, want 1 ($out)"
expect_contains "(a) Linux nc" "$out" "connect to 10\\.99\\.0\\.2 port $P \\(tcp\\) failed: Connection refused"
awk -v t="$dt" 'BEGIN { exit !(t < 1.0) }' || fail "(a) the refusal took $dt s (want < 1 s)"
rsts=$(ts nstat -a 2>&1 | awk '$1 == "TcpOutRsts" { print $2 }')
[ "${rsts:-0}" -ge 1 ] || fail "(a) the stack counted no TcpOutRsts"
note "(a) Linux -> stack: exit 1 in $dt s: $out; stack TcpOutRsts $rsts"

t0=$(date +%s.%N)
out=$(TS_TIMEOUT=10 ts nc 10.99.0.1 7999 2>&1); rc=$?
dt=$(secs "$t0")
[ $rc = 1 ] || fail "(b) the stack's nc 10.99.0.1 7999: exit $rc, want 1 ($out)"
expect_contains "(b) the stack's nc" "$out" "^nc: connect to 10\\.99\\.0\\.1 port $P \\(tcp\\) failed: Connection refused$"
awk -v t="$dt" 'BEGIN { exit !(t < 1.0) }' || fail "(b) the refusal took $dt s (want < 1 s)"
note "(b) stack -> Linux: exit 1 in $dt s: $out"

# an open port still works both ways (so the refusals above were about the port)
out=$(ts serve discard tcp $P 2>&1) || fail "serve discard tcp $P: $out"
out=$(timeout 10 ip netns exec "$NS_A" nc -zv 10.99.0.2 7999 2>&1); rc=$?
[ $rc = 0 ] || fail "(a) Linux nc -zv 10.99.0.2 7999 to serve discard: exit $rc ($out)"
timeout 20 ip netns exec "$NS_A" nc -l 7999 >/dev/null </dev/null & kn=$!; tsl_helper $kn
for ((i = 0; i < 100; i++)); do
    ip netns exec "$NS_A" ss -Htln 'sport = :7999' 2>/dev/null | grep -q 7999 && break
    sleep 0.05
done
out=$(TS_TIMEOUT=10 ts nc -zv 10.99.0.1 7999 2>&1); rc=$?
[ $rc = 0 ] || fail "(b) the stack's nc -zv 10.99.0.1 7999 to a listening Linux nc: exit $rc ($out)"
expect_contains "(b) nc -zv" "$out" "^Connection to 10\\.99\\.0\\.1 7999 port \\[tcp/\\*\\] succeeded!$"
note "open ports: both nc -z connect ($out)"
