#!/bin/bash
# Benchmarks of tamtrace on the running kernel, THP off. Writes
# bench/results.md.
#
# Method: one faulter process maps and touches the region once per round
# and unmaps it; before each round one variant attaches (tamtrace -p,
# bpftrace, perf trace, ...) and after it detaches. Variants take turns,
# in a rotating order, so all of them see the same process; each ratio is
# the median over RUNS turns of a round's time ÷ the untraced round's time
# in the same turn, which cancels the machine's slower drifts. The raw
# samples go to the results too.
#
# Usage: bench/run.sh [--smoke]   (--smoke: tiny sizes, 1 round each,
#                                  checks that it runs; no timing claims)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/build
TMP=$(mktemp -d)
RUNS=9
PAGES=262144		# 1 GiB of 4 KiB pages
OUT=$ROOT/bench/results.md
if [ "${1:-}" = --smoke ]; then
	RUNS=1
	PAGES=2048
	OUT=$TMP/results.md
fi
FP=""
TRACER=""
SLEEPER=""
trap 'stop_tracer; kill $FP $SLEEPER 2>/dev/null; restore; rm -rf "$TMP"' EXIT

THP=/sys/kernel/mm/transparent_hugepage/enabled
THP_WAS=$(sed -n 's/.*\[\(.*\)\].*/\1/p' "$THP" 2>/dev/null)
STATS_WAS=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null)
restore() {
	[ -n "$THP_WAS" ] && echo "$THP_WAS" > "$THP" 2>/dev/null
	[ -n "$STATS_WAS" ] && sysctl -qw kernel.bpf_stats_enabled="$STATS_WAS"
}
echo never > "$THP" 2>/dev/null
# Timed rounds run without BPF run-time statistics: they cost two clock
# reads per program run. Only profile_round turns them on.
sysctl -qw kernel.bpf_stats_enabled=0 2>/dev/null
[ -d /sys/kernel/tracing/events ] ||
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null

FAULTS=$((PAGES + PAGES / 3))	# the faulter's read-then-write pages fault twice

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0) ? a / b : 0 }'; }
# Median over turns of variant $1's round ÷ the untraced round of the turn.
paired() {
	[ -s "$TMP/samples.$1" ] || { echo 0; return; }
	paste "$TMP/samples.$1" "$TMP/samples.untraced" |
		awk '{ print ($2 > 0) ? $1 / $2 : 0 }' | median |
		awk '{ printf "%.3f", $1 }'
}
wait_for() {	# wait_for FILE REGEX: until FILE matches, 20 s at most
	local i
	for i in $(seq 400); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "bench: no '$2' in $1" >&2
	return 1
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

# ---- the round-based workload and the tracers attached around rounds ----

start_rounds() {
	rm -f "$TMP/rounds"
	$WL_CPU "$B/faulter" --mmap --pages "$PAGES" --rounds 100000 --wait \
		--info "$TMP/rounds" > /dev/null &
	FP=$!
	wait_for "$TMP/rounds" '^pages'
}

# One round; prints its touch loop's ns.
round() {
	local n
	n=$(grep -c elapsed_ns "$TMP/rounds")
	kill -USR1 "$FP"
	while [ "$(grep -c elapsed_ns "$TMP/rounds")" -le "$n" ]; do
		sleep 0.02
	done
	awk '$1 == "elapsed_ns" { v = $2 } END { print v }' "$TMP/rounds"
}

stop_tracer() {
	[ -n "$TRACER" ] || return 0
	kill -INT "$TRACER" 2>/dev/null
	wait "$TRACER" 2>/dev/null
	TRACER=""
}

# tamtrace ERRFILE ARGS...: attached once it names its mode.
attach_tamtrace() {
	local err=$1
	shift
	$TR_CPU "$B/tamtrace" "$@" > /dev/null 2> "$err" &
	TRACER=$!
	wait_for "$err" 'exact:'
}
# bpftrace PID OUTFILE: P3's printf script, on PID's faults.
attach_bpftrace_on() {
	$TR_CPU bpftrace -e "tracepoint:exceptions:page_fault_user /pid == $1/ {
		printf(\"%d %lx %lx\\n\", tid, args->address, args->error_code); }" \
		> "$2" 2>&1 &
	TRACER=$!
	wait_for "$2" '^Attaching'
}
attach_untraced() { :; }
attach_stream() { attach_tamtrace "$TMP/stream.err" -j -p "$FP"; }
attach_hist() { attach_tamtrace "$TMP/hist.err" hist -p "$FP"; }
attach_bystander() { attach_tamtrace "$TMP/by.err" -j -p "$SLEEPER"; }
attach_bpftrace() { attach_bpftrace_on "$FP" "$TMP/bt.out"; }
# The same bystander set-up under bpftrace: the floor any BPF tracer on
# this tracepoint pays for other processes' faults.
attach_btbystander() { attach_bpftrace_on "$SLEEPER" "$TMP/btby.out"; }
attach_perf() {
	$TR_CPU perf trace --no-syscalls --pf=all -p "$FP" -o "$TMP/perf.out" \
		> /dev/null 2>&1 &
	TRACER=$!
	sleep 2		# perf trace says nothing once attached
}

# After a round: what the tracer lost.
count_losses() {
	case $1 in
	stream) sed -n 's/.* \([0-9]*\) dropped.*/\1/p' "$TMP/stream.err" ;;
	bpftrace) grep -o 'Lost [0-9]*' "$TMP/bt.out" |
		awk '{ s += $2 } END { print s + 0 }' ;;
	*) return 0 ;;
	esac >> "$TMP/lost.$1"
}

