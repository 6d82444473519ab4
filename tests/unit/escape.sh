#!/bin/sh
# Unit test of src/report/escape.c: escape_test's own cases, then the
# hostile name's escaped forms read back by real readers: Python's json,
# csv and xml.dom.minidom, and flamegraph.pl's split of a folded line.
# Env: TT_BIN (the directory with escape_test), TT_TMP.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
BIN=${TT_BIN:-$HERE/../../build}
TMP=${TT_TMP:-/tmp/tamtrace-escape.$$}

# escape_test's 48 cases and the 4 readers below.
plan escape 52
if [ ! -x "$BIN/escape_test" ]; then
	fail escape.binary "no $BIN/escape_test (make all builds it)"
	exit 0
fi
mkdir -p "$TMP"
"$BIN/escape_test" > "$TMP/cases" 2>&1
relay "$TMP/cases"

if ! command -v python3 > /dev/null 2>&1; then
	for t in json csv xml folded; do
		skip "escape.python.$t" "no python3 here"
	done
	rm -rf "$TMP"
	exit 0
fi
"$BIN/escape_test" --dump "$TMP"

# The name as the escapers should leave it: each invalid byte one U+FFFD
# (Python's own "replace" gives one per maximal invalid run instead).
# Each file is read as strict UTF-8, so an invalid byte fails the check.
PRELUDE='
import codecs, csv, io, json, sys
from xml.dom import minidom
codecs.register_error("perbyte", lambda e: ("\ufffd", e.start + 1))
D = sys.argv[1]
name = open(D + "/raw", "rb").read().decode("utf-8", "perbyte")
def read(f):
    return open(D + "/" + f, encoding="utf-8", newline="").read()
def ctl(c):
    return c < " " or c == "\x7f"
'

# pycheck NAME CODE: PASS if CODE (after PRELUDE) exits 0. The reason
# is Python's last line with each \ doubled, for dash's echo in fail().
pycheck() {
	if out=$(python3 -c "$PRELUDE$2" "$TMP" 2>&1); then
		pass "$1"
	else
		fail "$1" "$(printf '%s\n' "$out" | tail -1 | sed 's/\\/&&/g')"
	fi
}

pycheck escape.python.json '
got = json.loads(read("json"))
assert got == name, repr(got)
'
pycheck escape.python.csv '
rows = list(csv.reader(io.StringIO(read("csv"), newline="")))
assert rows == [[name, "2nd"]], repr(rows)
'
# In an element and in an attribute (where raw \t \n would be folded).
pycheck escape.python.xml '
want = "".join("\ufffd" if ctl(c) and c not in "\t\n\r" else c
	       for c in name)
piece = read("xml")
doc = minidom.parseString(("<r a=\"%s\">%s</r>" % (piece, piece)).encode())
r = doc.documentElement
text = "".join(n.data for n in r.childNodes)
assert text == want, repr(text)
assert r.getAttribute("a") == want, repr(r.getAttribute("a"))
'
# flamegraph.pl and speedscope: the count after the last space, frames
# split on ";".
pycheck escape.python.folded '
want = "".join("_" if ctl(c) or c in "; " else c for c in name)
stack, count = read("folded").rstrip("\n").rsplit(" ", 1)
assert count == "7" and stack.split(";") == ["main", want], repr(stack)
'
rm -rf "$TMP"
