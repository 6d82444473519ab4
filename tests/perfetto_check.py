#!/usr/bin/env python3
"""perfetto_check.py NAME TRACE.json EVENTS.ndjson COMM MB: checks a
--perfetto trace against the NDJSON stream of the same run, printing one
result line for each of NAME.perfetto-parses, -sorted, -counts and
-names-rss (PASS, or FAIL with why). COMM is the workload's name, MB the
MiB it is known to touch (its RSS must reach half of that)."""
import collections
import json
import sys


def result(name, why):
    print("PASS %s" % name if not why else "FAIL %s: %s" % (name, why))


def sorted_tracks(ev):
    last = {}
    for e in ev:
        if e["ph"] == "M":
            continue
        key = (e["pid"], e["name"]) if e["ph"] == "C" else (e["pid"], e["tid"])
        if e["ts"] < last.get(key, -1):
            return "track %s: ts %s after %s" % (key, e["ts"], last[key])
        last[key] = e["ts"]
    return None


def counts(t, faults, allocs, summary):
    o, ev = t["otherData"], t["traceEvents"]
    for k in ("faults_seen", "errors_seen", "allocs_seen"):
        if o[k] != summary[k]:
            return "otherData %s %s, summary %s" % (k, o[k], summary[k])
    if o["fault_events_sampled"]:
        return "sampled with %d faults" % len(faults)
    inst = [e for e in ev if e["ph"] == "i" and e.get("cat") == "fault"]
    got = collections.Counter((e["tid"], round(e["ts"] * 1000),
                               int(e["args"]["addr"], 16), e["name"])
                              for e in inst)
    want = collections.Counter((f["tid"], f["ts_ns"], f["addr"], f["class"])
                               for f in faults)
    if got != want:
        return "instant events differ from the NDJSON faults: %d vs %d" % (
            sum(got.values()), sum(want.values()))
    by_class = collections.Counter()
    for e in ev:
        if e["name"] == "faults/ms":
            by_class.update(e["args"])
    want = collections.Counter(f["class"] for f in faults)
    if +by_class != want or sum(want.values()) != (summary["faults"] +
                                                  summary["errors"]):
        return "counters %s, NDJSON %s" % (dict(by_class), dict(want))
    sl = sorted((round(e["ts"] * 1000), round(e["dur"] * 1000))
                for e in ev if e["ph"] == "X" and e["name"] == "tamalloc")
    wl = sorted((a["ts_ns"], a["latency_ns"]) for a in allocs)
    if sl != wl or len(sl) != summary["allocs"]:
        return "tamalloc slices %s, NDJSON %s" % (sl[:3], wl[:3])
    return None


def names_rss(t, faults, comm, mb):
    ev = t["traceEvents"]
    pids = {f["pid"] for f in faults}
    procs = {e["pid"]: e["args"]["name"] for e in ev
             if e["ph"] == "M" and e["name"] == "process_name"}
    threads = {e["tid"] for e in ev
               if e["ph"] == "M" and e["name"] == "thread_name"}
    if not any(procs.get(p) == comm for p in pids):
        return "no process named %r: %s" % (comm, procs)
    missing = {f["tid"] for f in faults} - threads
    if missing:
        return "threads without a name: %s" % sorted(missing)[:5]
    rss = [e["args"]["rss_kb"] for e in ev
           if e["name"] == "RSS (KiB)" and e["pid"] in pids]
    if not rss or max(rss) < mb * 1024 // 2:
        return "RSS samples %s KiB, want one >= %d" % (rss[-5:],
                                                       mb * 1024 // 2)
    return None


def main(name, trace, ndjson, comm, mb):
    lines = [json.loads(l) for l in open(ndjson)]
    faults = [l for l in lines if l["type"] == "fault"]
    allocs = [l for l in lines if l["type"] == "alloc"]
    summary = [l for l in lines if l["type"] == "summary"][-1]
    try:
        t = json.load(open(trace))
        assert isinstance(t["traceEvents"], list)
        assert isinstance(t["otherData"], dict)
        assert all("ts" in e for e in t["traceEvents"] if e["ph"] != "M")
    except Exception as e:  # noqa: a broken file is the failure
        for c in ("parses", "sorted", "counts", "names-rss"):
            result("%s.perfetto-%s" % (name, c), "not a trace: %r" % e)
        return
    result(name + ".perfetto-parses", None)
    result(name + ".perfetto-sorted", sorted_tracks(t["traceEvents"]))
    result(name + ".perfetto-counts", counts(t, faults, allocs, summary))
    result(name + ".perfetto-names-rss", names_rss(t, faults, comm, mb))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
