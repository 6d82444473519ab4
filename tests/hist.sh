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
# bytes too; then the layouts workload, run twice (merge, split,
# no-overlap, remap-names each), hard-link-one-name, shared-anon-label
# and heatmap-real-program. A failed first run ends the script early,
# and the plan reports that.
if [ "$KIND" = --tamalloc ]; then plan "$T" 21; else plan "$T" 20; fi

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

# Regions by address range (the layouts workload, tests/workloads/
# layouts.c): its truth is what /proc/self/maps said, in $TMP/li.L. Run
# once exiting at once (no maps snapshot: the union of the ranges BPF
# saw) and once lingering 400 ms around each step (snapshots of each
# state). regions FILE: "start end mapped reserved touched label" per
# region of hist's JSON.
regions() {
	jawk '/"pages_reserved"/ { printf "%.0f %.0f %d %d %d %s\n",
		jnum("start"), jnum("end"), $0 ~ /"mapped":true/,
		jnum("pages_reserved"), jnum("pages_touched"), jstr("region") }' "$1"
}
# The one region overlapping [S, E) must be exactly it: S E RESERVED TOUCHED.
one_region() {
	awk -v s="$2" -v e="$3" -v res="$4" -v t="$5" '
		$1 + 0 < e + 0 && $2 + 0 > s + 0 { n++; got = $0
			ok = $1 == s && $2 == e && $3 == 1 && $4 == res && $5 == t }
		END { if (n != 1 || !ok) { print n + 0 " rows: " got; exit 1 } }' "$1"
}
# The label of PAGE in hist's CSV.
page_label() { awk -F, -v p="$2" '$1 == p { gsub(/"/, "", $2); print $2 }' "$1"; }
for L in 0 400; do
	"$BIN/tamtrace" hist $(modeflag) --json "$TMP/lj.$L" --csv "$TMP/lc.$L" \
		-o /dev/null -- "$BIN/layouts" --linger $L --dir "$TMP" \
		--info "$TMP/li.$L" > /dev/null 2>&1
	regions "$TMP/lj.$L" > "$TMP/lr.$L"
	lget() { awk -v k="$1" -v i="$2" '$1 == k { print $i }' "$TMP/li.$L"; }
	ms=$(lget merge 2) me=$(lget merge 3)
	if why=$(one_region "$TMP/lr.$L" "$ms" "$me" $(((me - ms) / 4096)) 25); then
		pass "$T.regions-merge.$L"
	else
		fail "$T.regions-merge.$L" "maps: one VMA $ms-$me, 25 touched; hist: $why"
		sed "s/^/# $T.regions.$L row: /" "$TMP/lr.$L"
	fi
	ss=$(lget split 2) se=$(lget split 3) sv=$(lget split 4)
	if [ "${sv:-0}" -lt 50 ]; then
		fail "$T.regions-split.$L" "the kernel split the region in ${sv:-0} VMAs only"
	elif why=$(one_region "$TMP/lr.$L" "$ss" "$se" 100 100); then
		pass "$T.regions-split.$L"
	else
		fail "$T.regions-split.$L" "maps: $sv VMAs over $ss-$se; hist: $why"
	fi
	# Regions that reserve pages at the end never overlap.
	bad=$(awk '$4 > 0' "$TMP/lr.$L" | sort -n | awk '
		NR > 1 && $1 + 0 < end + 0 { print "overlap at " $1; exit }
		{ if ($2 + 0 > end + 0) end = $2 }')
	if [ -z "$bad" ] && [ -s "$TMP/lr.$L" ]; then
		pass "$T.regions-no-overlap.$L"
	else
		fail "$T.regions-no-overlap.$L" "${bad:-no regions}"
	fi
	# File a's pages never get b's name; lingering, b's get b's (a
	# snapshot shows b there before and after they faulted). Without a
	# snapshot b's pages have a's name: BPF keeps one VMA per start.
	pa=$(($(lget remap_a 2) / 4096)) pb=$(($(lget remap_b 2) / 4096))
	na=$(sed -n 's/^remap_a [0-9]* [0-9]* //p' "$TMP/li.$L")
	nb=$(sed -n 's/^remap_b [0-9]* [0-9]* //p' "$TMP/li.$L")
	la=$(page_label "$TMP/lc.$L" $pa) lb=$(page_label "$TMP/lc.$L" $pb)
	if [ "$la" = "file:$na" ] || { [ $L = 0 ] && [ "$la" = file:a.dat ]; }; then
		if [ $L = 0 ] || [ "$lb" = "file:$nb" ]; then
			pass "$T.remap-names.$L"
		else
			fail "$T.remap-names.$L" "file b's page: '$lb', maps said $nb"
		fi
	else
		fail "$T.remap-names.$L" "file a's page: '$la', maps said $na (then $nb)"
	fi
done
# One file mapped under two names, c.dat and its hard link d.dat (maps
# shows each mapping under the name it was opened by): hist's regions
# name it one way, by a path maps showed. Lingering run: snapshots saw
# both names.
la=$(awk '$1 == "link_a" { print $2 }' "$TMP/li.400")
lb=$(awk '$1 == "link_b" { print $2 }' "$TMP/li.400")
na=$(sed -n 's/^link_a [0-9]* //p' "$TMP/li.400")
nb=$(sed -n 's/^link_b [0-9]* //p' "$TMP/li.400")
# The labels of the regions holding c's first page and d's last ones.
names=$(awk -v a="${la:-0}" -v b="${lb:-0}" '
	{ ina = $1 <= a + 0 && a + 0 < $2; inb = $1 <= b + 0 && b + 0 < $2 }
	ina || inb {
		fa += ina; fb += inb; l = $0
		for (i = 0; i < 5; i++)
			sub(/^[^ ]* /, "", l)
		print l
	}
	END { if (!fa || !fb) print "(none for c or d)" }' "$TMP/lr.400" |
	sort -u)
if [ -z "$na" ] || [ "$na" = "$nb" ]; then
	fail "$T.hard-link-one-name" "maps did not show two names: '$na', '$nb'"
elif [ "$names" = "file:$na" ] || [ "$names" = "file:$nb" ]; then
	pass "$T.hard-link-one-name"
else
	fail "$T.hard-link-one-name" \
		"hist: $(echo $names), maps said $na and $nb"
fi
# Shared anonymous memory: the same name in hist as in the stream, and
# one that says what it is (maps: /dev/zero (deleted)).
"$BIN/tamtrace" $(modeflag) -j -o "$TMP/ls.json" -- "$BIN/layouts" \
	--dir "$TMP" --info "$TMP/li.s" > /dev/null 2>&1
sp=$(($(awk '$1 == "shared" { print $2 }' "$TMP/li.s") / 4096))
stream=$(jawk "jnum(\"page\") == $sp { print jstr(\"region\"); exit }" "$TMP/ls.json")
sp0=$(($(awk '$1 == "shared" { print $2 }' "$TMP/li.0") / 4096))
histl=$(page_label "$TMP/lc.0" $sp0)
if [ "$histl" = shared-anon ] && [ "$stream" = shared-anon ]; then
	pass "$T.shared-anon-label"
else
	fail "$T.shared-anon-label" "hist '$histl', stream '$stream', maps: $(sed -n 's/^shared [0-9]* [0-9]* //p' "$TMP/li.0")"
fi

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
# A real program's heatmap: python3's where there is one (not in the
# VM), else the faulter's. Its height is bounded, every band has cells,
# every cell is at least 1 px; where Chromium is, the picture shows
# cell colours inside each band's box, and enough of them to see.
HSVG=$TMP/h.svg
what=faulter
if command -v python3 > /dev/null &&
	"$BIN/tamtrace" hist $(modeflag) --heatmap "$TMP/py.svg" -o /dev/null \
		-- python3 -c 'import json; d = {i: str(i) * 20 for i in range(150000)}; print(len(json.dumps(d)))' \
		> /dev/null 2>&1; then
	HSVG=$TMP/py.svg
	what=python3
fi
svg_h=$(sed -n 's/.*<svg[^>]* height="\([0-9]*\)".*/\1/p' "$HSVG")
# One line per band: "y0 y1 x0 x1 cells thin", thin = cells under 1 px.
awk '/<g class="band"/ { split($0, a, "\""); y0 = a[4]; y1 = a[6]; x0 = a[8]; x1 = a[10]; n = 0; thin = 0; on = 1 }
	on && /<title>[0-9]+ faults<\/title>/ { n++; split($0, r, "\"")
		if (r[6] + 0 < 1 || r[8] + 0 < 1) thin++ }
	on && /<\/g>/ { print y0, y1, x0, x1, n, thin; on = 0 }' "$HSVG" > "$TMP/bands"
bad=$(awk '$5 == 0 { print "band at y " $1 " has no cells"; exit }
	$6 > 0 { print "band at y " $1 ": " $6 " cells under 1 px"; exit }' "$TMP/bands")
nb=$(wc -l < "$TMP/bands")
[ "${svg_h:-9999}" -le 700 ] || bad="height ${svg_h:-none} px, over 700"
[ "$nb" -ge 1 ] || bad="no bands"
if [ -z "$bad" ] && command -v chromium > /dev/null && command -v python3 > /dev/null; then
	timeout 120 chromium --headless --no-sandbox --disable-gpu \
		--disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync \
		--user-data-dir="$TMP/chromium2" --window-size=1220,"$svg_h" \
		--screenshot="$TMP/real.png" "file://$HSVG" > /dev/null 2>&1
	python3 "$HERE/pngstat.py" "$TMP/real.png" $(awk '{ printf "%d,%d,%d,%d ",
		$3 + 1, $1 + 1, $4 - 1, $2 - 1 }' "$TMP/bands") > "$TMP/real.stat" 2>&1
	bad=$(awk 'NR == 1 { next } { s += $1 } $1 < 4 { print "band " NR - 1 " shows " $1 " cell pixels"; exit }
		END { if (NR < 2) print "no PNG"; else if (s < 500) print "cells cover " s " px only" }' "$TMP/real.stat")
	if [ -z "$bad" ]; then
		pass "$T.heatmap-real-program"
		echo "# $T: $what heatmap: $nb bands, $svg_h px high, $(awk 'NR > 1 { s += $1 } END { print s }' "$TMP/real.stat") cell pixels"
	else
		fail "$T.heatmap-real-program" "$what: $bad"
	fi
elif [ -z "$bad" ]; then
	skip "$T.heatmap-real-program" "no chromium/python3 here; the $what SVG has $nb bands with cells of 1 px or more, $svg_h px high, rendered on the host"
else
	fail "$T.heatmap-real-program" "$what: $bad"
fi
rm -rf "$TMP"
