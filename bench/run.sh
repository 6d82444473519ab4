#!/bin/bash
# Benchmarks of tamtrace on the running kernel: ratios measured side by
# side in one run, medians of RUNS runs, THP off. Writes bench/results.md.
# Usage: bench/run.sh [--smoke]   (--smoke: tiny sizes, 1 run, no timing claims)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/build
TMP=$(mktemp -d)
RUNS=5
PAGES=262144		# 1 GiB of 4 KiB pages
OUT=$ROOT/bench/results.md
if [ "${1:-}" = --smoke ]; then
	RUNS=1
	PAGES=2048
	OUT=$TMP/results.md
fi
trap 'restore_thp; rm -rf "$TMP"' EXIT

THP=/sys/kernel/mm/transparent_hugepage/enabled
THP_WAS=$(sed -n 's/.*\[\(.*\)\].*/\1/p' "$THP" 2>/dev/null)
restore_thp() { [ -n "$THP_WAS" ] && echo "$THP_WAS" > "$THP" 2>/dev/null; }
echo never > "$THP" 2>/dev/null
[ -d /sys/kernel/tracing/events ] ||
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null

FAULTS=$((PAGES + PAGES / 3))	# the faulter's read-then-write pages fault twice

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
elapsed() { awk '$1 == "elapsed_ns" { print $2 }' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0) ? a / b : 0 }'; }

# One timed faulter run under CMD...; prints the touch loop's ns.
run_under() {
	rm -f "$TMP/info"
	"$@" > /dev/null 2> "$TMP/under.err"
	elapsed "$TMP/info"
}

# With 2+ CPUs the workload runs on CPU 1 and the tracers on CPU 0, so
# that a tracer's reader never shares the workload's CPU by chance.
WL_CPU=""
TR_CPU=""
if [ "$(nproc)" -ge 2 ]; then
	WL_CPU="$(command -v taskset) -c 1"
	TR_CPU="$(command -v taskset) -c 0"
fi
workload() { echo "$WL_CPU $B/faulter --mmap --pages $PAGES --info $TMP/info"; }

bench_untraced() { run_under $(workload); }
bench_stream() {
	rm -f "$TMP/info"
	$TR_CPU "$B/tamtrace" -j -- $(workload) > /dev/null 2> "$TMP/stream.err"
	grep -o '[0-9]* dropped' "$TMP/stream.err" | head -1 | cut -d' ' -f1 > "$TMP/drops"
	elapsed "$TMP/info"
}
bench_hist() { run_under $TR_CPU "$B/tamtrace" hist -- $(workload); }
bench_bpftrace() {
	rm -f "$TMP/info"
	$TR_CPU bpftrace -c "$(workload)" -e 'tracepoint:exceptions:page_fault_user /pid == cpid/ {
		printf("%d %lx %lx\n", tid, args->address, args->error_code); }' \
		> "$TMP/bt.out" 2>&1
	grep -o 'Lost [0-9]*' "$TMP/bt.out" | awk '{ s += $2 } END { print s + 0 }' > "$TMP/bt.lost"
	elapsed "$TMP/info"
}
bench_perf() {
	rm -f "$TMP/info"
	$TR_CPU perf trace --no-syscalls --pf=all -o /dev/null -- $(workload) \
		> /dev/null 2> "$TMP/perf.err" || { echo 0; return; }
	elapsed "$TMP/info"
}
bench_bystander() {
	sleep 600 &
	local sp=$!
	$TR_CPU "$B/tamtrace" -j -p $sp > /dev/null 2>&1 &
	local tp=$!
	sleep 1
	run_under $(workload)
	kill $tp $sp 2>/dev/null
	wait $tp $sp 2>/dev/null
}

# Interleave the variants run by run, so that drift in the machine's
# speed hits all of them alike; keep every sample, report medians.
measure_all() {
	local i v
	for i in $(seq $RUNS); do
		for v in "$@"; do
			bench_$v >> "$TMP/samples.$v"
		done
	done
	for v in "$@"; do
		eval "$v=\$(median < $TMP/samples.$v)"
		spread="$spread $v=[$(sort -n "$TMP/samples.$v" | awk '{ printf "%s%.0f", (NR > 1 ? " " : ""), $1 / 1e6 }') ms]"
	done
}

