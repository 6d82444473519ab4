#!/bin/sh
# In the VM: tamtrace stats (syscalls 552/553 on the patched kernel, the
# /proc fallback elsewhere), and the demo.
TT_BIN=/tt/bin sh /tt/tests/stats.sh
