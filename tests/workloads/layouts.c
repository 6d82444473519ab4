// SPDX-License-Identifier: GPL-2.0
/*
 * layouts: mappings that change under a page-fault tracer, each with
 * its truth from /proc/self/maps in the --info file (addresses in
 * decimal, a path last on its line):
 *
 *   merge START END TOUCHED   two adjacent anonymous mmaps the kernel
 *                             merged into one VMA, both touched
 *   split START END VMAS TOUCHED   one region, every page touched, then
 *                             split by one mprotect per page
 *   remap_a ADDR PAGES PATH   file a mapped, PAGES pages touched from
 *                             ADDR, unmapped; then at the same address
 *   remap_b ADDR PAGES PATH   file b (MAP_FIXED), other pages touched
 *   shared START END PATH     MAP_SHARED|MAP_ANONYMOUS, touched
 *   link_a ADDR PATH          file c mapped, 4 pages touched from ADDR;
 *   link_b ADDR PATH          then its hard link d mapped elsewhere, 4
 *                             pages touched; then c unmapped
 *
 * --linger MS sleeps MS ms around each step, so that a tracer's
 * periodic look at /proc/PID/maps sees every state; --dir DIR is where
 * files a, b and c (with its link d) are created.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static long ps;
static long linger_ms;
static FILE *info;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void linger(void)
{
	struct timespec t = { linger_ms / 1000, linger_ms % 1000 * 1000000 };

	if (linger_ms)
		nanosleep(&t, NULL);
}

static void touch(char *p, long first, long n)
{
	long i;

	for (i = first; i < first + n; i++)
		((volatile char *)p)[i * ps] = 1;
}

/* The maps line holding @addr: its range, the VMA count over
 * [addr, end) and its path. */
static int maps_of(char *addr, char *end, unsigned long *s, unsigned long *e,
		   char *path, size_t len)
{
	unsigned long a = (unsigned long)addr, z = (unsigned long)end, x, y;
	char line[1024];
	int n = 0, off;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		die("maps");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s%n", &x, &y, &off) < 2)
			continue;
		if (y <= a || x >= z)
			continue;
		if (!n++) {
			*s = x;
			snprintf(path, len, "%s", line + off + strspn(line + off, " "));
			path[strcspn(path, "\n")] = 0;
		}
		*e = y;
	}
	fclose(f);
	return n;
}

/* Room for @pages with an unmapped page either side, so that no
 * neighbour of the same kind touches the region. */
