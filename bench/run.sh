#!/bin/bash
# Benchmarks of tamtrace on the running kernel, THP off. Writes
# bench/results.md.
#
# Method: one faulter process maps and touches the region once per round
# and unmaps it; before each round one variant attaches (tamtrace -p,
# bpftrace, perf trace, the floor, ...) and after it detaches. Variants
# take turns, in a rotating order, so all of them see the same process.
# The floor is an empty program on the hook tamtrace uses
# (tp_btf/page_fault_user, build/bench-floor from bench/floor.bpf.c);
# floor_tp the same on the classic tracepoint bpftrace uses. Each
# variant is reported as the median over RUNS turns of
#   its round ÷ the untraced round of the same turn (ratio),
#   (its round - the untraced round) / faults (ns per fault over untraced),
#   (its round - the floor's round) / faults (ns per fault over the floor),
# which cancels the machine's slower drifts. The raw samples go to the
# results too. Then, outside the rounds: P4 (-f, one process per CPU),
# P5 (start to first event), P7/P8 (loader CPU and RSS), P9/P10 (hist's
# memory and capacity, on build/bench-bigtouch's read faults), the scale
# runs (8 threads, -f over short-lived children, the soak), and a
# profile round per variant with BPF run-time statistics.
#
# Usage: bench/run.sh [--smoke | --profile | --rounds]
#   --smoke: tiny sizes, 1 round each, checks that it runs; no timing claims
#   --profile: only the BPF profile rounds (floor, stream, hist, the parts),
#     PROF_REPS times each (default 5), medians of ns per run on stdout
#   --rounds: only the timed rounds (VARIANTS, default the tamtrace ones
#     and the floor), medians on stdout; for A/B runs while working
# Environment: RUNS (turns, default 21), SOAK (seconds of the soak,
# default 600); both fixed small under --smoke.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/build
TMP=$(mktemp -d)
RUNS=${RUNS:-21}
SOAK=${SOAK:-600}
SERVE_S=${SERVE_S:-30}	# P11's loader CPU window
PROF_REPS=${PROF_REPS:-5}	# profile rounds per variant and part (medians)
PAGES=262144		# 1 GiB of 4 KiB pages
P9_PAGES=250000		# within hist's default --max-pages, with the rest
P10_PAGES=4194304	# 16 GiB
KIDS=100		# -f over this many short-lived children
KID_PAGES=256
TRIES=5			# P5's tries
OUT=$ROOT/bench/results.md
SMOKE=0
PROFILE_ONLY=0
ROUNDS_ONLY=0
[ "${1:-}" = --profile ] && PROFILE_ONLY=1
[ "${1:-}" = --rounds ] && ROUNDS_ONLY=1
if [ "${1:-}" = --smoke ]; then
	SMOKE=1
	RUNS=1
	PROF_REPS=1
	SOAK=3
	SERVE_S=2
	PAGES=2048
	P9_PAGES=2048
	P10_PAGES=16384
	KID_PAGES=64
	TRIES=1
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
# The bench's own binaries (make bench builds them; the test suite's
# smoke run may come before).
[ -x "$B/bench-floor" ] && [ -x "$B/bench-bigtouch" ] ||
	make -s -C "$ROOT" build/bench-floor build/bench-bigtouch >&2

FAULTS=$((PAGES + PAGES / 3))	# the faulter's read-then-write pages fault twice

# (mawk prints a number past 2^31 as 1.2e+09 unless told how: printf)
median() { sort -n | awk '{ v[NR] = $1 } END { if (!NR) print "n/a"; else printf "%.15g\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0) ? a / b : 0 }'; }
num() { case $1 in '' | *[!0-9.-]* | *[0-9]-*) return 1 ;; esac; }
# Median over turns of variant $1's round ÷ the untraced round of the turn.
paired() {
	[ -s "$TMP/samples.$1" ] || { echo n/a; return; }
	paste "$TMP/samples.$1" "$TMP/samples.untraced" |
		awk '$2 > 0 { print $1 / $2 }' | median |
		awk '{ printf ($1 == "n/a") ? "%s" : "%.3f", $1 }'
}
# Per turn (variant $1's round - variant $2's round) / faults, in ns;
# "median" or the "q1..q3" quartiles over the turns.
diffs() {
	paste "$TMP/samples.$1" "$TMP/samples.$2" |
		awk -v n="$FAULTS" 'NF == 2 { printf "%.1f\n", ($1 - $2) / n }'
}
over() {
	[ -s "$TMP/samples.$1" ] && [ -s "$TMP/samples.$2" ] ||
		{ echo n/a; return; }
	diffs "$1" "$2" | median | awk '{ printf "%.0f", $1 }'
}
quartiles() {
	[ -s "$TMP/samples.$1" ] && [ -s "$TMP/samples.$2" ] ||
		{ echo n/a; return; }
	diffs "$1" "$2" | sort -n | awk '{ v[NR] = $1 } END {
		printf "%.0f..%.0f", v[int((NR + 3) / 4)], v[int((3 * NR + 3) / 4)] }'
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
# What tamtrace lost, from the summary it prints on exit (? if none).
losses_in() {
	grep -q '; lost: ' "$1" 2>/dev/null || { echo "?"; return; }
	sed -n 's/.*; lost: //p' "$1" | tail -1 | grep -o '[0-9][0-9]*' |
		awk '{ s += $1 } END { printf "%.0f\n", s }'
}
# The faults tamtrace saw, from the same summary.
seen_in() { sed -n 's/^tamtrace: \([0-9]*\) faults .*/\1/p' "$1" | tail -1; }

# With 2+ CPUs the workload runs on CPU 1 and the tracers on CPU 0, so
# that a tracer's reader never shares the workload's CPU by chance.
WL_CPU=""
TR_CPU=""
if [ "$(nproc)" -ge 2 ]; then
	WL_CPU="$(command -v taskset) -c 1"
	TR_CPU="$(command -v taskset) -c 0"
fi
workload() { echo "$WL_CPU $B/faulter --mmap --pages $PAGES --info $TMP/info"; }

# ---- the BPF programs a process holds: run-time statistics, memory ----

