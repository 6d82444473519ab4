#!/bin/bash
# The install: tamtrace --version, the man page (mandoc, man), bash
# completion (driven through COMP_WORDS/COMP_CWORD), make install, make
# deb (dpkg-deb, lintian), and the package installed with dpkg -i, run
# from PATH and removed. Host only, as root; bash for the completion.
#
# This is the developer's machine: dpkg cases skip when a tamtrace
# package or any file the package would own is already there, and the
# package is purged at exit, also after a failure.
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
. "$HERE/lib.sh"
BIN=${TT_BIN:-$TOP/build}
TT=$BIN/tamtrace
MAN=$BIN/tamtrace.8
COMP=$TOP/completion/tamtrace.bash
TMP=$(mktemp -d /tmp/tt-install.XXXXXX)
INSTALLED=0

cleanup() {
	[ "$INSTALLED" = 1 ] && dpkg --purge tamtrace > /dev/null 2>&1
	[ -n "${SLEEPER:-}" ] && kill "$SLEEPER" 2>/dev/null
	[ -n "${CGDIR:-}" ] && rmdir "$CGDIR"
	rm -rf "$TMP"
}

plan install 36
trap 'cleanup; plan_end' EXIT

# The subcommands, from main.c's dispatch ("" is the stream).
SUBS=$(grep -o 'strcmp(argv\[1\], "[a-z]*")' "$TOP/src/main.c" |
	sed 's/.*"\(.*\)")/\1/' | sort)
# The modes, from the mode table; the sort keys, from cli.c's parser.
MODES=$(sed -n 's/^[[:space:]]*\.name = "\([a-z]*\)",/\1/p' \
	"$TOP/src/core/modes.c" | sort)
SORTS=$(sed -n 's/.*keys\[\] = { \(.*\) };/\1/p' "$TOP/src/core/cli.c" |
	tr -d '",' | tr ' ' '\n' | sort)

# Every -x and --long of a --help text on stdin, one a line.
help_opts() {
	grep -E '^ +(-[A-Za-z0-9], )?--[a-z]' |
		grep -oE '(^ +-[A-Za-z0-9],|--[a-z][a-z-]*)' | tr -d ' ,' | sort -u
}
# tamtrace [SUB] --help
tt_help() { "$TT" ${1:+"$1"} --help; }
# set_eq NAME GOT WANT: PASS if the two word lists hold the same words.
set_eq() {
	g=$(echo $2 | tr ' ' '\n' | sort -u | tr '\n' ' ')
	w=$(echo $3 | tr ' ' '\n' | sort -u | tr '\n' ' ')
	if [ "$g" = "$w" ]; then pass "$1"; else fail "$1" "got [$g] want [$w]"; fi
}

## --version ##########################################################

"$TT" --version > "$TMP/v.out" 2> "$TMP/v.err"
rc=$?
l1=$(sed -n 1p "$TMP/v.out")
hash=$(echo "$l1" | sed -n 's/.*(git \([0-9a-f]*\).*)$/\1/p')
if [ $rc = 0 ] && [ "${l1%% (*}" = "tamtrace $(cat "$TOP/VERSION")" ] &&
	{ [ -z "$hash" ] || git -C "$TOP" cat-file -e "$hash^{commit}"; }; then
	pass install.version-tool
else
	fail install.version-tool "rc $rc: $l1 (VERSION $(cat "$TOP/VERSION"))"
fi
# libbpf's version as the package that was linked in says it.
want=$(dpkg-query -W -f='${Version}' libbpf-dev | sed 's/^[0-9]*://' |
	cut -d. -f1,2)
check install.version-libbpf test "$(sed -n 2p "$TMP/v.out")" = "libbpf $want"
check install.version-kernel test "$(sed -n 3p "$TMP/v.out")" = \
	"kernel $(uname -s) $(uname -r) $(uname -m)"
# The mode --version names is the one a trace starts with.
"$TT" -p $$ -d 0.2 -o /dev/null 2> "$TMP/trace.err"
got=$(sed -n 4p "$TMP/v.out" | cut -d' ' -f2)
picked=$(sed -n 's/^tamtrace: mode \([a-z]*\): exact.*/\1/p' "$TMP/trace.err")
if [ -n "$picked" ] && [ "$got" = "$picked" ]; then
	pass install.version-mode
