// SPDX-License-Identifier: GPL-2.0
/*
 * tamalloc-demo: reserve memory with tamalloc() (or mmap() on kernels
 * without it), then walk it checking that every byte reads as zero
 * before writing it, so RSS can be watched growing page by page.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NR_TAMALLOC 551

struct demo_opts {
	unsigned long mb;
	double pause;	/* seconds to sleep after each MiB */
	int bytes;	/* walk byte by byte instead of page by page */
	int wait;	/* wait for ENTER before allocating and walking */
};

static void usage(int code)
{
	fprintf(code ? stderr : stdout,
		"Usage: tamalloc-demo [-m MB] [-b] [-p SEC] [--no-wait]\n"
		"  -m, --mb MB      memory to reserve (default 10)\n"
		"  -b, --bytes      check and write every byte (default: one per page)\n"
		"  -p, --pause SEC  sleep after each MiB, to watch RSS grow\n"
		"      --no-wait    do not wait for ENTER (for scripts)\n"
		"Exits 1 if any byte read back non-zero.\n");
	exit(code);
}

static void parse(int argc, char **argv, struct demo_opts *o)
{
	static const struct option opts[] = {
		{ "mb", required_argument, NULL, 'm' },
		{ "bytes", no_argument, NULL, 'b' },
		{ "pause", required_argument, NULL, 'p' },
		{ "no-wait", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	char *end;
	int c;

	*o = (struct demo_opts){ .mb = 10, .wait = 1 };
	while ((c = getopt_long(argc, argv, "m:bp:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			o->mb = strtoul(optarg, &end, 10);
			if (*end || !o->mb)
				usage(2);
			break;
		case 'b': o->bytes = 1; break;
		case 'p': o->pause = atof(optarg); break;
		case 'n': o->wait = 0; break;
		case 'h': usage(0); break;
		default: usage(2);
		}
	}
}

static void wait_enter(const struct demo_opts *o, const char *what)
{
	if (!o->wait)
		return;
	printf("Press ENTER to %s...\n", what);
	fflush(stdout);
	while (getchar() != '\n' && !feof(stdin))
		;
}

/* VmRSS of this process in KiB, from /proc/self/status. */
static long rss_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			kb = atol(line + 6);
	if (f)
		fclose(f);
	return kb;
}

static char *reserve(size_t len)
{
	long r = syscall(NR_TAMALLOC, len);
	char *p;

	if (r >= 0 || r < -4095) {
		printf("reserved %zu bytes with tamalloc() at %#lx\n", len, r);
		return (char *)r;
	}
	if (errno != ENOSYS) {
		fprintf(stderr, "tamalloc-demo: tamalloc: %s\n", strerror(errno));
		exit(3);
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		perror("tamalloc-demo: mmap");
		exit(3);
	}
	/* Name it like tamalloc() names its own, for tracers (5.17+). */
	prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)p, len,
	      (unsigned long)"demo");
	printf("tamalloc() is not available (ENOSYS): reserved %zu bytes with "
	       "mmap() at %p\n", len, p);
	return p;
}

int main(int argc, char **argv)
{
	struct demo_opts o;
	size_t len, i, step, mib = 1 << 20;
	long rss0;
	char *p;

	parse(argc, argv, &o);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("tamalloc-demo pid %d\n", getpid());
	wait_enter(&o, "reserve memory");
	len = o.mb * mib;
	p = reserve(len);
	wait_enter(&o, "walk the memory");
	step = o.bytes ? 1 : (size_t)sysconf(_SC_PAGESIZE);
	rss0 = rss_kb();
	for (i = 0; i < len; i += step) {
		if (p[i] != 0) {
			fprintf(stderr, "tamalloc-demo: byte %zu is %#x, not 0\n",
				i, (unsigned char)p[i]);
			return 1;
		}
		p[i] = 'A' + i % 26;
		if ((i + step) % mib == 0) {
			printf("checked %zu MiB\n", (i + step) / mib);
			if (o.pause > 0)
				usleep(o.pause * 1e6);
		}
	}
	printf("all %zu %s read as zero before being written\n", len / step,
	       o.bytes ? "bytes" : "pages");
	printf("RSS grew by %ld KiB for %zu KiB touched\n", rss_kb() - rss0,
	       len >> 10);
	return 0;
}
