#!/bin/sh
# Tracer tests against the faulter workload, on whatever kernel runs them.
# Usage: tests/tracer.sh MODE   (MODE: auto, patched, fentry, exceptions)
# Env: TT_BIN (directory with tamtrace and the workloads), TT_TMP.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
BIN=${TT_BIN:-$HERE/../build}
TMP=${TT_TMP:-/tmp/tamtrace-tests.$$}
MODE=${1:-auto}
T="tracer.$MODE"
mkdir -p "$TMP"
# known-pattern and the 12 other tests, one case each; the checks of the
# known pattern's run are added once its exit code and mode are known.
plan "$T" 13

# The (page index, access) sequence the faulter's region saw.
region_seq() {
	BASE=$(info addr) LEN=$(info len) jawk '
	jtype() == "fault" {
		a = jnum("addr"); base = ENVIRON["BASE"] + 0
		if (a >= base && a < base + ENVIRON["LEN"])
			printf "%d:%s ", int((a - base) / 4096), jstr("access")
	}' "$1"
}

# The accesses that faulted, as the faulter's getrusage() counted them
# (--oracle): the kernel's own accounting, not what we expect of it.
expected_seq() {
	sed -n 's/^faulted //p' "$TMP/info"
}

# Fields of the region's events, one "page:access:class:region:exact:lat"
region_rows() {
	BASE=$(info addr) LEN=$(info len) jawk '
	jtype() == "fault" {
		a = jnum("addr"); base = ENVIRON["BASE"] + 0
		if (a >= base && a < base + ENVIRON["LEN"])
			printf "%d:%s:%s:%s:%s:%s\n", int((a - base) / 4096),
				jstr("access"), jstr("class"), jstr("region"),
				($0 ~ /"exact":true/) ? "exact" : "inexact",
				($0 ~ /"latency_ns":null/) ? "null" : jnum("latency_ns")
	}' "$1"
}

run_known_pattern() {
	kind=--mmap
	[ "$MODE" = patched ] && kind=--tamalloc
	REGION=anon
	[ "$kind" = --tamalloc ] && REGION=tamalloc
	"$BIN/tamtrace" -j $(modeflag) -o "$TMP/out.json" -- "$BIN/faulter" \
		$kind --pages 30 --oracle --info "$TMP/info" > /dev/null 2> "$TMP/err"
	echo $? > "$TMP/rc"
}

test_known_pattern() {
	run_known_pattern
	rc=$(cat "$TMP/rc")
	if [ "$rc" != 0 ]; then
		fail "$T.known-pattern" "exit $rc: $(head -3 "$TMP/err")"
		return
	fi
	summary=$(grep '"type":"summary"' "$TMP/out.json")
	# auto: check the fields of the mode the kernel got.
	picked=$(echo "$summary" | sed -n 's/.*"mode":"\([a-z]*\)".*/\1/p')
	echo "# $T: mode $picked"
	# summary-no-drops, first-faults-of-command, summary-mode unless
	# auto, the picked mode's field checks (patched: alloc-event too).
	n=3
	[ "$MODE" != auto ] && n=$((n + 1))
	[ "$picked" = patched ] && [ "$REGION" = tamalloc ] && n=$((n + 1))
	plan_add $n
	got=$(region_seq "$TMP/out.json")
	want=$(expected_seq)
	if [ "$got" = "$want" ]; then
		pass "$T.known-pattern"
	else
		fail "$T.known-pattern" "got [$got] want [$want]"
	fi
	check "$T.summary-no-drops" \
		sh -c "echo '$summary' | grep -q '\"dropped\":0,'"
	if [ "$MODE" != auto ]; then
		check "$T.summary-mode" \
			sh -c "echo '$summary' | grep -q '\"mode\":\"$MODE\"'"
	fi
	check "$T.first-faults-of-command" test_first_faults
	case "$picked" in
	patched) test_patched_fields ;;
	fentry) test_latency_fields ;;
	*) test_inexact_fields ;;
	esac
}

# -- CMD catches the program's own first faults: some event precedes the
# region's, and faults hit the faulter binary itself.
test_first_faults() {
	first=$(jawk 'jtype() == "fault" { print jstr("region"); exit }' "$TMP/out.json")
	[ -n "$first" ] && [ "$first" != anon ] && [ "$first" != tamalloc ] &&
		grep -q '"region":"file:[^"]*faulter"' "$TMP/out.json"
}

