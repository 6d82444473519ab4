#!/bin/sh
# tamtrace serve against real readers: Debian's Prometheus scrapes it and
# is asked how many faults a workload in its own cgroup took (exact, from
# the workload's getrusage()); promtool checks the exposition;
# node_exporter reads the textfile. Bad input: a port in use, an
# unknown cgroup, an unwritable textfile directory, another path, 100
# concurrent scrapes, and SIGTERM. Every server runs on a free loopback
# port and is stopped here.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
BIN=${TT_BIN:-$HERE/../build}
TMP=${TT_TMP:-/tmp/tamtrace-serve.$$}
rm -rf "$TMP"
mkdir -p "$TMP"
plan serve 11

PIDS=
CG=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	[ -n "$CG" ] && rmdir "$CG" 2>/dev/null
	umount "$TMP/ro" 2>/dev/null
}
trap 'cleanup; plan_end' EXIT

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

http_ok() { curl -sf -o /dev/null "$1"; }
lines() { grep -c "^$2" "$1" 2>/dev/null | grep -qx "$3"; }

SPORT=$(free_port)
"$BIN/tamtrace" serve --listen "127.0.0.1:$SPORT" > "$TMP/serve.out" \
	2> "$TMP/serve.err" &
SERVE=$!
PIDS="$SERVE"
if ! wait_for 30 http_ok "http://127.0.0.1:$SPORT/metrics"; then
	fail serve.start "$(tail -3 "$TMP/serve.err")"
	exit 0
fi
curl -s "http://127.0.0.1:$SPORT/metrics" > "$TMP/metrics.txt"

# --- Prometheus: the increase for the workload's cgroup is exact ---
test_prometheus() {
	root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	CG=$root/tt-serve-$$
	if [ -z "$root" ] || ! mkdir "$CG" 2>/dev/null; then
		CG=
		skip serve.prometheus-exact "no writable cgroup v2 hierarchy"
		return
	fi
	PPORT=$(free_port)
	cat > "$TMP/prom.yml" <<EOC
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: tamtrace
    static_configs:
      - targets: ['127.0.0.1:$SPORT']
EOC
	prometheus --config.file="$TMP/prom.yml" --storage.tsdb.path="$TMP/tsdb" \
		--web.listen-address="127.0.0.1:$PPORT" > "$TMP/prom.log" 2>&1 &
	PIDS="$PIDS $!"
	mkfifo "$TMP/in"
	sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2/cgworker" 300' sh \
		"$CG" "$BIN" < "$TMP/in" > "$TMP/work.out" &
	PIDS="$PIDS $!"
	exec 3> "$TMP/in"
	# Rounds 1 and 2 warm the workload up, round 3 is measured. In
	# exceptions mode a fault is held until the thread's next one (its
	# class is known after it): round 1's last faults, on code pages run
	# for the first time, are said, and counted, in round 2.
	wait_for 10 lines "$TMP/work.out" ready 1 && printf x >&3
	wait_for 10 lines "$TMP/work.out" ready 2 && printf x >&3
	wait_for 10 lines "$TMP/work.out" ready 3
	t_ready=$(date +%s.%N)
	API="http://127.0.0.1:$PPORT/api/v1/query"
	SEL="tamtrace_page_faults_total{cgroup=\"/tt-serve-$$\"}"
	# the newest scrape Prometheus has stored, once it is past t_ready
	newest() {
		curl -s -G "$API" --data-urlencode "query=$SEL[2m]" |
			python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
ts = [float(t) for s in r for t, v in s["values"]]
t = max(ts) if ts else 0
print(t) if t > float(sys.argv[1]) else sys.exit(1)' "$1"
	}
	wait_for 60 newest "$t_ready" > /dev/null
	t1=$(newest "$t_ready")
	printf x >&3
	wait_for 10 lines "$TMP/work.out" faults 3
	t_done=$(date +%s.%N)
	want=$(awk '$1 == "faults" { n = $2 } END { print n }' "$TMP/work.out")
	wait_for 60 newest "$t_done" > /dev/null
	t2=$(newest "$t_done")
	exec 3>&-
	q="sum($SEL @ $t2) - sum($SEL @ $t1)"
	got=$(curl -s -G "$API" --data-urlencode "query=$q" | python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "none")')
	echo "# prometheus: scrapes at $t1 and $t2: $got faults; getrusage: $want"
	if [ -n "$t1" ] && [ -n "$t2" ] && [ "$got" = "$want" ] && [ "$want" -ge 300 ]; then
		pass serve.prometheus-exact
	else
		fail serve.prometheus-exact "prometheus says $got, getrusage $want (t1 $t1, t2 $t2): $(tail -2 "$TMP/prom.log")"
	fi
}

