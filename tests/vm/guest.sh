#!/bin/sh
# Runs inside the VM. Prints one PASS/FAIL/SKIP line per test case.
. /tt/tests/lib.sh

echo "# kernel $(uname -r), $(nproc) CPUs"
run_selftest /tt/bin/tamalloc_test
for t in /tt/tests/vm.d/*.sh; do
	[ -f "$t" ] && sh "$t"
done
exit 0
