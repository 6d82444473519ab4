#!/bin/sh
# In the VM: the same tracer binary and tests, in every mode the kernel
# offers. Patched 6.12: patched, fentry and exceptions. Stock kernels:
# whatever probing picks, plus exceptions forced.
. /tt/tests/lib.sh
export TT_BIN=/tt/bin
# This script's own case: auto-picks-patched, on the patched kernel. The
# scripts it runs have their own plans, which tests/vm/guest.sh lists.
if [ "$SUITE" = patched ]; then plan vm-tracer 1; else plan vm-tracer 0; fi

sh /tt/tests/errors.sh
if [ "$SUITE" = patched ]; then
	for mode in patched fentry exceptions; do
		sh /tt/tests/tracer.sh "$mode"
		sh /tt/tests/hist.sh "$mode"
	done
	/tt/bin/tamtrace -j -- /tt/bin/faulter --pages 3 > /tmp/auto.json 2>/dev/null
	check vm-tracer.auto-picks-patched grep -q '"mode":"patched"' /tmp/auto.json
else
	sh /tt/tests/tracer.sh auto
	sh /tt/tests/tracer.sh exceptions
	sh /tt/tests/hist.sh auto
	/tt/bin/tamtrace -j -- /tt/bin/faulter --pages 3 > /tmp/auto.json 2>/tmp/auto.err
	echo "# auto mode on $(uname -r): $(grep -o '"mode":"[a-z]*"' /tmp/auto.json)"
fi
