// SPDX-License-Identifier: GPL-2.0
/*
 * A short-lived dynamic PIE with frame pointers for the stacks tests:
 * main -> level1 -> toucher, which touches fresh anonymous pages. Built
 * -O0 so that no call is inlined or turned into a jump.
 */
#include <stdio.h>
#include <sys/mman.h>

#define PAGES 64

__attribute__((noinline)) void toucher(volatile char *p, int pages)
{
	int i;

	for (i = 0; i < pages; i++)
		p[i * 4096] = 1;
}

__attribute__((noinline)) void level1(volatile char *p, int pages)
{
	toucher(p, pages);
}

int main(void)
{
	char *p = mmap(NULL, PAGES * 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	level1(p, PAGES);
	return 0;
}
