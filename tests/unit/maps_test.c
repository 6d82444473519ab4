// SPDX-License-Identifier: GPL-2.0
/*
 * maps_read() of a process that exits while it is read: whole or
 * nothing. The kernel writes /proc/PID/maps a page at a time and ends
 * the file early, with no error, once the process's memory is gone; a
 * cut list would say the process had unmapped what it had not.
 *
 * Children map 400 small VMAs (about 30 KiB of maps) and exit at once;
 * each is read until it is gone. Every list read must hold the child's
 * stack, its last mapping but the kernel's own. Prints one PASS or FAIL
 * line.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "regions.h"

#define CHILDREN 200

static void child(void)
{
	int i;

	for (i = 0; i < 400; i++)
		if (mmap(NULL, 4096, i % 2 ? PROT_READ : PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
			_exit(1);
	usleep(1000);
	_exit(0);
}

/* Reads of @pid until it is gone: the number of cut ones. */
static int read_until_gone(pid_t pid, int *reads)
{
	struct maps_entry *m;
	size_t n, i;
	int cut = 0, stack;

	while (!maps_read(pid, &m, &n)) {
		for (i = 0, stack = 0; i < n; i++)
			stack |= m[i].kind == TT_REG_STACK;
		cut += !stack;
		++*reads;
		free(m);
	}
	return cut;
}

int main(void)
{
	int i, cut = 0, reads = 0;
	pid_t pid;

	for (i = 0; i < CHILDREN; i++) {
		pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (!pid)
			child();
		cut += read_until_gone(pid, &reads);
		waitpid(pid, NULL, 0);
	}
	if (cut || !reads)
		printf("FAIL maps.read-whole-or-nothing: %d of %d lists read "
		       "from %d exiting processes were cut short\n", cut,
		       reads, CHILDREN);
	else
		printf("PASS maps.read-whole-or-nothing\n# %d lists read from "
		       "%d exiting processes, none cut short\n", reads,
		       CHILDREN);
	return 0;
}