# --- promtool, and OpenMetrics when asked ---
test_formats() {
	if promtool check metrics < "$TMP/metrics.txt" > "$TMP/promtool.out" 2>&1 &&
		grep -q '^tamtrace_page_faults_total{class="[a-z_]*",access="[a-z]*",origin="[a-z]*",cgroup="' "$TMP/metrics.txt"; then
		pass serve.promtool
	else
		fail serve.promtool "$(head -3 "$TMP/promtool.out")"
	fi
	curl -s -D "$TMP/om.hdr" -H 'Accept: application/openmetrics-text;version=1.0.0' \
		"http://127.0.0.1:$SPORT/metrics" > "$TMP/om.txt"
	if grep -qi '^content-type: application/openmetrics-text; version=1.0.0' "$TMP/om.hdr" &&
		[ "$(tail -1 "$TMP/om.txt")" = "# EOF" ] &&
		grep -q '^# TYPE tamtrace_page_faults counter' "$TMP/om.txt" &&
		grep -q '^tamtrace_page_faults_total{' "$TMP/om.txt"; then
		pass serve.openmetrics
	else
		fail serve.openmetrics "$(grep -i content-type "$TMP/om.hdr") / $(tail -1 "$TMP/om.txt")"
	fi
}

test_prometheus
test_formats

# --- node_exporter's textfile collector reads our file ---
test_node_exporter() {
	mkdir -p "$TMP/tf"
	p=$(free_port)
	"$BIN/tamtrace" serve --listen "127.0.0.1:$p" --textfile "$TMP/tf" \
		> /dev/null 2> "$TMP/tf.err" &
	tpid=$!
	PIDS="$PIDS $tpid"
	wait_for 30 test -s "$TMP/tf/tamtrace.prom"
	NPORT=$(free_port)
	prometheus-node-exporter --web.listen-address="127.0.0.1:$NPORT" \
		--collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$TMP/tf" > "$TMP/ne.log" 2>&1 &
	PIDS="$PIDS $!"
	wait_for 30 http_ok "http://127.0.0.1:$NPORT/metrics"
	curl -s "http://127.0.0.1:$NPORT/metrics" > "$TMP/ne.txt"
	kill -TERM "$tpid"
	wait "$tpid"
	rc=$?
	if grep -q '^tamtrace_page_faults_total{' "$TMP/ne.txt" &&
		grep -q '^node_textfile_scrape_error 0' "$TMP/ne.txt" &&
		[ "$rc" = 0 ] && ! ls -A "$TMP/tf" | grep -q tmp; then
		pass serve.node-exporter
	else
		fail serve.node-exporter "rc $rc, $(grep -c '^tamtrace_' "$TMP/ne.txt") tamtrace lines, $(grep textfile_scrape_error "$TMP/ne.txt" | tail -1), files: $(ls -A "$TMP/tf")"
	fi
}

# expect_exit NAME CODE PATTERN CMD...: CMD exits CODE and says PATTERN.
expect_exit() {
	ee_name=$1 ee_code=$2 ee_pat=$3
	shift 3
	"$@" > /dev/null 2> "$TMP/ee.err"
	ee_rc=$?
	if [ "$ee_rc" = "$ee_code" ] && grep -q "$ee_pat" "$TMP/ee.err"; then
		pass "$ee_name"
	else
		fail "$ee_name" "rc $ee_rc (want $ee_code): $(head -2 "$TMP/ee.err")"
	fi
}

test_bad_input() {
	expect_exit serve.port-in-use 12 "cannot listen on 127.0.0.1:$SPORT: Address already in use" \
		"$BIN/tamtrace" serve --listen "127.0.0.1:$SPORT" -d 1
	expect_exit serve.unknown-cgroup 5 "no such cgroup: /no/such/cgroup-$$" \
		"$BIN/tamtrace" serve -c "/no/such/cgroup-$$" --listen "127.0.0.1:$(free_port)" -d 1
	# root writes through permission bits: a read-only mount it cannot
	mkdir -p "$TMP/ro"
	if mount -t tmpfs -o ro none "$TMP/ro" 2>/dev/null; then
		expect_exit serve.textfile-unwritable 13 "cannot write in the textfile directory $TMP/ro: Read-only file system" \
			"$BIN/tamtrace" serve --textfile "$TMP/ro" --listen "127.0.0.1:$(free_port)" -d 1
	else
		expect_exit serve.textfile-unwritable 13 "cannot write in the textfile directory $TMP/none: No such file or directory" \
			"$BIN/tamtrace" serve --textfile "$TMP/none" --listen "127.0.0.1:$(free_port)" -d 1
	fi
	code=$(curl -s -o "$TMP/404.txt" -w '%{http_code}' "http://127.0.0.1:$SPORT/metricsx")
	code2=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SPORT/")
	if [ "$code" = 404 ] && [ "$code2" = 404 ]; then
		pass serve.other-path-404
	else
		fail serve.other-path-404 "got $code and $code2"
	fi
}