else
	fail install.version-mode "--version: '$(sed -n 4p "$TMP/v.out")', trace: '$picked' $(head -c 300 "$TMP/trace.err")"
fi
"$BIN/runas" 65534 "$TT" --version > "$TMP/v2.out" 2>&1
rc=$?
if [ $rc = 0 ] &&
	[ "$(sed -n 4p "$TMP/v2.out")" = "mode unknown (needs CAP_BPF and CAP_PERFMON)" ] &&
	[ "$(sed -n 1,3p "$TMP/v2.out")" = "$(sed -n 1,3p "$TMP/v.out")" ]; then
	pass install.version-unprivileged
else
	fail install.version-unprivileged "rc $rc: $(cat "$TMP/v2.out")"
fi

# The README's setcap recipe: a user with the capabilities and no root
# traces a command it runs; without them, tamtrace refuses (exit 3).
mkdir -p "$TMP/cap"
chmod 0711 "$TMP"
chmod 0755 "$TMP/cap"
cp "$TT" "$TMP/cap/tamtrace"
cp "$TT" "$TMP/cap/plain"
caps=$(sed -n 's/^ *sudo setcap \([^ ]*\) \/usr\/sbin\/tamtrace$/\1/p' "$TOP/README.md")
if [ -z "$caps" ]; then
	fail install.setcap-recipe "no 'sudo setcap CAPS /usr/sbin/tamtrace' line in README.md"
elif ! setcap "$caps" "$TMP/cap/tamtrace" 2> "$TMP/setcap.err"; then
	fail install.setcap-recipe "setcap $caps: $(cat "$TMP/setcap.err")"
else
	(cd "$TMP/cap" && "$BIN/runas" 65534 ./tamtrace -o /dev/null -- /bin/true) \
		2> "$TMP/cap.err"
	rc=$?
	(cd "$TMP/cap" && "$BIN/runas" 65534 ./plain -o /dev/null -- /bin/true) 2> /dev/null
	rc2=$?
	if [ $rc = 0 ] && [ $rc2 = 3 ] &&
		grep -q "^tamtrace: mode $picked: exact" "$TMP/cap.err"; then
		pass install.setcap-recipe
	else
		fail install.setcap-recipe "with $caps: rc $rc, without: rc $rc2: $(head -c 300 "$TMP/cap.err")"
	fi
fi

## man page ###########################################################

mandoc -T lint -W warning "$MAN" > "$TMP/lint" 2>&1
rc=$?
check install.man-mandoc-lint test $rc = 0 -a ! -s "$TMP/lint"
[ -s "$TMP/lint" ] && head -5 "$TMP/lint"
# groff's warnings, as lintian asks man for them
LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$MAN" \
	2> "$TMP/groff" > /dev/null
check install.man-groff-warnings test ! -s "$TMP/groff"
[ -s "$TMP/groff" ] && head -5 "$TMP/groff"

# The rendered page, and one of its sections (NAME: upper-case heading).
mandoc -T ascii "$MAN" | col -b > "$TMP/man.txt"
man_section() { awk -v s="$1" '/^[A-Z]/ { on = ($0 == s) } on' "$TMP/man.txt"; }

# Every option of every subcommand's --help is in the page.
missing=
for sub in "" $SUBS; do
	for opt in $(tt_help "$sub" | help_opts); do
		grep -qe "$opt\\b" "$TMP/man.txt" || missing="$missing ${sub:-tamtrace}:$opt"
	done
done
check install.man-options test -z "$missing"
[ -n "$missing" ] && echo "# not in the man page:$missing"

# Every exit code of exitcodes.h has its entry under EXIT STATUS.
missing=
for code in $(sed -n 's/^\tTT_EXIT_[A-Z_]* = \([0-9]*\),.*/\1/p' \
	"$TOP/src/core/exitcodes.h"); do
	man_section "EXIT STATUS" | grep -qx "       $code" ||
		missing="$missing $code"
done
check install.man-exit-codes test -z "$missing"
[ -n "$missing" ] && echo "# exit codes not in the man page:$missing"

# Every mode of the mode table is described under MODES.
missing=
for m in $MODES; do
	man_section MODES | grep -qx "       $m" || missing="$missing $m"
done
check install.man-modes test -z "$missing"

# Every key of the README's NDJSON schema is in the page's NDJSON section.
keys=$(sed -n '/^### NDJSON schema/,/^- `ts_ns`/p' "$TOP/README.md" |
	grep -o '"[a-z_]*":' | sort -u | tr -d '":')
