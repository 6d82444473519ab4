#!/bin/sh
# The core shared by every subcommand: targets and filters, the launched
# command's lifecycle, output hygiene, errors, losses. Each case fails
# without the behaviour it names. Usage: tests/core.sh MODE
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
BIN=${TT_BIN:-$HERE/../build}
TMP=${TT_TMP:-/tmp/tamtrace-core.$$}
MODE=${1:-auto}
T="core.$MODE"
mkdir -p "$TMP"
TT="$BIN/tamtrace"

# Region accesses of the faulter whose info file is $1, from NDJSON $2.
seq_of() {
	BASE=$(awk '$1 == "addr" { print $2 }' "$1") \
	LEN=$(awk '$1 == "len" { print $2 }' "$1") jawk '
	jtype() == "fault" {
		a = jnum("addr"); base = ENVIRON["BASE"] + 0
		if (a >= base && a < base + ENVIRON["LEN"])
			printf "%d:%s ", int((a - base) / 4096), jstr("access")
	}' "$2"
}
# The accesses that faulted, as the faulter's own getrusage() saw them.
oracle_of() { sed -n 's/^faulted //p' "$1"; }

# Release the waiting faulter $1 (pid) and reap it: its oracle is written.
release() {
	kill -USR1 "$1"
	wait "$1" 2>/dev/null
}

same_seq() { [ -n "$2" ] && [ "$1" = "$2" ]; }

# -p A -p B: both processes are traced, not only the last one.
test_two_pids() {
	waiting_faulter "$TMP/a.info"; A=$FPID
	waiting_faulter "$TMP/b.info"; B=$FPID
	"$TT" -j $(modeflag) -p "$A" -p "$B" -o "$TMP/two.json" 2> "$TMP/two.err" &
	TPID=$!
	wait_attached "$TMP/two.err"
	release "$A"; release "$B"
	wait "$TPID"
	rc=$?
	if [ $rc = 0 ] && same_seq "$(seq_of "$TMP/a.info" "$TMP/two.json")" "$(oracle_of "$TMP/a.info")" &&
		same_seq "$(seq_of "$TMP/b.info" "$TMP/two.json")" "$(oracle_of "$TMP/b.info")"; then
		pass "$T.two-pids"
	else
		fail "$T.two-pids" "rc $rc: a [$(seq_of "$TMP/a.info" "$TMP/two.json")] b [$(seq_of "$TMP/b.info" "$TMP/two.json")]"
	fi
}

# -t TID: the faulter's main thread touches its region; a second thread
# of the same process, started by --threads 2, touches its own slice.
test_one_thread() {
	waiting_faulter "$TMP/t.info" --threads 2
	"$TT" -j $(modeflag) -t "$FPID" -o "$TMP/t.json" 2> "$TMP/t.err" &
	TPID=$!
	wait_attached "$TMP/t.err"
	release "$FPID"
	wait "$TPID"
	rc=$?
	tids=$(jawk 'jtype() == "fault" { print jnum("tid") }' "$TMP/t.json" | sort -u | tr '\n' ' ')
	if [ $rc = 0 ] && [ "$tids" = "$FPID " ]; then
		pass "$T.one-thread"
	else
		fail "$T.one-thread" "rc $rc, tids seen [$tids], want [$FPID ]"
	fi
}

# -a: every process but tamtrace itself.
test_all() {
	"$TT" -j $(modeflag) -a -d 2 -o "$TMP/all.json" 2> "$TMP/all.err" &
	TPID=$!
	wait_attached "$TMP/all.err"
	"$BIN/faulter" --mmap --pages 30 --oracle --info "$TMP/all.info" > /dev/null
	wait "$TPID"
	rc=$?
	fp=$(awk '$1 == "pid" { print $2 }' "$TMP/all.info")
	self=$(jawk 'jtype() == "fault" && jnum("pid") == '"$TPID"' { n++ } END { print n + 0 }' "$TMP/all.json")
	if [ $rc = 0 ] && same_seq "$(seq_of "$TMP/all.info" "$TMP/all.json")" "$(oracle_of "$TMP/all.info")" &&
		[ "$self" = 0 ]; then
		pass "$T.system-wide"
	else
		fail "$T.system-wide" "rc $rc, faulter $fp seq [$(seq_of "$TMP/all.info" "$TMP/all.json")], own events $self: $(tail -1 "$TMP/all.err")"
	fi
}

