#!/bin/sh
# In the VM: the exporter's BPF side loads on this kernel, counts a
# workload's faults, serves them over HTTP (busybox wget), writes the
# textfile and ends cleanly on SIGTERM; latency histograms exactly
# where the mode measures latency.
HERE=/tt/tests
. "$HERE/lib.sh"
BIN=/tt/bin
TMP=/tmp/serve-vm
mkdir -p "$TMP/tf"
plan serve-vm 3

scrape() { wget -q -O "$1" http://127.0.0.1:19478/metrics 2>/dev/null; }

timeout 600 "$BIN/tamtrace" serve --listen 127.0.0.1:19478 \
	--textfile "$TMP/tf" > /dev/null 2> "$TMP/err" &
SPID=$!
i=0
while ! scrape "$TMP/first.txt" && [ $i -lt 3000 ]; do
	sleep 0.1
	i=$((i + 1))
done
echo "# serve-vm: first scrape after $i tries"
# 20 rounds of 200 written pages: 4000 zero-fill faults at least
yes | head -n 20 | "$BIN/cgworker" 200 > /dev/null
scrape "$TMP/http.txt"
kill -TERM $SPID
wait $SPID
rc=$?
sed 's/^/# serve-vm: /' "$TMP/err"
mode=$(sed -n 's/^tamtrace: mode \([a-z]*\): exact.*/\1/p' "$TMP/err")

n=$(sed -n 's/^tamtrace_page_faults_total{class="zero_fill",access="write",origin="user",cgroup="\/"} \([0-9]*\)$/\1/p' "$TMP/http.txt")
if [ -n "$n" ] && [ "$n" -ge 4000 ]; then
	pass serve-vm.http
else
	fail serve-vm.http "rc $rc, zero_fill faults of cgroup / '$n', want >= 4000"
fi
if [ "$rc" = 0 ] && grep -q '^tamtrace_page_faults_total{' "$TMP/tf/tamtrace.prom"; then
	pass serve-vm.textfile-and-sigterm
else
	fail serve-vm.textfile-and-sigterm "rc $rc, $(ls "$TMP/tf")"
fi
lat=$(grep -c '^tamtrace_page_fault_latency_seconds_bucket{class="zero_fill",le=' "$TMP/tf/tamtrace.prom")
case $mode in
patched | fentry) want=yes ;;
*) want=no ;;
esac
if { [ $want = yes ] && [ "$lat" -gt 0 ]; } || { [ $want = no ] && [ "$lat" = 0 ]; }; then
	pass serve-vm.latency
else
	fail serve-vm.latency "mode '$mode': $lat zero_fill latency buckets"
fi
