#!/bin/sh
# In the VM: the exporter's BPF side loads on this kernel, counts a
# workload's faults, serves them over HTTP (busybox wget) and writes the
# textfile; latency histograms exactly where the mode measures latency.
HERE=/tt/tests
. "$HERE/lib.sh"
BIN=/tt/bin
TMP=/tmp/serve-vm
mkdir -p "$TMP/tf"
plan serve-vm 3

yes | "$BIN/cgworker" 200 > /dev/null &
sleep 0.5
"$BIN/tamtrace" serve -d 8 --listen 127.0.0.1:19478 --textfile "$TMP/tf" \
	> /dev/null 2> "$TMP/err" &
SPID=$!
i=0
while ! wget -q -O "$TMP/http.txt" http://127.0.0.1:19478/metrics 2>/dev/null &&
	[ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
wait $SPID
rc=$?
pkill -f "$BIN/cgworker" 2>/dev/null
wait 2>/dev/null
mode=$(sed -n 's/^tamtrace: mode \([a-z]*\): exact.*/\1/p' "$TMP/err")
echo "# serve in the VM: mode $mode, exit $rc"

if grep -q '^tamtrace_page_faults_total{class="zero_fill",access="write",origin="user",cgroup="/"} [1-9]' "$TMP/http.txt"; then
	pass serve-vm.http
else
	fail serve-vm.http "rc $rc: $(tail -2 "$TMP/err")"
fi
if [ "$rc" = 0 ] && grep -q '^tamtrace_page_faults_total{' "$TMP/tf/tamtrace.prom"; then
	pass serve-vm.textfile
else
	fail serve-vm.textfile "rc $rc, $(ls "$TMP/tf")"
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
