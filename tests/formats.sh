#!/bin/sh
# The formats other tools read, each checked by its real reader: hist
# --pprof with go tool pprof, --perfetto's Chrome JSON trace with
# python's json against the stream's own NDJSON and summary, and hist
# --stacks' folded file in speedscope (from npm) in headless Chromium.
# Usage: tests/formats.sh MODE   (auto, patched, fentry, exceptions)
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
BIN=${TT_BIN:-$HERE/../build}
TMP=${TT_TMP:-/tmp/tamtrace-formats.$$}
MODE=${1:-auto}
T="formats.$MODE"
mkdir -p "$TMP"

# pprof: reads, workload-count, mappings, pie-count, broken-fails,
# unit-latency, unit-frames; perfetto: parses, sorted, counts,
# names-rss, sampled, unit; speedscope: table, drawn.
plan "$T" 15

# folded_count FILE FUNC: faults of the stacks through FUNC.
folded_count() {
	awk -v f="$2" '{ n = split($1, a, ";"); for (i = 2; i <= n; i++)
		if (a[i] == f) { s += $NF; break } } END { print s + 0 }' "$1"
}
# pprof_cum FILE FUNC: FUNC's cumulative count in go tool pprof -top.
pprof_cum() {
	go tool pprof -top -nodecount=100000 "$1" 2> /dev/null |
		awk -v f="$2" '$6 == f { print $4; found = 1 } END { if (!found) print "none" }'
}

# --- pprof ------------------------------------------------------------
"$BIN/tamtrace" hist $(modeflag) --stacks "$TMP/s.folded" --pprof "$TMP/p.pb.gz" \
	-o "$TMP/summary" -- "$BIN/faulter" --mmap --pages 30 --spare 10 \
	> /dev/null 2> "$TMP/err"
rc=$?
PICKED=$(sed -n 's/.*(mode \([a-z]*\)).*/\1/p' "$TMP/summary" | head -1)
echo "# $T: mode $PICKED"
if ! command -v go > /dev/null; then
	for c in reads workload-count mappings pie-count broken-fails unit-latency unit-frames; do
		skip "$T.pprof-$c" "no go (Debian golang-go: scripts/install-deps.sh)"
	done
elif [ $rc != 0 ]; then
	for c in reads workload-count mappings pie-count broken-fails; do
		fail "$T.pprof-$c" "tamtrace hist exit $rc: $(head -3 "$TMP/err")"
	done
fi
# The writer on made-up stacks (tests/unit/pprof_test.c), for what this
# kernel may not give: latency values, labels, build ids, unknown frames.
if command -v go > /dev/null && "$BIN/pprof_test" "$TMP/unit.pb.gz" &&
	go tool pprof -raw "$TMP/unit.pb.gz" > "$TMP/unit.raw" 2>&1; then
	top=$(go tool pprof -top -sample_index=latency "$TMP/unit.pb.gz" 2> /dev/null |
		awk '$NF == "leaf_fn" || $NF == "main" { printf "%s=%s ", $NF, $4 }')
	if grep -q '^ *7 *7000: ' "$TMP/unit.raw" && grep -q '^ *3 *900: ' "$TMP/unit.raw" &&
		[ "$top" = "leaf_fn=7000ns main=7900ns " ]; then
		pass "$T.pprof-unit-latency"
	else
		fail "$T.pprof-unit-latency" "samples: $(sed -n '/^Samples/,/^Locations/p' "$TMP/unit.raw" | xargs); top: $top"
	fi
	if grep -q '^1: 0x555500001100/0x555500001235/0x1100 /opt/unit/prog deadbeef0102030405060708090a0b0c0d0e0f10 \[FN\]$' "$TMP/unit.raw" &&
		grep -q ' M=3 \[unknown\] in libx.so /usr/lib/libx.so:' "$TMP/unit.raw" &&
		grep -q ' M=2 \[kernel\] \[kernel.kallsyms\]:' "$TMP/unit.raw" &&
		grep -q 'class:\[zero_fill\] comm:\[unit\]' "$TMP/unit.raw" &&
		grep -q 'pid:\[4242\]' "$TMP/unit.raw"; then
		pass "$T.pprof-unit-frames"
	else
		fail "$T.pprof-unit-frames" "$(sed -n '/^Locations/,$p' "$TMP/unit.raw" | head -12 | xargs)"
	fi
