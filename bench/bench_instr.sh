#!/usr/bin/env bash
# bench/bench_instr.sh — user-space instructions per received UDP payload byte: how much
# work tapstack's receive path does per byte, counted exactly (not timed) by valgrind's
# callgrind, so the figure does not move with the machine's load (see bench/README.md).
#
#   bash bench/bench_instr.sh [BIN]      BIN: the tapstack binary (default build/tapstack,
#                                        the optimised build: the figure is -O2 code's)
#
# Two deterministic `--replay` runs feed 1472-byte UDP datagrams (one 1500-byte IP
# datagram each, DF) from the peer 10.0.0.1 to `serve discard udp 9` (RFC 863) on tap0,
# 10.0.0.2; the runs differ only in how many datagrams they carry (SHORT and LONG).
# Each run is counted whole by callgrind (start-up, the script, replay's own pcap reading,
# shutdown); the difference of the two totals leaves what the extra datagrams cost:
#
#   udp_rx_instr_per_byte = (Ir_long - Ir_short) / ((LONG - SHORT) * 1472)
#
# The input begins with the peer's ARP request for 10.0.0.2, as a real sender's first
# frame: the stack answers it and learns the peer. Each run is checked before it counts:
# exit status 0, nothing on stderr, UdpInDatagrams equal to the datagrams sent, no drop
# counter (UdpInErrors, UdpRcvbufErrors, TsDrop*) moving, only the ARP reply sent.
# Below the figure: the functions the extra datagrams spent their instructions in.
#
# Environment (defaults in brackets):
#   TSB_INSTR_SHORT [200]   datagrams in the short run
#   TSB_INSTR_LONG [1200]   datagrams in the long run
#   TSB_SUMMARY             if set, a file to which the summary rows are appended, for
#                           run_bench.sh ("bench|metric|tapstack|linux|ratio"; no Linux
#                           figure: the kernel's instructions are not user space's)
#
# Needs valgrind and python3 (valgrind is installed with apt-get when missing and run as
# root). No root, no network, no TAP otherwise: everything runs on replay devices.
# Exit status: 0 when the figure was measured; 2 when something could not be set up (no
# binary, no valgrind or python3); 3 when a run failed one of the checks above.
set -u
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
BIN=${1:-build/tapstack}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac

SHORT=${TSB_INSTR_SHORT:-200}
LONG=${TSB_INSTR_LONG:-1200}
SUMMARY=${TSB_SUMMARY:-}
PAYLOAD=1472            # the largest UDP payload of a 1500-byte IP datagram
GAP_US=100              # virtual time between datagrams (118 Mbit/s of payload)
for v in SHORT LONG; do
    case ${!v} in ''|*[!0-9]*) echo "bench_instr: TSB_INSTR_$v must be a positive integer" >&2; exit 2 ;; esac
done
if [ "$SHORT" -lt 1 ] || [ "$LONG" -gt 100000 ] || [ "$LONG" -le "$SHORT" ]; then
    echo "bench_instr: need 1 <= TSB_INSTR_SHORT < TSB_INSTR_LONG <= 100000" >&2
    exit 2
fi
[ -x "$BIN" ] || { echo "bench_instr: no binary $BIN (build it: make build/tapstack)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench_instr: python3 is missing" >&2; exit 2; }
if ! command -v valgrind >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "bench_instr: installing valgrind" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends valgrind >/dev/null ||
            { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
                  apt-get install -y -qq --no-install-recommends valgrind >/dev/null; }
    fi
    command -v valgrind >/dev/null || { echo "bench_instr: valgrind is missing (apt-get install valgrind)" >&2; exit 2; }
fi

TMP=$(mktemp -d /tmp/tsb-instr.XXXXXX) || { echo "bench_instr: mktemp failed" >&2; exit 2; }
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
STARTED=$(date +%s.%N)

# The inputs: the same frames in both runs, the short one a prefix of the long one.
# The script's sleep covers the long run, so both runs execute the same commands.
sleep_s=$(( (LONG * GAP_US) / 1000000 + 1 ))
if ! python3 - "$root/tests/pcap" "$TMP" "$SHORT" "$LONG" "$PAYLOAD" "$GAP_US" <<'EOF'
import sys
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[1])
from pcaplib import ETH_P_IP, IPPROTO_UDP, IP_DF, arp_request, eth, ipv4, pattern, udp, write_pcap
tmp, short, long_, size, gap = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
T0 = 1_700_000_000 * 1_000_000
PEER_MAC, PEER_IP, STACK_MAC, STACK_IP = "02:00:00:00:00:01", "10.0.0.1", "02:00:00:00:00:02", "10.0.0.2"
frames = [(T0, arp_request(PEER_MAC, PEER_IP, STACK_IP))]
for i in range(long_):
    u = udp(PEER_IP, STACK_IP, 40000, 9, pattern(size, start=i))
    d = ipv4(PEER_IP, STACK_IP, IPPROTO_UDP, u, ident=(0x1000 + i) & 0xFFFF, flags=IP_DF)
    frames.append((T0 + 1000 + i * gap, eth(STACK_MAC, PEER_MAC, ETH_P_IP, d)))
write_pcap(f"{tmp}/short.pcap", frames[:1 + short])
write_pcap(f"{tmp}/long.pcap", frames)
EOF
then
    echo "bench_instr: could not write the input pcaps" >&2
    exit 2
