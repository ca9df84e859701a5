#!/usr/bin/env bash
# tests/live/run_live.sh — live tests: tapstack against the Linux kernel over TAP devices
# whose host side is moved into network namespaces the tests create.
#
#   bash tests/live/run_live.sh [--selfcheck] BIN [t_name ...]
#
# BIN is the tapstack binary (normally build/tapstack-san: ASan/UBSan; a sanitizer report
# on the daemon's stderr fails the test). Runs each tests/live/t_*.sh (or the named ones),
# prints PASS/FAIL/SKIP per test with a reason, and ends with
#   live: N passed, N failed[, N skipped]
# Exit status non-zero when a test failed. Without root or /dev/net/tun every test is
# reported as SKIP (loudly) and the exit status is 0.
#
# --selfcheck runs every test with TSL_SABOTAGE=1 (each asserts something false, e.g. a
# wrong address) and checks that each one then FAILS: a test that cannot fail is a bug.
# TSL_VERBOSE=1 prints each test's full output; logs are kept in /tmp/tsl-live-logs.*
# when a test failed (or with TSL_KEEP_LOGS=1).
set -u
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
selfcheck=0
if [ "${1:-}" = --selfcheck ]; then selfcheck=1; shift; fi
BIN=${1:-}
[ -n "$BIN" ] || { echo "usage: $0 [--selfcheck] BIN [TEST...]" >&2; exit 2; }
shift
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac

tests=()
if [ $# -gt 0 ]; then
    for t in "$@"; do t=${t%.sh}; t=${t#t_}; tests+=("$here/t_$t.sh"); done
else
    for t in "$here"/t_*.sh; do tests+=("$t"); done
fi

pass=0; failn=0; skipn=0
start=$(date +%s.%N)

why=""
[ "$(id -u)" = 0 ] || why="not root (uid $(id -u))"
if [ ! -c /dev/net/tun ]; then why="${why:+$why, }/dev/net/tun missing"; fi
if [ -n "$why" ]; then
    for t in "${tests[@]}"; do
        echo "SKIP: live tests need root and /dev/net/tun ($why): $(basename "$t")"
        skipn=$((skipn + 1))
    done
    echo "live: 0 passed, 0 failed, $skipn skipped"
    exit 0
fi
if [ ! -x "$BIN" ]; then
    echo "FAIL: $BIN is not an executable (build it first)"
    echo "live: 0 passed, ${#tests[@]} failed"
    exit 1
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSL_BIN=$BIN
export TSL_TAG=$(printf '%06x' $(( (RANDOM << 9 ^ RANDOM ^ $$) & 0xffffff )))
logdir=$(mktemp -d /tmp/tsl-live-logs.XXXXXX)
TEST_LIMIT=${TSL_TEST_LIMIT:-60}     # seconds per test

# After a test: whatever it recorded and left behind (it was killed by the time limit)
# is cleaned up here — only our own daemons (by pid, checked against the command line)
# and our own namespaces.
sweep() {
    local state=$1 kind a b left=""
    [ -f "$state" ] || return 0
    while read -r kind a b; do
        case $kind in
        pid)
            if [ -r "/proc/$a/cmdline" ] && tr '\0' ' ' <"/proc/$a/cmdline" | grep -qF -- "$b"; then
                kill -TERM "$a" 2>/dev/null; sleep 1
                [ -d "/proc/$a" ] && kill -KILL "$a" 2>/dev/null
                left="$left daemon:$a"
            fi ;;
        ns)
            if ip netns list 2>/dev/null | awk '{print $1}' | grep -qx -- "$a"; then
                ip netns del "$a" 2>/dev/null; left="$left netns:$a"
            fi ;;
        esac
    done <"$state"
    local ifs
    ifs=$(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | grep "^tsl$TSL_TAG")
    for i in $ifs; do ip link del dev "$i" 2>/dev/null; left="$left if:$i"; done
    [ -n "$left" ] && echo "    (swept up leftovers:$left)"
    return 0
}

for t in "${tests[@]}"; do
    name=$(basename "$t" .sh)
    if [ ! -f "$t" ]; then echo "FAIL $name: no such test"; failn=$((failn + 1)); continue; fi
    log=$logdir/$name.log
    state=$logdir/$name.state
    : >"$state"
    t0=$(date +%s.%N)
    TSL_STATE=$state TSL_SABOTAGE=$selfcheck timeout -k 10 "$TEST_LIMIT" bash "$t" >"$log" 2>&1 </dev/null
    rc=$?
    dt=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    sweep "$state" >>"$log"
    [ "${TSL_VERBOSE:-0}" = 1 ] && sed 's/^/    /' "$log"
    reason=$(grep -m1 -E '^(FAIL|SKIP): ' "$log" | sed -E 's/^(FAIL|SKIP): //')
    if [ $rc = 124 ] || [ $rc = 137 ]; then reason="time limit ${TEST_LIMIT}s exceeded${reason:+ ($reason)}"; fi
    if [ $selfcheck = 1 ]; then
        # Sabotaged: a FAIL is the expected outcome.
        if [ $rc = 77 ]; then echo "SKIP $name: $reason"; skipn=$((skipn + 1))
        elif [ $rc != 0 ] && [ $rc != 124 ] && [ $rc != 137 ]; then
            echo "PASS $name (sabotaged, failed as it must: ${reason:-exit $rc}) [${dt}s]"; pass=$((pass + 1))
            extra=$(grep '^FAIL: cleanup' "$log")
            [ -n "$extra" ] && echo "    but also: $extra"
        else
            echo "FAIL $name: sabotaged test did not fail (rc $rc) [${dt}s]"; failn=$((failn + 1))
        fi
        continue
    fi
    if [ $rc = 0 ]; then
        echo "PASS $name [${dt}s]"; pass=$((pass + 1))
    elif [ $rc = 77 ]; then
        echo "SKIP $name: ${reason:-no reason given}"; skipn=$((skipn + 1))
    else
        echo "FAIL $name: ${reason:-exit status $rc} [${dt}s]"
        if [ "${TSL_VERBOSE:-0}" != 1 ]; then
            grep -E '^(FAIL|    )' "$log" | tail -n 25 | sed 's/^/    /'
            echo "    (full log: $log)"
        fi
        failn=$((failn + 1))
    fi
done

if [ $failn -eq 0 ] && [ "${TSL_KEEP_LOGS:-0}" != 1 ]; then rm -rf "$logdir"; logdir="removed: all passed"; fi
total=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
echo "live tests took ${total}s (logs in $logdir)"
if [ $skipn -gt 0 ]; then echo "live: $pass passed, $failn failed, $skipn skipped"
else echo "live: $pass passed, $failn failed"; fi
[ $failn -eq 0 ]