elif command -v go > /dev/null; then
	for c in unit-latency unit-frames; do
		fail "$T.pprof-$c" "pprof_test or go tool pprof failed: $(tail -2 "$TMP/unit.raw" 2> /dev/null)"
	done
fi
if command -v go > /dev/null && [ $rc = 0 ]; then
	# The sample types: latency only where the mode measures it.
	want="faults/count[dflt]"
	[ "$PICKED" = exceptions ] || want="$want latency/nanoseconds"
	if go tool pprof -raw "$TMP/p.pb.gz" > "$TMP/raw" 2> "$TMP/raw.err"; then
		got=$(sed -n '/^Samples:/{n;p;q}' "$TMP/raw" | xargs)
		check "$T.pprof-reads" test "$got" = "$want"
	else
		fail "$T.pprof-reads" "go tool pprof: $(head -2 "$TMP/raw.err")"
	fi
	# The workload's own function, and the whole, as the folded file
	# of the same run counts them.
	f=$(folded_count "$TMP/s.folded" touch)
	p=$(pprof_cum "$TMP/p.pb.gz" touch)
	total=$(awk '{ s += $NF } END { print s + 0 }' "$TMP/s.folded")
	ptotal=$(go tool pprof -top "$TMP/p.pb.gz" 2> /dev/null |
		sed -n 's/.*Total samples = \([0-9]*\).*/\1/p')
	if [ "$f" -gt 0 ] && [ "$f" = "$p" ] && [ "$total" = "$ptotal" ]; then
		pass "$T.pprof-workload-count"
	else
		fail "$T.pprof-workload-count" "touch: folded $f, pprof $p; total: folded $total, pprof $ptotal"
	fi
	# The faulter's mapping carries its file and build id (readelf's).
	bid=$(readelf -n "$BIN/faulter" 2> /dev/null | sed -n 's/.*Build ID: //p')
	exe=$(realpath "$BIN/faulter")
	if grep -q " $exe $bid \[FN\]" "$TMP/raw" && grep -q " \[kernel.kallsyms\] " "$TMP/raw"; then
		pass "$T.pprof-mappings"
	else
		fail "$T.pprof-mappings" "no '$exe $bid' or kernel mapping: $(sed -n '/^Mappings/,$p' "$TMP/raw" | head -4 | xargs)"
	fi
	# A dynamic PIE gone within milliseconds: frames by build id.
	"$BIN/tamtrace" hist $(modeflag) --stacks "$TMP/pie.folded" \
		--pprof "$TMP/pie.pb.gz" -o /dev/null -- "$BIN/stackpie" > /dev/null 2>&1
	f=$(folded_count "$TMP/pie.folded" toucher)
	p=$(pprof_cum "$TMP/pie.pb.gz" toucher)
	if [ "$f" -ge 64 ] && [ "$f" = "$p" ]; then
		pass "$T.pprof-pie-count"
	else
		fail "$T.pprof-pie-count" "toucher: folded $f, pprof $p (64 pages touched)"
	fi
	# The reader this relies on refuses a damaged profile.
	head -c $(($(wc -c < "$TMP/p.pb.gz") / 2)) "$TMP/p.pb.gz" > "$TMP/cut.pb.gz"
	if go tool pprof -top "$TMP/cut.pb.gz" > /dev/null 2>&1; then
		fail "$T.pprof-broken-fails" "go tool pprof read half a profile"
	else
		pass "$T.pprof-broken-fails"
	fi
fi

# --- Perfetto ---------------------------------------------------------
# tamalloc-demo touches 20 MiB in 1 s (tamalloc(), else mmap): RSS
# samples, and tamalloc() calls where the kernel has them. The NDJSON of
# the same run is the oracle.
"$BIN/tamtrace" $(modeflag) -j --perfetto "$TMP/t.json" -o "$TMP/ev.ndjson" -- \
	"$BIN/tamalloc-demo" -m 20 -p 0.05 --no-wait > /dev/null 2> "$TMP/perr"
