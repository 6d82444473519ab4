// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <bpf/libbpf.h>
#include "build_version.h"	/* generated: TT_VERSION, TT_GIT */
#include "modes.h"
#include "probe.h"
#include "version.h"

/*
 * The mode a trace would start with: the first one the probes accept,
 * with why each better one is not. Only the probes: attaching can still
 * fail and fall back, as the trace's banner would say.
 */
static void print_mode(FILE *f)
{
	struct tt_features feat;
	int m, i, err;

	if (probe_privileges()) {
		fprintf(f, "mode unknown (needs CAP_BPF and CAP_PERFMON)\n");
		return;
	}
	if (probe_btf()) {
		fprintf(f, "mode none (no kernel BTF: /sys/kernel/btf/vmlinux)\n");
		return;
	}
	err = probe_features(&feat);
	if (err) {
		fprintf(f, "mode unknown (cannot read kernel BTF: %s)\n",
			strerror(-err));
		return;
	}
	for (m = 0; m < TT_MODE_COUNT && !feat.mode_ok[m]; m++)
		;
	fprintf(f, "mode %s", m < TT_MODE_COUNT ? mode_name(m) : "none");
	for (i = 0; i < m && i < TT_MODE_COUNT; i++)
		fprintf(f, "%s%s: %s", i ? "; " : " (not ", mode_name(i),
			feat.why_not[i]);
	fprintf(f, "%s\n", m ? ")" : "");
}

void version_print(FILE *f)
{
	struct utsname u;

	fprintf(f, "tamtrace %s%s%s%s\n", TT_VERSION, *TT_GIT ? " (git " : "",
		TT_GIT, *TT_GIT ? ")" : "");
	fprintf(f, "libbpf %u.%u\n", libbpf_major_version(),
		libbpf_minor_version());
	if (uname(&u))
		fprintf(f, "kernel unknown (uname: %m)\n");
	else
		fprintf(f, "kernel %s %s %s\n", u.sysname, u.release,
			u.machine);
	print_mode(f);
}
