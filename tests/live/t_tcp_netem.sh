#!/usr/bin/env bash
# TCP through a lossy, reordering, duplicating link: the stack's own netem on its device,
#   tc qdisc add dev tap0 root netem delay 1ms loss 5% reorder 10% duplicate 1%
# (reordering needs a delay to jump ahead of, as with Linux's tc), then 20 MB each way
# with nc on both sides (Linux's netcat-openbsd in tslA, the stack's nc), compared by
# SHA-256. Linux -> stack loses and reorders the stack's ACKs; stack -> Linux its data.
# The loss must really have happened: the qdisc counts drops and the stack's nstat
# counts retransmissions (TcpRetransSegs > 0) and Linux's D-SACKs of the duplicates
# (TcpExtTCPDSACKRecv > 0). TSL_TCP_MB sets the size (default 20).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tcp.sh"
tsl_topology_a
out=$(timeout 10 ip netns exec "$NS_A" ping -c 1 -W 2 10.99.0.2 2>&1) || fail "ping 10.99.0.2 from $NS_A failed: $out"
MB=${TSL_TCP_MB:-20}
tcp_make_file "$MB"
out=$(ts tc qdisc add dev tap0 root netem delay 1ms loss 5% reorder 10% duplicate 1% 2>&1) ||
    fail "tc qdisc add dev tap0 root netem ...: $out"
show=$(ts tc qdisc show dev tap0 2>&1)
expect_contains "tc qdisc show" "$show" 'netem .*delay 1ms loss 5% duplicate 1% reorder 10%'
ts nstat >/dev/null 2>&1           # nstat prints what changed since its last run

tcp_to_stack "Linux -> stack" "$NS_A" 10.99.0.2 5001
t1=$TCP_SECS
tcp_from_stack "stack -> Linux" "$NS_A" 10.99.0.1 5002
t2=$TCP_SECS

stats=$(ts tc -s qdisc show dev tap0 2>&1)
note "tc -s: $(printf '%s\n' "$stats" | sed -n 2p)"
dropped=$(printf '%s\n' "$stats" | sed -n 's/.*(dropped \([0-9]*\),.*/\1/p')
[ "${dropped:-0}" -gt 0 ] || fail "netem dropped nothing: $(printf '%s\n' "$stats" | tr '\n' ' ')"
ns=$(ts nstat 2>&1)
note "stack nstat: $(printf '%s\n' "$ns" | grep -E '^Tcp(RetransSegs|OutSegs|InSegs|ExtTCPSackRecovery|ExtTCPTimeouts|ExtTCPFastRetrans|ExtTCPSlowStartRetrans|ExtTCPLossProbes|ExtTCPLossProbeRecovery|ExtTCPLostRetransmit|ExtTCPDSACK[A-Za-z]*|Ext[A-Za-z]*Undo|ExtTCPSpuriousRTOs) ' |
    awk '{printf "%s %s  ", $1, $2}')"
# netem duplicates the stack's data: Linux reports each copy with a D-SACK (RFC 2883),
# which the stack must recognise as one
dsacks=$(printf '%s\n' "$ns" | awk '$1 == "TcpExtTCPDSACKRecv" {print $2}')
[ "${dsacks:-0}" -gt 0 ] || fail "TcpExtTCPDSACKRecv ${dsacks:-0} after 1% duplicates, expected more than 0"
retrans=$(printf '%s\n' "$ns" | awk '$1 == "TcpRetransSegs" {print $2}')
[ "${retrans:-0}" -gt 0 ] || fail "TcpRetransSegs ${retrans:-0} after 5% loss, expected more than 0"
note "times: Linux -> stack ${t1}s, stack -> Linux ${t2}s"
ts tc qdisc del dev tap0 root >/dev/null 2>&1 || fail "tc qdisc del dev tap0 root"
true
