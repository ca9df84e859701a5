#!/usr/bin/env python3
"""tests/pcap/run_pcap_tests.py — the deterministic pcap regression runs.

    python3 tests/pcap/run_pcap_tests.py --bin build/tapstack-san [--regolden] [-k NAME] [-v]

Each directory tests/pcap/scenarios/NAME/ holds
    in.pcap      frames that enter the device at their capture times
    script.ts    the -f script (runs first, on the virtual clock)
    options      extra arguments: --dev NAME, --seed N, -n
    golden.pcap  what the stack must send on the device, record by record (time and bytes)
    golden.txt   what the run must print (stdout; stderr follows a "--- stderr" line)
    KNOWN_BAD    (optional) what in the stack's current behaviour is wrong. Without
                 goldens the scenario only runs (crash and determinism checks) and is not
                 counted; with goldens (the wrong part is incidental, e.g. one extra frame)
                 it is compared as usual and the note is printed.
A scenario with several devices has several `--dev [NS/]NAME` in its options, and per
device in.TAG.pcap and golden.TAG.pcap instead of in.pcap and golden.pcap, where TAG is
the device's NS/NAME with '/' written '.' (rt/tap1: in.rt.tap1.pcap); it runs as
`--replay --dev NAME=in.TAG.pcap:out.TAG.pcap ...`, and each device's capture is compared
with its own golden.

Every scenario runs twice and the two output pcaps must be byte-identical; for a scenario
with one device, the first run uses `--replay IN --dev NAME --out OUT` and the second
`--replay --dev NAME=IN:OUT`, so the two forms must also agree. A sanitizer
report, a non-zero exit or a timeout fails the scenario. On a difference the runner
prints both captures decoded by `tapstack --decode -v -e`, as a unified diff, with the
records whose bytes differ, and a unified diff of the text.
--regolden rewrites golden.pcap and golden.txt from the current output (see README.md).
The last line is "pcap: N passed, N failed"; the exit status is non-zero on any failure.
"""
import argparse
import difflib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pcaplib  # noqa: E402

SCEN_DIR = os.path.join(HERE, "scenarios")
TIMEOUT_S = 60
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "LeakSanitizer",
                   "runtime error:", "ERROR: UndefinedBehaviorSanitizer", "AddressSanitizer:DEADLYSIGNAL")


class RunResult:
    def __init__(self, ok, text, outs, problem=""):
        self.ok = ok                # ran to completion: exit 0, no sanitizer report, no timeout
        self.text = text            # stdout, then stderr after a marker line when there is any
        self.outs = outs            # device -> bytes of its output capture (b"" if none)
        self.problem = problem

    @property
    def out_pcap(self):
        """The output capture of a one-device run."""
        return next(iter(self.outs.values()), b"")


def sanitizer_env():
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    return env


def read_options(sdir):
    path = os.path.join(sdir, "options")
    if not os.path.exists(path):
        return ["--dev", "tap0"]
    with open(path) as f:
        return shlex.split(f.read())


def devices(options):
    """The --dev NAMEs of an options list, in order (["tap0"] when there is none)."""
    devs = [options[i + 1] for i, a in enumerate(options[:-1]) if a == "--dev"]
    return devs or ["tap0"]


def dev_tag(dev):
    return dev.replace("/", ".")


def without_devs(options):
    out, skip = [], False
    for a in options:
        if skip:
            skip = False
        elif a == "--dev":
            skip = True
        else:
            out.append(a)
    return out


def execute(cmd, workdir, outs, timeout):
    """Run one replay; outs: device -> output path. Returns RunResult."""
    for path in outs.values():
        if os.path.exists(path):
            os.unlink(path)
    try:
        cp = subprocess.run(cmd, cwd=workdir, stdin=subprocess.DEVNULL, capture_output=True,
                            timeout=timeout, env=sanitizer_env())
    except subprocess.TimeoutExpired as e:
        text = (e.stdout or b"").decode("utf-8", "replace")
        return RunResult(False, text, {}, f"timed out after {timeout} s")
    stdout = cp.stdout.decode("utf-8", "replace")
    stderr = cp.stderr.decode("utf-8", "replace")
    text = stdout + (f"--- stderr\n{stderr}" if stderr else "")
    problem = ""
    for mark in SANITIZER_MARKS:
        if mark in stderr or mark in stdout:
            problem = f"sanitizer report ({mark})"
            break
    if not problem and cp.returncode != 0:
        problem = f"exit status {cp.returncode}"
    data = {}
    for dev, path in outs.items():
        if os.path.exists(path):
            with open(path, "rb") as f:
                data[dev] = f.read()
        else:
            data[dev] = b""
            if not problem:
                problem = f"no output pcap written for {dev}"
    return RunResult(not problem, text, data, problem)


