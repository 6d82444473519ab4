#!/bin/sh
# In the VM: maps_read() of exiting processes (tests/unit/maps.sh), on
# the kernel where cut lists first showed as hist rows marked unmapped.
TT_BIN=/tt/bin exec sh /tt/tests/unit/maps.sh
