#!/usr/bin/env bash
# tests/run_all.sh — every kind of test, as `make test` runs them:
#   1. Check unit tests (ASan/UBSan build)
#   2. deterministic pcap regression scenarios (golden pcaps)
#   3. fuzz smoke run of the receive path (libFuzzer)
#   4. the labs (labs/*/lab.ts), their key outputs checked
#   5. live tests against the Linux kernel over TAP in namespaces we create
# Ends with one line "N passed, N failed" (groups), non-zero exit on any failure.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Each Check test case has a timeout (a hang fails, it does not stall the run); on a busy
# machine the sanitizer build runs several times slower, so the timeouts are scaled.
export CK_TIMEOUT_MULTIPLIER=${CK_TIMEOUT_MULTIPLIER:-4}
pass=0; fail=0; failed=()
group() {
    local name=$1; shift
    echo "=== $name"
    if "$@"; then pass=$((pass + 1)); echo "=== $name: ok"
    else fail=$((fail + 1)); failed+=("$name"); echo "=== $name: FAILED"; fi
}
group unit        "$BUILD/unit_tests"
group pcap        python3 tests/pcap/run_pcap_tests.py --bin "$BUILD/tapstack-san"
group fuzz-smoke  make --no-print-directory fuzz-smoke
group labs        bash tests/labs/run_labs.sh "$BUILD/tapstack-san"
group live        bash tests/live/run_live.sh "$BUILD/tapstack-san"
echo
[ ${#failed[@]} -gt 0 ] && echo "failed groups: ${failed[*]}"
echo "test groups: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
