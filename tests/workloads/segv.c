// SPDX-License-Identifier: GPL-2.0
/*
 * segv: faults that fail. Maps N pages and reads each (N faults the
 * kernel counts), makes them read-only and writes each (N access errors),
 * then unmaps them and writes each again (N errors without a mapping).
 * A SIGSEGV handler skips each failed write with siglongjmp, so the
 * kernel counts none of them. Prints "caught N" and exits 0 when every
 * write was caught.
 *
 * Usage: segv N
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static sigjmp_buf env;
static volatile sig_atomic_t caught;

static void on_segv(int sig)
{
	(void)sig;
	caught++;
	siglongjmp(env, 1);
}

/* Write one byte to each page; each write is expected to fail. */
static void write_all(volatile char *p, long n, long ps)
{
	volatile long i;

	for (i = 0; i < n; i++)
		if (!sigsetjmp(env, 1))
			p[i * ps] = 1;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_segv };
	long n = argc == 2 ? atol(argv[1]) : 0, ps = sysconf(_SC_PAGESIZE), i;
	volatile char *p;
	char sum = 0;

	if (n <= 0) {
		fprintf(stderr, "usage: segv N\n");
		return 2;
	}
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	p = mmap(NULL, n * ps, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("segv: mmap");
		return 2;
	}
	for (i = 0; i < n; i++)
		sum += p[i * ps];
	if (mprotect((void *)p, n * ps, PROT_READ)) {
		perror("segv: mprotect");
		return 2;
	}
	write_all(p, n, ps);
	munmap((void *)p, n * ps);
	write_all(p, n, ps);
	printf("caught %d\n", (int)caught + sum);
	return caught == 2 * n ? 0 : 1;
}
