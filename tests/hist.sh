#!/bin/sh
# tamtrace hist against the faulter workload: per-page CSV, region
# totals, tamalloc's untouched bytes, latency, overflow, stacks, heatmap.
# Usage: tests/hist.sh MODE   (auto, patched, fentry, exceptions)
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
BIN=${TT_BIN:-$HERE/../build}
TMP=${TT_TMP:-/tmp/tamtrace-hist.$$}
MODE=${1:-auto}
T="hist.$MODE"
mkdir -p "$TMP"

KIND=--mmap
[ "$MODE" = patched ] && KIND=--tamalloc
# csv-pages, region-totals, latency, stacks, overflow, heatmap, and
# three stack cases of a short-lived PIE; with tamalloc(), its untouched
# bytes too. A failed first run ends the script early, and the plan
# reports that.
if [ "$KIND" = --tamalloc ]; then plan "$T" 10; else plan "$T" 9; fi

"$BIN/tamtrace" hist $(modeflag) --csv "$TMP/p.csv" --stacks "$TMP/s.folded" \
	--heatmap "$TMP/h.svg" -o "$TMP/summary" -- "$BIN/faulter" $KIND \
	--pages 30 --spare 10 --oracle --info "$TMP/info" > /dev/null 2> "$TMP/err"
rc=$?
if [ $rc != 0 ]; then
	fail "$T.runs" "exit $rc: $(head -3 "$TMP/err")"
	exit 0
fi
PICKED=$(sed -n 's/.*(mode \([a-z]*\)).*/\1/p' "$TMP/summary" | head -1)
echo "# $T: mode $PICKED"

# CSV: the faulter region has exactly its 30 pages, each with the right
# fault count and classes; every row belongs to the faulter.
# Faults per page: the faulter's own getrusage() count (--oracle).
want_faults=$(sed -n 's/^faulted //p' "$TMP/info")
bad=$(awk -F, -v base=$(($(info addr) / 4096)) -v pid=$(info pid) -v mode="$PICKED" \
	-v oracle="$want_faults" '
	BEGIN { n_o = split(oracle, o, " "); for (k = 1; k <= n_o; k++) { split(o[k], pa, ":"); nf[pa[1]]++ } }
	NR == 1 { if ($1 != "page" || $2 != "region" || $3 != "faults") print "header " $0; next }
	$NF != pid { print "row of pid " $NF; next }
	$1 < base || $1 >= base + 40 { next }
	{
		i = $1 - base; n++
		if (i >= 30) { print "untouched page " i " has a row"; next }
		want = nf[i] + 0
		if ($3 != want) print "page " i " faults " $3
		# columns: 5 zero_page, 6 zero_fill, 7 cow_zero, 8 cow
		if (i % 3 == 0 && $5 != 1) print "page " i " zero_page " $5
		if (i % 3 == 1 && $6 != 1) print "page " i " zero_fill " $6
		if (i % 3 == 2 && mode == "patched" && nf[i] == 2 && $7 != 1) print "page " i " cow_zero " $7
	}
	END { if (n != 30) print "rows " n " want 30" }' "$TMP/p.csv" | head -3)
if [ -z "$bad" ]; then pass "$T.csv-pages"; else fail "$T.csv-pages" "$bad"; fi

# Region totals: pages touched per region add up to the CSV's rows.
touched=$(awk '/^PID +REGION/ { on = 1; next } on && NF == 0 { on = 0 }
	on && NF >= 5 && $1 ~ /^[0-9]+$/ { s += $5 } END { print s + 0 }' "$TMP/summary")
rows=$(($(wc -l < "$TMP/p.csv") - 1))
check "$T.region-totals" test "$touched" = "$rows"

if [ "$KIND" = --tamalloc ]; then
	check "$T.tamalloc-untouched-bytes" \
		grep -q "lazy zeroing: 40960 bytes never touched" "$TMP/summary"
fi

case "$PICKED" in
exceptions) check "$T.latency-says-not-measured" grep -q "not measured" "$TMP/summary" ;;
*) check "$T.latency-histogram" grep -q "class = zero_fill" "$TMP/summary" ;;
esac

check "$T.stacks-have-workload-function" grep -q ";touch;" "$TMP/s.folded"