# -c: a faulter moved into a new cgroup is traced, one outside is not.
test_cgroup() {
	root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	cg=$root/tamtrace-test.$$
	if [ -z "$root" ] || ! mkdir "$cg" 2>/dev/null; then
		skip "$T.cgroup" "no writable cgroup v2 hierarchy mounted"
		return
	fi
	waiting_faulter "$TMP/in.info"; IN=$FPID
	waiting_faulter "$TMP/out.info"; OUT=$FPID
	echo "$IN" > "$cg/cgroup.procs"
	"$TT" -j $(modeflag) -c "$cg" -o "$TMP/cg.json" 2> "$TMP/cg.err" &
	TPID=$!
	wait_attached "$TMP/cg.err"
	release "$IN"; release "$OUT"
	sleep 0.5
	kill -INT "$TPID"
	wait "$TPID"
	rc=$?
	kill "$IN" "$OUT" 2>/dev/null
	rmdir "$cg" 2>/dev/null
	pids=$(jawk 'jtype() == "fault" { print jnum("pid") }' "$TMP/cg.json" | sort -u | tr '\n' ' ')
	if [ $rc = 0 ] && [ "$pids" = "$IN " ] &&
		same_seq "$(seq_of "$TMP/in.info" "$TMP/cg.json")" "$(oracle_of "$TMP/in.info")"; then
		pass "$T.cgroup"
	else
		fail "$T.cgroup" "rc $rc, pids [$pids], want [$IN ]: $(head -2 "$TMP/cg.err")"
	fi
}

# -f: tracing lasts until the last followed process exits, not the first.
test_follow_orphan() {
	"$TT" -j -f $(modeflag) -o "$TMP/orph.json" -- sh -c \
		"(sleep 1; $BIN/faulter --mmap --pages 30 --oracle --info $TMP/orph.info) > /dev/null & exit 0" \
		2> "$TMP/orph.err"
	rc=$?
	if [ $rc = 0 ] && [ -s "$TMP/orph.info" ] &&
		same_seq "$(seq_of "$TMP/orph.info" "$TMP/orph.json")" "$(oracle_of "$TMP/orph.info")"; then
		pass "$T.follow-until-last-exits"
	else
		fail "$T.follow-until-last-exits" "rc $rc, seq [$(seq_of "$TMP/orph.info" "$TMP/orph.json" 2>/dev/null)]"
	fi
}

# -p of a process that becomes a zombie: the trace ends at once, not
# when its parent (here: never) reaps it.
test_zombie() {
	sh -c 'sleep 1 & echo $! > '"$TMP/z.pid"'; exec sleep 20' &
	PPID_=$!
	while [ ! -s "$TMP/z.pid" ]; do sleep 0.1; done
	start=$(date +%s)
	"$TT" $(modeflag) -p "$(cat "$TMP/z.pid")" > /dev/null 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	kill "$PPID_" 2>/dev/null
	wait "$PPID_" 2>/dev/null
	if [ $rc = 0 ] && [ $took -le 8 ]; then
		pass "$T.pid-zombie-ends-trace"
	else
		fail "$T.pid-zombie-ends-trace" "rc $rc after $took s (the parent lives 20 s)"
	fi
}

# The command's exit status is tamtrace's; a signal is 128+N, said once.
test_exit_status() {
	"$TT" $(modeflag) -o /dev/null -- sh -c 'exit 7' 2> /dev/null
	check "$T.exit-status-of-command" test $? = 7
	"$TT" $(modeflag) -o /dev/null -- sh -c 'kill -SEGV $$' 2> "$TMP/sig.err"
	rc=$?
	if [ $rc = 139 ] && [ "$(grep -c 'killed by signal 11' "$TMP/sig.err")" = 1 ]; then
		pass "$T.exit-status-signal"
	else
		fail "$T.exit-status-signal" "rc $rc: $(grep -i signal "$TMP/sig.err")"
	fi
}

