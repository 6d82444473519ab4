#!/bin/sh
# Each error path of tamtrace gives its documented exit code and a
# message on stderr. Usage: tests/errors.sh
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
BIN=${TT_BIN:-$HERE/../build}
TMP=${TT_TMP:-/tmp/tamtrace-errors.$$}
mkdir -p "$TMP"
# 14 expects, forced-mode-unavailable, help-has-examples, no-btf.
plan errors 17

# expect NAME CODE CMD...: exit status CODE and something on stderr.
expect() {
	name=$1 code=$2
	shift 2
	"$@" > "$TMP/out" 2> "$TMP/err" < /dev/null
	rc=$?
	if [ "$rc" = "$code" ] && [ -s "$TMP/err" ]; then
		pass "errors.$name"
	else
		fail "errors.$name" "exit $rc (want $code): $(head -2 "$TMP/err")"
	fi
}

expect bad-option 2 "$BIN/tamtrace" --bogus -p 1
expect no-target 2 "$BIN/tamtrace"
expect bad-pid-syntax 2 "$BIN/tamtrace" -p 12x
expect bad-mode 2 "$BIN/tamtrace" -m turbo -p 1
expect bad-buffer 2 "$BIN/tamtrace" -b 3 -p 1
expect pid-and-command 2 "$BIN/tamtrace" -p 1 -- true
expect no-such-pid 5 "$BIN/tamtrace" -p "$(unused_pid)"
expect exec-fails 6 "$BIN/tamtrace" -- /nonexistent/command
expect not-root 3 "$BIN/runas" 65534 "$BIN/tamtrace" -p 1
expect hist-no-target 2 "$BIN/tamtrace" hist
expect hist-bad-max-pages 2 "$BIN/tamtrace" hist --max-pages 3 -p 1
expect hist-bad-interval 2 "$BIN/tamtrace" hist -p 1 0
expect hist-no-such-pid 5 "$BIN/tamtrace" hist -p "$(unused_pid)"
expect hist-not-root 3 "$BIN/runas" 65534 "$BIN/tamtrace" hist -p 1

# A mode this kernel lacks, forced: 7. The host has no mm_fault tracepoints.
if ! grep -q handle_mm_fault_enter /sys/kernel/tracing/available_events 2>/dev/null; then
	expect forced-mode-unavailable 7 "$BIN/tamtrace" -m patched -p 1
else
	skip errors.forced-mode-unavailable "every mode exists on this kernel"
fi

"$BIN/tamtrace" --help > "$TMP/help" 2>&1
check errors.help-has-examples grep -q EXAMPLES "$TMP/help"
# No BTF: hide /sys/kernel/btf behind an empty tmpfs in a private mount
# namespace, so tamtrace sees the kernel as one built without BTF.
if unshare -m true 2>/dev/null; then
	expect no-btf 4 unshare -m sh -c \
		"mount -t tmpfs none /sys/kernel/btf && exec $BIN/tamtrace -p 1"
else
	skip errors.no-btf "unshare -m is not available to hide the kernel's BTF"
fi
rm -rf "$TMP"