def run_replay(binary, in_pcap, script, options, workdir, timeout=TIMEOUT_S, dev_form=False):
    """One replay run of a one-device scenario in workdir: `--replay IN --dev NAME --out
    OUT`, or with dev_form `--replay --dev NAME=IN:OUT`. Returns RunResult."""
    out = os.path.join(workdir, "out.pcap")
    dev = devices(options)[0]
    if dev_form:
        cmd = [os.path.abspath(binary), "--replay", "--dev", f"{dev}={os.path.abspath(in_pcap)}:{out}",
               "-f", os.path.abspath(script)] + without_devs(options)
    else:
        cmd = [os.path.abspath(binary), "--replay", os.path.abspath(in_pcap), "--out", out,
               "-f", os.path.abspath(script)] + list(options)
        if "--dev" not in options:
            cmd += ["--dev", "tap0"]
    return execute(cmd, workdir, {dev: out}, timeout)


def run_replay_devs(binary, in_pcaps, script, options, workdir, timeout=TIMEOUT_S):
    """One replay run with several devices: in_pcaps maps each --dev NAME of options (in
    their order) to its input. Outputs are workdir/out.TAG.pcap. Returns RunResult."""
    cmd = [os.path.abspath(binary), "--replay"]
    outs = {}
    for dev in devices(options):
        outs[dev] = os.path.join(workdir, f"out.{dev_tag(dev)}.pcap")
        cmd += ["--dev", f"{dev}={os.path.abspath(in_pcaps[dev])}:{outs[dev]}"]
    cmd += ["-f", os.path.abspath(script)] + without_devs(options)
    return execute(cmd, workdir, outs, timeout)


# ---------------------------------------------------------------- reporting differences

def decode(binary, path):
    cp = subprocess.run([binary, "--decode", path, "-v", "-e"], capture_output=True,
                        timeout=TIMEOUT_S, env=sanitizer_env())
    lines = cp.stdout.decode("utf-8", "replace").splitlines()
    if cp.returncode != 0:
        lines.append(f"(decode failed: {cp.stderr.decode('utf-8', 'replace').strip()})")
    return lines


def first_diff_hex(a, b, an="golden", bn="actual"):
    n = min(len(a), len(b))
    i = next((k for k in range(n) if a[k] != b[k]), n)
    lo = max(0, i - 8)
    return (f"first difference at byte {i}: {an} {a[lo:i + 8].hex(' ')} | "
            f"{bn} {b[lo:i + 8].hex(' ')} (from byte {lo}; lengths {len(a)} / {len(b)})")


def record_diff(g, a, gi, ai, gn, an):
    what = []
    if g[0] != a[0]:
        what.append(f"time {g[0] / 1e6:.6f} -> {a[0] / 1e6:.6f}")
    if g[1] != a[1] or g[2] != a[2]:
        what.append("bytes: " + first_diff_hex(g[1], a[1], gn, an))
    return f"  {gn} record {gi + 1} / {an} record {ai + 1}: " + "; ".join(what)