missing=
for k in $keys; do
	man_section NDJSON | grep -q "\"$k\":" || missing="$missing $k"
done
if [ -z "$keys" ]; then
	fail install.man-ndjson "no NDJSON keys found in README.md"
else
	check install.man-ndjson test -z "$missing"
	[ -n "$missing" ] && echo "# NDJSON keys not in the man page:$missing"
fi

## bash completion ####################################################

# comp WORDS...: the completions bash offers for the command line WORDS,
# the last word being the one completed (may be ""), one a line.
comp() {
	bash -c '
		. "$1"; shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_tamtrace
		printf "%s\n" "${COMPREPLY[@]}"' comp "$COMP" "$@" | sort
}

reg=$(bash -c '. "$1"; complete -p tamtrace' comp "$COMP")
check install.comp-registered test "$reg" = "complete -F _tamtrace tamtrace"

set_eq install.comp-subcommands "$(comp "$TT" "")" "$SUBS"

# The options offered are --help's, each one getopt knows, and together
# they are every long option of cli.c's table.
bad=
all=
for sub in "" $SUBS; do
	got=$(comp "$TT" $sub -)
	want=$(tt_help "$sub" | help_opts)
	[ "$got" = "$want" ] || bad="$bad ${sub:-tamtrace}: [$(echo $got)] != [$(echo $want)];"
	# "-x, --long ARG": the options that take an argument get one
	withargs=" $(echo $(tt_help "$sub" | grep -oE -- '--[a-z-]+ [A-Z]' |
		cut -d' ' -f1)) $(echo $(tt_help "$sub" |
		sed -n 's/^ *\(-[A-Za-z0-9]\), --[a-z-]* [A-Z].*/\1/p')) "
	for opt in $got; do
		val=
		case $withargs in *" $opt "*) val=1 ;; esac
		# in $TMP: a file argument must not land in the tree
		(cd "$TMP" && "$TT" $sub "$opt" $val --help) > "$TMP/opt.out" \
			2> "$TMP/opt.err"
		grep -q "unrecognized option\|invalid option\|requires an arg" \
			"$TMP/opt.err" &&
			bad="$bad ${sub:-tamtrace} $opt unknown to getopt;"
	done
	all="$all $(echo "$got" | grep -- '^--')"
done
table=$(sed -n '/^static const struct cli_opt options/,/^};/p' \
	"$TOP/src/core/cli.c" | grep -o '^	{ [^,]*, "[a-z-]*"' |
	sed 's/.*"\(.*\)"/--\1/')
[ -n "$table" ] || bad="$bad no options found in cli.c;"
set_eq install.comp-options-table "$all" "$table"
check install.comp-options test -z "$bad"
[ -n "$bad" ] && echo "# $bad"

# -m: the mode table's names, in each of its spellings; each accepted.
bad=
for words in "-m ''" "--mode ''" "hist -m ''" "--mode = ''"; do
	eval "got=\$(comp \"\$TT\" $words)"
	[ "$(echo $got)" = "$(echo $MODES)" ] || bad="$bad [$words]: $(echo $got);"
done
[ "$(comp "$TT" -m ex)" = exceptions ] || bad="$bad -m ex;"
for m in $(comp "$TT" -m ""); do
	"$TT" -m "$m" --help > /dev/null 2>&1 || bad="$bad $m refused;"
done
check install.comp-modes test -z "$bad"
[ -n "$bad" ] && echo "# $bad"

# -p: live PIDs, also after a comma and for stats; -t: thread ids.
sleep 600 &
SLEEPER=$!
bad=
for words in "-p" "stats -p" "hist --pid"; do
	got=$(comp "$TT" $words "")
	echo "$got" | grep -qx "$SLEEPER" || bad="$bad [$words] lacks $SLEEPER;"
	echo "$got" | grep -qvx '[0-9][0-9]*' && bad="$bad [$words] not PIDs;"