# The trace ends first (-d, SIGTERM, SIGHUP): the command gets SIGTERM
# and is reaped; tamtrace exits with its status.
test_ends_first() {
	how=$1
	rm -f "$TMP/cmd.pid"
	case $how in
	duration)
		"$TT" $(modeflag) -d 1 -o /dev/null -- sh -c \
			"echo \$\$ > $TMP/cmd.pid; exec sleep 30" 2> "$TMP/end.err" &
		TPID=$! ;;
	*)
		"$TT" $(modeflag) -o /dev/null -- sh -c \
			"echo \$\$ > $TMP/cmd.pid; exec sleep 30" 2> "$TMP/end.err" &
		TPID=$!
		wait_attached "$TMP/end.err"
		sleep 0.5
		kill -"$how" "$TPID" ;;
	esac
	wait "$TPID"
	rc=$?
	cpid=$(cat "$TMP/cmd.pid" 2>/dev/null)
	alive=no
	[ -n "$cpid" ] && kill -0 "$cpid" 2>/dev/null && alive=yes
	[ $alive = yes ] && kill "$cpid"
	if [ $rc = 143 ] && [ $alive = no ] && grep -q "sending it SIGTERM" "$TMP/end.err" &&
		grep -q "faults.*seen" "$TMP/end.err"; then
		pass "$T.ends-first-$how"
	else
		fail "$T.ends-first-$how" "rc $rc, command alive: $alive: $(tail -2 "$TMP/end.err")"
	fi
}

# -p: SIGHUP ends the trace cleanly, with the summary; the target lives.
test_sighup() {
	waiting_faulter "$TMP/hup.info"
	"$TT" -j $(modeflag) -p "$FPID" -o "$TMP/hup.json" 2> "$TMP/hup.err" &
	TPID=$!
	wait_attached "$TMP/hup.err"
	kill -HUP "$TPID"
	wait "$TPID"
	rc=$?
	alive=no
	kill -0 "$FPID" 2>/dev/null && alive=yes
	kill -KILL "$FPID" 2>/dev/null
	wait "$FPID" 2>/dev/null
	if [ $rc = 0 ] && [ $alive = yes ] && grep -q '"type":"summary"' "$TMP/hup.json"; then
		pass "$T.sighup-clean-exit"
	else
		fail "$T.sighup-clean-exit" "rc $rc, target alive: $alive"
	fi
}

# -o: events in the file, the command's own output on stdout, unmixed.
test_output_file() {
	"$TT" -j $(modeflag) -o "$TMP/o.json" -- sh -c 'echo hello from the command' \
		> "$TMP/o.stdout" 2> /dev/null
	rc=$?
	bad=$(grep -vc '^{"type":' "$TMP/o.json")
	if [ $rc = 0 ] && [ "$(cat "$TMP/o.stdout")" = "hello from the command" ] &&
		[ "$bad" = 0 ] && grep -q '"type":"summary"' "$TMP/o.json"; then
		pass "$T.output-file"
	else
		fail "$T.output-file" "rc $rc, stdout [$(head -c 200 "$TMP/o.stdout")], $bad non-JSON lines"
	fi
	"$TT" hist $(modeflag) -o "$TMP/h.txt" -- sh -c 'echo hi' > "$TMP/h.stdout" 2> /dev/null
	rc=$?
	if [ $rc = 0 ] && [ "$(cat "$TMP/h.stdout")" = hi ] && grep -q "faults on" "$TMP/h.txt"; then
		pass "$T.hist-output-file"
	else
		fail "$T.hist-output-file" "rc $rc, stdout [$(head -c 200 "$TMP/h.stdout")]"
	fi
}

# Every writer's error is caught: exit 1 and the file named.
test_write_errors() {
	[ -w /dev/full ] || { skip "$T.write-errors" "no /dev/full"; return; }
	bad=""
	"$TT" hist $(modeflag) --csv /dev/full -o /dev/null -- true 2> "$TMP/w.err"
	rc=$?; [ $rc = 1 ] && grep -q "cannot write /dev/full" "$TMP/w.err" || bad="$bad hist-csv:$rc"
	"$TT" hist $(modeflag) -- true > /dev/full 2> "$TMP/w.err"
	rc=$?; [ $rc = 1 ] && grep -q "cannot write standard output" "$TMP/w.err" || bad="$bad hist-stdout:$rc"
	"$TT" -j $(modeflag) -o /dev/full -- true 2> "$TMP/w.err"
	rc=$?; [ $rc = 1 ] && grep -q "cannot write /dev/full" "$TMP/w.err" || bad="$bad stream:$rc"
	"$TT" stats > /dev/full 2> "$TMP/w.err"
	rc=$?; [ $rc = 1 ] && grep -q "cannot write" "$TMP/w.err" || bad="$bad stats:$rc"
	if [ -z "$bad" ]; then pass "$T.write-errors"; else fail "$T.write-errors" "$bad"; fi
}