static char *hole(long pages)
{
	char *r = mmap(NULL, (pages + 2) * ps, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (r == MAP_FAILED)
		die("mmap");
	munmap(r, (pages + 2) * ps);
	return r + ps;
}

static char *map_anon(char *at, long pages, int flags)
{
	char *p = mmap(at, pages * ps, PROT_READ | PROT_WRITE,
		       MAP_ANONYMOUS | flags | (at ? MAP_FIXED_NOREPLACE : 0),
		       -1, 0);

	if (p == MAP_FAILED || (at && p != at))
		die("mmap");
	return p;
}

/* 20 pages mapped and 10 touched, then 20 more right below, 15 touched. */
static void merge(void)
{
	char *r = hole(40), path[512];
	unsigned long s, e;

	map_anon(r + 20 * ps, 20, MAP_PRIVATE);
	touch(r, 20, 10);
	linger();
	map_anon(r, 20, MAP_PRIVATE);
	touch(r, 0, 15);
	linger();
	maps_of(r, r + 40 * ps, &s, &e, path, sizeof(path));
	fprintf(info, "merge %lu %lu 25\n", s, e);
}

/* Each page touched, then its protection made unlike its neighbours'. */
static void split(void)
{
	char *r = map_anon(hole(100), 100, MAP_PRIVATE), path[512];
	unsigned long s, e;
	long i;
	int n;

	for (i = 0; i < 100; i++) {
		touch(r, i, 1);
		if (mprotect(r + i * ps, ps, i % 2 ? PROT_NONE : PROT_READ))
			die("mprotect");
	}
	linger();
	n = maps_of(r, r + 100 * ps, &s, &e, path, sizeof(path));
	fprintf(info, "split %lu %lu %d 100\n", s, e, n);
}

/* @oflags: O_TRUNC for a new file, 0 for one mapped already. */
static char *map_file(const char *dir, const char *name, char *at, int oflags)
{
	char fn[512];
	int fd;
	char *p;

	snprintf(fn, sizeof(fn), "%s/%s", dir, name);
	fd = open(fn, O_RDWR | O_CREAT | oflags, 0600);
	if (fd < 0 || ftruncate(fd, 8 * ps))
		die(fn);
	p = mmap(at ?: hole(8), 8 * ps, PROT_READ | PROT_WRITE,
		 MAP_SHARED | (at ? MAP_FIXED : MAP_FIXED_NOREPLACE), fd, 0);
	if (p == MAP_FAILED)
		die("mmap file");
	close(fd);
	return p;
}

/* File a: pages 0-3 touched; unmapped; file b at the same address:
 * pages 4-7 touched. */
static void remap(const char *dir)
{
	char path[512], *p = map_file(dir, "a.dat", NULL, O_TRUNC);
	unsigned long s, e;

	linger();
	touch(p, 0, 4);
	maps_of(p, p + ps, &s, &e, path, sizeof(path));
	fprintf(info, "remap_a %lu 4 %s\n", (unsigned long)p, path);
	linger();
	munmap(p, 8 * ps);
	if (map_file(dir, "b.dat", p, O_TRUNC) != p)
		die("MAP_FIXED");
	linger();
	touch(p, 4, 4);
	maps_of(p, p + ps, &s, &e, path, sizeof(path));
	fprintf(info, "remap_b %lu 4 %s\n", (unsigned long)(p + 4 * ps), path);
	linger();
}

static void shared(void)
{
	char *p = map_anon(hole(4), 4, MAP_SHARED), path[512];
	unsigned long s, e;

	touch(p, 0, 4);
	maps_of(p, p + 4 * ps, &s, &e, path, sizeof(path));
	fprintf(info, "shared %lu %lu %s\n", s, e, path);
	linger();
}

/* One file under two names: c.dat, then its hard link d.dat mapped too
 * (maps shows each mapping under the name it was opened by). */
static void links(const char *dir)
{
	char c[512], d[512], path[512], *pc, *pd;
	unsigned long s, e;

	pc = map_file(dir, "c.dat", NULL, O_TRUNC);
	snprintf(c, sizeof(c), "%s/c.dat", dir);
	snprintf(d, sizeof(d), "%s/d.dat", dir);
	if ((unlink(d) && errno != ENOENT) || link(c, d))
		die(d);
	touch(pc, 0, 4);
	maps_of(pc, pc + ps, &s, &e, path, sizeof(path));
	fprintf(info, "link_a %lu %s\n", (unsigned long)pc, path);
	linger();
	pd = map_file(dir, "d.dat", NULL, 0);
	touch(pd, 4, 4);
	maps_of(pd, pd + ps, &s, &e, path, sizeof(path));
	fprintf(info, "link_b %lu %s\n", (unsigned long)(pd + 4 * ps), path);
	linger();
	munmap(pc, 8 * ps);
	linger();
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "info", required_argument, NULL, 'i' },
		{ "linger", required_argument, NULL, 'l' },
		{ "dir", required_argument, NULL, 'd' },
		{},
	};
	const char *dir = "/tmp", *fn = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'i': fn = optarg; break;
		case 'l': linger_ms = atol(optarg); break;
		case 'd': dir = optarg; break;
		default:
			fprintf(stderr, "Usage: layouts --info FILE "
				"[--linger MS] [--dir DIR]\n");
			return 2;
		}
	}
	ps = sysconf(_SC_PAGESIZE);
	info = fn ? fopen(fn, "w") : stdout;
	if (!info)
		die("info");
	setvbuf(info, NULL, _IOLBF, 0);
	merge();
	split();
	remap(dir);
	shared();
	links(dir);
	fprintf(info, "pid %d\n", getpid());
	return fclose(info) ? 1 : 0;
}
