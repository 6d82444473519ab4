#!/bin/sh
# Shared by the host and the VM test scripts (busybox sh compatible).
# Each test case prints exactly one line: PASS name | FAIL name: why |
# SKIP name: why. The runners count these lines.
#
# Every script declares how many it prints with plan (below), so a script
# that dies half-way fails the run instead of losing its lines quietly.

TT_PLAN=
TT_PLANNED=0
TT_EMITTED=0

pass() { echo "PASS $1"; TT_EMITTED=$((TT_EMITTED + 1)); }
fail() { echo "FAIL $1: $2"; TT_EMITTED=$((TT_EMITTED + 1)); }
skip() { echo "SKIP $1: $2"; TT_EMITTED=$((TT_EMITTED + 1)); }

# plan NAME N: this shell prints exactly N result lines, counted by
# pass/fail/skip from here on (lines printed by subshells do not count).
# Prints "# plan NAME N" for the runner's check (plan_check). At exit,
# also after an "exit N" anywhere, set -e, or SIGHUP/INT/TERM, prints
# "# NAME: N of N cases", or a FAIL line (not counted) if the count
# differs. A script killed outright prints nothing: plan_check sees that.
plan() {
	TT_PLAN=$1
	TT_PLANNED=$2
	TT_EMITTED=0
	echo "# plan $1 $2"
	trap plan_end EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# plan_add K: K more result lines, for cases whose number is only known
# at run time (e.g. from the mode tamtrace picked). Call it before the
# cases it counts run.
plan_add() {
	TT_PLANNED=$((TT_PLANNED + $1))
	echo "# plan $TT_PLAN +$1"
}

plan_end() {
	if [ "$TT_EMITTED" = "$TT_PLANNED" ]; then
		echo "# $TT_PLAN: $TT_EMITTED of $TT_PLANNED cases"
	else
		echo "FAIL $TT_PLAN.plan: emitted $TT_EMITTED of $TT_PLANNED test cases"
	fi
}

# plan_check "NAME...": filter for a runner's output. Passes every line
# through and adds a FAIL line for each plan of the list that never
# started, each plan that never ended (its script was killed), each
# plan not in the list, and result lines outside any plan. Callers set
# HERE to the tests/ directory.
plan_check() { awk -v expect="$1" -f "$HERE/plan.awk"; }

# check NAME CONDITION-COMMAND... : PASS if the command succeeds.
check() {
	name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name" "$*"; fi
}

# relay FILE: a program's output, its result lines counted as this
# shell's (a program run directly would print them past the count).
relay() {
	while IFS= read -r line; do
		case "$line" in
		"PASS "* | "FAIL "* | "SKIP "*)
			echo "$line"
			TT_EMITTED=$((TT_EMITTED + 1)) ;;
		*) echo "$line" ;;
		esac
	done < "$1"
}

# Run a kselftest_harness binary and turn its TAP lines into results.
# Its plan, named after the binary or NAME, is the TAP plan line "1..N".
# A subshell, so that plan ends (and is checked) when the conversion does.
# Usage: run_selftest BIN [NAME [WRAPPER ARGS...]], e.g. WRAPPER runas.
run_selftest() (
	bin=$1
	base=${2:-$(basename "$bin")}
	if [ ! -x "$bin" ]; then
		plan "$base" 1
		fail "$base" "missing binary"
		return
	fi
	shift $(($# < 2 ? $# : 2))
	"$@" "$bin" > /tmp/selftest.tap 2>&1
	n=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' /tmp/selftest.tap | head -1)
	if [ -n "$n" ]; then
		plan "$base" "$n"
	else
		# No TAP plan: say so, and still report every test line.
		plan "$base" $((1 + $(grep -c '^\(not \)\{0,1\}ok ' /tmp/selftest.tap)))
		fail "$base.tap-plan" "no 1..N line in the TAP output"
	fi
	while IFS= read -r line; do
		case "$line" in
		"not ok "*)
			fail "$base.$(echo "$line" | cut -d' ' -f4)" "see TAP log" ;;
		"ok "*"# SKIP"*)
			skip "$base.$(echo "$line" | cut -d' ' -f3)" \
				"${line#*# SKIP }" ;;
		"ok "*)
			pass "$base.$(echo "$line" | cut -d' ' -f3)" ;;
		"#"*) echo "$line" ;;
		esac
	done < /tmp/selftest.tap
)

# jawk PROGRAM FILE...: awk with the NDJSON helpers (no gawk -e needed).
# Callers set HERE to the tests/ directory.
jawk() {
	_prog=$1
	shift
	awk "$(cat "$HERE/ndjson.awk")
$_prog" "$@"
}

# -m MODE for tamtrace, nothing for MODE=auto.
modeflag() { [ "$MODE" = auto ] || echo "-m $MODE"; }

# info KEY: a value from the faulter's info file, $TMP/info.
info() { awk -v k="$1" '$1 == k { print $2 }' "$TMP/info"; }

# waiting_faulter INFO [ARGS...]: a faulter (--mmap --pages 30
# --oracle, plus ARGS) that writes INFO, then waits for SIGUSR1; sets
# FPID once INFO is written. Callers set BIN.
waiting_faulter() {
	wf_info=$1
	shift
	rm -f "$wf_info"
	"$BIN/faulter" --mmap --pages 30 --wait --oracle --info "$wf_info" \
		"$@" > /dev/null 2>&1 &
	FPID=$!
	i=0
	while [ ! -s "$wf_info" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# wait_for SECONDS CMD...: until CMD succeeds, polling every 0.1 s.
wait_for() {
	wf_n=$(($1 * 10))
	shift
	while ! "$@" 2>/dev/null; do
		wf_n=$((wf_n - 1))
		[ $wf_n -gt 0 ] || return 1
		sleep 0.1
	done
}

# wait_attached ERR: until tamtrace, stderr in ERR, printed its mode
# banner, i.e. it is attached.
wait_attached() {
	i=0
	while ! grep -q "mode [a-z]*: exact" "$1" 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# epipe_case NAME CMD...: CMD (tamtrace) writes into a pipe its reader
# closes after one line: it must exit 10 and say "output closed".
# Callers set TMP.
epipe_case() {
	ep_name=$1
	shift
	( "$@" 2> "$TMP/epipe.err"; echo $? > "$TMP/epipe.rc" ) | head -1 > /dev/null
	ep_rc=$(cat "$TMP/epipe.rc")
	if [ "$ep_rc" = 10 ] && grep -q "output closed" "$TMP/epipe.err"; then
		pass "$ep_name"
	else
		fail "$ep_name" "rc $ep_rc: $(tail -2 "$TMP/epipe.err")"
	fi
}

# A PID no process has right now.
unused_pid() {
	p=$(($(cat /proc/sys/kernel/pid_max) - 1))
	while [ -d "/proc/$p" ]; do p=$((p - 1)); done
	echo $p
}
