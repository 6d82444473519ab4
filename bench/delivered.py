#!/usr/bin/env python3
# delivered.py EVENTS INFO...: of tamtrace's NDJSON fault events in
# EVENTS, those in the region of a faulter's --info file, against the
# faults that happened there (faulter: pages + pages / 3 per thread, the
# read-then-write pages fault twice). Prints "delivered happened
# processes-with-events processes".
import json
import sys

PAGE = 4096
regions = {}
happened = 0
for path in sys.argv[2:]:
    kv = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.partition(" ")
            kv.setdefault(k, v.strip())
    pid, addr = int(kv["pid"]), int(kv["addr"])
    size, pages = int(kv["len"]), int(kv["pages"])
    happened += size // (pages * PAGE) * (pages + pages // 3)
    regions.setdefault(pid, []).append((addr, addr + size))

delivered = 0
seen = set()
with open(sys.argv[1]) as f:
    for line in f:
        if '"type":"fault"' not in line:
            continue
        e = json.loads(line)
        for lo, hi in regions.get(e["pid"], ()):
            if lo <= e["addr"] < hi:
                delivered += 1
                seen.add(e["pid"])
                break
print(delivered, happened, len(seen), len(sys.argv) - 2)