done
got=$(comp "$TT" -p "1,$SLEEPER")
echo "$got" | grep -qx "1,$SLEEPER" || bad="$bad -p 1,$SLEEPER: [$got];"
got=$(comp "$TT" -p "1,")
echo "$got" | grep -qvx "1,[0-9][0-9]*" && bad="$bad -p 1, not 1,PID;"
echo "$got" | grep -qx "1,$SLEEPER" || bad="$bad -p 1, lacks $SLEEPER;"
check install.comp-pids test -z "$bad"
[ -n "$bad" ] && echo "# $bad"
bad=
tid=$(ls /proc/1/task | tail -1)
comp "$TT" -t "" | grep -qx "$tid" || bad="no thread $tid of init"
comp "$TT" -t "" | grep -qvx '[0-9][0-9]*' && bad="$bad; not ids"
check install.comp-tids test -z "$bad"

# stats -s: cli.c's sort keys, each accepted.
got=$(comp "$TT" stats -s "")
bad=
for k in $got; do
	"$TT" stats -s "$k" --help > /dev/null 2>&1 || bad="$bad $k refused"
done
if [ -n "$bad" ]; then
	fail install.comp-sort "$bad"
else
	set_eq install.comp-sort "$got" "$SORTS"
fi

# -c: directories under the cgroup2 mount (/sys/fs/cgroup, or
# .../unified on a hybrid system), or absolute ones.
cg=$(findmnt -n -t cgroup2 -o TARGET | head -1)
[ -z "$cg" ] || { CGDIR=$cg/tt-install-$$; mkdir -p "$CGDIR"; }
sub=$(cd "$cg" 2>/dev/null && ls -d */ 2>/dev/null | head -1)
if [ -z "$sub" ]; then
	skip install.comp-cgroups "no cgroup2 mount with a directory"
else
	bad=
	comp "$TT" -c "" | grep -qx "${sub%/}" || bad="-c '' lacks ${sub%/};"
	[ "$(comp "$TT" hist --cgroup "$cg/${sub%/}")" = "$cg/${sub%/}" ] ||
		bad="$bad --cgroup $cg/${sub%/};"
	check install.comp-cgroups test -z "$bad"
	[ -n "$bad" ] && echo "# $bad"
fi

# FILE arguments complete file names; after -- a command, then files.
touch "$TMP/out-file.csv" "$TMP/sp ace.csv"
bad=
[ "$(comp "$TT" --output "$TMP/sp")" = "$TMP/sp ace.csv" ] || bad="a blank;"
[ "$(comp "$TT" -o "$TMP/out-f")" = "$TMP/out-file.csv" ] || bad="-o;"
[ "$(comp "$TT" hist --csv "$TMP/out-f")" = "$TMP/out-file.csv" ] || bad="$bad --csv;"
comp "$TT" -f -- "ech" | grep -qx echo || bad="$bad -- ech;"
[ "$(comp "$TT" -- ls "$TMP/out-f")" = "$TMP/out-file.csv" ] || bad="$bad -- ls FILE;"
check install.comp-files-commands test -z "$bad"
[ -n "$bad" ] && echo "# $bad"

## make install #######################################################

DEST=$TMP/dest
make -C "$TOP" -s OUTPUT="$BIN" install DESTDIR="$DEST" PREFIX=/usr/local > "$TMP/mi.log" 2>&1
got=$(cd "$DEST" 2>/dev/null && find . -type f -printf '%m %p\n' | sort)
want="644 ./usr/local/share/bash-completion/completions/tamtrace
644 ./usr/local/share/doc/tamtrace/README.md
644 ./usr/local/share/doc/tamtrace/copyright
644 ./usr/local/share/man/man8/tamtrace.8
755 ./usr/local/sbin/tamtrace"
if [ "$got" = "$want" ] && cmp -s "$COMP" "$DEST/usr/local/share/bash-completion/completions/tamtrace"; then
	pass install.make-install-layout
else
	fail install.make-install-layout "$(echo $got) $(tail -3 "$TMP/mi.log")"
fi
# man finds the page under the prefix; bash-completion's loader finds the
# completion there (XDG_DATA_DIRS), and the binary runs.
bad=
[ "$(man -M "$DEST/usr/local/share/man" -w tamtrace 2>&1)" = \
	"$DEST/usr/local/share/man/man8/tamtrace.8" ] || bad="man -w;"