def pcap_diff(binary, golden_path, actual_path, out, names=("golden", "actual")):
    """Print a readable comparison; returns True when the captures are equal record by record.
    Records are aligned first, so one missing or extra frame is reported as such."""
    gn, an = names
    g = pcaplib.read_pcap(golden_path)
    a = pcaplib.read_pcap(actual_path)
    if g == a:
        return True
    differ = []
    sm = difflib.SequenceMatcher(None, g, a, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            continue
        pairs = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for k in range(pairs):
            differ.append(record_diff(g[i1 + k], a[j1 + k], i1 + k, j1 + k, gn, an))
        for i in range(i1 + pairs, i2):
            differ.append(f"  {gn} record {i + 1} (t {g[i][0] / 1e6:.6f}): missing in {an}")
        for j in range(j1 + pairs, j2):
            differ.append(f"  {an} record {j + 1} (t {a[j][0] / 1e6:.6f}): not in {gn}")
    out.append(f"  output pcaps differ ({len(g)} records in {gn}, {len(a)} in {an}):")
    out.extend(differ[:40])
    if len(differ) > 40:
        out.append(f"  ... and {len(differ) - 40} more")
    # Decoded lines without their record number, so that an extra frame does not shift all.
    def strip(lines):
        return [line.split(" ", 1)[1] if line.split(" ", 1)[0].isdigit() else line for line in lines]
    gl, al = strip(decode(binary, golden_path)), strip(decode(binary, actual_path))
    diff = list(difflib.unified_diff(gl, al, f"{gn} (decoded)", f"{an} (decoded)", lineterm="", n=2))
    if diff:
        out.append(f"  decoded (SEC.USEC DECODE), {gn} -> {an}:")
        out.extend("    " + line for line in diff)
    else:
        out.append("  (the decoded lines are identical: the difference is in bytes the decoder does not show)")
    return False


def text_diff(golden, actual, out, names=("golden.txt", "actual")):
    if golden == actual:
        return True
    out.append(f"  output text differs ({names[0]} -> {names[1]}):")
    for line in difflib.unified_diff(golden.splitlines(), actual.splitlines(), names[0], names[1],
                                     lineterm="", n=2):
        out.append("    " + line)
    return False


# ---------------------------------------------------------------- one scenario

def scenario_files(sdir, devs):
    """device -> (input, golden) paths: in.pcap/golden.pcap for one device, else per TAG."""
    if len(devs) == 1:
        return {devs[0]: (os.path.join(sdir, "in.pcap"), os.path.join(sdir, "golden.pcap"))}
    return {d: (os.path.join(sdir, f"in.{dev_tag(d)}.pcap"), os.path.join(sdir, f"golden.{dev_tag(d)}.pcap"))
            for d in devs}


def run_twice(binary, files, script, options, tmp):
    """Two runs of a scenario; a one-device scenario runs once in each replay form."""
    runs = []
    for k in (1, 2):
        wd = os.path.join(tmp, f"run{k}")
        os.mkdir(wd)
        if len(files) == 1:
            in_pcap = next(iter(files.values()))[0]
            runs.append(run_replay(binary, in_pcap, script, options, wd, dev_form=(k == 2)))
        else:
            runs.append(run_replay_devs(binary, {d: f[0] for d, f in files.items()}, script, options, wd))
    return runs


def out_path(tmp, run, dev, files):
    name = "out.pcap" if len(files) == 1 else f"out.{dev_tag(dev)}.pcap"
    return os.path.join(tmp, f"run{run}", name)


def run_scenario(binary, sdir, regolden, verbose):
    name = os.path.basename(sdir)
    script = os.path.join(sdir, "script.ts")
    golden_txt = os.path.join(sdir, "golden.txt")
    known_bad = os.path.join(sdir, "KNOWN_BAD")
    msgs = []
    options = read_options(sdir)
    files = scenario_files(sdir, devices(options))
    multi = len(files) > 1
    if not (all(os.path.exists(f[0]) for f in files.values()) and os.path.exists(script)):
        return "fail", ["  missing an input pcap or script.ts (run python3 tests/pcap/scenarios.py)"]
    with tempfile.TemporaryDirectory(prefix=f"pcap-{name}-") as tmp:
        runs = run_twice(binary, files, script, options, tmp)
        for k, r in enumerate(runs, 1):
            if not r.ok:
                msgs.append(f"  run {k}: {r.problem}")
                msgs.extend("    | " + line for line in r.text.splitlines()[-60:])
                return "fail", msgs
        r1, r2 = runs
        if r1.outs != r2.outs or r1.text != r2.text:
            msgs.append("  NOT DETERMINISTIC: two runs with the same inputs differ" +
                        ("" if multi else " (run 1: --replay IN --dev NAME --out OUT, run 2: "
                                          "--replay --dev NAME=IN:OUT)"))
            for dev in files:
                if r1.outs[dev] != r2.outs[dev]:
                    if multi:
                        msgs.append(f"  device {dev}:")
                    pcap_diff(binary, out_path(tmp, 1, dev, files), out_path(tmp, 2, dev, files), msgs,
                              ("run 1", "run 2"))
            text_diff(r1.text, r2.text, msgs, ("run 1", "run 2"))
            return "fail", msgs
        have_golden = all(os.path.exists(f[1]) for f in files.values()) and os.path.exists(golden_txt)
        if os.path.exists(known_bad):
            with open(known_bad) as f:
                reason = f.read().strip() or "(no reason given)"
            if not have_golden:
                # Wrong behaviour: never recorded. Crash and determinism were checked.
                msgs.append("  known bad, no golden: " + reason.splitlines()[0])
                if verbose:
                    for dev in files:
                        msgs.extend("    " + line for line in decode(binary, out_path(tmp, 1, dev, files)))
                    msgs.extend("    " + line for line in r1.text.splitlines())
                return "known_bad", msgs
            # The golden holds behaviour known to be wrong (listed in KNOWN_BAD): it still
            # guards everything else, and must be re-recorded when the stack is fixed.
            msgs.append("  note (KNOWN_BAD): " + reason.splitlines()[0])
        if regolden:
            for dev, (_, golden_pcap) in files.items():
                shutil.copyfile(out_path(tmp, 1, dev, files), golden_pcap)
            with open(golden_txt, "w") as f:
                f.write(r1.text)
            return "regolden", msgs
        if not have_golden:
            return "fail", ["  no golden pcap or golden.txt (record them with --regolden, after review)"]
        with open(golden_txt) as f:
            gtext = f.read()
        same_pcap = True
        for dev, (_, golden_pcap) in files.items():
            dmsgs = []
            gname = os.path.basename(golden_pcap)
            if not pcap_diff(binary, golden_pcap, out_path(tmp, 1, dev, files), dmsgs,
                             (gname if multi else "golden", "actual")):
                same_pcap = False
                if multi:
                    msgs.append(f"  device {dev} ({gname}):")
                msgs.extend(dmsgs)
        same_text = text_diff(gtext, r1.text, msgs)
        return ("pass" if same_pcap and same_text else "fail"), msgs


def main():
    ap = argparse.ArgumentParser(description="pcap regression runs of tapstack")
    ap.add_argument("--bin", required=True, help="the tapstack binary (the sanitizer build)")
    ap.add_argument("--regolden", action="store_true", help="rewrite golden.pcap/golden.txt from this run")
    ap.add_argument("-k", metavar="NAME", help="only scenarios whose name contains NAME")
    ap.add_argument("-v", action="store_true", help="print details of passing and known-bad scenarios")
    args = ap.parse_args()
    if not os.access(args.bin, os.X_OK):
        print(f"run_pcap_tests: {args.bin}: not an executable", file=sys.stderr)
        print("pcap: 0 passed, 1 failed")
        return 1
    names = sorted(d for d in os.listdir(SCEN_DIR) if os.path.isdir(os.path.join(SCEN_DIR, d)))
    if args.k:
        names = [n for n in names if args.k in n]
    passed = failed = 0
    known_bad = []
    start = time.monotonic()
    for name in names:
        t = time.monotonic()
        status, msgs = run_scenario(args.bin, os.path.join(SCEN_DIR, name), args.regolden, args.v)
        label = {"pass": "ok", "fail": "FAIL", "regolden": "re-recorded", "known_bad": "KNOWN BAD"}[status]
        print(f"{label:12} {name} ({time.monotonic() - t:.1f} s)")
        for m in msgs:
            print(m)
        if status == "fail":
            failed += 1
        elif status == "known_bad":
            known_bad.append(name)
        else:
            passed += 1
    if known_bad:
        print(f"known bad (no golden, not counted): {' '.join(known_bad)}")
    print(f"total {time.monotonic() - start:.1f} s")
    print(f"pcap: {passed} passed, {failed} failed")
    return 1 if failed or not names else 0


if __name__ == "__main__":
    sys.exit(main())