prog_stats() {	# prog_stats PID: "ID RUN_CNT RUN_TIME_NS" a line
	local fd
	for fd in /proc/"$1"/fd/*; do
		[ "$(readlink "$fd" 2>/dev/null)" = anon_inode:bpf-prog ] ||
			continue
		awk '$1 == "prog_id:" { i = $2 } $1 == "run_cnt:" { c = $2 }
			$1 == "run_time_ns:" { t = $2 }
			END { if (i) print i, c, t }' \
			"/proc/$1/fdinfo/${fd##*/}" 2>/dev/null
	done | sort -u
}
map_memlock() {	# map_memlock PID: bytes of the BPF maps PID holds
	local fd
	for fd in /proc/"$1"/fd/*; do
		[ "$(readlink "$fd" 2>/dev/null)" = anon_inode:bpf-map ] ||
			continue
		awk '$1 == "map_id:" { i = $2 } $1 == "memlock:" { m = $2 }
			END { if (i) print i, m + 0 }' \
			"/proc/$1/fdinfo/${fd##*/}" 2>/dev/null
	done | sort -u | awk '{ s += $2 } END { printf "%.0f\n", s }'
}
prog_name() {
	bpftool prog show id "$1" 2>/dev/null |
		sed -n '1s/.* name \([^ ]*\) .*/\1/p'
}
# Programs on the user-fault hook loaded by others (other tracers, other
# benchmarks): they slow every fault, ours included.
others_on_hook() {
	bpftool prog show 2>/dev/null | grep -c ' name [a-z_]*fault_user '
}

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
# The floor: bench-floor ERRFILE [--tp], attached once it says so.
attach_floor_on() {
	$TR_CPU "$B/bench-floor" ${2:-} 2> "$1" &
	TRACER=$!
	wait_for "$1" '^attached'
}
attach_untraced() { :; }
attach_floor() { attach_floor_on "$TMP/floor.err"; }
attach_floor_tp() { attach_floor_on "$TMP/floor_tp.err" --tp; }
attach_stream() { attach_tamtrace "$TMP/stream.err" -j -p "$FP"; }
attach_hist() { attach_tamtrace "$TMP/hist.err" hist -p "$FP"; }
attach_bystander() { attach_tamtrace "$TMP/by.err" -j -p "$SLEEPER"; }
# P11: the exporter, on the workload (-p) and on every process (-a);
# its textfile only, no HTTP server.
attach_serve() {
	attach_tamtrace "$TMP/serve.err" serve -p "$FP" --listen off \
		--textfile "$TMP"
}
attach_serveall() {
	attach_tamtrace "$TMP/serveall.err" serve -a --listen off \
		--textfile "$TMP"
}
# The stream program cut after part N of the fault path (bpf/tamtrace.bpf.c,
# prof_stop; exceptions mode): the profile by part, in the order of the
# path (PART_ORDER: the stops' numbers, which bpf/tamtrace.bpf.c keeps:
# filter, clock, VMA, holds, class, count, names).
PART_ORDER="1 2 3 6 7 4 5"
attach_part() {
	TT_PROFILE_STOP=$1 attach_tamtrace "$TMP/part$1.err" -j -p "$FP"
}
for p in $PART_ORDER; do eval "attach_part$p() { attach_part $p; }"; done
# The same cuts of serve -p's program (no clock in exceptions mode: it
# measures no latency there), for P11's profile by part.
SPART_ORDER="1 3 6 7 4"
attach_spart() {
	TT_PROFILE_STOP=$1 attach_tamtrace "$TMP/spart$1.err" serve \
		-p "$FP" --listen off --textfile "$TMP"
}
for p in $SPART_ORDER; do eval "attach_spart$p() { attach_spart $p; }"; done
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
	stream) losses_in "$TMP/stream.err" ;;
	bpftrace) grep -o 'Lost [0-9]*' "$TMP/bt.out" |
		awk '{ s += $2 } END { printf "%.0f\n", s }' ;;
	*) return 0 ;;
	esac >> "$TMP/lost.$1"
}