test_patched_fields() {
	region_rows "$TMP/out.json" > "$TMP/rows"
	bad=$(awk -F: '
		{ k = $1 % 3; seen[$1]++ }
		k == 0 && $3 != "zero_page" { print "page " $1 " " $3; next }
		k == 1 && $3 != "zero_fill" { print "page " $1 " " $3; next }
		k == 2 && seen[$1] == 1 && $3 != "zero_page" { print "page " $1 " first " $3; next }
		k == 2 && seen[$1] == 2 && $3 != "cow_zero" { print "page " $1 " second " $3; next }
		$4 != region { print "page " $1 " region " $4; next }
		$5 != "exact" { print "page " $1 " inexact"; next }
		$6 == "null" || $6 <= 0 { print "page " $1 " latency " $6 }
	' region="$REGION" "$TMP/rows" | head -3)
	if [ -z "$bad" ] && [ -s "$TMP/rows" ]; then
		pass "$T.zero-fill-classes"
	else
		fail "$T.zero-fill-classes" "$bad"
	fi
	[ "$REGION" = tamalloc ] || return
	alloc=$(grep '"type":"alloc"' "$TMP/out.json" | head -1)
	want="\"addr\":$(info addr),\"len\":$(info len),"
	case "$alloc" in
	*"$want"*) pass "$T.alloc-event" ;;
	*) fail "$T.alloc-event" "got [$alloc] want $want" ;;
	esac
}

test_latency_fields() {
	region_rows "$TMP/out.json" > "$TMP/rows"
	bad=$(awk -F: '$6 == "null" || $6 <= 0 { print "page " $1 " latency " $6 }' \
		"$TMP/rows" | head -3)
	if [ -z "$bad" ] && [ -s "$TMP/rows" ]; then
		pass "$T.latency-measured"
	else
		fail "$T.latency-measured" "$bad"
	fi
}

