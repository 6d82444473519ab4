#!/bin/sh
# In the VM: the tracer on the patched kernel, in each of its modes.
. /tt/tests/lib.sh
export TT_BIN=/tt/bin

sh /tt/tests/errors.sh
for mode in patched fentry exceptions; do
	sh /tt/tests/tracer.sh "$mode"
done

# With no --mode, the patched kernel's tracepoints are chosen.
/tt/bin/tamtrace -j -- /tt/bin/faulter --pages 3 > /tmp/auto.json 2>/dev/null
check vm-tracer.auto-picks-patched grep -q '"mode":"patched"' /tmp/auto.json
