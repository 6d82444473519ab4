#!/bin/sh
# Tracer tests on the running (host) kernel, as root.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
BIN=${TT_BIN:-$HERE/../build}
export TT_BIN=$BIN

if [ "$(id -u)" != 0 ]; then
	plan host 1
	fail host.root "the host tests need root (run with sudo)"
	exit 0
fi
# This script's own cases: forced-fentry-explained, ndjson-parses,
# no-links-left, bench-smoke. The scripts it runs have their own plans,
# which tests/run.sh lists.
plan host 4
[ -d /sys/kernel/tracing/events ] ||
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
echo "# host kernel $(uname -r)"

# tamtrace's BPF programs and links, one line each, "prog ID NAME" and
# "link ID prog ID NAME": the programs named like a SEC() function of
# bpf/tamtrace.bpf.c (bpftool shows a program by that name, cut to the
# kernel's 15 characters), and the links to them.
tamtrace_bpf() {
	python3 - "$HERE/../bpf/tamtrace.bpf.c" <<'EOF'
import json, re, subprocess, sys
src = open(sys.argv[1]).read()
names = {m.group(1)[:15] for m in re.finditer(
    r'^SEC\("[^"]*"\)\s*\n\s*int\s+(?:BPF_PROG\(\s*)?(\w+)', src, re.M)}
if not names:
    sys.exit("no SEC() programs found in " + sys.argv[1])
def bpftool(*args):
    return json.loads(subprocess.check_output(["bpftool", "-j", *args]))
progs = {p["id"]: p["name"] for p in bpftool("prog", "show")
         if p.get("name") in names}
for i, n in progs.items():
    print("prog", i, n)
for l in bpftool("link", "list"):
    if l.get("prog_id") in progs:
        print("link", l["id"], "prog", l["prog_id"], progs[l["prog_id"]])
EOF
}
bpf_err=
tamtrace_bpf > /tmp/tt-bpf.before 2>&1 || bpf_err=$(cat /tmp/tt-bpf.before)

sh "$HERE/errors.sh"
sh "$HERE/stats.sh"
sh "$HERE/tracer.sh" auto
sh "$HERE/tracer.sh" exceptions
sh "$HERE/hist.sh" auto
sh "$HERE/core.sh" auto
sh "$HERE/realprog.sh" auto
sh "$HERE/unit/escape.sh"
sh "$HERE/unit/maps.sh"
bash "$HERE/install.sh"
sh "$HERE/formats.sh" auto
sh "$HERE/serve.sh"
sh "$HERE/top.sh"

# Forcing fentry where the kernel refuses it says so, and why: the
# probe loads a two-instruction fentry program first.
"$BIN/tamtrace" -m fentry -p 1 -d 0.2 > /dev/null 2> /tmp/tt-fentry.err
rc=$?
if [ $rc = 7 ] && grep -q "refuses fentry/fexit programs (" /tmp/tt-fentry.err; then
	pass host.forced-fentry-explained
elif [ $rc = 0 ] || [ $rc = 9 ]; then
	skip host.forced-fentry-explained "fentry works on this kernel"
else
	fail host.forced-fentry-explained "exit $rc: $(cat /tmp/tt-fentry.err)"
fi

# Every NDJSON line parses, with the documented types.
"$BIN/tamtrace" -j -- "$BIN/faulter" --pages 60 > /tmp/tt-json.out 2>/dev/null
check host.ndjson-parses python3 -c '
import json, sys
types = set()
for line in open("/tmp/tt-json.out"):
    o = json.loads(line)
    types.add(o["type"])
    if o["type"] == "fault":
        assert isinstance(o["addr"], int) and o["page"] == o["addr"] >> 12
        assert o["access"] in ("read", "write", "exec")
assert "fault" in types and "summary" in types, types
'

# tamtrace detached and unloaded everything: no program or link of its
# names that was not there before the runs.
tamtrace_bpf > /tmp/tt-bpf.after 2>&1 || bpf_err="$bpf_err$(cat /tmp/tt-bpf.after)"
if [ -n "$bpf_err" ]; then
	fail host.no-links-left "cannot list BPF objects: $bpf_err"
elif left=$(grep -vxF -f /tmp/tt-bpf.before /tmp/tt-bpf.after); then
	fail host.no-links-left "left behind: $(echo $left)"
else
	pass host.no-links-left
fi

# The benchmark's smoke mode runs and its table parses; no timing asserted.
if bash "$HERE/../bench/run.sh" --smoke > /tmp/tt-bench.out 2>&1 &&
	grep -q '^| P1 streaming' /tmp/tt-bench.out &&
	grep -q '^| P6 bystander' /tmp/tt-bench.out; then
	pass host.bench-smoke
else
	fail host.bench-smoke "$(tail -3 /tmp/tt-bench.out)"
fi
