#!/bin/sh
# The whole suite: host tests, then the patched kernel in the VM. Prints
# every PASS/FAIL/SKIP line and ends with "N passed, N failed, N skipped".
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
LOG=${OUTPUT:-build}/test-results.log
mkdir -p "$(dirname "$LOG")"
start=$(date +%s)
# The plans of the host part: run-host.sh's own cases and those of the
# scripts it runs. plan_check fails each one that is missing or was cut
# short (the VM's guest.sh checks the VM's plans the same way).
HOST_PLANS="host errors stats tracer.auto tracer.exceptions hist.auto core.auto"
HOST_PLANS="$HOST_PLANS escape maps real.auto"
HOST_PLANS="$HOST_PLANS install formats.auto serve top"
{
	sh "$HERE/run-host.sh" 2>&1 | plan_check "$HOST_PLANS"
	if [ "${TT_SKIP_VM:-0}" = 1 ]; then
		echo "SKIP vm: TT_SKIP_VM=1"
	else
		"$HERE/vm/run.sh" patched ||
			echo "FAIL vm:harness: tests/vm/run.sh patched failed"
		"$HERE/vm/run.sh" stock ||
			echo "FAIL vm-6.1:harness: tests/vm/run.sh stock failed"
	fi
} 2>&1 | tee "$LOG"
echo "# suite ran in $(($(date +%s) - start)) s"
passed=$(grep -c '^PASS ' "$LOG")
failed=$(grep -c '^FAIL ' "$LOG")
skipped=$(grep -c '^SKIP ' "$LOG")
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
