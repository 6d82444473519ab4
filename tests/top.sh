#!/bin/sh
# tamtrace top driven in tmux (send-keys, capture-pane): a known
# workload is the first line when sorted by faults, with its class and
# PID; keys change the sort; q and SIGTERM give the terminal back as it
# was (stty); colour only on a terminal and without NO_COLOR; -b -n N.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
BIN=${TT_BIN:-$HERE/../build}
TMP=${TT_TMP:-/tmp/tamtrace-top.$$}
rm -rf "$TMP"
mkdir -p "$TMP"
plan top 5

S=tt-top-$$
WPID=
cleanup() {
	tmux kill-session -t "$S" 2>/dev/null
	[ -n "$WPID" ] && kill "$WPID" 2>/dev/null
	wait 2>/dev/null
}
trap 'cleanup; plan_end' EXIT

if ! command -v tmux > /dev/null; then
	for c in sorted keys-and-q sigterm-restores colour; do
		skip "top.$c" "no tmux"
	done
	skip top.batch "no tmux (run with the others)"
	exit 0
fi

# The workload: rounds of 20000 fresh pages, written (zero_fill), as
# fast as it can.
yes | "$BIN/cgworker" 20000 > /dev/null &
WPID=$(pgrep -n -f "$BIN/cgworker 20000")
echo "# workload pid $WPID"

# A pane running top under sh, which notes the terminal's modes before
# and after: the same if top gave the terminal back.
start_pane() {
	tmux kill-session -t "$S" 2>/dev/null
	rm -f "$TMP/stty.before" "$TMP/stty.after" "$TMP/rc"
	tmux new-session -d -s "$S" -x 200 -y 40 \
		"stty -g > $TMP/stty.before; $1 $BIN/tamtrace top $2 2> $TMP/top.err; echo \$? > $TMP/rc; stty -g > $TMP/stty.after; sleep 30"
}
screen() { tmux capture-pane -p -t "$S" > "$TMP/screen"; }
shows() { screen; grep -q "$1" "$TMP/screen"; }
first_row() { screen; sed -n 3p "$TMP/screen"; }
restored() { [ -s "$TMP/stty.after" ] && cmp -s "$TMP/stty.before" "$TMP/stty.after"; }

start_pane "" "-d 1"
wait_for 60 shows "sort: faults"
sleep 2.5
set -- $(first_row)
echo "# first row: $*"
if [ "$1" = "$WPID" ] && [ "${15}" = zero_fill ] && [ "${16}" = cgworker ]; then
	pass top.sorted
else
	fail top.sorted "first row [$*], want pid $WPID, zero_fill, cgworker"
fi

tmux send-keys -t "$S" z
if wait_for 5 shows "sort: zero"; then
	tmux send-keys -t "$S" q
	wait_for 10 test -s "$TMP/stty.after"
	if [ "$(cat "$TMP/rc" 2>/dev/null)" = 0 ] && restored; then
		pass top.keys-and-q
	else
		fail top.keys-and-q "rc $(cat "$TMP/rc" 2>/dev/null), stty before $(cat "$TMP/stty.before") after $(cat "$TMP/stty.after" 2>/dev/null)"
	fi
else
	fail top.keys-and-q "'z' did not change the sort: $(head -1 "$TMP/screen")"
fi

start_pane "" "-d 1"
wait_for 60 shows "sort: faults"
kill -TERM "$(pgrep -n -f "$BIN/tamtrace top")"
wait_for 10 test -s "$TMP/stty.after"
if [ "$(cat "$TMP/rc" 2>/dev/null)" = 0 ] && restored; then
	pass top.sigterm-restores
else
	fail top.sigterm-restores "rc $(cat "$TMP/rc" 2>/dev/null), stty before $(cat "$TMP/stty.before") after $(cat "$TMP/stty.after" 2>/dev/null)"
fi

# Colour (reverse video on the column titles) on a terminal; none with
# NO_COLOR.
start_pane "" "-d 1"
wait_for 60 shows "sort: faults"
tmux capture-pane -p -e -t "$S" > "$TMP/colour.on"
start_pane "NO_COLOR=1" "-d 1"
wait_for 60 shows "sort: faults"
tmux capture-pane -p -e -t "$S" > "$TMP/colour.off"
esc=$(printf '\033')
if grep -q "${esc}\[7m" "$TMP/colour.on" && ! grep -q "${esc}\[7m" "$TMP/colour.off" &&
	grep -q "PID" "$TMP/colour.off"; then
	pass top.colour
else
	fail top.colour "with colour: $(grep -c "${esc}\[7m" "$TMP/colour.on"), NO_COLOR: $(grep -c "${esc}\[7m" "$TMP/colour.off")"
fi
tmux kill-session -t "$S" 2>/dev/null

# -b -n 3: three frames, plain text, then exit 0.
"$BIN/tamtrace" top -b -n 3 -d 0.5 > "$TMP/batch.out" 2> "$TMP/batch.err"
rc=$?
frames=$(grep -c '^tamtrace top - mode' "$TMP/batch.out")
if [ "$rc" = 0 ] && [ "$frames" = 3 ] && ! grep -q "$esc" "$TMP/batch.out" &&
	grep -q "^ *$WPID .* zero_fill *cgworker$" "$TMP/batch.out"; then
	pass top.batch
else
	fail top.batch "rc $rc, $frames frames: $(head -3 "$TMP/batch.err")"
fi