# RUNS rounds of each variant, their order rotated from turn to turn.
# Before each turn: the load average and the programs of others on the
# fault hook, to tell a quiet machine from a busy one.
measure_all() {
	local i j v n=$# vs=("$@")
	for i in $(seq 0 $((RUNS - 1))); do
		echo "$(cut -d' ' -f1 /proc/loadavg) $(others_on_hook)" \
			>> "$TMP/quiet"
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
sum_losses() {
	[ -s "$TMP/lost.$1" ] || { echo "?"; return; }
	grep -q '?' "$TMP/lost.$1" && { echo "?"; return; }
	awk '{ s += $1 } END { printf "%.0f\n", s }' "$TMP/lost.$1"
}

# Profile: what each BPF program of a variant's tracer ran over one
# round (kernel.bpf_stats_enabled, from the tracer's own program fds).
# Lines "VARIANT PROGRAM RUNS RUN_TIME_NS" to $TMP/profile. These rounds
# are not timed: the statistics add two clock reads per run.
profile_round() {
	"attach_$1" || exit 1
	sleep 0.5
	prog_stats "$TRACER" > "$TMP/prof.before"
	if sysctl -qw kernel.bpf_stats_enabled=1; then
		round > /dev/null
		sysctl -qw kernel.bpf_stats_enabled=0
	fi
	prog_stats "$TRACER" > "$TMP/prof.after"
	join "$TMP/prof.before" "$TMP/prof.after" |
		while read -r id c0 t0 c1 t1; do
			echo "$1 $(prog_name "$id") $((c1 - c0)) $((t1 - t0))"
		done >> "$TMP/profile"
	stop_tracer
}

# ---- measures outside the rounds ----

# P4: one faulting process per CPU, followed with -f; delivered / known.
completeness() {
	local n=$(nproc) cmd="" i
	for i in $(seq $n); do cmd="$cmd $(workload)-$i > /dev/null &"; done
	"$B/tamtrace" -j -f -- sh -c "$cmd wait" > "$TMP/p4.json" \
		2> "$TMP/p4.err"
	python3 "$ROOT/bench/delivered.py" "$TMP/p4.json" "$TMP"/info-*
	rm -f "$TMP/p4.json" "$TMP"/info-*
}

# P5: tamtrace started with -p on a process that faults without pause:
# ms to its first event delivered, and to its banner (printed once
# attached); then the same to bpftrace's first event. Medians over
# TRIES. Time stamps by $EPOCHREALTIME, without a fork.
now_us() { echo "${EPOCHREALTIME//[!0-9]/}"; }
first_event() {
	local fp i t0
	rm -f "$TMP"/p5.*
	$WL_CPU "$B/faulter" --mmap --pages 2048 --rounds 1000000000 \
		--info "$TMP/p5.info" > /dev/null &
	fp=$!
	wait_for "$TMP/p5.info" '^elapsed_ns'
	for i in $(seq "$TRIES"); do
		rm -f "$TMP/p5.banner" "$TMP/p5.first"
		t0=${EPOCHREALTIME//[!0-9]/}
		timeout -s INT 20 $TR_CPU "$B/tamtrace" -j -p $fp \
			2> >(while IFS= read -r l; do
				case $l in *exact:*) now_us > "$TMP/p5.banner" ;; esac
			done) |
			{ grep -m1 -q '"type":"fault"' && now_us > "$TMP/p5.first"; }
		sleep 0.2
		[ -s "$TMP/p5.first" ] &&
			echo $(($(cat "$TMP/p5.first") - t0)) >> "$TMP/p5.ours"
		[ -s "$TMP/p5.banner" ] &&
			echo $(($(cat "$TMP/p5.banner") - t0)) >> "$TMP/p5.att"
		command -v bpftrace > /dev/null || continue
		rm -f "$TMP/p5.first"
		t0=${EPOCHREALTIME//[!0-9]/}
		timeout -s INT 20 $TR_CPU bpftrace -e "tracepoint:exceptions:page_fault_user /pid == $fp/ { printf(\"%lx\\n\", args->address); }" 2> /dev/null |
			{ grep -m1 -q -v Attach && now_us > "$TMP/p5.first"; }
		[ -s "$TMP/p5.first" ] &&
			echo $(($(cat "$TMP/p5.first") - t0)) >> "$TMP/p5.bt"
	done
	p5_profile "$fp" > "$TMP/p5.profile"
	kill $fp
	wait $fp 2>/dev/null
	for f in ours att bt; do
		[ -s "$TMP/p5.$f" ] || { printf "n/a "; continue; }
		median < "$TMP/p5.$f" | awk '{ printf "%.1f ", $1 / 1000 }'
	done
	echo
}

# Where P5's start-up goes: one more start on PID under strace -T, the
# time in the kernel of each BPF program load (the verifier), of the BTF
# load, and of the whole start to the banner. One line.
p5_profile() {
	local t0 t1
	command -v strace > /dev/null || { echo "no strace here"; return; }
	t0=${EPOCHREALTIME//[!0-9]/}
	timeout -s INT 3 strace -f -T -e trace=bpf -o "$TMP/p5.strace" \
		"$B/tamtrace" -j -p "$1" > /dev/null 2> >(while IFS= read -r l; do
			case $l in *exact:*) now_us > "$TMP/p5.sbanner" ;; esac
		done)
	sleep 0.2
	[ -s "$TMP/p5.sbanner" ] || { echo "no banner under strace"; return; }
	t1=$(cat "$TMP/p5.sbanner")
	awk -v all=$(((t1 - t0) / 1000)) '
	/BPF_PROG_LOAD/ && match($0, /<[0-9.]+>$/) {
		t = substr($0, RSTART + 1, RLENGTH - 2) * 1000; load += t; n++
		name = "?"; if (match($0, /prog_name="[^"]*"/))
			name = substr($0, RSTART + 11, RLENGTH - 12)
		if (t >= 1) big = big sprintf("%s%s %.0f", big ? ", " : "", name, t) }
	/BPF_BTF_LOAD/ && match($0, /<[0-9.]+>$/) {
		btf += substr($0, RSTART + 1, RLENGTH - 2) * 1000 }
	END { printf "under strace, start to banner %d ms: %d program loads %.0f ms (those over 1 ms: %s), BTF loads %.0f ms, the rest (user space: open, CO-RE, probes) %.0f ms\n",
		all, n, load, big, btf, all - load - btf }' "$TMP/p5.strace"
}

# Where P7's CPU goes: perf record of tamtrace -j -p over one round of
# the rounds' workload, its functions over 3 % of the samples. One line.
consumer_profile() {
	local f=$TMP/p7.perf
	command -v perf > /dev/null || { echo "no perf here"; return; }
	attach_tamtrace "$TMP/p7.err" -j -p "$FP" || return
	perf record -q -o "$f" -p "$TRACER" 2> /dev/null &
	local pp=$!
	sleep 0.5
	round > /dev/null
	kill -INT $pp
	wait $pp
	stop_tracer
	perf report -i "$f" --stdio --sort sym 2> /dev/null |
		awk '$1 ~ /%$/ && $1 + 0 >= 3 { printf "%s%s %s", n++ ? ", " : "", $NF, $1 }
			END { print "" }'
}

# P8 and the start-up cost: tamtrace -j -p over one round, alone (the
# workload is not its child, so its rusage is its own): peak RSS (KiB)
# and CPU seconds per million events, start-up included.
loader_cost() {
	rm -f "$TMP/info"
	$(workload) --wait > /dev/null &
	local fp=$!
	wait_for "$TMP/info" '^pages'
	$TR_CPU /usr/bin/time -f "%M %U %S" -o "$TMP/time" "$B/tamtrace" \
		-j -p $fp > /dev/null 2> "$TMP/cost.err" &
	local tp=$!
	wait_for "$TMP/cost.err" 'exact:'
	kill -USR1 $fp
	wait $fp $tp
	local ev=$(seen_in "$TMP/cost.err")
	awk -v ev="${ev:-0}" '{ printf "%s %.3f\n", $1, (ev > 0) ? ($2 + $3) * 1e6 / ev : 0 }' "$TMP/time"
}

# The most its BPF maps' memlock came to, for tamtrace process PID,
# sampled every 50 ms while it lives (bytes).
map_sample() {
	local maps=0 m
	while kill -0 "$1" 2> /dev/null; do
		m=$(map_memlock "$1")
		[ "${m:-0}" -gt "$maps" ] && maps=$m
		sleep 0.05
	done
	echo "$maps"
}

# A new memory cgroup (v2 with the memory controller, else v1) for P9:
# prints its directory and the file of its peak charge (bytes): memory
# the kernel charged to what ran in it, the BPF maps and the loader's own
# pages once each (RSS would count the maps it mmaps twice).
mem_cgroup() {
	local d
	if grep -qw memory /sys/fs/cgroup/cgroup.controllers 2> /dev/null; then
		d=/sys/fs/cgroup/tamtrace-bench.$$
		mkdir -p "$d" && [ -e "$d/memory.peak" ] &&
			{ echo "$d memory.peak"; return; }
	fi
	d=/sys/fs/cgroup/memory/tamtrace-bench.$$
	mkdir -p "$d" 2> /dev/null && [ -e "$d/memory.max_usage_in_bytes" ] &&
		echo "$d memory.max_usage_in_bytes"
}

# P9: tamtrace hist with default options on PAGES read-faulted pages
# ($1), alone in a memory cgroup: its peak charge (KiB), BPF maps and
# loader together, and the maps' memlock apart (from the fdinfo of its
# map fds: this bpftool cannot say whose a map is). Prints
# "MAP_BYTES PEAK_KIB PAGES_COUNTED EXIT PAGE_MAP_FULL"; PEAK_KIB is 0
# without a memory cgroup.
hist_memory() {
	local bp tp cg peakf rc peak=0
	rm -f "$TMP/p9.info"
	read -r cg peakf < <(mem_cgroup)
	$WL_CPU "$B/bench-bigtouch" --pages "$1" --wait --hold \
		--info "$TMP/p9.info" &
	bp=$!
	wait_for "$TMP/p9.info" '^pages'
	$TR_CPU sh -c '[ -z "$1" ] || echo $$ > "$1/cgroup.procs"; shift
		exec "$@"' sh "${cg:-}" "$B/tamtrace" hist -p $bp \
		> "$TMP/p9.out" 2> "$TMP/p9.err" &
	tp=$!
	wait_for "$TMP/p9.err" 'exact:'
	map_sample $tp > "$TMP/p9.maps" &
	kill -USR1 $bp
	wait_for "$TMP/p9.info" '^elapsed_ns'
	sleep 1
	kill -USR1 $bp
	wait $bp
	wait $tp
	rc=$?
	wait
	[ -n "$cg" ] && peak=$(($(cat "$cg/$peakf") / 1024)) && rmdir "$cg"
	echo "$(cat "$TMP/p9.maps" 2> /dev/null || echo 0) $peak" \
		"$(sed -n 's/^[0-9]* faults on \([0-9]*\) pages.*/\1/p' "$TMP/p9.out" | head -1)" \
		"$rc $(sed -n 's/.*page map full \([0-9]*\).*/\1/p' "$TMP/p9.out" | tail -1)"
}

# Scale: 8 threads of one process faulting at once, under tamtrace -j;
# and the same untraced, for the touch loop's time. Prints "DELIVERED
# HAPPENED DROPS TRACED_NS UNTRACED_NS".
threads8() {
	local d
	$B/faulter --mmap --threads 8 --pages $((PAGES / 8)) \
		--info "$TMP/t8u.info" > /dev/null
	"$B/tamtrace" -j -- "$B/faulter" --mmap --threads 8 \
		--pages $((PAGES / 8)) --info "$TMP/t8.info" \
		> "$TMP/t8.json" 2> "$TMP/t8.err"
	d=$(python3 "$ROOT/bench/delivered.py" "$TMP/t8.json" "$TMP/t8.info")
	echo "${d% * *} $(losses_in "$TMP/t8.err")" \
		"$(awk '$1 == "elapsed_ns" { print $2 }' "$TMP/t8.info")" \
		"$(awk '$1 == "elapsed_ns" { print $2 }' "$TMP/t8u.info")"
	rm -f "$TMP/t8.json"
}

# Scale: -f over KIDS short-lived children started at once. Prints
# "DELIVERED HAPPENED CHILDREN_SEEN CHILDREN DROPS".
children() {
	"$B/tamtrace" -j -f -- sh -c "i=0; while [ \$i -lt $KIDS ]; do
		$B/faulter --mmap --pages $KID_PAGES --info $TMP/kid.\$i \
			> /dev/null & i=\$((i + 1)); done; wait" \
		> "$TMP/kids.json" 2> "$TMP/kids.err"
	echo "$(python3 "$ROOT/bench/delivered.py" "$TMP/kids.json" \
		"$TMP"/kid.*) $(losses_in "$TMP/kids.err")"
	rm -f "$TMP/kids.json"
}

# Soak: tamtrace -j -p, NDJSON to /dev/null, on a faulter that maps,
# touches and unmaps its region without pause, for SOAK seconds. Ten
# samples of the tracer's RSS (KiB), CPU (ticks) and the faults so far
# (rounds done x faults per round), one a tenth of the way.
# P11's loader CPU: tamtrace serve -a over SERVE_S seconds of the
# workload faulting without pause; "CPU% faults/s" of the whole run
# (collection each second, a textfile each 5), from /proc/PID/stat.
serve_cpu() {
	local fp tp c0 c1 f0 f1 t0 t1
	rm -f "$TMP/scpu.info"
	$WL_CPU "$B/faulter" --mmap --pages "$PAGES" --rounds 1000000000 \
		--info "$TMP/scpu.info" > /dev/null &
	fp=$!
	wait_for "$TMP/scpu.info" '^pages'
	$TR_CPU "$B/tamtrace" serve -a --listen off --textfile "$TMP" \
		> /dev/null 2> "$TMP/scpu.err" &
	tp=$!
	wait_for "$TMP/scpu.err" 'exact:'
	sleep 1
	read -r c0 f0 t0 < <(echo "$(awk '{ print $14 + $15 }' /proc/$tp/stat)" \
		"$(awk '{ print $10 + $12 }' /proc/$fp/stat)" "$(now_us)")
	sleep "$SERVE_S"
	read -r c1 f1 t1 < <(echo "$(awk '{ print $14 + $15 }' /proc/$tp/stat)" \
		"$(awk '{ print $10 + $12 }' /proc/$fp/stat)" "$(now_us)")
	kill -TERM $tp
	wait $tp
	kill $fp
	wait $fp 2>/dev/null
	awk -v c=$((c1 - c0)) -v f=$((f1 - f0)) -v t=$((t1 - t0)) \
		-v hz="$(getconf CLK_TCK)" 'BEGIN {
		printf "%.2f %.0f\n", c / hz * 1e8 / t, f * 1e6 / t }'
}

soak() {
	local fp tp lp step tick
	rm -f "$TMP/soak.info" "$TMP/soak.samples"
	$WL_CPU "$B/faulter" --mmap --pages "$PAGES" --rounds 1000000000 \
		--info "$TMP/soak.info" > /dev/null &
	fp=$!
	wait_for "$TMP/soak.info" '^pages'
	$TR_CPU /usr/bin/time -f "%M" -o "$TMP/soak.time" "$B/tamtrace" -j \
		-p $fp > /dev/null 2> "$TMP/soak.err" &
	tp=$!
	wait_for "$TMP/soak.err" 'exact:'
	lp=$(pgrep -P $tp | head -1)
	step=$(awk -v s="$SOAK" 'BEGIN { print s / 10 }')
	for _ in $(seq 10); do
		sleep "$step"
		echo "$(awk '$1 == "VmRSS:" { print $2 }' /proc/$lp/status)" \
			"$(awk '{ print $14 + $15 }' /proc/$lp/stat)" \
			$(($(grep -c elapsed_ns "$TMP/soak.info") * FAULTS)) \
			>> "$TMP/soak.samples"
	done
	kill -INT $lp
	wait $tp
	kill $fp
	wait $fp 2>/dev/null
	tick=$(getconf CLK_TCK)
	# RSS first and last; CPU s per million events in the first full
	# window and the last, and from the first sample to the last; drops.
	awk -v t="$tick" '{ r[NR] = $1; c[NR] = $2; e[NR] = $3 }
		function w(a, b) { return (e[b] > e[a]) ? (c[b] - c[a]) / t * 1e6 / (e[b] - e[a]) : 0 }
		END { printf "%d %d %.3f %.3f %.3f ", r[1], r[NR], w(1, 2), w(NR - 1, NR), w(1, NR) }' \
		"$TMP/soak.samples"
	echo "$(losses_in "$TMP/soak.err") $(cat "$TMP/soak.time")" \
		"$(awk '{ printf "%s%d", (NR > 1 ? "," : ""), $1 / 1024 }' "$TMP/soak.samples")"
}

# ---- run ----

# The profile rounds' lines, one per variant and program: the mean
# runs, and the median ns per run times them.
profile_medians() {
	awk '$3 > 0 { print $1, $2, $3, $4 / $3 }' "$TMP/profile" |
		sort -k1,2 -k4n |
		awk '{ k = $1 " " $2; v[k, ++c[k]] = $4; r[k] += $3 }
		END { for (k in c) printf "%s %.0f %.0f\n", k, r[k] / c[k],
			r[k] / c[k] * v[k, int((c[k] + 1) / 2)] }' > "$TMP/profile.med"
	mv "$TMP/profile.med" "$TMP/profile"
}

# --profile: medians over PROF_REPS profile rounds of each, then stop.
profile_only() {
	local r v
	sleep 1000000 &
	SLEEPER=$!
	start_rounds
	for r in $(seq "$PROF_REPS"); do
		for v in floor stream hist serve serveall \
			$(printf 'part%s ' $PART_ORDER) \
			$(printf 'spart%s ' $SPART_ORDER); do
			profile_round "$v"
		done
	done
	profile_medians
	echo "variant program runs/fault ns/run (median of $PROF_REPS)"
	awk -v n="$FAULTS" '{ printf "%s %s %.2f %.0f\n", $1, $2, $3 / n,
		$4 / $3 }' "$TMP/profile" | sort
}
if [ "$PROFILE_ONLY" = 1 ]; then
	profile_only
	exit 0
fi
if [ "$ROUNDS_ONLY" = 1 ]; then
	sleep 1000000 &
	SLEEPER=$!
	start_rounds
	spread=""
	set -- ${VARIANTS:-untraced floor stream hist bystander serve serveall}
	measure_all "$@"
	echo "variant ratio ns/fault-over-untraced over-floor (medians of $RUNS)"
	for v in "$@"; do
		echo "$v $(paired "$v") $(over "$v" untraced) $(over "$v" floor)"
	done
	exit 0
fi

echo "bench: $(uname -r), $(nproc) CPUs, $RUNS rounds of $PAGES pages ($FAULTS faults) per variant, THP never"
spread=""
variants="untraced floor floor_tp stream hist bystander serve serveall"
command -v bpftrace > /dev/null && variants="$variants bpftrace btbystander"
perf trace --no-syscalls --pf=all -o /dev/null -- true > /dev/null 2>&1 &&
	variants="$variants perf"
sleep 1000000 &
SLEEPER=$!
start_rounds
measure_all $variants
for v in floor floor_tp stream hist bystander serve serveall bpftrace \
	btbystander; do
	case " $variants " in *" $v "*) profile_round $v ;; esac
