#!/usr/bin/env bash
# bench/run_bench.sh — run every benchmark (bench/bench_*.sh) against the Linux kernel
# over veth, one after the other, and print a summary. `make bench` calls it.
#
#   bash bench/run_bench.sh [BIN]       BIN: the tapstack binary (default build/tapstack)
#
# Each bench_*.sh takes BIN, prints its own table and appends its summary rows to the
# file named by TSB_SUMMARY. The TSB_* settings of the benchmarks (rounds, counts) pass
# through; see bench/README.md. Exit status: 0 when every benchmark ran, otherwise 1 (the
# failing ones are named). Slow or lossy figures never fail the run: read the ratios.
set -u
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
BIN=${1:-build/tapstack}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac

summary=$(mktemp /tmp/tsb-bench-summary.XXXXXX) || { echo "run_bench: mktemp failed" >&2; exit 1; }
trap 'rm -f "$summary"' EXIT
export TSB_SUMMARY=$summary

commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
echo "### tapstack benchmarks — commit $commit, $(date -u '+%Y-%m-%d %H:%M:%S UTC'), binary $BIN"
echo

benches=()
for b in "$here"/bench_*.sh; do [ -f "$b" ] && benches+=("$b"); done
if [ ${#benches[@]} -eq 0 ]; then echo "run_bench: no bench/bench_*.sh found" >&2; exit 1; fi

declare -A status=() secs=()
failed=()
for b in "${benches[@]}"; do
    name=$(basename "$b" .sh)
    t0=$(date +%s.%N)
    # Every benchmark bounds its own steps; this is the last resort (then SIGTERM, which
    # the benchmark traps to clean up after itself).
    timeout -k 20 600 bash "$b" "$BIN"
    st=$?
    status[$name]=$st
    secs[$name]=$(awk -v s="$t0" -v e="$(date +%s.%N)" 'BEGIN { printf "%.0f", e - s }')
    [ "$st" = 0 ] || failed+=("$name")
    echo
done

echo "### summary (ratio x1.00 = as good as Linux over veth; bigger is worse)"
printf '%-14s %-38s %12s %12s %9s\n' bench metric tapstack "Linux(veth)" ratio
while IFS='|' read -r bench metric ts lx rt; do
    if [ "$metric" = problems ]; then
        printf '%-14s %-38s %12s\n' "$bench" "tapstack problems seen" "$ts"
    else
        printf '%-14s %-38s %12s %12s %9s\n' "$bench" "$metric" "$ts" "$lx" "$rt"
    fi
done <"$summary"
echo
for b in "${benches[@]}"; do
    name=$(basename "$b" .sh)
    case ${status[$name]} in
        0) r="ran" ;;
        2) r="FAILED to set up (exit 2)" ;;
        3) r="FAILED: tapstack died or stopped answering (exit 3)" ;;
        124|137) r="FAILED: exceeded 600 s" ;;
        *) r="FAILED (exit ${status[$name]})" ;;
    esac
    printf '%-14s %s in %s s\n' "$name" "$r" "${secs[$name]}"
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "benchmarks: ${#benches[@]} run, ${#failed[@]} failed: ${failed[*]}"
    exit 1
fi
echo "benchmarks: ${#benches[@]} run, all ran"
exit 0