# Stacks of a dynamic PIE that exits within milliseconds, before any
# /proc/PID/maps snapshot: main -> level1 -> toucher touches 64 fresh
# pages. Launched, and as the child of sh -c under -f. The oracle for
# "no frame past its symbol's end" is nm -S: every frame naming one of
# the PIE's functions names one with a size, and the functions without
# one (_init, _fini, ...) never appear (a return address is never a
# function's first byte).
pie_stacks() { # NAME FOLDED
	if ! grep -q '^[^ ]*;main;level1;toucher;[^ ]*_\[k\];zero_fill [0-9]*$' "$2"; then
		fail "$T.$1" "no main;level1;toucher stack: $(grep -m1 toucher "$2" || head -1 "$2")"
		return
	fi
	pass "$T.$1"
}
if "$BIN/stackpie" 2> /dev/null && command -v nm > /dev/null; then
	"$BIN/tamtrace" hist $(modeflag) --stacks "$TMP/pie.folded" -o /dev/null \
		-- "$BIN/stackpie" > /dev/null 2>&1
	pie_stacks stacks-short-lived-pie "$TMP/pie.folded"
	"$BIN/tamtrace" hist $(modeflag) -f --stacks "$TMP/pief.folded" \
		-o /dev/null -- sh -c "$BIN/stackpie" > /dev/null 2>&1
	pie_stacks stacks-pie-child-of-sh "$TMP/pief.folded"
	bad=$(nm -S "$BIN/stackpie" | awk '
		FNR == NR { if ($NF ~ /^[A-Za-z_]/ && ($(NF-1) ~ /^[tTwW]$/)) {
			if (NF == 4) sized[$NF] = 1; else unsized[$NF] = 1 }; next }
		{ sub(/ [0-9]+$/, ""); n = split($0, f, ";")
		  for (i = 2; i <= n; i++) {
			if (f[i] ~ /_\[k\]$/) break
			if (f[i] in unsized && !(f[i] in sized)) print "frame " f[i] " (no size in nm -S)"
		  }
		  if ($0 ~ /;toucher;/ && $0 !~ /;main;level1;toucher;/) print "toucher stack " $0
		}
		END { if (!("main" in sized && "level1" in sized && "toucher" in sized)) print "nm -S: no sizes" }
		' - "$TMP/pie.folded" "$TMP/pief.folded" | head -3)
	if [ -z "$bad" ]; then pass "$T.stacks-within-symbols"; else fail "$T.stacks-within-symbols" "$bad"; fi
else
	for c in stacks-short-lived-pie stacks-pie-child-of-sh stacks-within-symbols; do
		skip "$T.$c" "build/stackpie (a dynamic PIE) or nm cannot run here"
	done
fi

"$BIN/tamtrace" hist $(modeflag) --max-pages 16 -- "$BIN/faulter" --mmap \
	--pages 60 > "$TMP/over" 2>&1
check "$T.overflow-reported" grep -q "page map is full" "$TMP/over"

# The heatmap renders: headless Chromium draws it, and the picture has
# the cells (non-white pixels). Only where Chromium and python3 exist.
if command -v chromium > /dev/null && command -v python3 > /dev/null; then
	h=$(sed -n 's/.*<svg[^>]* height="\([0-9]*\)".*/\1/p' "$TMP/h.svg")
	timeout 120 chromium --headless --no-sandbox --disable-gpu \
		--disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync \
		--user-data-dir="$TMP/chromium" --window-size=1220,"${h:-800}" \
		--screenshot="$TMP/h.png" "file://$TMP/h.svg" > /dev/null 2>&1
	set -- $(python3 "$HERE/pngstat.py" "$TMP/h.png" 2>/dev/null)
	if [ "${3:-0}" -gt 5000 ]; then
		pass "$T.heatmap-renders"
	else
		fail "$T.heatmap-renders" "non-white pixels: ${3:-none}"
	fi
else
	# Without a renderer, count the cells: one <rect> with a
	# "<title>N faults</title>" per (page row, time column) that saw
	# faults. The faulter's region is one page per row, so its 30
	# touched pages alone make 30 cells. (The SVG's background is a
	# <rect> too, without a title.)
	cells=$(grep -c '<title>[0-9][0-9]* faults</title></rect>' "$TMP/h.svg" 2>/dev/null)
	cells=${cells:-0}
	if [ "$cells" -ge 30 ]; then
		skip "$T.heatmap-renders" "no chromium/python3 here; the SVG has $cells cells, rendered on the host"
	else
		fail "$T.heatmap-renders" "the SVG has $cells cells, want at least 30 (one per touched page)"
	fi
fi
rm -rf "$TMP"
