#!/usr/bin/env bash
# tests/labs/run_labs.sh BIN — run every lab (labs/NAME/lab.ts) as a user would
# (`tapstack -n -f labs/NAME/lab.ts`, no TAP needed) and check its key outputs, so the
# labs never rot. Each lab's checks are in labs/NAME/expect: one extended regular
# expression a line, each must match some line of the output; a line "! RE" says that
# no line may match RE (what must not happen). Exit 1 on any failure. Labs run with
# --seed 1, so their random draws (netem's losses, ports, ISNs) are the same every run.
set -u
export LC_ALL=C
cd "$(dirname "$0")/../.."
BIN=${1:?usage: run_labs.sh BIN}
pass=0; failn=0
for lab in labs/*/lab.ts; do
    dir=$(dirname "$lab"); name=$(basename "$dir")
    out=$(timeout 60 "$BIN" -n --seed 1 -f "$lab" </dev/null 2>&1); rc=$?
    bad=""
    [ $rc = 0 ] || bad="exit status $rc"
    if printf '%s\n' "$out" | grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:'; then
        bad="${bad:+$bad; }a sanitizer report"
    fi
    while IFS= read -r re; do
        case $re in
        ''|'#'*) continue ;;
        '! '*) re=${re#! }
               printf '%s\n' "$out" | grep -qE -- "$re" && bad="${bad:+$bad; }a line matches /$re/"
               continue ;;
        esac
        printf '%s\n' "$out" | grep -qE -- "$re" || bad="${bad:+$bad; }no line matches /$re/"
    done <"$dir/expect"
    if [ -z "$bad" ]; then echo "PASS lab $name"; pass=$((pass + 1))
    else echo "FAIL lab $name: $bad"; printf '%s\n' "$out" | sed 's/^/    | /'; failn=$((failn + 1)); fi
done
echo "labs: $pass passed, $failn failed"
[ $failn = 0 ]