done
for p in $PART_ORDER; do profile_round part$p; done
for p in $SPART_ORDER; do profile_round spart$p; done
consumer_profile > "$TMP/p7.profile"
# More profile rounds (PROF_REPS in all), then one line per program: the
# mean runs, and the median ns per run times them.
for _ in $(seq 2 "$PROF_REPS"); do
	for v in floor stream hist bystander serve serveall \
		$(printf 'part%s ' $PART_ORDER) $(printf 'spart%s ' $SPART_ORDER); do
		profile_round $v
	done
done
profile_medians
kill "$FP" "$SLEEPER" 2>/dev/null
wait "$FP" "$SLEEPER" 2>/dev/null
FP=""
SLEEPER=""

mode=$(sed -n 's/.*mode \([a-z]*\): exact.*/\1/p' "$TMP/stream.err" | head -1)
read -r p4_events p4_faults _ < <(completeness)
p4=$(ratio "${p4_events:-0}" "${p4_faults:-0}")
read -r p5 p5_att p5_bt < <(first_event)
read -r rss_kb cpu_start < <(loader_cost)
read -r p9_maps p9_peak p9_pages _ < <(hist_memory "$P9_PAGES")
# P10, and P9 again at its size: the page map is preallocated for
# --max-pages, so small traces pay for it whole.
read -r p10_maps p10_peak p10_pages p10_rc p10_full < <(hist_memory "$P10_PAGES")
read -r t8_got t8_all t8_drops t8_ns t8u_ns < <(threads8)
t8=$(ratio "${t8_got:-0}" "${t8_all:-0}")
t8_slow=$(ratio "${t8_ns:-0}" "${t8u_ns:-0}")
read -r kids_got kids_all kids_seen _ kids_drops < <(children)
kids=$(ratio "${kids_got:-0}" "${kids_all:-0}")
read -r scpu_pct scpu_rate < <(serve_cpu)
scpu_per=$(awk -v p="$scpu_pct" -v r="$scpu_rate" 'BEGIN {
	if (r > 0 && p ~ /^[0-9.]+$/) printf "%.2f", p * 1e5 / r; else print "n/a" }')
