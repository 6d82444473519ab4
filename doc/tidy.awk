# scdoc's paragraph macros, tidied so that mandoc -T lint has nothing to
# say and the page renders the same: a .P that ends an indented block
# moves after its .RE, and a .P right after .TH/.SH/.SS or .P, or right
# before .SH/.SS, goes (each is a no-op mandoc warns about).
function is_head(l) { return l ~ /^\.(TH|SH|SS) / }
{ line[NR] = $0 }
END {
	for (i = 1; i < NR; i++)
		if (line[i] == ".P" && line[i + 1] == ".RE") {
			line[i] = ".RE"
			line[i + 1] = ".P"
		}
	for (i = 1; i <= NR; i++) {
		if (line[i] == ".P" && (is_head(prev) || prev == ".P" ||
		    line[i + 1] ~ /^\.(SH|SS|P)( |$)/))
			continue
		print line[i]
		prev = line[i]
	}
}
