#!/bin/sh
# tamtrace stats and tamalloc-demo against /proc. Tolerances: per-process
# figures of an idle process must match /proc within 64 KiB; the global
# sums within 2% + 8 MiB (processes come and go between the two reads).
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
BIN=${TT_BIN:-$HERE/../build}
TMP=${TT_TMP:-/tmp/tamtrace-stats.$$}
mkdir -p "$TMP"
# proc_row 2, global 1, errors 3, all_sorted 1, watch 1, demo 1.
plan stats 9

if "$BIN/tamalloc-demo" --no-wait -m 1 2>/dev/null | grep -q "with tamalloc()"; then
	SOURCE=syscall
else
	SOURCE=proc
fi
echo "# stats source expected: $SOURCE"

status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
within() { d=$(($1 - $2)); [ ${d#-} -le "$3" ]; }

test_proc_row() {
	sleep 30 &
	SPID=$!
	sleep 0.2
	"$BIN/tamtrace" stats -j -p "$SPID" > "$TMP/p.json" 2> "$TMP/p.err"
	rc=$?
	vm=$(status_kb "$SPID" VmSize)
	rss=$(status_kb "$SPID" VmRSS)
	oom=$(cat "/proc/$SPID/oom_score")
	row=$(jawk '{ print jnum("reserved_kb"), jnum("used_kb"), jnum("oom_score"), jstr("source") }' "$TMP/p.json")
	kill "$SPID"
	wait "$SPID" 2>/dev/null
	set -- $row
	if [ "$rc" = 0 ] && within "$1" "$vm" 64 && within "$2" "$rss" 64 &&
		[ "$3" = "$oom" ] && [ "$4" = "$SOURCE" ]; then
		pass "stats.process-matches-proc"
	else
		fail "stats.process-matches-proc" "rc $rc: got [$row], /proc $vm $rss $oom"
	fi
	if [ "$SOURCE" = proc ]; then
		check stats.fallback-said-once test "$(grep -c ENOSYS "$TMP/p.err")" = 1
	else
		check stats.no-fallback-note test ! -s "$TMP/p.err"
	fi
}

test_global() {
	"$BIN/tamtrace" stats -j > "$TMP/g.json" 2>/dev/null
	total=0
	rss=0
	for d in /proc/[0-9]*; do
		v=$(status_kb "${d#/proc/}" VmSize 2>/dev/null)
		r=$(status_kb "${d#/proc/}" VmRSS 2>/dev/null)
		total=$((total + ${v:-0}))
		rss=$((rss + ${r:-0}))
	done
	set -- $(jawk '{ print jnum("total_reserved_mb"), jnum("total_used_mb") }' "$TMP/g.json")
	tol_v=$((total / 1024 / 50 + 8))
	tol_r=$((rss / 1024 / 50 + 8))
	if within "$1" $((total / 1024)) $tol_v && within "$2" $((rss / 1024)) $tol_r; then
		pass "stats.global-matches-proc"
	else
		fail "stats.global-matches-proc" "got $1/$2 MB, /proc $((total / 1024))/$((rss / 1024)) MB"
	fi
}

test_errors() {
	"$BIN/tamtrace" stats -p "$(unused_pid)" > /dev/null 2> "$TMP/e.err"
	rc=$?
	check stats.no-such-process sh -c "[ $rc = 5 ] && grep -q 'no such process' $TMP/e.err"
	if [ "$SOURCE" = syscall ]; then
		"$BIN/runas" 65534 "$BIN/tamtrace" stats -p 1 > /dev/null 2> "$TMP/a.err"
		rc=$?
		check stats.permission-denied sh -c "[ $rc = 11 ] && grep -q 'permission denied' $TMP/a.err"
	else
		skip stats.permission-denied "/proc/PID/status is world-readable; only syscall 553 refuses"
	fi
	"$BIN/tamtrace" stats --sort size > /dev/null 2>&1
	check stats.bad-sort-key test $? = 2
}

test_all_sorted() {
	"$BIN/tamtrace" stats --all --sort oom -j > "$TMP/all.json" 2>/dev/null
	sorted=$(jawk '{ print jnum("oom_score") }' "$TMP/all.json" | sort -rn | tr '\n' ' ')
	got=$(jawk '{ print jnum("oom_score") }' "$TMP/all.json" | tr '\n' ' ')
	n=$(grep -c '"pid":1,' "$TMP/all.json")
	check stats.all-sorted-by-oom sh -c "[ '$sorted' = '$got' ] && [ $n = 1 ]"
}

# -w refreshes until interrupted, then exits 0.
test_watch() {
	"$BIN/tamtrace" stats -j -w 0.3 -p $$ > "$TMP/w.json" 2>/dev/null &
	WPID=$!
	sleep 1.2
	kill -INT "$WPID"
	wait "$WPID"
	rc=$?
	n=$(grep -c '"pid":' "$TMP/w.json")
	check stats.watch-refreshes sh -c "[ $rc = 0 ] && [ $n -ge 3 ]"
}

test_demo() {
	"$BIN/tamalloc-demo" --no-wait -m 8 > "$TMP/demo.out" 2>&1
	rc=$?
	grew=$(awk '/RSS grew by/ { print $4 }' "$TMP/demo.out")
	if [ "$rc" = 0 ] && [ "${grew:-0}" -ge 8192 ] && [ "$grew" -lt 9216 ]; then
		pass "demo.rss-grows-by-touched"
	else
		fail "demo.rss-grows-by-touched" "rc $rc, grew ${grew:-?} KiB"
	fi
}

test_proc_row
test_global
test_errors
test_all_sorted
test_watch
test_demo
rm -rf "$TMP"
