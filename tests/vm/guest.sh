#!/bin/sh
# Runs inside the VM. Prints one PASS/FAIL/SKIP line per test case.
# tt.suite= on the kernel command line says which kernel this is.
HERE=/tt/tests
. "$HERE/lib.sh"

SUITE=$(sed -n 's/.*tt\.suite=\([a-z]*\).*/\1/p' /proc/cmdline)
export SUITE
# The plans of the selftest and of the vm.d scripts with the scripts they
# run; plan_check fails each one that is missing or was cut short.
if [ "$SUITE" = patched ]; then
	PLANS="tamalloc_test vm-tracer errors tracer.patched hist.patched"
	PLANS="$PLANS tracer.fentry hist.fentry tracer.exceptions hist.exceptions"
	PLANS="$PLANS core.auto core.fentry core.exceptions"
	PLANS="$PLANS real.patched real.fentry real.exceptions real.agree"
	PLANS="$PLANS tamalloc_test.nobody"
else
	PLANS="vm-tracer errors tracer.auto tracer.exceptions hist.auto core.auto"
	PLANS="$PLANS real.auto real.exceptions"
fi
PLANS="$PLANS stats maps"
PLANS="$PLANS serve-vm"
{
	echo "# kernel $(uname -r), $(nproc) CPUs, suite $SUITE"
	if [ "$SUITE" = patched ]; then
		run_selftest /tt/bin/tamalloc_test
		# Again without privileges: the tests that need root SKIP.
		run_selftest /tt/bin/tamalloc_test tamalloc_test.nobody \
			/tt/bin/runas 65534
	fi
	for t in /tt/tests/vm.d/*.sh; do
		[ -f "$t" ] && sh "$t"
	done
} 2>&1 | plan_check "$PLANS"
exit 0
