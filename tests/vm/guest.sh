#!/bin/sh
# Runs inside the VM. Prints one PASS/FAIL/SKIP line per test case.
# tt.suite= on the kernel command line says which kernel this is.
. /tt/tests/lib.sh

SUITE=$(sed -n 's/.*tt\.suite=\([a-z]*\).*/\1/p' /proc/cmdline)
export SUITE
echo "# kernel $(uname -r), $(nproc) CPUs, suite $SUITE"
[ "$SUITE" = patched ] && run_selftest /tt/bin/tamalloc_test
for t in /tt/tests/vm.d/*.sh; do
	[ -f "$t" ] && sh "$t"
done
exit 0