# P4: one faulting process per CPU, followed with -f; delivered / known.
completeness() {
	local n=$(nproc) cmd="" i
	for i in $(seq $n); do cmd="$cmd $(workload)-$i &"; done
	"$B/tamtrace" -j -f -- sh -c "$cmd wait" > "$TMP/p4.json" 2> /dev/null
	local got=$(grep -c '"type":"fault"' "$TMP/p4.json")
	local region=0 f
	for i in $(seq $n); do
		f=$TMP/info-$i
		[ -f "$f" ] || continue
		region=$((region + $(awk -v a=$(awk '$1=="addr"{print $2}' "$f") -v l=$(awk '$1=="len"{print $2}' "$f") '
			/"type":"fault"/ { match($0, /"addr":[0-9]+/); x = substr($0, RSTART + 7, RLENGTH - 7) + 0
			if (x >= a && x < a + l) n++ } END { print n + 0 }' "$TMP/p4.json")))
	done
	echo "$(ratio $region $((FAULTS * n))) $got"
}

# P5: launch to first event delivered, ours and bpftrace's (ms).
first_event() {
	local t0 t1
	t0=$(date +%s%N)
	"$B/tamtrace" -j -- $(workload) 2>/dev/null | head -1 > /dev/null
	t1=$(date +%s%N)
	local ours=$(((t1 - t0) / 1000000))
	t0=$(date +%s%N)
	bpftrace -c "$(workload)" -e 'tracepoint:exceptions:page_fault_user /pid == cpid/ { printf("%lx\n", args->address); }' 2>/dev/null | grep -m1 -v Attach > /dev/null
	t1=$(date +%s%N)
	echo "$ours $(((t1 - t0) / 1000000))"
}

# Loader peak RSS (KiB) and CPU seconds per million events, of tamtrace
# alone: it attaches with -p, so the workload is not its child and its
# rusage does not count the workload's.
loader_cost() {
	rm -f "$TMP/info"
	$(workload) --wait &
	local fp=$!
	while [ ! -s "$TMP/info" ]; do sleep 0.05; done
	/usr/bin/time -f "%M %U %S" -o "$TMP/time" "$B/tamtrace" -j -p $fp \
		> "$TMP/cost.json" 2> "$TMP/cost.err" &
	local tp=$!
	while ! grep -q "exact" "$TMP/cost.err" 2>/dev/null; do sleep 0.05; done
	kill -USR1 $fp
	wait $fp $tp
	local ev=$(grep -c '"type":"fault"' "$TMP/cost.json")
	awk -v ev="$ev" '{ printf "%s %.3f\n", $1, (ev > 0) ? ($2 + $3) * 1e6 / ev : 0 }' "$TMP/time"
}

# Where the time goes: cpu-clock samples on the workload's CPU, untraced
# and streaming. The exceptions tracepoint runs with IRQs off, so its BPF
# program's time is sampled as exc_page_fault's own.
self_pct() {
	perf report -i "$1" --stdio --no-children --sort symbol 2>/dev/null |
		awk -v s="$2" '$2 == "[k]" && $3 == s { print $1; exit }'
}
profile() {
	command -v perf > /dev/null && [ -n "$WL_CPU" ] || { echo "n/a n/a"; return; }
	perf record -q -e cpu-clock -C 1 -o "$TMP/p0.data" -- $(workload) \
		> /dev/null 2>&1
	perf record -q -e cpu-clock -C 1 -o "$TMP/p1.data" -- $TR_CPU \
		"$B/tamtrace" -j -- $(workload) > /dev/null 2>&1
	echo "$(self_pct "$TMP/p0.data" exc_page_fault) $(self_pct "$TMP/p1.data" exc_page_fault)"
}

echo "bench: $(uname -r), $(nproc) CPUs, $RUNS runs of $PAGES pages ($FAULTS faults), THP never"
spread=""
variants="untraced stream hist bystander"
command -v bpftrace > /dev/null && variants="$variants bpftrace"
perf trace --no-syscalls --pf=all -o /dev/null -- true > /dev/null 2>&1 &&
	variants="$variants perf"
bpftrace=0
perf=0
measure_all $variants
base=$untraced
bt=$bpftrace
drops=$(cat "$TMP/drops" 2>/dev/null)
bt_lost=$(cat "$TMP/bt.lost" 2>/dev/null || echo n/a)
set -- $(completeness); p4=$1; p4_events=$2
set -- $(first_event); p5_ours=$1; p5_bt=$2
set -- $(loader_cost); rss_kb=$1; cpu_per_m=$2
set -- $(profile); prof0=${1:-n/a}; prof1=${2:-n/a}

p1=$(ratio "$stream" "$base")
p2=$(ratio "$hist" "$base")
p3=$(ratio "$bt" "$base")
p3p=$(ratio "$perf" "$base")
ours_vs_bt=$(awk -v a="$p1" -v b="$p3" 'BEGIN { printf "%.3f", (b > 1) ? (a - 1) / (b - 1) : 0 }')
p6=$(ratio "$bystander" "$base")

{
	echo "# tamtrace benchmarks"
	echo
	echo "- machine: $(nproc) CPUs, $(free -g | awk '/Mem:/ { print $2 }') GiB, kernel $(uname -r)"
	echo "- workload: faulter, $PAGES pages ($((PAGES * 4 / 1024)) MiB) in 4 KiB pages, $FAULTS faults, single thread, THP never"
	echo "- workload pinned to CPU 1, tracers to CPU 0 (taskset)"
	echo "- median of $RUNS runs; ratios are the workload's own touch-loop time ÷ untraced, measured in this run"
	echo "- tamtrace mode: $(sed -n 's/.*mode \([a-z]*\):.*exact.*/\1/p' "$TMP/stream.err" | head -1)"
	echo
	echo "| measure | value | bar |"
	echo "| --- | --- | --- |"
	echo "| untraced touch loop | $((base / 1000)) us | |"
	echo "| P1 streaming NDJSON to /dev/null ÷ untraced | $p1 (drops: ${drops:-?}) | ≤ 1.05, 0 drops |"
	echo "| P2 histogram mode ÷ untraced | $p2 | ≤ 1.02 |"
	echo "| P3 bpftrace printf ÷ untraced | $p3 (lost: $bt_lost) | |"
	echo "| P3 perf trace --pf=all ÷ untraced | $p3p | (0 = perf trace unavailable) |"
	echo "| P3 our slowdown ÷ bpftrace's | $ours_vs_bt | ≤ 0.5 |"
	echo "| P4 events delivered ÷ faults, one process per CPU | $p4 ($p4_events fault events in all) | 1.000 |"
	echo "| P5 launch to first event, ours / bpftrace | $p5_ours ms / $p5_bt ms | |"
	echo "| P6 bystander (other PID traced) ÷ untraced | $p6 | ≤ 1.01 |"
	echo "| loader peak RSS | $rss_kb KiB | |"
	echo "| loader CPU per million events | $cpu_per_m s | |"
	echo
	echo "Samples of the touch loop, run by run (interleaved):$spread"
	echo
	echo "Profile (perf cpu-clock on the workload's CPU): exc_page_fault self"
	echo "time is $prof0 untraced and $prof1 while streaming. The exceptions"
	echo "tracepoint runs with IRQs off, so the BPF program's cost shows up there."
	echo
	awk -v p1="$p1" -v p2="$p2" -v p6="$p6" -v r="$ours_vs_bt" -v p4="$p4" -v d="${drops:-1}" 'BEGIN {
		miss = ""
		if (p1 > 1.05 || d != 0) miss = miss " P1"
		if (p2 > 1.02) miss = miss " P2"
		if (r > 0.5) miss = miss " P3"
		if (p4 != "1.000") miss = miss " P4"
		if (p6 > 1.01) miss = miss " P6"
		if (miss == "") print "All bars met in this run."
		else print "Bars not met in this run:" miss ". Compare with the spread of the untraced samples above before reading much into a few percent."
	}'
} > "$OUT"
cat "$OUT"
# The smoke run only checks that everything ran and parsed.
for v in "$base" "$stream" "$hist" "$p4" $(command -v bpftrace > /dev/null && echo "$bt"); do
	case $v in ''|0|0.000) echo "bench: a measurement is missing" >&2; exit 1 ;; esac
done
