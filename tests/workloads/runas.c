// SPDX-License-Identifier: GPL-2.0
/* runas UID CMD [ARGS...]: drop to UID (and GID) with no capabilities,
 * then exec CMD. Lets the tests check the not-root error path anywhere,
 * including the busybox-only test VM. */
#define _GNU_SOURCE
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	uid_t id;

	if (argc < 3) {
		fprintf(stderr, "Usage: runas UID CMD [ARGS...]\n");
		return 2;
	}
	id = atoi(argv[1]);
	if (setgroups(0, NULL) || setresgid(id, id, id) ||
	    setresuid(id, id, id)) {
		perror("runas");
		return 1;
	}
	execvp(argv[2], argv + 2);
	perror("runas: exec");
	return 127;
}
