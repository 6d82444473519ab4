// SPDX-License-Identifier: GPL-2.0
/*
 * bench-floor: attach one empty BPF program to the user page-fault hook,
 * tp_btf/page_fault_user (default) or with --tp the classic
 * tracepoint/exceptions/page_fault_user, say "attached" on stderr, and
 * hold it until SIGINT or SIGTERM. The floor of bench/run.sh: what a
 * fault costs with a program there that does nothing.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "floor.skel.h"

static int verbose;

static int print_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list args)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static void on_signal(int sig)
{
	(void)sig;
}

static void usage(void)
{
	fprintf(stderr,
		"Usage: bench-floor [--tp] [-v]\n"
		"  Attach an empty program to tp_btf/page_fault_user, or with\n"
		"  --tp to tracepoint/exceptions/page_fault_user; print\n"
		"  \"attached\" on stderr; detach on SIGINT or SIGTERM.\n"
		"  -v  show libbpf's debug messages\n");
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct bpf_program *prog, *other;
	struct floor_bpf *skel = NULL;
	sigset_t stop, old;
	int i, tp = 0, err = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--tp")) {
			tp = 1;
		} else if (!strcmp(argv[i], "-v")) {
			verbose = 1;
		} else {
			usage();
			return 2;
		}
	}
	libbpf_set_print(print_libbpf);

	/* Blocked until the wait, so that no signal comes too early. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, &old);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	skel = floor_bpf__open();
	if (!skel) {
		fprintf(stderr, "bench-floor: cannot open the BPF object\n");
		return 1;
	}
	prog = tp ? skel->progs.floor_tp : skel->progs.floor_btf;
	other = tp ? skel->progs.floor_btf : skel->progs.floor_tp;
	err = bpf_program__set_autoload(other, false);
	if (err) {
		fprintf(stderr, "bench-floor: cannot select the program: %s\n",
			strerror(-err));
		goto cleanup;
	}
	err = floor_bpf__load(skel);
	if (err) {
		fprintf(stderr, "bench-floor: cannot load %s: %s\n",
			bpf_program__section_name(prog), strerror(-err));
		goto cleanup;
	}
	err = floor_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "bench-floor: cannot attach %s: %s\n",
			bpf_program__section_name(prog), strerror(-err));
		goto cleanup;
	}
	fprintf(stderr, "attached: %s\n", bpf_program__section_name(prog));

	sigsuspend(&old);
	fprintf(stderr, "detached\n");

cleanup:
	floor_bpf__destroy(skel);
	return err ? 1 : 0;
}