fi
cat >"$TMP/script.ts" <<EOF
ip link set tap0 address 02:00:00:00:00:02
serve discard udp 9
sleep $sleep_s
nstat
serve list
EOF
# The same with the replay device's rx-checksumming on: its frames go up as verified, as
# the kernel's TAP (IFF_VNET_HDR) marks what its own stack sent (DATA_VALID/NEEDS_CSUM),
# so this is the path of a live TAP with offloads: no software checksum. Binaries without
# ethtool (before the offload work) skip it.
RXCSUM=0
grep -q "rx-checksumming" "$BIN" 2>/dev/null && RXCSUM=1
sed '1a ethtool -K tap0 rx on' "$TMP/script.ts" >"$TMP/script_rx.ts"

# run NAME N [SCRIPT]: one counted replay of NAME.pcap; sets IR[NAME.SCRIPT]. Exits 3 when
# a check fails.
declare -A IR=()
run() {
    local name=$1 n=$2 script=${3:-script} out="$TMP/$1.${3:-script}" got bad sent
    if ! timeout 600 valgrind --tool=callgrind --callgrind-out-file="$out.cg" --log-file="$out.vg" \
            "$BIN" --replay "$TMP/$name.pcap" --dev tap0 --out "$out.out.pcap" -f "$TMP/$script.ts" \
            --seed 1 >"$out.txt" 2>"$out.err"; then
        echo "bench_instr: the $name run failed (tapstack or valgrind exited non-zero):" >&2
        cat "$out.err" "$out.vg" | head -n 20 >&2
        exit 3
    fi
    if [ -s "$out.err" ]; then
        echo "bench_instr: the $name run wrote to stderr: $(head -n 3 "$out.err")" >&2
        exit 3
    fi
    got=$(awk '$1 == "UdpInDatagrams" { print $2 }' "$out.txt")
    bad=$(awk '$1 ~ /^(UdpInErrors|UdpRcvbufErrors|UdpInCsumErrors|UdpNoPorts|TsDrop)/ { printf "%s %s ", $1, $2 }' "$out.txt")
    if [ "${got:-0}" != "$n" ] || [ -n "$bad" ]; then
        echo "bench_instr: the $name run received ${got:-0} of $n datagrams ${bad:+(drops: $bad)}" >&2
        exit 3
    fi
    sent=$("$BIN" --decode "$out.out.pcap" | wc -l)
    if [ "$sent" != 1 ]; then
        echo "bench_instr: the $name run sent $sent frames, expected the one ARP reply" >&2
        exit 3
    fi
    IR[$name.$script]=$(awk '$1 == "totals:" { print $2; exit } $1 == "summary:" { s = $2 } END { if (s != "") print s }' "$out.cg" | head -n 1)
    case ${IR[$name.$script]} in ''|*[!0-9]*) echo "bench_instr: no instruction total in $out.cg" >&2; exit 3 ;; esac
}

commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
echo "### bench_instr — commit $commit, $(date -u '+%Y-%m-%d %H:%M:%S UTC'), binary $BIN"
echo "$SHORT and $LONG datagrams of $PAYLOAD bytes into serve discard udp 9, --replay under callgrind"
run short "$SHORT"
run long "$LONG"
if [ $RXCSUM = 1 ]; then run short "$SHORT" script_rx; run long "$LONG" script_rx; fi

# figure SCRIPT: Ir per payload byte of the extra datagrams, and per datagram
figure() {
    awk -v l="${IR[long.$1]}" -v s="${IR[short.$1]}" -v n=$((LONG - SHORT)) -v b=$PAYLOAD \
        'BEGIN { printf "%.2f %.0f", (l - s) / (n * b), (l - s) / n }'
}
read -r per_byte per_dgram < <(figure script)
printf '%-30s %14s\n' "Ir short run" "${IR[short.script]}" "Ir long run" "${IR[long.script]}" \
    "Ir per datagram" "$per_dgram"
echo
echo "udp_rx_instr_per_byte $per_byte          (software checksum: a device without rx offload)"
if [ $RXCSUM = 1 ]; then
    read -r rx_per_byte rx_per_dgram < <(figure script_rx)
    echo "udp_rx_instr_per_byte_rxcsum $rx_per_byte   (checksums verified by the device, as a TAP with offloads: $rx_per_dgram Ir per datagram)"
fi
echo

# Where the extra datagrams' instructions went: per function, long minus short.
echo "per function (Ir of the extra datagrams per payload byte, the largest first):"
for r in short long; do
    callgrind_annotate --auto=no --threshold=100 "$TMP/$r.script.cg" 2>/dev/null |
        awk 'match($0, /^ *[0-9,]+ +\( *[0-9.]+%\) +/) {
                 n = $1; gsub(",", "", n); f = substr($0, RLENGTH + 1)
                 sub(/ \[.*$/, "", f); sub(/^.*:/, "", f); ir[f] += n }
             END { for (f in ir) print f, ir[f] }' >"$TMP/$r.fn"
done
awk -v n=$((LONG - SHORT)) -v b=$PAYLOAD '
    NR == FNR { s[$1] = $2; next }
    { d = ($2 - s[$1]) / (n * b); if (d >= 0.01) printf "  %-40s %6.2f\n", $1, d }' \
    "$TMP/short.fn" "$TMP/long.fn" | sort -k2,2gr | head -n 12

[ -n "$SUMMARY" ] && {
    echo "bench_instr|udp rx instructions/payload byte|$per_byte|-|-"
    [ $RXCSUM = 1 ] && echo "bench_instr|udp rx instructions/payload byte, rx csum offload|$rx_per_byte|-|-"
    echo "bench_instr|problems|0|||"
} >>"$SUMMARY"
echo
echo "bench_instr: done in $(awk -v s="$STARTED" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s"
exit 0
