#!/bin/sh
# The README's main job: trace the tamalloc demo on this machine, print
# the start of the event stream, and keep the full stream in build/.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/build
[ -d /sys/kernel/tracing/events ] ||
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
"$B/tamtrace" -T -- "$B/tamalloc-demo" --no-wait -m 10 > "$B/demo-stream.txt"
"$B/tamtrace" -j -- "$B/tamalloc-demo" --no-wait -m 10 > "$B/demo-stream.ndjson"
echo "--- first events (full stream: build/demo-stream.txt) ---"
head -25 "$B/demo-stream.txt"
echo "--- faults per class in the demo's memory (build/demo-stream.ndjson) ---"
grep '"type":"fault"' "$B/demo-stream.ndjson" |
	sed -n 's/.*"class":"\([a-z_]*\)","region":"\([^"]*\)".*/\2 \1/p' |
	sort | uniq -c | sort -rn | head -10
