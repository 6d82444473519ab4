#!/bin/sh
# The README's main job: trace the tamalloc demo on this machine, print
# the start of the event stream, then a per-page histogram to files.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/build
"$B/tamtrace" -T -- "$B/tamalloc-demo" --no-wait -m 10 > "$B/demo-stream.txt"
echo "--- first events (full stream: build/demo-stream.txt) ---"
head -25 "$B/demo-stream.txt"
echo "--- per-page histogram of the same demo ---"
"$B/tamtrace" hist --csv "$B/demo-pages.csv" --heatmap "$B/demo-heatmap.svg" \
	-- "$B/tamalloc-demo" --no-wait -m 10
