#!/usr/bin/env bash
# tests/fuzz/run_fuzz.sh FUZZER SECONDS — run the receive-path fuzzer from the seed corpus
# (tests/fuzz/corpus: frames of every protocol we parse) for SECONDS; fail on any crash,
# leak or sanitizer report. New inputs go to a scratch corpus that is not committed;
# tests/fuzz/regressions holds inputs that once failed and must keep passing.
set -eu
fuzzer=$1; secs=${2:-30}
here=$(cd "$(dirname "$0")" && pwd)
work="$here/corpus-work"
mkdir -p "$work"
python3 "$here/make_corpus.py" "$here/corpus"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if "$fuzzer" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 "$work" "$here/corpus" "$here/regressions" >"$out" 2>&1; then
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done)' "$out" || tail -n 3 "$out"
    echo "fuzz: 1 passed, 0 failed"
else
    tail -n 60 "$out"
    echo "fuzz: 0 passed, 1 failed"
    exit 1
fi
