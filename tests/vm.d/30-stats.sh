#!/bin/sh
# In the VM: tamtrace stats (syscalls 552/553 on the patched kernel, the
# /proc fallback elsewhere), and the demo.
# No case of its own, so no plan of its own: stats.sh's plan is this
# script's.
TT_BIN=/tt/bin exec sh /tt/tests/stats.sh
