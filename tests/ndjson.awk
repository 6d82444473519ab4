# Helpers to read our flat NDJSON lines in any awk (busybox, mawk, gawk).
function jnum(k,    pat) {
	pat = "\"" k "\":-?[0-9]+"
	if (!match($0, pat))
		return ""
	return substr($0, RSTART + length(k) + 3, RLENGTH - length(k) - 3) + 0
}
function jstr(k,    pat) {
	pat = "\"" k "\":\"[^\"]*\""
	if (!match($0, pat))
		return ""
	return substr($0, RSTART + length(k) + 4, RLENGTH - length(k) - 5)
}
function jtype() { return jstr("type") }