read -r soak_rss0 soak_rss1 soak_cpu0 soak_cpu1 soak_cpu soak_drops \
	soak_peak soak_series < <(soak)

base=$untraced
fault_ns=$(awk -v t="$base" -v n="$FAULTS" 'BEGIN { printf "%.0f", t / n }')
drops=$(sum_losses stream)
bt_lost=$(sum_losses bpftrace)
u_stream=$(over stream untraced)
u_bt=$(over bpftrace untraced)
p3=$(awk -v a="$u_stream" -v b="$u_bt" 'BEGIN { if (b > 0 && a ~ /^-?[0-9]/) printf "%.3f", a / b; else print "n/a" }')
per_page() { awk -v k="$1" -v p="$2" 'BEGIN { if (p > 0 && k > 0) printf "%.0f", k * 1024 / p; else print "n/a" }'; }
p9=$(per_page "$p9_peak" "$p9_pages")
p9_big=$(per_page "$p10_peak" "$p10_pages")
read -r load_lo load_hi others_hi others_turns < <(awk '
	NR == 1 { lo = hi = $1 } { if ($1 < lo) lo = $1; if ($1 > hi) hi = $1
	if ($2 > o) o = $2; if ($2 > 0) n++ } END { print lo, hi, o + 0, n + 0 }' "$TMP/quiet")

# "VARIANT NS" a line for each variant: ns per run of its program on
# the user-fault hook (the floor's too) in the profile rounds.
hook_ns() {
	local v
	for v in "$@"; do
		awk -v v="$v" '$1 == v && ($2 == "page_fault_use" ||
			$2 == "page_fault_user" || $2 == "floor_btf") && $3 > 0 {
			printf "%s %.0f\n", v, $4 / $3 }' "$TMP/profile"
	done
}
# Variant $1's ns per run over the floor's (profile rounds: every
# process's faults, not only the workload's).
run_over_floor() {
	hook_ns floor "$1" | awk '{ ns[$1] = $2 } END {
		if (("floor" in ns) && (v in ns)) printf "%.0f", ns[v] - ns["floor"]
		else print "n/a" }' v="$1"
}

