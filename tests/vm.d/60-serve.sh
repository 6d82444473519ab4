#!/bin/sh
# In the VM: the exporter's BPF side loads on this kernel, counts a
# workload's faults, writes the textfile (--listen off: the VMs have no
# network) and ends cleanly on SIGTERM, with a last textfile; latency
# histograms exactly where the mode measures latency.
HERE=/tt/tests
. "$HERE/lib.sh"
BIN=/tt/bin
TMP=/tmp/serve-vm
mkdir -p "$TMP/tf"
plan serve-vm 3

F=$TMP/tf/tamtrace.prom
timeout 600 "$BIN/tamtrace" serve --listen off --textfile "$TMP/tf" \
	> /dev/null 2> "$TMP/err" &
SPID=$!
i=0
while [ ! -s "$F" ] && [ $i -lt 3000 ] && kill -0 $SPID 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
echo "# serve-vm: first textfile after $i tries"
# 20 rounds of 200 written pages: 4000 zero-fill faults at least
yes | head -n 20 | "$BIN/cgworker" 200 > /dev/null
kill -TERM $SPID
wait $SPID
rc=$?
sed 's/^/# serve-vm: /' "$TMP/err"
mode=$(sed -n 's/^tamtrace: mode \([a-z]*\): exact.*/\1/p' "$TMP/err")

# Every label counts: without CONFIG_FHANDLE (the patched VM's kernel) a
# cgroup is named by its id ("?1"), not by its path.
grep '^tamtrace_page_faults_total{class="zero_fill",access="write",origin="user",' "$F" |
	sed 's/^/# serve-vm: /'
n=$(awk '/^tamtrace_page_faults_total\{class="zero_fill",access="write",origin="user",/ {
	s += $NF; k++ } END { if (k) printf "%.0f", s }' "$F")
if [ -n "$n" ] && [ "$n" -ge 4000 ]; then
	pass serve-vm.counts
else
	fail serve-vm.counts "rc $rc, user zero_fill writes '$n', want >= 4000"
fi
if [ "$rc" = 0 ] && ! ls -A "$TMP/tf" | grep -q tmp; then
	pass serve-vm.sigterm
else
	fail serve-vm.sigterm "rc $rc, files: $(ls -A "$TMP/tf")"
fi
lat=$(grep -c '^tamtrace_page_fault_latency_seconds_bucket{class="zero_fill",le=' "$F")
case $mode in
patched | fentry) want=yes ;;
*) want=no ;;
esac
if { [ $want = yes ] && [ "$lat" -gt 0 ]; } || { [ $want = no ] && [ "$lat" = 0 ]; }; then
	pass serve-vm.latency
else
	fail serve-vm.latency "mode '$mode': $lat zero_fill latency buckets"
fi