rc=$?
if [ $rc != 0 ]; then
	for c in parses sorted counts names-rss; do
		fail "$T.perfetto-$c" "tamtrace exit $rc: $(head -3 "$TMP/perr")"
	done
else
	python3 "$HERE/perfetto_check.py" "$T" "$TMP/t.json" "$TMP/ev.ndjson" \
		"$(realpath "$BIN/tamalloc-demo" | xargs basename | cut -c1-15)" 20 \
		> "$TMP/pcheck" 2>&1 || for c in parses sorted counts names-rss; do
		echo "FAIL $T.perfetto-$c: perfetto_check.py: $(tail -1 "$TMP/pcheck")"
	done >> "$TMP/pcheck"
	relay "$TMP/pcheck"
fi
# Past the limit: 100,000 of 150,000 faults or so as instant events,
# a uniform sample, said in the file and on stderr; the counters count
# every fault.
"$BIN/tamtrace" $(modeflag) --perfetto "$TMP/big.json" -o /dev/null -- \
	"$BIN/faulter" --mmap --pages 110000 > /dev/null 2> "$TMP/bigerr"
rc=$?
seen=$(sed -n 's/^tamtrace: \([0-9]*\) faults (.*/\1/p' "$TMP/bigerr")
if [ $rc != 0 ] || [ -z "$seen" ]; then
	fail "$T.perfetto-sampled" "tamtrace exit $rc: $(head -3 "$TMP/bigerr")"
elif ! grep -q "faults (failed ones too), 100000 of them as instant events, a uniform sample" "$TMP/bigerr"; then
	fail "$T.perfetto-sampled" "stderr does not say it sampled: $(grep Perfetto "$TMP/bigerr")"
else
	check "$T.perfetto-sampled" python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))
seen = int(sys.argv[2])
o, ev = t["otherData"], t["traceEvents"]
inst = [e for e in ev if e["ph"] == "i"]
cnt = sum(sum(e["args"].values()) for e in ev if e["name"] == "faults/ms")
assert seen > 100000 and o["faults_seen"] == seen, (seen, o)
assert o["fault_events_sampled"] is True and o["fault_events"] == 100000, o
assert len(inst) == 100000 and cnt == seen, (len(inst), cnt, seen)
ts = [e["ts"] for e in inst]
assert ts == sorted(ts), "instants not sorted"
' "$TMP/big.json" "$seen"
fi

# The writer fed made-up events (tests/unit/perfetto_test.c), for what
# this kernel may not give: tamalloc() calls, latency, failed faults.
if "$BIN/perfetto_test" "$TMP/unit.json" > /dev/null 2> "$TMP/unit.err"; then
	check "$T.perfetto-unit" python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))
o, ev = t["otherData"], t["traceEvents"]
assert (o["mode"], o["faults_seen"], o["errors_seen"], o["allocs_seen"],
        o["faults_delivered"], o["errors_delivered"]) == ("patched", 2, 1, 2, 2, 1), o
names = {(e["name"], e["pid"], e.get("tid")): e["args"]["name"] for e in ev if e["ph"] == "M"}
assert names == {("thread_name", 100, 100): "unit-main", ("process_name", 100, None): "unit-main",
                 ("thread_name", 100, 101): "unit-worker"}, names
x = [(e["ts"], e["dur"], e["args"]) for e in ev if e["ph"] == "X"]
assert x == [(999000.0, 1.5, {"size": 5000, "addr": "0x7f0000000000", "len": 8192}),
             (999500.0, 0.3, {"size": 1 << 40, "errno": 12})], x
i = [(e["name"], e["ts"], e["tid"], e["args"]["latency_ns"], e["args"]["region"],
      e["args"].get("error")) for e in ev if e["ph"] == "i"]
assert i == [("zero_fill", 1000100.0, 100, 2500, "tamalloc", None),
             ("cow", 1000200.0, 101, None, "tamalloc", None),
             ("error", 1003000.0, 100, None, "tamalloc", "no_vma")], i
c = [(e["ts"], e["args"]) for e in ev if e["name"] == "faults/ms"]
z = {"zero_fill": 0, "cow": 0, "error": 0}
assert c == [(1000000.0, dict(z, zero_fill=1, cow=1)), (1001000.0, z),
             (1003000.0, dict(z, error=1)), (1004000.0, z)], c