# RUNS rounds of each variant, their order rotated from turn to turn.
measure_all() {
	local i j v n=$# vs=("$@")
	for i in $(seq 0 $((RUNS - 1))); do
		for j in $(seq 0 $((n - 1))); do
			v=${vs[$(((i + j) % n))]}
			"attach_$v" || exit 1
			# Let deferred work of the last detach (map frees) end.
			sleep 0.5
			round >> "$TMP/samples.$v"
			stop_tracer
			count_losses "$v"
		done
	done
	for v in "$@"; do
		eval "$v=\$(median < $TMP/samples.$v)"
		spread="$spread $v=[$(sort -n "$TMP/samples.$v" | awk '{ printf "%s%.0f", (NR > 1 ? " " : ""), $1 / 1e6 }') ms]"
	done
}
sum_losses() { awk '{ s += $1 } END { print s + 0 }' "$TMP/lost.$1" 2>/dev/null || echo 0; }

# Profile: ns per run of tamtrace's fault program (kernel.bpf_stats_enabled)
# over one round, per variant. These rounds are not timed: the statistics
# add two clock reads per run.
prog_ns() {	# the newest page_fault_user program: this round's tamtrace
	bpftool prog show 2>/dev/null | awk '/ name page_fault_user / {
		for (i = 1; i <= NF; i++) {
			if ($i == "run_time_ns") p = $(i + 1)
			if ($i == "run_cnt") c = $(i + 1)
		} } END { if (c) printf "%.0f\n", p / c }'
}
profile_round() {
	sysctl -qw kernel.bpf_stats_enabled=1 || { echo n/a; return; }
	"attach_$1" || exit 1
	round > /dev/null
	prog_ns
	stop_tracer
	sysctl -qw kernel.bpf_stats_enabled=0
}

# ---- measures outside the rounds ----

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
	wait_for "$TMP/info" '^pages'
	/usr/bin/time -f "%M %U %S" -o "$TMP/time" "$B/tamtrace" -j -p $fp \
		> "$TMP/cost.json" 2> "$TMP/cost.err" &
	local tp=$!
	wait_for "$TMP/cost.err" 'exact:'
	kill -USR1 $fp
	wait $fp $tp
	local ev=$(grep -c '"type":"fault"' "$TMP/cost.json")
	awk -v ev="$ev" '{ printf "%s %.3f\n", $1, (ev > 0) ? ($2 + $3) * 1e6 / ev : 0 }' "$TMP/time"
}

# ---- run ----

echo "bench: $(uname -r), $(nproc) CPUs, $RUNS rounds of $PAGES pages ($FAULTS faults) per variant, THP never"
spread=""
variants="untraced stream hist bystander"
command -v bpftrace > /dev/null && variants="$variants bpftrace btbystander"
perf trace --no-syscalls --pf=all -o /dev/null -- true > /dev/null 2>&1 &&
	variants="$variants perf"
bpftrace=0
btbystander=0
perf=0
sleep 1000000 &
SLEEPER=$!
start_rounds
measure_all $variants
prof_stream=$(profile_round stream)
prof_hist=$(profile_round hist)
prof_by=$(profile_round bystander)
kill "$FP" "$SLEEPER" 2>/dev/null
wait "$FP" "$SLEEPER" 2>/dev/null
FP=""
SLEEPER=""

mode=$(sed -n 's/.*mode \([a-z]*\): exact.*/\1/p' "$TMP/stream.err" | head -1)
set -- $(completeness); p4=$1; p4_events=$2
set -- $(first_event); p5_ours=$1; p5_bt=$2
set -- $(loader_cost); rss_kb=$1; cpu_per_m=$2

