// SPDX-License-Identifier: GPL-2.0
/*
 * majors: major page faults. Writes FILE (PAGES pages), syncs it and
 * drops it from the page cache, then maps it and reads one byte of each
 * page with MADV_RANDOM (no read-ahead): each read is a major fault, a
 * page read from the disk. Prints "resident N" (pages mincore() said
 * were still cached before the reads: on tmpfs, all of them, and the
 * reads are minor), "addr N" (the mapping, in decimal) and "pages N".
 *
 * Usage: majors FILE PAGES
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void write_file(const char *fn, long len, long ps)
{
	char *buf = malloc(ps);
	long off;
	int fd = open(fn, O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || !buf)
		die(fn);
	memset(buf, 'x', ps);
	for (off = 0; off < len; off += ps)
		if (write(fd, buf, ps) != ps)
			die("write");
	if (fsync(fd) || posix_fadvise(fd, 0, len, POSIX_FADV_DONTNEED))
		die("fsync");
	free(buf);
	close(fd);
}

int main(int argc, char **argv)
{
	long ps = sysconf(_SC_PAGESIZE), pages, i, resident = 0, sum = 0;
	unsigned char *vec;
	char *p;
	int fd;

	if (argc != 3 || (pages = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: majors FILE PAGES\n");
		return 2;
	}
	write_file(argv[1], pages * ps, ps);
	fd = open(argv[1], O_RDONLY);
	p = fd < 0 ? MAP_FAILED :
		     mmap(NULL, pages * ps, PROT_READ, MAP_SHARED, fd, 0);
	vec = malloc(pages);
	if (p == MAP_FAILED || !vec || madvise(p, pages * ps, MADV_RANDOM) ||
	    mincore(p, pages * ps, vec))
		die("map");
	for (i = 0; i < pages; i++)
		resident += vec[i] & 1;
	for (i = 0; i < pages; i++)
		sum += ((volatile char *)p)[i * ps];
	printf("resident %ld\naddr %lu\npages %ld\n", resident,
	       (unsigned long)p, pages + 0 * sum);
	unlink(argv[1]);
	return 0;
}