# stats -w into a pipe whose reader left: exit 10, like the stream.
test_stats_epipe() {
	epipe_case "$T.stats-epipe" "$TT" stats -w 0.2
}

# -T to the microsecond; -r seconds since the start, never decreasing.
test_times() {
	"$TT" -T -r $(modeflag) -o "$TMP/t.txt" -- "$BIN/faulter" --mmap --pages 6 > /dev/null 2>&1
	bad=$(awk 'NR == 1 { next }
		$1 !~ /^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9][0-9][0-9][0-9][0-9][0-9]$/ { print "T " $1; exit }
		$2 !~ /^[0-9]+\.[0-9][0-9][0-9][0-9][0-9][0-9]$/ || $2 + 0 < last { print "r " $2; exit }
		{ last = $2 + 0; n++ }
		END { if (n < 6) print "only " n " events" }' "$TMP/t.txt")
	if [ -z "$bad" ]; then pass "$T.timestamps"; else fail "$T.timestamps" "$bad"; fi
}

# Error messages that state the limit, and nothing on stdout first.
test_errors() {
	"$TT" -b 3 -p 1 2> "$TMP/e.err"
	check "$T.buffer-limit-said" grep -q "1 to 1024" "$TMP/e.err"
	"$TT" hist --max-pages 3 -p 1 2> "$TMP/e.err"
	check "$T.max-pages-limit-said" grep -q "at least 16" "$TMP/e.err"
	"$TT" $(modeflag) -- /nonexistent/command > "$TMP/e.out" 2> "$TMP/e.err"
	rc=$?
	if [ $rc = 6 ] && [ ! -s "$TMP/e.out" ]; then
		pass "$T.exec-fails-stdout-empty"
	else
		fail "$T.exec-fails-stdout-empty" "rc $rc, stdout [$(head -2 "$TMP/e.out")]"
	fi
	sleep 30 &
	SPID=$!
	"$TT" stats -j -p "$SPID" -p "$(unused_pid)" > "$TMP/s.out" 2> "$TMP/s.err"
	rc=$?
	kill "$SPID"; wait "$SPID" 2>/dev/null
	if [ $rc = 5 ] && grep -q "\"pid\":$SPID," "$TMP/s.out" &&
		grep -q "no such process" "$TMP/s.err"; then
		pass "$T.stats-good-and-bad-pid"
	else
		fail "$T.stats-good-and-bad-pid" "rc $rc: $(cat "$TMP/s.out" "$TMP/s.err" | head -3)"
	fi
}

# A forced mode that fails: one line, libbpf's own lines only with -v.
test_forced_mode_quiet() {
	"$TT" -m fentry -p 1 -d 0.5 -o /dev/null 2> "$TMP/f.err"
	rc=$?
	if [ $rc != 7 ]; then
		skip "$T.forced-mode-one-line" "fentry attaches on this kernel (exit $rc)"
		return
	fi
	"$TT" -v -m fentry -p 1 -d 0.5 -o /dev/null 2> "$TMP/fv.err"
	if [ "$(wc -l < "$TMP/f.err")" = 1 ] && grep -q "refuses fentry" "$TMP/f.err" &&
		[ "$(wc -l < "$TMP/fv.err")" -gt 1 ]; then
		pass "$T.forced-mode-one-line"
	else
		fail "$T.forced-mode-one-line" "$(wc -l < "$TMP/f.err") lines: $(head -3 "$TMP/f.err")"
	fi
}

# hist: a full page map is a loss: reported, and exit 9.
test_hist_loss() {
	"$TT" hist $(modeflag) --max-pages 16 -o "$TMP/l.txt" -- "$BIN/faulter" \
		--mmap --pages 60 > /dev/null 2> "$TMP/l.err"
	rc=$?
	if [ $rc = 9 ] && grep -q "page map full [1-9]" "$TMP/l.txt" &&
		grep -q "events lost" "$TMP/l.err"; then
		pass "$T.hist-loss-exit-9"
	else
		fail "$T.hist-loss-exit-9" "rc $rc: $(grep lost "$TMP/l.txt")"
	fi
}

