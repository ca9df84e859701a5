#!/usr/bin/env bash
# netem on the stack's egress, seen by the kernel. After a clean ping has resolved both
# neighbours:
#   - `tc qdisc add dev tap0 root netem loss 30%`: the kernel pings the stack 200 times,
#     10 ms apart; about 30% of the replies are lost (a band of four standard deviations,
#     17%-43%), and `tc -s qdisc show` counts exactly the replies the kernel missed;
#   - `tc qdisc del dev tap0 root`: 100 pings, none lost (the default pfifo_fast again);
#   - `tc qdisc add dev tap0 root netem delay 50ms`: every round trip the kernel measures
#     is at least 50 ms (and well under 150 ms).
. "$(dirname "$0")/lib.sh"
need_tool ping
tsl_topology_a

kping() { timeout 60 ip netns exec "$NS_A" ping -n "$@" 10.99.0.2 2>&1; }
received() { printf '%s\n' "$1" | sed -n 's/.* transmitted, \([0-9]*\) received.*/\1/p'; }

out=$(kping -c 2 -i 0.2 -W 2)
expect_contains "warm-up ping" "$out" '^2 packets transmitted, 2 received, 0% packet loss'

# ---- loss 30%
out=$(ts tc qdisc add dev tap0 root netem loss 30% 2>&1) || fail "tc qdisc add ... netem loss 30%: $out"
show=$(ts tc qdisc show dev tap0 2>&1)
expect_contains "tc qdisc show" "$show" '^qdisc netem 800[0-9a-f]: root refcnt 2 limit 1000 loss 30%$'
out=$(kping -c 200 -i 0.01 -W 1)
got=$(received "$out")
[ -n "$got" ] || { printf '%s\n' "$out" | tail -n 5 | sed 's/^/    | /'; fail "no ping summary"; }
lost=$((200 - got))
note "loss 30%: $got of 200 replies came back ($lost lost)"
lo=$(sab 34 100)
[ "$lost" -ge "$lo" ] && [ "$lost" -le 86 ] || fail "lost $lost of 200 replies, expected $lo..86 (30% +- 4 sigma)"
stats=$(ts tc -s qdisc show dev tap0 2>&1)
dropped=$(printf '%s\n' "$stats" | sed -n 's/.*(dropped \([0-9]*\),.*/\1/p')
note "tc -s: $(printf '%s\n' "$stats" | sed -n 2p)"
[ "$dropped" = "$lost" ] || fail "tc -s qdisc show counts $dropped dropped, the kernel missed $lost replies"

# ---- del: a clean link
out=$(ts tc qdisc del dev tap0 root 2>&1) || fail "tc qdisc del dev tap0 root: $out"
expect_contains "tc qdisc show after del" "$(ts tc qdisc show dev tap0 2>&1)" '^qdisc pfifo_fast 0: root refcnt 2 bands 3 '
out=$(kping -c 100 -i 0.01 -W 1)
note "after del: $(printf '%s\n' "$out" | grep 'packets transmitted')"
expect_contains "ping after tc qdisc del" "$out" '^100 packets transmitted, 100 received, 0% packet loss'

# ---- delay 50ms
out=$(ts tc qdisc add dev tap0 root netem delay 50ms 2>&1) || fail "tc qdisc add ... netem delay 50ms: $out"
expect_contains "ip link show" "$(ts ip link show tap0 2>&1)" 'qdisc netem state UNKNOWN'
out=$(kping -c 5 -i 0.2 -W 2)
expect_contains "ping with delay 50ms" "$out" '^5 packets transmitted, 5 received, 0% packet loss'
rtt=$(printf '%s\n' "$out" | sed -n 's|^rtt min/avg/max/mdev = \([0-9.]*\)/[0-9.]*/\([0-9.]*\)/.*|\1 \2|p')
note "delay 50ms: rtt min/max $rtt ms"
min=${rtt% *}; max=${rtt#* }
want=$(sab 50 1000)
awk -v a="$min" -v b="$max" -v w="$want" 'BEGIN { exit !(a >= w && b < 150) }' ||
    fail "rtt min $min ms / max $max ms with netem delay 50ms: expected min >= $want, max < 150"
ts tc qdisc del dev tap0 root >/dev/null 2>&1 || fail "tc qdisc del (delay)"