# exceptions mode: no latency; classes inferred and marked so, but for
# the write after a read: the zeroed page allocated in its exception
# proves cow_zero.
test_inexact_fields() {
	region_rows "$TMP/out.json" > "$TMP/rows"
	bad=$(awk -F: '
		$6 != "null" { print "page " $1 " latency " $6; next }
		$4 != "anon" { print "page " $1 " region " $4; next }
		$3 == "cow_zero" && $5 != "exact" { print "page " $1 " cow_zero " $5; next }
		$3 != "cow_zero" && $5 != "inexact" { print "page " $1 " " $3 " " $5; next }
		$1 % 3 == 0 && $3 != "zero_page" { print "page " $1 " " $3 }
		$1 % 3 == 1 && $3 != "zero_fill" { print "page " $1 " " $3 }
		$1 % 3 == 2 && $3 != "cow_zero" && $3 != "zero_page" { print "page " $1 " " $3 }
	' "$TMP/rows" | head -3)
	if [ -z "$bad" ] && [ -s "$TMP/rows" ]; then
		pass "$T.inferred-fields"
	else
		fail "$T.inferred-fields" "$bad"
	fi
}

# trace_waiting_faulter NAME: a waiting faulter (FPID) traced with -p
# (TPID) into $TMP/NAME.json, once tamtrace is attached.
trace_waiting_faulter() {
	waiting_faulter "$TMP/info"
	rm -f "$TMP/$1.err"
	"$BIN/tamtrace" -j $(modeflag) -p "$FPID" > "$TMP/$1.json" 2> "$TMP/$1.err" &
	TPID=$!
	wait_attached "$TMP/$1.err"
}

test_pid_and_target_exit() {
	trace_waiting_faulter pid
	kill -USR1 "$FPID"
	wait "$FPID"
	wait "$TPID"
	rc=$?
	got=$(region_seq "$TMP/pid.json")
	if [ "$rc" = 0 ] && [ "$got" = "$(expected_seq)" ]; then
		pass "$T.pid-until-target-exits"
	else
		fail "$T.pid-until-target-exits" "rc $rc, got [$got]"
	fi
}

# SIGNAL: tamtrace exits 0 with its summary; the target keeps running.
test_signal() {
	trace_waiting_faulter sig
	kill -"$1" "$TPID"
	wait "$TPID"
	rc=$?
	alive=no
	kill -0 "$FPID" 2>/dev/null && alive=yes
	kill -KILL "$FPID" 2>/dev/null
	wait "$FPID" 2>/dev/null
	if [ "$rc" = 0 ] && [ $alive = yes ] && grep -q '"type":"summary"' "$TMP/sig.json"; then
		pass "$T.sig$1-clean-exit"
	else
		fail "$T.sig$1-clean-exit" "rc $rc, target alive: $alive"
	fi
}

# -d: stops by itself after the duration, with the summary.
test_duration() {
	sleep 30 &
	SPID=$!
	start=$(date +%s)
	"$BIN/tamtrace" -j -d 1 $(modeflag) -p "$SPID" > "$TMP/d.json" 2> "$TMP/d.err"
	rc=$?
	took=$(($(date +%s) - start))
	kill "$SPID"
	wait "$SPID" 2>/dev/null
	if [ "$rc" = 0 ] && [ "$took" -le 20 ] && grep -q '"type":"summary"' "$TMP/d.json"; then
		pass "$T.duration"
	else
		fail "$T.duration" "rc $rc after $took s"
	fi
}

test_epipe() {
	epipe_case "$T.epipe-head-1" "$BIN/tamtrace" $(modeflag) -- \
		"$BIN/faulter" --mmap --pages 20000
}

test_follow() {
	"$BIN/tamtrace" -j -f $(modeflag) -- sh -c \
		"$BIN/faulter --mmap --pages 30 --oracle --info $TMP/info > /dev/null; true" \
		> "$TMP/follow.json" 2> "$TMP/follow.err"
	got=$(region_seq "$TMP/follow.json")
	if [ "$got" = "$(expected_seq)" ]; then
		pass "$T.follow-children"
	else
		fail "$T.follow-children" "got [$got]"
	fi
}

# A reader stalled until the workload ends, with a 1 MiB buffer, must lose events, count every one,
# warn on stderr, and exit 9: seen = delivered + dropped, exactly.
test_drops() {
	rm -f "$TMP/done"
	( "$BIN/tamtrace" -j -b 1 $(modeflag) -- "$BIN/faulter" --mmap \
		--pages 20000 --done "$TMP/done" 2> "$TMP/drop.err"
		echo $? > "$TMP/drop.rc" ) |
		( i=0
		  while [ ! -e "$TMP/done" ] && [ $i -lt 600 ]; do
			sleep 0.2
			i=$((i + 1))
		  done
		  cat > "$TMP/drop.json" )
	rc=$(cat "$TMP/drop.rc")
	sum=$(jawk 'jtype() == "summary" {
		print jnum("faults") + jnum("allocs") + jnum("dropped") - jnum("seen"), jnum("dropped") }' \
		"$TMP/drop.json")
	if [ "$rc" = 9 ] && [ "${sum%% *}" = 0 ] && [ "${sum#* }" -gt 0 ] &&
		grep -q "lost: ring buffer full [1-9]" "$TMP/drop.err"; then
		pass "$T.drops-counted"
	else
		fail "$T.drops-counted" "rc $rc, summary delta/dropped [$sum]"
	fi
}

# Two threads, each on its own slice: per thread, the exact sequence.
test_threads() {
	"$BIN/tamtrace" -j $(modeflag) -o "$TMP/thr.json" -- "$BIN/faulter" \
		--mmap --pages 30 --threads 2 --oracle --info "$TMP/info" \
		> /dev/null 2> "$TMP/thr.err"
	want=$(expected_seq)
	BASE=$(info addr) LEN=$(info len) jawk '
	jtype() == "fault" {
		a = jnum("addr"); base = ENVIRON["BASE"] + 0
		if (a >= base && a < base + ENVIRON["LEN"]) {
			t = jnum("tid"); p = int((a - base) / 4096)
			seq[t] = seq[t] sprintf("%d:%s ", p % 30, jstr("access"))
			slice[t] = int(p / 30)
		}
	}
	END { for (t in seq) print slice[t] "|" seq[t] }' "$TMP/thr.json" \
		> "$TMP/thr.seq"
	nok=$(grep -c "|$want\$" "$TMP/thr.seq")
	slices=$(cut -d'|' -f1 "$TMP/thr.seq" | sort -u | wc -l)
	if [ "$nok" = 2 ] && [ "$slices" = 2 ]; then
		pass "$T.per-thread-order"
	else
		fail "$T.per-thread-order" "$(cat "$TMP/thr.seq")"
	fi
}

# userfaultfd holds every first touch 2 ms, and the kernel retries the
# fault (VM_FAULT_RETRY): one event per page, its latency covering the
# wait, from the first entry to the final exit.
test_retried() {
	"$BIN/tamtrace" -j $(modeflag) -- "$BIN/faulter" --mmap --pages 30 \
		--uffd 2000 --info "$TMP/info" > "$TMP/uffd.json" 2> "$TMP/uffd.err"
	rc=$?
	if grep -q "userfaultfd" "$TMP/uffd.err"; then
		skip "$T.retried-fault-once" "userfaultfd unavailable: $(grep userfaultfd "$TMP/uffd.err")"
		return
	fi
	region_rows "$TMP/uffd.json" > "$TMP/rows"
	bad=$(awk -F: '
		{ n[$1]++; if ($6 != "null" && $6 < 2000000) print "page " $1 " latency " $6 }
		END { for (p = 0; p < 30; p++) if (n[p] != 1) print "page " p " has " n[p] + 0 " events" }
	' "$TMP/rows" | head -3)
	if [ "$rc" = 0 ] && [ -z "$bad" ]; then
		pass "$T.retried-fault-once"
	else
		fail "$T.retried-fault-once" "rc $rc: $bad"
	fi
}

# A file unmapped and another mapped at the same address, faults in
# both within microseconds: each fault keeps its own file's name, though
# the reader sees the second region before the first one's faults.
test_remap_names() {
	"$BIN/tamtrace" -j $(modeflag) -o "$TMP/remap.json" -- "$BIN/layouts" \
		--linger 0 --dir "$TMP" --info "$TMP/remap.info" > /dev/null 2>&1
	pa=$(awk '$1 == "remap_a" { printf "%.0f", int($2 / 4096) }' "$TMP/remap.info")
	pb=$(awk '$1 == "remap_b" { printf "%.0f", int($2 / 4096) }' "$TMP/remap.info")
	got=$(PA=$pa PB=$pb jawk 'jtype() == "fault" {
		p = jnum("page")
		if (p == ENVIRON["PA"] + 0) printf "a=%s ", jstr("region")
		if (p == ENVIRON["PB"] + 0) printf "b=%s ", jstr("region")
	}' "$TMP/remap.json")
	case "$got" in
	"a=file:"*a.dat" b=file:"*b.dat" ") pass "$T.remap-names" ;;
	*) fail "$T.remap-names" "got [$got] for pages $pa, $pb" ;;
	esac
}