# Hostile names reach every writer: a mapped file and an executable
# named we"ird, <&> na;me<newline><0xff>x. Each output is read back by
# a real parser (python3's json, csv, xml).
test_escaping() {
	if ! command -v python3 > /dev/null; then
		skip "$T.escaping" "no python3 here to parse the outputs"
		return
	fi
	name=$(printf 'we"ird, <&> na;me\n\377x')
	mkdir -p "$TMP/esc"
	cp "$BIN/faulter" "$TMP/esc/$name"
	"$TT" -j $(modeflag) -o "$TMP/esc.json" -- "$TMP/esc/$name" --file \
		"$TMP/esc/$name.data" --pages 6 > /dev/null 2>&1
	"$TT" $(modeflag) -o "$TMP/esc.txt" -- "$TMP/esc/$name" --file \
		"$TMP/esc/$name.data" --pages 6 > /dev/null 2>&1
	# A thread name of control bytes, each 6 bytes long in JSON.
	"$TT" -j $(modeflag) -o "$TMP/esc-comm.json" -- python3 -c '
import ctypes
ctypes.CDLL(None).prctl(15, b"\x01" * 15, 0, 0, 0)
print(len(bytearray(1 << 20)))' > /dev/null 2>&1
	"$TT" hist $(modeflag) -o /dev/null --csv "$TMP/esc.csv" --json \
		"$TMP/esc.hjson" --heatmap "$TMP/esc.svg" --stacks "$TMP/esc.folded" \
		-- "$TMP/esc/$name" --file "$TMP/esc/$name.data" --pages 6 > /dev/null 2>&1
	out=$(python3 - "$TMP" <<'PY' 2>&1
import csv, json, re, sys, xml.dom.minidom
d = sys.argv[1]
regions = [json.loads(l).get("region", "") for l in open(d + "/esc.json", encoding="utf-8")]
assert any('we"ird, <&> na;me' in r for r in regions), "NDJSON: no hostile region"
comms = {json.loads(l).get("comm") for l in open(d + "/esc-comm.json", encoding="utf-8")}
assert "\x01" * 15 in comms, "NDJSON: control-byte comm lost: %r" % comms
for l in open(d + "/esc.txt", encoding="utf-8").read().split("\n")[1:-1]:
    assert re.match(r"\d+ ", l), "text: a row split: %r" % l
rows = list(csv.reader(open(d + "/esc.csv", encoding="utf-8", newline="")))
assert all(len(r) == len(rows[0]) for r in rows), "CSV: ragged rows"
assert any('we"ird, <&> na;me' in r[1] for r in rows), "CSV: no hostile region"
json.load(open(d + "/esc.hjson", encoding="utf-8"))
xml.dom.minidom.parse(d + "/esc.svg")
for l in open(d + "/esc.folded", encoding="utf-8"):
    assert re.match(r"^[^ \n]+ \d+$", l.rstrip("\n")), "folded: %r" % l
    assert not l.startswith("we\"ird,") or l.startswith('we"ird,_<&>_na_;'), "folded comm: %r" % l
print("ok")
PY
)
	if [ "$out" = ok ]; then pass "$T.escaping"; else fail "$T.escaping" "$(echo "$out" | tail -1)"; fi
}

# One result line per case; two for test_exit_status and test_output_file,
# four for test_errors.
if [ "$MODE" = auto ]; then
	plan "$T" 24
	test_two_pids
	test_one_thread
	test_all
	test_cgroup
	test_follow_orphan
	test_zombie
	test_exit_status
	test_ends_first duration
	test_ends_first TERM
	test_ends_first HUP
	test_sighup
	test_output_file
	test_write_errors
	test_stats_epipe
	test_times
	test_errors
	test_forced_mode_quiet
	test_hist_loss
	test_escaping
else
	plan "$T" 5
	test_two_pids
	test_one_thread
	test_all
	test_follow_orphan
	test_hist_loss
fi
rm -rf "$TMP"
