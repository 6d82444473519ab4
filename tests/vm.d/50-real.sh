#!/bin/sh
# In the VM: real programs against the kernel's own fault count, in every
# mode the kernel offers; the patched kernel's modes side by side.
export TT_BIN=/tt/bin
if [ "$SUITE" = patched ]; then
	for mode in patched fentry exceptions; do
		sh /tt/tests/realprog.sh "$mode"
	done
	sh /tt/tests/realprog.sh agree
else
	sh /tt/tests/realprog.sh auto
	sh /tt/tests/realprog.sh exceptions
fi
