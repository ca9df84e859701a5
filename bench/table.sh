# bench/table.sh — what the benchmarks share (sourced, not run): the result table and
# the end of a run (tapstack's clean shutdown checked, problems reported).
# The caller sets BENCH_NAME, the VAL associative array ("METRIC|ts" / "METRIC|lx":
# one value per round) and SUMMARY (a file for run_bench.sh's summary, or empty).
# Ratios are per round, then the median: both paths of a round ran back to back, so
# each round's ratio sees the same machine noise.

median() {  # median of the numeric words (NA ignored); NA if none
    printf '%s\n' $1 | grep -v '^NA$' | sort -g |
        awk '{ v[NR] = $1 } END { if (NR == 0) { print "NA"; exit }
              if (NR % 2) m = v[(NR + 1) / 2]; else m = (v[NR / 2] + v[NR / 2 + 1]) / 2
              print m }'
}
fmt() {  # fmt VALUE DECIMALS
    [ "$1" = NA ] && { echo NA; return; }
    awk -v v="$1" -v d="$2" 'BEGIN { printf "%.*f", d, v }'
}
# ratios KIND "TS1 TS2 ..." "LX1 LX2 ...": the per-round ratios, "time" -> TS/LX, "rate"
# -> LX/TS (bigger is worse either way); NA where a value is missing or zero. Both paths
# of a round ran back to back, so each round's ratio sees the same machine noise.
ratios() {
    awk -v k="$1" -v ts="$2" -v lx="$3" 'BEGIN {
        n = split(ts, t, " "); split(lx, l, " "); out = ""
        for (i = 1; i <= n; i++) {
            r = "NA"
            if (t[i] != "NA" && l[i] != "NA") {
                if (k == "time" && l[i] > 0) r = sprintf("%.3f", t[i] / l[i])
                if (k == "rate" && t[i] > 0) r = sprintf("%.3f", l[i] / t[i])
            }
            out = out (i > 1 ? " " : "") r
        }
        print out }'
}

row() {  # row LABEL METRIC KIND DECIMALS
    local label=$1 m=$2 kind=$3 dec=$4 ts lx rt
    ts=$(median "${VAL["$m|ts"]:-}")
    lx=$(median "${VAL["$m|lx"]:-}")
    if [ "$kind" = abs ]; then
        rt="-"
    else
        rt=$(median "$(ratios "$kind" "${VAL["$m|ts"]:-}" "${VAL["$m|lx"]:-}")")
        [ "$rt" != NA ] && rt=$(awk -v r="$rt" 'BEGIN { printf "x%.2f", r }')
    fi
    printf '%-38s %12s %12s %9s\n' "$label" "$(fmt "$ts" "$dec")" "$(fmt "$lx" "$dec")" "$rt"
    [ -n "$SUMMARY" ] && echo "$BENCH_NAME|$label|$(fmt "$ts" "$dec")|$(fmt "$lx" "$dec")|$rt" >>"$SUMMARY"
    return 0
}

# bench_finish NONE_TEXT: stop the daemon, check it shut down cleanly (exit 0, TAP gone,
# nothing on stderr), print the problems seen (or "none (NONE_TEXT)"), the summary row and
# the run time. The caller provides stop_daemon, DSTATUS, NS_A, IF_A (empty: no TAP), TMP,
# PROBLEMS, STARTED.
bench_finish() {
    stop_daemon
    if [ "$DSTATUS" != 0 ]; then
        PROBLEMS+=("tapstack exited with status $DSTATUS on SIGTERM (expected 0, a clean shutdown)")
    fi
    if [ -n "${IF_A:-}" ] && ip -n "$NS_A" link show dev "$IF_A" >/dev/null 2>&1; then
        PROBLEMS+=("the TAP's host side $IF_A still exists after tapstack exited")
    fi
    if [ -s "$TMP/daemon.err" ]; then
        PROBLEMS+=("tapstack wrote to stderr: $(head -n 3 "$TMP/daemon.err" | tr '\n' ' ' | cut -c1-200)")
    fi

    echo
    if [ ${#PROBLEMS[@]} -eq 0 ]; then
        echo "problems: none ($1)"
    else
        echo "problems seen (${#PROBLEMS[@]}):"
        for p in "${PROBLEMS[@]}"; do echo "  - $p"; done
    fi
    [ -n "$SUMMARY" ] && echo "$BENCH_NAME|problems|${#PROBLEMS[@]}|||" >>"$SUMMARY"
    echo "$BENCH_NAME: done in $(awk -v s="$STARTED" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s"
}
