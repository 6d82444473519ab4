#!/bin/sh
# Real programs, and faults that fail, against the kernel's own count of
# the same process over the same window: held (tests/workloads/held.c)
# forks the command and holds it before exec, tamtrace -f -p attaches,
# then the command runs; wait4()'s minflt+majflt, less what the process
# had before, is the oracle. On the host, perf stat's counts of the
# exceptions tracepoints are a second one. Usage: tests/realprog.sh MODE
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
BIN=${TT_BIN:-$HERE/../build}
TMP=${TT_TMP:-/tmp/tamtrace-real.$$}
MODE=${1:-auto}
T="real.$MODE"
TT="$BIN/tamtrace"
mkdir -p "$TMP"

# perf stat where it exists (the host), nothing in the VMs.
PERF=
command -v perf > /dev/null 2>&1 && perf stat -e exceptions:page_fault_user \
	true > /dev/null 2>&1 && PERF=perf
# Big inputs on the host, small ones under TCG.
if [ -n "$SUITE" ]; then LINES=50000 READ_MB=8; else LINES=1000000 READ_MB=64; fi
awk -v n=$LINES 'BEGIN { srand(1); for (i = 0; i < n; i++)
	print int(rand() * 1e9) }' > "$TMP/numbers"

# value KEY FILE: a number from the last line (the summary) of NDJSON.
value() { tail -1 "$2" > "$TMP/last"; jawk "{ print jnum(\"$1\") }" "$TMP/last"; }
# string KEY FILE: the same for a string.
string() { tail -1 "$2" > "$TMP/last"; jawk "{ print jstr(\"$1\") }" "$TMP/last"; }

# within A B EXTRA: |A - B| <= EXTRA + 5 + 0.2 % of B.
within() {
	awk -v a="$1" -v b="$2" -v x="$3" 'BEGIN {
		d = a - b; if (d < 0) d = -d
		exit !(a != "" && b != "" && d <= x + 5 + b * 0.002) }'
}

# run_held NAME CMD...: CMD under held, traced from before its exec
# with -f; perf stat too where there is perf. Sets KERNEL (the oracle),
# STATUS, RC (tamtrace's exit status).
run_held() {
	name=$1
	shift
	rm -f "$TMP/held.info"
	"$BIN/held" "$TMP/held.info" "$@" > "$TMP/$name.out" 2> "$TMP/$name.cmd.err" &
	hpid=$!
	i=0
	while ! grep -q '^pid' "$TMP/held.info" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	cpid=$(awk '$1 == "pid" { print $2 }' "$TMP/held.info")
	# One tracer, or with TRACERS="MODE..." one per mode at once, each
	# to $TMP/NAME.MODE.json
	tpids=
	for m in ${TRACERS:--}; do
		out=$TMP/$name.json flag=$(modeflag)
		[ "$m" = - ] || out=$TMP/$name.$m.json flag="-m $m"
		"$TT" -j $flag -f -p "$cpid" -o "$out" 2> "${out%.json}.err" &
		tpids="$tpids $!"
		wait_attached "${out%.json}.err"
	done
	ppid=
	if [ -n "$PERF" ]; then
		# perf starts disabled, and acks the "enable": then it counts.
		rm -f "$TMP/ctl" "$TMP/ack"
		mkfifo "$TMP/ctl" "$TMP/ack"
		exec 8<>"$TMP/ctl" 9<>"$TMP/ack"
		$PERF stat -x, -D -1 --control "fifo:$TMP/ctl,$TMP/ack" \
			-e exceptions:page_fault_user,exceptions:page_fault_kernel \
			-p "$cpid" -o "$TMP/$name.perf" > /dev/null 2>&1 &
		ppid=$!
		echo enable >&8
		timeout 30 sh -c 'read a' <&9 ||
			echo "# $T.$name: perf did not say it counts"
	fi
	kill -USR1 "$hpid"
	wait "$hpid"
	RC=0
	for p in $tpids; do
		wait "$p" || RC=$?
	done
	[ -z "$ppid" ] || { wait "$ppid"; exec 8>&- 9>&-; }
	KERNEL=$(awk '$1 ~ /flt$/ { n += $2 } END { print n }' "$TMP/held.info")
	STATUS=$(awk '$1 == "status" { print $2 }' "$TMP/held.info")
}