# --- 100 concurrent scrapes while a process faults; then every fault
# the BPF side counted is in the final textfile, labelled or other ---
test_concurrent() {
	mkdir -p "$TMP/tf2"
	mkfifo "$TMP/in2"
	"$BIN/cgworker" 2000 < "$TMP/in2" > "$TMP/work2.out" &
	wpid=$!
	PIDS="$PIDS $wpid"
	exec 4> "$TMP/in2"
	wait_for 10 lines "$TMP/work2.out" ready 1
	p=$(free_port)
	"$BIN/tamtrace" serve -p "$wpid" --listen "127.0.0.1:$p" \
		--textfile "$TMP/tf2" > /dev/null 2> "$TMP/c.err" 4>&- &
	cpid=$!
	PIDS="$PIDS $cpid"
	wait_for 30 http_ok "http://127.0.0.1:$p/metrics"
	printf xxxxx >&4
	python3 - "$p" > "$TMP/conc.out" 2>&1 <<'EOP'
import sys, threading, urllib.request
url = "http://127.0.0.1:%s/metrics" % sys.argv[1]
res = []
def get():
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            body = r.read().decode()
            res.append((r.status, body.count("# TYPE tamtrace_page_faults_total counter")))
    except Exception as e:
        res.append((str(e), 0))
ts = [threading.Thread(target=get) for _ in range(100)]
[t.start() for t in ts]
[t.join() for t in ts]
ok = sum(1 for s, n in res if s == 200 and n == 1)
print("ok", ok, "of", len(res), [r for r in res if r != (200, 1)][:3])
EOP
	wait_for 20 lines "$TMP/work2.out" faults 5
	exec 4>&-
	wait "$wpid"
	wait "$cpid"
	crc=$?
	seen=$(sed -n 's/^tamtrace: \([0-9]*\) faults (.*/\1/p' "$TMP/c.err")
	infile=$(awk '/^tamtrace_page_faults_total\{/ { n += $NF } END { print n + 0 }' "$TMP/tf2/tamtrace.prom" 2>/dev/null)
	echo "# concurrent: $(cat "$TMP/conc.out"); BPF counted $seen faults, the textfile has $infile"
	if grep -q "^ok 100 of 100" "$TMP/conc.out" && [ -n "$seen" ] &&
		[ "$seen" = "$infile" ] && [ "$seen" -ge 10000 ] && [ "$crc" = 0 ]; then
		pass serve.concurrent-nothing-lost
	else
		fail serve.concurrent-nothing-lost "rc $crc, $(cat "$TMP/conc.out"), seen $seen, textfile $infile"
	fi
}

# --- an untrusted comm as a label: escaped, valid UTF-8, promtool and
# Python's reading of the escapes give back the name ---
test_weird_comm() {
	p=$(free_port)
	"$BIN/tamtrace" serve --by comm --top 1000 --listen "127.0.0.1:$p" \
		> /dev/null 2> "$TMP/w.err" &
	wp=$!
	PIDS="$PIDS $wp"
	wait_for 30 http_ok "http://127.0.0.1:$p/metrics"
	python3 -c '
import ctypes, time
ctypes.CDLL(None).prctl(15, b"we\"i\\r\nd\xff", 0, 0, 0)
x = bytearray(8 << 20)
time.sleep(2.5)'
	curl -s "http://127.0.0.1:$p/metrics" > "$TMP/weird.txt"
	kill -TERM "$wp"
	wait "$wp"
	if promtool check metrics < "$TMP/weird.txt" > "$TMP/wp.out" 2>&1 &&
		python3 - "$TMP/weird.txt" <<'EOP'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
names = set()
for m in re.finditer(r'comm="((?:[^"\\]|\\.)*)"', text):
    v = m.group(1)
    names.add(re.sub(r'\\(.)', lambda e: {"n": "\n"}.get(e.group(1), e.group(1)), v))
want = 'we"i\\r\nd\ufffd'
sys.exit(0 if want in names else "not found: %r" % sorted(names)[:8])
EOP
	then
		pass serve.weird-comm
	else
		fail serve.weird-comm "$(head -2 "$TMP/wp.out")"
	fi
}

# --- SIGTERM: a clean exit, the port closed ---
test_sigterm() {
	kill -TERM "$SERVE"
	wait "$SERVE"
	rc=$?
	if [ "$rc" = 0 ] && ! curl -s -o /dev/null "http://127.0.0.1:$SPORT/metrics" &&
		grep -q "^tamtrace: [0-9]* faults (user" "$TMP/serve.err"; then
		pass serve.sigterm
	else
		fail serve.sigterm "rc $rc: $(tail -2 "$TMP/serve.err")"
	fi
}

test_node_exporter
test_bad_input
test_concurrent
test_weird_comm
test_sigterm
