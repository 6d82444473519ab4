/* SPDX-License-Identifier: GPL-2.0 */
/* Start a command stopped before exec, so tracing is ready first. */
#ifndef __TT_LAUNCH_H
#define __TT_LAUNCH_H

#include <sys/types.h>

struct launch {
	pid_t pid;
	int go_fd;	/* write end: a byte releases the child into exec */
	int err_fd;	/* read end: errno from a failed exec, EOF if it ran */
};

int launch__new(struct launch *l, char **argv);
int launch__go(struct launch *l);
void launch__abort(struct launch *l);

#endif /* __TT_LAUNCH_H */