# met NAME VALUE CONDITION: "yes" if the awk CONDITION holds for v =
# VALUE, "no" (and NAME to the misses) if not, "not measured" if VALUE
# is not a number.
met() {
	if ! num "$2"; then
		echo "not measured"
		echo " $1 (not measured)" >> "$TMP/miss"
	elif awk -v v="$2" "BEGIN { exit !($3) }" 2>/dev/null; then
		echo yes
	else
		echo " $1" >> "$TMP/miss"
		echo no
	fi
}
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
size() {	# size PAGES: "16 GiB", "64 MiB"
	awk -v p="$1" 'BEGIN { m = p * 4 / 1024
		if (m >= 1024) printf "%g GiB", m / 1024; else printf "%g MiB", m }'
}
# The table's row of a timed variant: ratio, ns over untraced, over floor.
vrow() {	# vrow LABEL VARIANT BAR MET
	echo "| $1 | $(paired $2) | $(over $2 untraced) | $(over $2 floor) | $3 | $4 |"
}

{
	echo "# tamtrace benchmarks"
	echo
	[ $SMOKE = 1 ] && echo "**Smoke run: tiny sizes, one turn; no number here means anything.**" && echo
	echo "- machine: $(nproc) CPUs, $(free -g | awk '/Mem:/ { print $2 }') GiB, kernel $(uname -r)"
	echo "- workload: faulter, $PAGES pages ($(size $PAGES)) in 4 KiB pages, $FAULTS faults per round, single thread, THP never"
	echo "- one workload process, one round per variant in turn, $RUNS turns; a tracer attaches (-p) before its round and detaches after"
	echo "- workload pinned to CPU 1, tracers to CPU 0 (taskset)"
	echo "- floor: an empty program on tp_btf/page_fault_user (tamtrace's hook), loaded by build/bench-floor; floor_tp: the same on the classic tracepoint exceptions/page_fault_user (bpftrace's)"
	echo "- ratio: median over the turns of the variant's touch-loop time ÷ the untraced round's of the same turn; ns/fault over untraced (over floor): median over the turns of (the variant's round - the untraced (floor) round of the same turn) ÷ faults"
	echo "- untraced touch loop: $((base / 1000)) us, $fault_ns ns per fault"
	echo "- tamtrace mode: ${mode:-?}"
	echo "- quiet? load average $load_lo..$load_hi at the turns' starts; BPF programs of others on the user-fault hook: up to $others_hi (in $others_turns of $RUNS turns)"
	echo
	echo "Measures that are not per fault give their value in the ratio column."
	echo
	echo "| measure | ratio | ns/fault over untraced | ns/fault over floor | bar | met? |"
	echo "| --- | --- | --- | --- | --- | --- |"
	echo "| untraced | 1.000 | 0 | $(over untraced floor) | | |"
	vrow "floor: empty tp_btf/page_fault_user" floor "" ""
	vrow "floor_tp: empty tracepoint exceptions/page_fault_user" floor_tp "" ""
	vrow "P1 streaming NDJSON to /dev/null (drops: $drops)" stream \
		"≤ floor + 60 ns, 0 drops" \
		"$(met P1 "$(over stream floor)" "v <= 60 && \"$drops\" == \"0\"")"
	vrow "P2 histogram mode" hist "≤ floor + 20 ns" \
		"$(met P2 "$(over hist floor)" 'v <= 20')"
	vrow "P3 bpftrace printf, same workload (lost: $bt_lost)" bpftrace "" ""
	vrow "P3 perf trace --pf=all, same workload" perf "" ""
	echo "| P3 our slowdown ÷ bpftrace's (ns over untraced) | $p3 | | | ≤ 0.1 | $(met P3 "$p3" 'v <= 0.1') |"
	echo "| P4 events delivered ÷ faults, one process per CPU ($p4_events events) | $p4 | | | = 1.000 | $(met P4 "$p4" 'v == 1') |"
	echo "| P5 attach to first event: tamtrace -j -p on a faulting process, start to first event (to its banner: $p5_att ms; bpftrace: $p5_bt ms) | $p5 ms | | | ≤ 40 ms | $(met P5 "$p5" 'v <= 40') |"
	echo "| P5 where the start-up goes: $(cat "$TMP/p5.profile" 2> /dev/null) | | | | | |"
	vrow "P6 bystander (another process traced)" bystander "≤ floor + 20 ns" \
		"$(met P6 "$(over bystander floor)" 'v <= 20')"
	vrow "P6 the same under bpftrace, for reference" btbystander "" ""
	vrow "P11 serve -p, the workload's faults" serve "≤ floor + 20 ns" \
		"$(met P11-p "$(over serve floor)" 'v <= 20')"
	vrow "P11 serve -a, the workload's faults" serveall "≤ floor + 20 ns" \
		"$(met P11-a "$(over serveall floor)" 'v <= 20')"
	sa=$(run_over_floor serveall)
	echo "| P11 serve -a, a fault of any process: its page_fault_user ns per run (all processes, profile rounds) - the floor's | | | $sa | ≤ floor + 20 ns | $(met P11-any "$sa" 'v <= 20') |"
	echo "| P11 serve -a loader CPU, $SERVE_S s of the workload faulting without pause at $scpu_rate faults/s: $scpu_pct % of a core | $scpu_per % per 100 k faults/s | | | < 1 % | $(met P11-cpu "$scpu_per" 'v < 1') |"
	echo "| P7 consumer CPU per million events, NDJSON to /dev/null, steady (soak; with start-up, one round: $cpu_start s) | $soak_cpu s | | | ≤ 0.1 s | $(met P7 "$soak_cpu" 'v <= 0.1') |"
	echo "| P7 where the consumer's CPU goes (perf record over one round, functions over 3 %): $(cat "$TMP/p7.profile" 2> /dev/null) | | | | | |"
	echo "| P8 loader peak RSS, tamtrace -j -p over one round | $(mib "$rss_kb") MiB | | | ≤ 20 MiB | $(met P8 "$(mib "$rss_kb")" 'v <= 20') |"
	echo "| P9 hist memory per touched page, at $(size $P10_PAGES) (P10's run, where the fixed part is spread): peak charge of a memory cgroup holding only tamtrace hist, $(mib "$p10_peak") MiB (of which BPF maps $(mib $((${p10_maps:-0} / 1024))) MiB), over $p10_pages pages counted | $p9_big B | | | ≤ 32 B | $(met P9 "$p9_big" 'v <= 32') |"
	echo "| P9 the same at $(size $P9_PAGES): $(mib "$p9_peak") MiB (BPF maps $(mib $((${p9_maps:-0} / 1024))) MiB) over $p9_pages pages: the page map is preallocated for --max-pages (default 4 M pages, 16 B each, P10), and the loader and the verifier's start-up take a fixed part | $p9 B | | | (fixed part) | |"
	p10v="n/a"
	num "$p10_full" && p10v=$([ "$p10_full" = 0 ] && [ "$p10_rc" = 0 ] &&
		echo "no overflow" || echo "overflow")
	echo "| P10 hist, default options, $(size $P10_PAGES) read-faulted ($P10_PAGES pages): $p10_pages pages counted, page map full: $p10_full, exit $p10_rc | $p10v | | | no overflow | $(met P10 "$p10_full" "v == 0 && ${p10_rc:-1} == 0 && ${p10_pages:-0} >= $P10_PAGES") |"
	echo "| scale: 8 threads faulting at once, events delivered ÷ faults (drops: $t8_drops; touch loop traced ÷ untraced, one run each: $t8_slow) | $t8 | | | = 1.000, 0 drops | $(met scale-threads "$t8" "v == 1 && \"$t8_drops\" == \"0\"") |"
	echo "| scale: -f over $KIDS short-lived children started at once, events delivered ÷ faults ($kids_seen of $KIDS children seen, drops: $kids_drops) | $kids | | | = 1.000, 0 drops | $(met scale-children "$kids" "v == 1 && ${kids_seen:-0} == $KIDS && \"$kids_drops\" == \"0\"") |"
	echo "| scale: soak, $SOAK s at full fault rate, loader RSS first → last sample (peak $(mib "$soak_peak") MiB; samples, MiB: $soak_series) | $(mib "$soak_rss0") → $(mib "$soak_rss1") MiB | | | flat (≤ +1 MiB) | $(met soak-rss "$((${soak_rss1:-0} - ${soak_rss0:-0}))" 'v <= 1024') |"
	echo "| scale: soak, drops | $soak_drops | | | 0 | $(met soak-drops "$soak_drops" 'v == 0') |"
	echo "| scale: soak, consumer CPU per million events, first window → last | $soak_cpu0 → $soak_cpu1 s | | | unchanged (within 25 %) | $(met soak-cpu "$(awk -v a="$soak_cpu0" -v b="$soak_cpu1" 'BEGIN { if (a > 0) printf "%.3f", b / a; else print "n/a" }')" 'v >= 0.8 && v <= 1.25') |"
	echo
	echo "Per-turn ns per fault over untraced and over the floor, quartiles (q1..q3):"
	echo
	echo "| variant | over untraced | over floor |"
	echo "| --- | --- | --- |"
	for v in $variants; do
		echo "| $v | $(quartiles $v untraced) | $(quartiles $v floor) |"
	done
	echo
	echo "Samples of the touch loop, sorted:$spread"
	echo
	echo "## Profile: where the time goes"
	echo
	echo "Each BPF program of a variant's tracer over $PROF_REPS more rounds (the median), with"
	echo "kernel.bpf_stats_enabled (the statistics add about two clock reads"
	echo "per run, so these rounds are not timed): its runs ÷ the round's"
	echo "$FAULTS faults (more than 1 when other processes faulted too), ns"
	echo "per run, and its run time ÷ the round's faults. An untraced fault"
	echo "takes $fault_ns ns."
	echo
	echo "| variant | program | runs per fault | ns per run | ns per fault |"
	echo "| --- | --- | --- | --- | --- |"
	for v in $variants; do
		awk -v v="$v" -v n="$FAULTS" '$1 == v {
			printf "| %s | %s | %.2f | %s | %.0f |\n", $1, $2, $3 / n,
				($3 > 0) ? sprintf("%.0f", $4 / $3) : "-", $4 / n
			r += $3; t += $4; k++ }
			END { if (k > 1) printf "| %s | all | %.2f | | %.0f |\n",
				v, r / n, t / n }' "$TMP/profile" 2>/dev/null
	done
	echo
	echo "### By part of the fault path (exceptions mode)"
	echo
	echo "page_fault_user cut after each part (TT_PROFILE_STOP), the median"
	echo "of $PROF_REPS profile rounds each, then whole (stream, hist), and what"
	echo "each part adds; the floor is the empty program's ns per run."
	echo
	echo "| program up to | ns per run | part adds |"
	echo "| --- | --- | --- |"
	hook_ns floor $(printf 'part%s ' $PART_ORDER) stream hist > "$TMP/parts"
	awk 'NR == FNR { ns[$1] = $2; next }
		{ v = $1; if (!(v in ns)) next
		  if (v == "hist") add = ns[v] - ns["part4"]
		  else if (prev != "") add = ns[v] - ns[prev]
		  else add = ""
		  printf "| %s | %s | %s |\n", substr($0, length(v) + 2), ns[v], add
		  if (v != "stream") prev = v }' "$TMP/parts" - <<-EOF
	floor the empty program (floor)
	part1 + PID filter
	part2 + clock read
	part3 + VMA (per-CPU cache) and refusal checks
	part6 + the tests for a held fault (THP, COW, file, busy VMA)
	part7 + class
	part4 + fault counter
	part5 + region and thread name side events
	stream + record in the per-CPU ring (stream, whole)
	hist + page counts instead of the record (hist, whole)
	EOF
	echo
	echo "The same for serve -p (P11; no clock read: exceptions mode measures"
	echo "no latency), ending with serve's key, slot and counters:"
	echo
	echo "| program up to | ns per run | part adds |"
	echo "| --- | --- | --- |"
	hook_ns floor $(printf 'spart%s ' $SPART_ORDER) serve > "$TMP/sparts"
	awk 'NR == FNR { ns[$1] = $2; next }
		{ v = $1; if (!(v in ns)) next
		  add = (prev != "") ? ns[v] - ns[prev] : ""
		  printf "| %s | %s | %s |\n", substr($0, length(v) + 2), ns[v], add
		  prev = v }' "$TMP/sparts" - <<-EOF
	floor the empty program (floor)
	spart1 + PID filter
	spart3 + VMA (per-CPU cache) and refusal checks
	spart6 + the tests for a held fault
	spart7 + class
	spart4 + fault counter
	serve + key, slot and counters (serve -p, whole)
	EOF
	for v in serve serveall; do
		awk -v n="$FAULTS" -v v=$v '$1 == v && $2 != "page_fault_use" &&
			$2 != "page_fault_user" && $3 > 0 {
			printf "| and per fault of the workload (%s), %s | %.2f runs × %.0f ns | %.0f |\n",
				v, $2, $3 / n, $4 / $3, $4 / n }' "$TMP/profile"
	done
	echo
	awk -v n="$FAULTS" '$1 == "stream" && $2 == "mm_page_alloc" && $3 > 0 {
		printf "| and per fault, the page allocation program (mm_page_alloc: exact cow_zero, cow and reuse of held faults; THP sizes) | %.2f runs × %.0f ns | %.0f |\n",
			$3 / n, $4 / $3, $4 / n }' "$TMP/profile"
	awk -v n="$FAULTS" '$1 == "bystander" && $2 == "mm_page_alloc" && $3 > 0 {
		printf "| the same for a bystander (P6): its own allocations run it too | %.2f runs × %.0f ns | %.0f |\n",
			$3 / n, $4 / $3, $4 / n }' "$TMP/profile"
	echo
	if [ -s "$TMP/miss" ]; then
		echo "Bars not met in this run:$(tr -d '\n' < "$TMP/miss")."
	else
		echo "All bars met in this run."
	fi
} > "$OUT"
cat "$OUT"
# The smoke run only checks that everything ran and parsed.
for v in "$base" "$floor" "$floor_tp" "$stream" "$hist" "$bystander" \
	"$p4" "$p5" "$p9" "$p10_pages" "$t8" "$kids" "$soak_rss1" \
	$(command -v bpftrace > /dev/null && echo "$bpftrace"); do
	case $v in '' | 0 | 0.000 | n/a) echo "bench: a measurement is missing" >&2; exit 1 ;; esac
done
grep -q '^floor ' "$TMP/profile" 2>/dev/null ||
	{ echo "bench: no profile of the floor" >&2; exit 1; }
