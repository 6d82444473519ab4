#!/bin/sh
# In the VM: tamtrace stats through syscalls 552/553, and the demo.
TT_BIN=/tt/bin sh /tt/tests/stats.sh
