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

# A PID no process has right now.
unused_pid() {
	p=$(($(cat /proc/sys/kernel/pid_max) - 1))
	while [ -d "/proc/$p" ]; do p=$((p - 1)); done
	echo $p
}