' "$TMP/unit.json"
else
	fail "$T.perfetto-unit" "perfetto_test: $(tail -2 "$TMP/unit.err")"
fi

# --- speedscope -------------------------------------------------------
# The folded file of the pprof run, opened by speedscope (npm) served on
# loopback, in headless Chromium: the sandwich view's table (DOM) lists
# the workload's function with the folded count; the left-heavy flame
# chart (screenshot) draws a frame that wide at its depth.
speedscope_skip() {
	skip "$T.speedscope-table" "$1"
	skip "$T.speedscope-drawn" "$1"
}
if [ ! -s "$TMP/s.folded" ]; then
	speedscope_skip "no folded file (the hist run failed above)"
elif ! command -v chromium > /dev/null; then
	speedscope_skip "no chromium here"
elif ! DIST=$("$HERE/../scripts/fetch-speedscope.sh" 2> "$TMP/npm.err"); then
	speedscope_skip "speedscope not installed from npm: $(tail -1 "$TMP/npm.err")"
else
	mkdir -p "$TMP/www"
	cp -r "$DIST/." "$TMP/www/"
	cp "$TMP/s.folded" "$TMP/www/faults.folded"
	rm -f "$TMP/port"
	python3 -c '
import functools, http.server, sys
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), h)
open(sys.argv[2] + ".tmp", "w").write(str(s.server_port))
__import__("os").rename(sys.argv[2] + ".tmp", sys.argv[2])
s.serve_forever()
' "$TMP/www" "$TMP/port" 2> /dev/null &
	srv=$!
	for i in 1 2 3 4 5 6 7 8 9 10; do [ -s "$TMP/port" ] && break; sleep 0.5; done
	url="http://127.0.0.1:$(cat "$TMP/port" 2> /dev/null)/index.html#profileURL=/faults.folded"
	chrome() {
		timeout 120 chromium --headless --no-sandbox --enable-unsafe-swiftshader \
			--user-data-dir="$TMP/chromium" --window-size=1400,900 \
			--virtual-time-budget=10000 "$@" 2> /dev/null
	}
	chrome --dump-dom "$url&view=sandwich" > "$TMP/sandwich.html"
	chrome --screenshot="$TMP/speedscope.png" "$url&view=left-heavy" > /dev/null
	kill "$srv" 2> /dev/null
	wait "$srv" 2> /dev/null
	f=$(folded_count "$TMP/s.folded" touch)
	# The table's rows: total, self, name.
	got=$(python3 -c '
import re, sys
cells = [c.strip() for c in re.split(r"<[^>]+>", open(sys.argv[1]).read())]
cells = [c for c in cells if c]
for i, c in enumerate(cells):
    if c == "touch" and i >= 2:
        print(cells[i - 2].split()[0])
' "$TMP/sandwich.html")
	if [ -n "$got" ] && [ "$got" = "$f" ]; then
		pass "$T.speedscope-table"
	else
		fail "$T.speedscope-table" "speedscope's table: touch '$got', folded $f"
	fi
	# touch's depth and count on the heaviest path through it (the
	# left-heavy view merges equal paths); the comm is depth 0.
	set -- $(awk '{ n = split($1, a, ";"); p = a[1]
		for (i = 2; i <= n; i++) { p = p ";" a[i]; if (a[i] == "touch") { c[p] += $NF; d[p] = i - 1; break } }
		s += $NF }
		END { for (k in c) if (c[k] > best) { best = c[k]; bd = d[k] } print bd, best, s }' "$TMP/s.folded")
	if [ ! -s "$TMP/speedscope.png" ]; then
		fail "$T.speedscope-drawn" "no screenshot"
	elif out=$(cd "$HERE" && python3 flamerow.py "$TMP/speedscope.png" "$1" "$2" "$3"); then
		echo "# $T: speedscope: $out ($TMP/speedscope.png)"
		pass "$T.speedscope-drawn"
	else
		fail "$T.speedscope-drawn" "touch ($2 of $3 at depth $1): $out"
	fi
fi