# oracle NAME EXECS WANT_ERRORS CMD...: tamtrace's faults equal the
# kernel's; in exceptions mode, less up to one per exec (the argument
# pages, faulted in by get_user_pages(), which that mode cannot see).
# WANT_ERRORS: the failed faults tamtrace must count, or "-".
oracle() {
	name=$1 execs=$2 want_err=$3
	shift 3
	run_held "$name" "$@"
	json=$TMP/$name.json
	tt=$(value faults_seen "$json")
	errs=$(value errors_seen "$json")
	lost=$(($(value dropped "$json") + $(value inflight "$json") + $(value held "$json")))
	mode=$(string mode "$json")
	extra=0
	[ "$mode" = exceptions ] && extra=$execs
	echo "# $T.$name: kernel $KERNEL, tamtrace $tt (user $(value user "$json"), kernel $(value kernel "$json"), gup $(value gup "$json")), failed $errs, mode $mode"
	# Per class, exact ones apart: the modes side by side in the log.
	jawk 'jtype() == "fault" {
		c = jstr("class"); n[c]++
		if ($0 ~ /"exact":true/) x[c]++
	}
	END { for (c in n) printf " %s=%d(%d exact)", c, n[c], x[c] + 0 }' \
		"$json" > "$TMP/classes"
	echo "# $T.$name classes:$(cat "$TMP/classes")"
	if [ "$RC" = 0 ] && [ "$STATUS" = 0 ] && [ "$lost" = 0 ] &&
		within "$tt" "$KERNEL" "$extra" &&
		{ [ "$want_err" = - ] || [ "$errs" = "$want_err" ]; }; then
		pass "$T.$name"
	else
		fail "$T.$name" "rc $RC, status $STATUS, lost $lost: tamtrace $tt, kernel $KERNEL (+$extra allowed), failed $errs (want $want_err): $(tail -2 "$TMP/$name.err" | tr '\n' ' ')"
	fi
	[ -n "$PERF" ] && perf_check "$name"
}

# agree NAME CMD...: the patched kernel's three modes on the same process
# at once. patched mode is the truth (its zero-fill classes come from
# the kernel's own tracepoints); each fault fentry and exceptions mode
# saw is matched with the truth's by thread, page and order of faults
# there (exceptions mode sees no gup fault: those are left out of its
# truth). They pass with the same count, at least 99 % of the classes
# the truth's, and every fault they say is exact of the truth's class.
agree() {
	name=$1
	shift
	TRACERS="patched fentry exceptions" run_held "$name" "$@"
	for m in fentry exceptions; do
		jawk 'FNR == 1 { f++ }
		jtype() != "fault" ||
			(f == 1 && m == "exceptions" && jstr("origin") == "gup") { next }
		{ k = jnum("tid") " " jnum("page"); k = k " " seq[f, k]++
		  c = jstr("class"); x = $0 ~ /"exact":true/ }
		f == 1 { truth[k] = c; tn[c]++; total++; next }
		{ mn[c]++; seen++; ex += x; cls[c] = cls[truth[k]] = 1 }
		!(k in truth) { lone++; next }
		truth[k] == c { same++; next }
		x && !bad++ { why = "tid,page,nth " k ": " truth[k] " said " c }
		END {
			for (c in cls) t = t sprintf(" %s=%d/%d", c, tn[c], mn[c])
			printf "%d %d %d %d %d %d|%s|%s\n", total, seen, same, ex,
				bad, lone, t, why
		}' m=$m "$TMP/$name.patched.json" "$TMP/$name.$m.json" > "$TMP/agree"
		IFS='|' read -r nums table why < "$TMP/agree"
		set -- $nums
		echo "# $T.$name.$m: patched/$m$table; $3 of $1 the same class, $4 said exact, $6 not in patched's"
		if [ "$RC" = 0 ] && [ "$STATUS" = 0 ] && [ "$1" -gt 0 ] &&
			[ "$1" = "$2" ] && [ "$5" = 0 ] &&
			[ $(($3 * 100)) -ge $(($1 * 99)) ]; then
			pass "$T.$name.$m"
		else
			fail "$T.$name.$m" "rc $RC, status $STATUS: patched $1 faults, $m $2, $3 the same class, $5 exact ones not ($why)"
		fi
	done
}

# perf's exception counts: user-mode ones are tamtrace's user faults and
# failed faults; kernel-mode ones also count faults on kernel addresses
# and with page faults disabled, which the kernel does not handle.
perf_check() {
	json=$TMP/$1.json
	pu=$(awk -F, '$3 == "exceptions:page_fault_user" { print $1 }' "$TMP/$1.perf")
	pk=$(awk -F, '$3 == "exceptions:page_fault_kernel" { print $1 }' "$TMP/$1.perf")
	tu=$(($(value user "$json") + $(value errors_seen "$json")))
	tk=$(value kernel "$json")
	if within "$tu" "$pu" 0 && [ -n "$pk" ] && [ "$tk" -le "$pk" ] &&
		within "$tk" "$pk" 0; then
		pass "$T.$1.perf"
	else
		fail "$T.$1.perf" "perf user $pu kernel $pk, tamtrace user+failed $tu kernel $tk"
	fi
}

