// SPDX-License-Identifier: GPL-2.0
/*
 * thp: a MADV_HUGEPAGE region, every 4 KiB page written, and what the
 * kernel says it made of it. Writes to INFO "addr A", "len L", then, from
 * /proc/self/smaps for the region, "rss_kb N" and "anon_huge_kb N".
 *
 * Usage: thp INFO MIB
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE (2UL << 20)

/* Rss and AnonHugePages of the smaps entry that starts at @start. */
static int smaps_of(unsigned long start, long *rss, long *huge)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	unsigned long s, e;
	char line[256];
	int in = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &s, &e) == 2)
			in = s == start;
		else if (in)
			sscanf(line, "Rss: %ld kB", rss),
			sscanf(line, "AnonHugePages: %ld kB", huge);
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	long mib = argc == 3 ? atol(argv[2]) : 0, rss = -1, huge = -1;
	size_t len = mib << 20, i;
	char *raw, *p;
	FILE *info;

	if (mib <= 0) {
		fprintf(stderr, "usage: thp INFO MIB\n");
		return 2;
	}
	/* 2 MiB aligned, so that every PMD of the region can be huge */
	raw = mmap(NULL, len + HUGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED) {
		perror("thp: mmap");
		return 2;
	}
	p = (char *)(((unsigned long)raw + HUGE - 1) & ~(HUGE - 1));
	munmap(raw, p - raw);
	munmap(p + len, raw + HUGE - p);
	if (madvise(p, len, MADV_HUGEPAGE))
		perror("thp: madvise(MADV_HUGEPAGE)");
	for (i = 0; i < len; i += 4096)
		p[i] = 1;
	smaps_of((unsigned long)p, &rss, &huge);
	info = fopen(argv[1], "w");
	if (!info || fprintf(info, "addr %lu\nlen %zu\nrss_kb %ld\n"
			     "anon_huge_kb %ld\n", (unsigned long)p, len, rss,
			     huge) < 0 || fclose(info)) {
		perror(argv[1]);
		return 2;
	}
	return 0;
}
