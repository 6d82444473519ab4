// SPDX-License-Identifier: GPL-2.0
/*
 * cgworker: page faults on demand, with the kernel's own count of them,
 * for the exporter's tests. Each round: note getrusage(), print "ready",
 * wait for a byte on stdin, write-touch PAGES fresh pages (THP off, one
 * fault each), note getrusage() again and print "faults N": the minor +
 * major faults between the two notes, which cover everything the
 * process did from "ready" on. EOF on stdin ends it. Run one round
 * first to warm up: its output buffers and code fault once.
 *
 * Usage: cgworker PAGES
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

static long faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt + ru.ru_majflt;
}

int main(int argc, char **argv)
{
	long pages = argc > 1 ? atol(argv[1]) : 0, before, i;
	size_t len = pages * 4096;
	char buf[64], c;
	int n;

	if (pages <= 0) {
		fprintf(stderr, "Usage: cgworker PAGES\n");
		return 2;
	}
	for (;;) {
		before = faults();
		if (write(1, "ready\n", 6) != 6 || read(0, &c, 1) != 1)
			return 0;
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return 1;
		madvise(p, len, MADV_NOHUGEPAGE);
		for (i = 0; i < pages; i++)
			p[i * 4096] = 1;
		n = snprintf(buf, sizeof(buf), "faults %ld\n",
			     faults() - before);
		if (write(1, buf, n) != n)
			return 1;
		munmap(p, len);
	}
}
