#!/bin/sh
# Unit test of maps_read() (src/core/regions.c): a process that exits
# while its maps are read gives the whole list or none, never a cut one.
# Env: TT_BIN (the directory with maps_test), TT_TMP.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
BIN=${TT_BIN:-$HERE/../../build}
OUT=${TT_TMP:-/tmp}/tamtrace-maps.$$

plan maps 1
if [ -x "$BIN/maps_test" ]; then
	"$BIN/maps_test" > "$OUT" 2>&1
	relay "$OUT"
	rm -f "$OUT"
else
	fail maps.read-whole-or-nothing "no $BIN/maps_test (make all builds it)"
fi