# Another tracer on the same faults, system-wide and attached first: its
# VMA lookups come first in each exception, and bpf_find_vma() works once
# per exception with IRQs off. Every fault is still seen, in its region,
# and its class is right or, where the VMA could not be read, unknown
# (inferred): never wrong.
test_beside_another() {
	"$BIN/tamtrace" -a -j $(modeflag) -o /dev/null 2> "$TMP/other.err" &
	other=$!
	wait_attached "$TMP/other.err"
	if ! grep -q 'exact:' "$TMP/other.err" || ! kill -0 $other 2>/dev/null; then
		kill -KILL $other 2>/dev/null
		wait $other
		fail "$T.beside-another-tracer" "the other tracer did not attach: $(head -2 "$TMP/other.err")"
		return
	fi
	run_known_pattern
	kill -INT $other
	wait $other
	rc=$(cat "$TMP/rc")
	got=$(region_seq "$TMP/out.json")
	bad=$(region_rows "$TMP/out.json" | R=$REGION awk -F: '
		$4 != ENVIRON["R"] { print "page " $1 " in " $4; next }
		$3 == "unknown" { unknown++; next }
		$2 == "read" && $3 != "zero_page" ||
		$2 == "write" && $1 % 3 == 1 && $3 != "zero_fill" ||
		$2 == "write" && $1 % 3 == 2 && $3 != "cow_zero" {
			print "page " $1 " " $2 " " $3 }
		END { if (unknown) print "# " unknown " unknown" > "/dev/stderr" }' 2>&1 |
		grep -v '^#' | head -3)
	if [ "$rc" = 0 ] && [ "$got" = "$(expected_seq)" ] && [ -z "$bad" ]; then
		pass "$T.beside-another-tracer"
	else
		fail "$T.beside-another-tracer" "exit $rc, got [$got] $bad"
	fi
}

# SIGINT while the target faults at full rate, 8 times: every fault it
# held back in the meantime is said (exit 0, no loss of any kind).
test_stop_mid_burst() {
	bad=
	for k in 1 2 3 4 5 6 7 8; do
		"$BIN/faulter" --mmap --pages 2048 --rounds 1000000000 \
			> /dev/null 2>&1 &
		fp=$!
		"$BIN/tamtrace" -j $(modeflag) -p $fp -o /dev/null 2> "$TMP/burst.err" &
		tp=$!
		wait_attached "$TMP/burst.err"
		sleep 0.3
		kill -INT $tp
		wait $tp
		rc=$?
		kill $fp
		wait $fp 2>/dev/null
		[ $rc = 0 ] || bad="$bad run $k: exit $rc: $(grep -o 'lost: .*' "$TMP/burst.err" | tr ',' '\n' | grep -v ' 0$' | tr '\n' ' ')"
	done
	if [ -z "$bad" ]; then
		pass "$T.stop-mid-burst"
	else
		fail "$T.stop-mid-burst" "$bad"
	fi
}

test_known_pattern
test_beside_another
test_stop_mid_burst
test_remap_names
test_retried
test_threads
test_drops
test_pid_and_target_exit
test_signal INT
test_signal TERM
test_duration
test_epipe
test_follow
rm -rf "$TMP"