base=$untraced
drops=$(sum_losses stream)
bt_lost=$(sum_losses bpftrace)
p1=$(paired stream)
p2=$(paired hist)
p3=$(paired bpftrace)
p3p=$(paired perf)
ours_vs_bt=$(awk -v a="$p1" -v b="$p3" 'BEGIN { printf "%.3f", (b > 1) ? (a - 1) / (b - 1) : 0 }')
p6=$(paired bystander)
p6bt=$(paired btbystander)
fault_ns=$(awk -v t="$base" -v n="$FAULTS" 'BEGIN { printf "%.0f", t / n }')
# A program's share of an untraced fault: the floor of its slowdown.
share() { awk -v p="$1" -v f="$fault_ns" 'BEGIN { if (p ~ /^[0-9]+$/ && f > 0) printf "%.2f", 1 + p / f; else print "n/a" }'; }

{
	echo "# tamtrace benchmarks"
	echo
	echo "- machine: $(nproc) CPUs, $(free -g | awk '/Mem:/ { print $2 }') GiB, kernel $(uname -r)"
	echo "- workload: faulter, $PAGES pages ($((PAGES * 4 / 1024)) MiB) in 4 KiB pages, $FAULTS faults per round, single thread, THP never"
	echo "- one workload process, one round per variant in turn, $RUNS rounds each; a tracer attaches (-p) before its round and detaches after"
	echo "- workload pinned to CPU 1, tracers to CPU 0 (taskset)"
	echo "- ratios: median over the $RUNS turns of the variant's touch-loop time ÷ the untraced round's of the same turn"
	echo "- tamtrace mode: ${mode:-?}"
	echo
	echo "| measure | value | bar |"
	echo "| --- | --- | --- |"
	echo "| untraced touch loop | $((base / 1000)) us ($fault_ns ns per fault) | |"
	echo "| P1 streaming NDJSON to /dev/null ÷ untraced | $p1 (drops: $drops) | ≤ 1.05, 0 drops |"
	echo "| P2 histogram mode ÷ untraced | $p2 | ≤ 1.02 |"
	echo "| P3 bpftrace printf ÷ untraced | $p3 (lost: $bt_lost) | |"
	echo "| P3 perf trace --pf=all ÷ untraced | $p3p | (0 = perf trace unavailable) |"
	echo "| P3 our slowdown ÷ bpftrace's | $ours_vs_bt | ≤ 0.5 |"
	echo "| P4 events delivered ÷ faults, one process per CPU | $p4 ($p4_events fault events in all) | 1.000 |"
	echo "| P5 launch to first event, ours / bpftrace | $p5_ours ms / $p5_bt ms | |"
	echo "| P6 bystander (other PID traced) ÷ untraced | $p6 | ≤ 1.01 |"
	echo "| P6 the same under bpftrace, for reference | $p6bt | (0 = no bpftrace) |"
	echo "| loader peak RSS | $rss_kb KiB | |"
	echo "| loader CPU per million events | $cpu_per_m s | |"
	echo
	echo "Samples of the touch loop, sorted:$spread"
	echo
	echo "## Profile: where the time goes"
	echo
	echo "Cost of tamtrace's fault program per run (kernel.bpf_stats_enabled,"
	echo "one extra round each; the statistics add about two clock reads), and"
	echo "the slowdown that cost alone implies next to an untraced fault of"
	echo "$fault_ns ns:"
	echo
	echo "| variant | ns per fault, BPF program | implied floor |"
	echo "| --- | --- | --- |"
	echo "| stream | ${prof_stream:-n/a} | $(share "$prof_stream") |"
	echo "| hist | ${prof_hist:-n/a} | $(share "$prof_hist") |"
	echo "| bystander (filtered out) | ${prof_by:-n/a} | $(share "$prof_by") |"
	echo
	awk -v p1="$p1" -v p2="$p2" -v p6="$p6" -v r="$ours_vs_bt" -v p4="$p4" -v d="${drops:-1}" 'BEGIN {
		miss = ""
		if (p1 > 1.05 || d != 0) miss = miss " P1"
		if (p2 > 1.02) miss = miss " P2"
		if (r > 0.5) miss = miss " P3"
		if (p4 != "1.000") miss = miss " P4"
		if (p6 > 1.01) miss = miss " P6"
		if (miss == "") print "All bars met in this run."
		else print "Bars not met in this run:" miss "."
	}'
} > "$OUT"
cat "$OUT"
# The smoke run only checks that everything ran and parsed.
for v in "$base" "$stream" "$hist" "$bystander" "$p4" $(command -v bpftrace > /dev/null && echo "$bpftrace"); do
	case $v in ''|0|0.000) echo "bench: a measurement is missing" >&2; exit 1 ;; esac
done