loaded=$(XDG_DATA_DIRS=$DEST/usr/local/share bash -c '
	. /usr/share/bash-completion/bash_completion
	_completion_loader tamtrace; complete -p tamtrace' 2>&1)
[ "$loaded" = "complete -F _tamtrace tamtrace" ] || bad="$bad loader: $loaded;"
# (make install may have relinked it: the same version, maybe not commit)
same_version() {
	[ "$(sed -n '1s/ (.*//p' "$1")" = "$(sed -n '1s/ (.*//p' "$2")" ] &&
		[ "$(sed -n 2,4p "$1")" = "$(sed -n 2,4p "$2")" ]
}
"$DEST/usr/local/sbin/tamtrace" --version > "$TMP/dv.out" 2>&1 &&
	same_version "$TMP/dv.out" "$TMP/v.out" ||
	bad="$bad --version: $(head -1 "$TMP/dv.out");"
check install.make-install-works test -z "$bad"
[ -n "$bad" ] && echo "# $bad"
make -C "$TOP" -s OUTPUT="$BIN" uninstall DESTDIR="$DEST" PREFIX=/usr/local > /dev/null 2>&1
left=$(find "$DEST" -type f)
check install.make-uninstall test -z "$left"

## make deb ###########################################################

rm -f "$BIN"/tamtrace_*.deb
make -C "$TOP" -s OUTPUT="$BIN" deb > "$TMP/deb.log" 2>&1
DEB=$(ls "$BIN"/tamtrace_*.deb 2>/dev/null)
ver=$(dpkg-parsechangelog -l "$TOP/pkg/changelog" -S Version)
if [ -f "$DEB" ] && [ "$(basename "$DEB")" = "tamtrace_${ver}_$(dpkg --print-architecture).deb" ] &&
	[ "$(dpkg-deb -f "$DEB" Version)" = "$ver" ] &&
	[ "${ver%-*}" = "$(cat "$TOP/VERSION")" ]; then
	pass install.deb-builds
else
	fail install.deb-builds "$DEB $ver: $(tail -3 "$TMP/deb.log")"
	DEB=
fi
# Static: no interpreter, no shared library, so no Depends; every file
# root's; md5sums right; the man page and changelog compressed.
bad=
if [ -n "$DEB" ]; then
	mkdir -p "$TMP/x"
	dpkg-deb -R "$DEB" "$TMP/x"
	readelf -lW "$TMP/x/usr/sbin/tamtrace" | grep -q INTERP && bad="dynamic;"
	readelf -dW "$TMP/x/usr/sbin/tamtrace" | grep -q NEEDED && bad="$bad NEEDED;"
	[ -z "$(dpkg-deb -f "$DEB" Depends Pre-Depends)" ] || bad="$bad Depends;"
	dpkg-deb -c "$DEB" | awk '$2 != "root/root"' | grep -q . && bad="$bad not root;"
	(cd "$TMP/x" && md5sum --quiet -c DEBIAN/md5sums) > /dev/null 2>&1 || bad="$bad md5sums;"
	[ "$(cd "$TMP/x" && find usr -type f | wc -l)" = "$(wc -l < "$TMP/x/DEBIAN/md5sums")" ] ||
		bad="$bad md5sums count;"
	for f in usr/share/man/man8/tamtrace.8.gz \
		usr/share/doc/tamtrace/changelog.Debian.gz \
		usr/share/doc/tamtrace/copyright \
		usr/share/bash-completion/completions/tamtrace; do
		[ -f "$TMP/x/$f" ] || bad="$bad no $f;"
	done
	check install.deb-contents test -z "$bad"
else
	skip install.deb-contents "no .deb was built"
fi
[ -n "$bad" ] && echo "# $bad"

# lintian: nothing at any level but the overrides, each with its reason.
if [ -n "$DEB" ]; then
	lintian -I --pedantic --fail-on error,warning,info,pedantic "$DEB" \
		> "$TMP/lintian" 2>/dev/null
	rc=$?
	check install.deb-lintian test $rc = 0 -a ! -s "$TMP/lintian"
	[ -s "$TMP/lintian" ] && head -20 "$TMP/lintian"
else
	skip install.deb-lintian "no .deb was built"
fi
uncommented=$(awk '/^tamtrace:/ && prev !~ /^#/ { print } { prev = $0 }' \
	"$TOP/pkg/lintian-overrides")
check install.deb-overrides-justified test -z "$uncommented"

## dpkg -i, from PATH, dpkg -r ########################################

# Not on a machine that has tamtrace installed some other way.
why=
st=$(dpkg-query -W -f='${db:Status-Status}' tamtrace 2>/dev/null)
[ -n "$st" ] && [ "$st" != not-installed ] &&
	why="a tamtrace package is already here ($st)"
[ -z "$DEB" ] && why="no .deb was built"
if [ -z "$why" ]; then
	dpkg-deb --fsys-tarfile "$DEB" | tar -t | sed 's|^\./|/|' |
		grep -v '/$' > "$TMP/paths"
	while read -r p; do
		[ -e "$p" ] && why="$p already exists" && break
	done < "$TMP/paths"
	c=$(command -v tamtrace) && why="tamtrace is already in PATH ($c)"
fi
DPKG_CASES="dpkg-install dpkg-path-version dpkg-path-stats dpkg-man dpkg-completion dpkg-remove dpkg-no-files-left"
if [ -n "$why" ]; then
	for c in $DPKG_CASES; do skip "install.$c" "$why: not touching it"; done
	exit 0
fi

# The directories the package writes in, listed before and after (their
# tamtrace entries: other packages may come and go meanwhile).
snapshot() {
	for d in $(sed 's|/[^/]*$||' "$TMP/paths" | sort -u) /var/lib/dpkg/info; do
		echo "== $d"
		ls -A "$d" 2>/dev/null | grep tamtrace
	done
}
snapshot > "$TMP/before"
# dpkg waits for nobody: retry while another dpkg or apt holds its lock.
i=0
while :; do
	dpkg -i "$DEB" > "$TMP/dpkg.log" 2>&1 && break
	grep -q "lock" "$TMP/dpkg.log" && [ $i -lt 60 ] || break
	sleep 5
	i=$((i + 1))
done
INSTALLED=1
check install.dpkg-install test "$(dpkg-query -W -f='${db:Status-Status} ${Version}' tamtrace)" = "installed $ver"

PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
where=$(command -v tamtrace)
tamtrace --version > "$TMP/pv.out" 2>&1
rc=$?
if [ "$where" = /usr/sbin/tamtrace ] && [ $rc = 0 ] &&
	same_version "$TMP/pv.out" "$TMP/v.out"; then
	pass install.dpkg-path-version
else
	fail install.dpkg-path-version "$where rc $rc: $(cat "$TMP/pv.out")"
fi
tamtrace stats > "$TMP/ps.out" 2> "$TMP/ps.err"
rc=$?
if [ $rc = 0 ] && grep -q "^RESERVED(MB)  USED(MB)  USED%" "$TMP/ps.out"; then
	pass install.dpkg-path-stats
else
	fail install.dpkg-path-stats "rc $rc: $(cat "$TMP/ps.out" "$TMP/ps.err")"
fi
w=$(man -w tamtrace 2>&1)
if [ "$w" = /usr/share/man/man8/tamtrace.8.gz ] &&
	MANWIDTH=80 man 8 tamtrace 2>/dev/null | grep -q "^EXIT STATUS"; then
	pass install.dpkg-man
else
	fail install.dpkg-man "man -w: $w"
fi
loaded=$(bash -c '. /usr/share/bash-completion/bash_completion
	_completion_loader tamtrace; complete -p tamtrace' 2>&1)
check install.dpkg-completion test "$loaded" = "complete -F _tamtrace tamtrace"

dpkg -r tamtrace > "$TMP/dpkg-r.log" 2>&1
rc=$?
[ -e /usr/sbin/tamtrace ] && rc="$rc, /usr/sbin/tamtrace still there"
dpkg --purge tamtrace >> "$TMP/dpkg-r.log" 2>&1 || rc="$rc, purge failed"
st=$(dpkg-query -W -f='${db:Status-Status}' tamtrace 2>/dev/null)
if [ "$rc" = 0 ] && { [ -z "$st" ] || [ "$st" = not-installed ]; }; then
	INSTALLED=0
	pass install.dpkg-remove
else
	fail install.dpkg-remove "rc $rc, status '$st': $(tail -3 "$TMP/dpkg-r.log")"
fi
snapshot > "$TMP/after"
left=
while read -r p; do [ -e "$p" ] && left="$left $p"; done < "$TMP/paths"
if [ -z "$left" ] && cmp -s "$TMP/before" "$TMP/after"; then
	pass install.dpkg-no-files-left
else
	fail install.dpkg-no-files-left "left:$left $(diff "$TMP/before" "$TMP/after" | grep '^[<>]' | head -5 | tr '\n' ' ')"
fi
