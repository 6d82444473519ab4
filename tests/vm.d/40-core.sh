#!/bin/sh
# In the VM: the core's targets, lifecycle, output and errors, once with
# the mode the kernel picks and, on the patched kernel, per forced mode.
. /tt/tests/lib.sh
export TT_BIN=/tt/bin
sh /tt/tests/core.sh auto
if [ "$SUITE" = patched ]; then
	sh /tt/tests/core.sh fentry
	sh /tt/tests/core.sh exceptions
fi