# THP's mode: thp_set MODE sets it, the first time saving the mode it
# had in THP_OLD; thp_restore sets that back (also at exit: the trap).
THP_SYS=/sys/kernel/mm/transparent_hugepage/enabled
THP_OLD=
thp_mode() { sed 's/.*\[\(.*\)\].*/\1/' $THP_SYS; }
thp_set() {
	[ -n "$THP_OLD" ] || THP_OLD=$(thp_mode)
	echo "$1" > $THP_SYS
}
thp_restore() {
	[ -z "$THP_OLD" ] || echo "$THP_OLD" > $THP_SYS
	THP_OLD=
}

# THP: the pages each fault mapped, summed over a MADV_HUGEPAGE region
# whose every page was written, are the region's Rss in smaps. THP is
# set to madvise for the test if it is off, and set back after.
thp_pages() {
	if [ ! -w $THP_SYS ]; then
		skip "$T.thp-pages" "no THP on this kernel (no $THP_SYS)"
		skip "$T.thp-touched" "no THP on this kernel (no $THP_SYS)"
		return
	fi
	[ "$(thp_mode)" = never ] && thp_set madvise
	"$TT" -j $(modeflag) -o "$TMP/thp.json" -- "$BIN/thp" "$TMP/thp.info" 16 \
		2> "$TMP/thp.err"
	rc=$?
	"$TT" hist $(modeflag) --json "$TMP/thp.hist" -o /dev/null -- \
		"$BIN/thp" "$TMP/thp2.info" 16 2> "$TMP/thp2.err"
	rc2=$?
	thp_restore
	BASE=$(awk '$1 == "addr" { print $2 }' "$TMP/thp.info") \
	LEN=$(awk '$1 == "len" { print $2 }' "$TMP/thp.info") jawk '
	jtype() == "fault" {
		a = jnum("addr"); base = ENVIRON["BASE"] + 0
		if (a >= base && a < base + ENVIRON["LEN"]) {
			pages += jnum("pages"); faults++
		}
	}
	END { print pages + 0, faults + 0 }' "$TMP/thp.json" > "$TMP/thp.sum"
	read pages faults < "$TMP/thp.sum"
	rss=$(awk '$1 == "rss_kb" { print $2 / 4 }' "$TMP/thp.info")
	huge=$(awk '$1 == "anon_huge_kb" { print $2 / 4 }' "$TMP/thp.info")
	echo "# $T.thp-pages: smaps Rss $rss pages ($huge in huge pages), tamtrace $pages pages in $faults faults"
	if [ "${huge:-0}" = 0 ]; then
		skip "$T.thp-pages" "the kernel mapped no huge page (smaps AnonHugePages 0)"
	elif [ $rc = 0 ] && [ -n "$rss" ] && [ "$pages" = "$rss" ]; then
		pass "$T.thp-pages"
	else
		fail "$T.thp-pages" "rc $rc: smaps Rss $rss pages, tamtrace $pages: $(tail -1 "$TMP/thp.err")"
	fi	# hist: TOUCHED of the region's row, against its smaps Rss
	start=$(awk '$1 == "addr" { print $2 }' "$TMP/thp2.info")
	rss2=$(awk '$1 == "rss_kb" { print $2 / 4 }' "$TMP/thp2.info")
	touched=$(grep -o "\"start\":$start,[^}]*" "$TMP/thp.hist" |
		sed -n 's/.*"pages_touched":\([0-9]*\).*/\1/p')
	if [ "$(awk '$1 == "anon_huge_kb" { print $2 }' "$TMP/thp2.info")" = 0 ]; then
		skip "$T.thp-touched" "the kernel mapped no huge page (smaps AnonHugePages 0)"
	elif [ $rc2 = 0 ] && [ -n "$rss2" ] && [ "$touched" = "$rss2" ]; then
		pass "$T.thp-touched"
	else
		fail "$T.thp-touched" "rc $rc2: smaps Rss $rss2 pages, hist TOUCHED [$touched]"
	fi
}

# need PROGRAM...: true if all are here, else each case of $name skips.
need() {
	for b in "$@"; do
		[ -x "$b" ] && continue
		if [ "$MODE" = agree ]; then
			skip "$T.$name.fentry" "no $b here"
			skip "$T.$name.exceptions" "no $b here"
			return 1
		fi
		skip "$T.$name" "no $b here"
		[ -n "$PERF" ] && skip "$T.$name.perf" "no $b here"
		return 1
	done
}

