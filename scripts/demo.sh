#!/bin/sh
# The README's main job: trace the tamalloc demo on this machine, show
# the faults of its region (not the loader's), then a per-page histogram.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/build
# -o keeps the events apart from the demo's own output.
"$B/tamtrace" -T -o "$B/demo-stream.txt" -- "$B/tamalloc-demo" --no-wait -m 10 \
	> "$B/demo-output.txt"
# The region the demo says it reserved: "reserved N bytes ... at 0xADDR".
set -- $(sed -n 's/.*reserved \([0-9]*\) bytes.* at \(0x[0-9a-f]*\).*/\1 \2/p' \
	"$B/demo-output.txt")
lo=$(printf '0x%x' "$2")
hi=$(printf '0x%x' $(($2 + $1)))
echo "--- the demo region's first faults, $lo-$hi (all events: build/demo-stream.txt) ---"
# Addresses of one width compare as strings.
awk -v lo="$lo" -v hi="$hi" 'NR == 1 { print; next }
	length($7) == length(lo) && $7 >= lo && $7 < hi { print; if (++n >= 20) exit }' \
	"$B/demo-stream.txt"
echo "--- per-page histogram of the same demo ---"
"$B/tamtrace" hist --csv "$B/demo-pages.csv" --heatmap "$B/demo-heatmap.svg" \
	-- "$B/tamalloc-demo" --no-wait -m 10 > /dev/null
