# The runner's side of tests/lib.sh's plans (busybox awk compatible).
# Reads a run's output, prints every line unchanged, and adds FAIL lines
# for what a script's own EXIT trap cannot report:
#   - a plan of the list -v expect="NAME..." that never started (the
#     script died before its plan, or never declares one);
#   - a plan that never ended: no "# NAME: ..." or "FAIL NAME.plan:" line
#     (the script was killed, e.g. SIGKILL, or its output was cut);
#   - a plan not in the list (keep the runner's list in sync);
#   - result lines outside every plan, and a plan whose result lines,
#     counted here, differ from its own count (lines of a script without
#     a plan, run by a script with one).
# Plans nest (a planned script runs other planned scripts): a result
# line belongs to the innermost plan open at that point.
#
# The lines, as lib.sh prints them:
#   # plan NAME N          NAME declares N result lines
#   # plan NAME +K         K more
#   # NAME: N of N cases   NAME ended with its count
#   FAIL NAME.plan: ...    NAME ended with another count

function fail(name, why) {
	print "FAIL " name ".plan: " why
	failed++
}

# Close the innermost plan. ok: it printed its end line; recount: that
# line says the count was right, so check it against ours.
function pop(ok, recount) {
	if (!ok)
		fail(name[depth], "never ended (killed?), " want[depth] \
			" test cases planned")
	else if (recount && !unsure[depth] && got[depth] != want[depth])
		fail(name[depth], "the runner counted " got[depth] " of " \
			want[depth] " test cases")
	depth--
	# The lines after a killed script may be its parent's: no recount.
	if (!ok && depth)
		unsure[depth] = 1
}

# The depth of the open plan NAME, 0 if none.
function find(n,   d) {
	for (d = depth; d > 0; d--)
		if (name[d] == n)
			return d
	return 0
}

# NAME's end line: close the plans opened after it, which never ended.
function end(n, recount,   d) {
	d = find(n)
	if (!d)
		return 0
	while (depth > d)
		pop(0, 0)
	pop(1, recount)
	return 1
}

BEGIN {
	nexp = split(expect, exp_list, " ")
	for (i = 1; i <= nexp; i++)
		expected[exp_list[i]] = 1
	depth = 0
}

{
	print
	fflush()
}

$1 == "#" && $2 == "plan" && NF == 4 && $4 ~ /^[0-9]+$/ {
	depth++
	name[depth] = $3
	want[depth] = $4 + 0
	got[depth] = 0
	unsure[depth] = 0
	started[$3] = 1
	next
}

$1 == "#" && $2 == "plan" && NF == 4 && $4 ~ /^\+[0-9]+$/ {
	d = find($3)
	if (d)
		want[d] += substr($4, 2) + 0
	next
}

$1 == "#" && NF == 6 && $3 ~ /^[0-9]+$/ && $4 == "of" && $6 == "cases" &&
	substr($2, length($2)) == ":" {
	end(substr($2, 1, length($2) - 1), 1)
	next
}

$1 == "FAIL" && $2 ~ /\.plan:$/ && end(substr($2, 1, length($2) - 6), 0) {
	next
}

/^(PASS|FAIL|SKIP) / {
	if (depth)
		got[depth]++
	else
		outside++
}

END {
	while (depth)
		pop(0, 0)
	for (i = 1; i <= nexp; i++)
		if (!started[exp_list[i]])
			fail(exp_list[i], "never started: its script died " \
				"before its plan, or has none")
	if (nexp)
		for (n in started)
			if (!expected[n])
				fail(n, "not in the runner's list of plans")
	if (outside)
		fail("runner", outside " result lines outside every plan " \
			"(a script without one)")
}