# MODE agree (the patched kernel): the modes side by side, two cases
# per workload.
if [ "$MODE" = agree ]; then
	plan "$T" 12
	name=faulter
	agree faulter "$BIN/faulter" --mmap --pages 64
	name=failed-faults
	agree failed-faults "$BIN/segv" 100
	for w in sort xz-threads sh-pipeline dd; do
		name=$w
		case $w in
		sort) need /usr/bin/sort &&
			agree sort /usr/bin/sort -n "$TMP/numbers" -o "$TMP/sorted" ;;
		xz-threads) need /usr/bin/xz &&
			agree xz-threads /usr/bin/xz -T2 -1 -k -f "$TMP/numbers" ;;
		sh-pipeline) need /usr/bin/seq /usr/bin/sort /usr/bin/tail &&
			agree sh-pipeline sh -c "/usr/bin/seq $LINES | /usr/bin/sort -rn | /usr/bin/tail -1 > /dev/null" ;;
		dd) need /usr/bin/dd &&
			agree dd /usr/bin/dd if=/dev/zero of=/dev/null bs=${READ_MB}M count=1 ;;
		esac
	done
	rm -rf "$TMP"
	exit 0
fi

# Major faults: 1,024 pages read from the disk (tests/workloads/
# majors.c), each one major, in every mode; wait4()'s majflt counts them
# and a few more (the program's own pages, some read by the kernel or by
# exec: not all of those are seen as major in exceptions mode). Where the
# file system keeps files in memory (the VMs' initramfs) the pages stay
# cached and nothing is major: skipped.
majors() {
	name=majors
	oracle majors 1 0 "$BIN/majors" "$TMP/majors.dat" 1024
	kmaj=$(awk '$1 == "majflt" { print $2 }' "$TMP/held.info")
	A=$(awk '$1 == "addr" { print $2 }' "$TMP/majors.out") jawk '
	jtype() == "fault" && jstr("class") == "major" {
		all++; a = jnum("addr") - ENVIRON["A"]
		if (a >= 0 && a < 1024 * 4096) file++
	}
	END { print all + 0, file + 0 }' "$TMP/majors.json" > "$TMP/majors.n"
	read tmaj tfile < "$TMP/majors.n"
	resident=$(awk '$1 == "resident" { print $2 }' "$TMP/majors.out")
	echo "# $T.majors: kernel majflt $kmaj, tamtrace major $tmaj ($tfile of the file's 1024 pages), $resident pages cached before"
	if [ "${kmaj:-0}" -lt 1024 ] || [ "$resident" != 0 ]; then
		skip "$T.majors-class" "the kernel counted ${kmaj:-no} major faults ($resident pages cached): $TMP is kept in memory here"
	elif [ "$tfile" = 1024 ] && [ "$tmaj" -le "$kmaj" ]; then
		pass "$T.majors-class"
	else
		fail "$T.majors-class" "kernel majflt $kmaj; tamtrace major $tmaj, $tfile of the file's 1024 pages"
	fi
}

# Cases: one line each (thp_pages two, majors two), the oracle's two on
# a host with perf.
n=11
[ -n "$PERF" ] && n=19
plan "$T" $n
trap 'thp_restore; plan_end' EXIT	# plan's trap, THP set back first

name=sort
need /usr/bin/sort &&
	oracle sort 1 0 /usr/bin/sort -n "$TMP/numbers" -o "$TMP/sorted"
# read() into a fresh buffer: the kernel's faults, copy_to_user()'s.
name=read-fresh-buffer
need /usr/bin/dd &&
	oracle read-fresh-buffer 1 0 /usr/bin/dd if=/dev/zero of=/dev/null \
		bs=${READ_MB}M count=1
name=xz-threads
need /usr/bin/xz &&
	oracle xz-threads 1 0 /usr/bin/xz -T2 -1 -k -f "$TMP/numbers"
name=sh-pipeline
need /usr/bin/seq /usr/bin/sort /usr/bin/tail &&
	oracle sh-pipeline 4 0 sh -c "/usr/bin/seq $LINES | /usr/bin/sort -rn | /usr/bin/tail -1 > /dev/null"
name=python3
need /usr/bin/python3 &&
	oracle python3 1 0 /usr/bin/python3 -I -c 'import json; print(len(json.dumps(list(range(100000)))))'
# 100 writes to read-only pages and 100 without a mapping, each caught.
oracle failed-faults 1 200 "$BIN/segv" 100
majors
thp_pages
# Threads with THP "always": exceptions mode holds possibly-huge faults;
# every one must be said, none left held, the count still the kernel's.
name=xz-threads-thp-always
if [ ! -w $THP_SYS ]; then
	skip "$T.$name" "no THP on this kernel (no $THP_SYS)"
	[ -n "$PERF" ] && skip "$T.$name.perf" "no THP on this kernel"
elif need /usr/bin/xz; then
	thp_set always
	oracle $name 1 0 /usr/bin/xz -T2 -1 -k -f "$TMP/numbers"
	thp_restore
fi
rm -rf "$TMP"
