#!/bin/sh
# Shared by the host and the VM test scripts (busybox sh compatible).
# Each test case prints exactly one line: PASS name | FAIL name: why |
# SKIP name: why. The runners count these lines.

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "SKIP $1: $2"; }

# check NAME CONDITION-COMMAND... : PASS if the command succeeds.
check() {
	name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name" "$*"; fi
}

# Run a kselftest_harness binary and turn its TAP lines into results.
run_selftest() {
	bin=$1
	base=$(basename "$bin")
	if [ ! -x "$bin" ]; then
		fail "$base" "missing binary"
		return
	fi
	"$bin" > /tmp/selftest.tap 2>&1
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
}

# jawk PROGRAM FILE: awk with the NDJSON helpers (no gawk -e needed).
# Callers set HERE to the tests/ directory.
jawk() { awk "$(cat "$HERE/ndjson.awk")
$1" "$2"; }

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

# wait_attached ERR: until tamtrace, stderr in ERR, printed its mode
# banner, i.e. it is attached.
wait_attached() {
	i=0
	while ! grep -q "mode [a-z]*: exact" "$1" 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# A PID no process has right now.
unused_pid() {
	p=$(($(cat /proc/sys/kernel/pid_max) - 1))
	while [ -d "/proc/$p" ]; do p=$((p - 1)); done
	echo $p
}
