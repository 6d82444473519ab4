// SPDX-License-Identifier: GPL-2.0
/*
 * bench-bigtouch: fault on many pages for little memory. Maps N pages
 * (default 4194304, 16 GiB) of anonymous memory read-only and without
 * reserving it, and reads one byte of each: every page is a read fault
 * that maps the shared zero page, so the pages cost page tables (8 B a
 * page) and no memory of their own. For the hist capacity and memory
 * measures of bench/run.sh, which need millions of distinct pages.
 *
 * The info file gets the region as tests/workloads/faulter writes it
 * (pid, kind, addr, len, pages), then "elapsed_ns N" once every page
 * was read.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static void on_usr1(int sig)
{
	(void)sig;
}

static void usage(void)
{
	fprintf(stderr,
		"Usage: bench-bigtouch [--pages N] [--info FILE] [--wait] "
		"[--hold]\n"
		"  --pages N    pages to read-fault (default 4194304: 16 GiB)\n"
		"  --info FILE  the region, then elapsed_ns when done\n"
		"  --wait       wait for SIGUSR1 before touching\n"
		"  --hold       then wait for SIGUSR1 again, before exit\n");
	exit(2);
}

/* Lines more in the info file, if any. */
static __attribute__((format(printf, 2, 3))) void
info_printf(const char *path, const char *fmt, ...)
{
	FILE *f = path ? fopen(path, "a") : NULL;
	va_list ap;

	if (!f)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pages", required_argument, NULL, 'n' },
		{ "info", required_argument, NULL, 'i' },
		{ "wait", no_argument, NULL, 'w' },
		{ "hold", no_argument, NULL, 'H' },
		{},
	};
	long pages = 4194304, ps = sysconf(_SC_PAGESIZE), i;
	int c, wait_sig = 0, hold = 0;
	const char *info = NULL;
	struct timespec t0, t1;
	sigset_t usr1, old;
	volatile char *p;
	char sink = 0;
	size_t len;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			pages = atol(optarg);
			break;
		case 'i':
			info = optarg;
			break;
		case 'w':
			wait_sig = 1;
			break;
		case 'H':
			hold = 1;
			break;
		default:
			usage();
		}
	}
	if (pages <= 0)
		usage();
	len = (size_t)pages * ps;
	signal(SIGUSR1, on_usr1);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	p = mmap(NULL, len, PROT_READ,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		perror("bench-bigtouch: mmap");
		return 1;
	}
	/* No huge zero page: each 4 KiB page faults alone. */
	madvise((void *)p, len, MADV_NOHUGEPAGE);
	if (info)
		unlink(info);
	info_printf(info, "pid %d\nkind mmap\naddr %lu\nlen %zu\npages %ld\n",
		    getpid(), (unsigned long)p, len, pages);
	if (wait_sig)
		sigsuspend(&old);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < pages; i++)
		sink += p[i * ps];
	clock_gettime(CLOCK_MONOTONIC, &t1);
	info_printf(info, "elapsed_ns %lld\n",
		    (t1.tv_sec - t0.tv_sec) * 1000000000LL +
			    (t1.tv_nsec - t0.tv_nsec));
	if (hold)
		sigsuspend(&old);
	/* The zero page reads 0: anything else is a failure. */
	return sink ? 1 : 0;
}
