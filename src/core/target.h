/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What is traced: processes (-p), a thread (-t), a cgroup (-c), every
 * process (-a) or a launched command; when it is gone, and the
 * command's exit status.
 */
#ifndef __TT_TARGET_H
#define __TT_TARGET_H

#include <poll.h>
#include <stdbool.h>
#include <sys/types.h>
#include "cli.h"
#include "launch.h"

struct target {
	const struct tt_opts *opts;
	pid_t pids[TT_MAX_PIDS];	/* -p, as thread group ids */
	int pidfds[TT_MAX_PIDS];	/* readable once the process exits */
	bool exited[TT_MAX_PIDS];
	int npids;
	pid_t tid_tgid;			/* -t: the thread's process */
	int cgroup_fd;			/* -c */
	struct launch child;		/* -- COMMAND */
	bool launched;			/* forked, maybe not yet released */
	bool running;			/* released and not yet reaped */
	int child_pidfd;
	int status;			/* wait status, once reaped */
};

/* Check or create the target; returns 0 or an enum tt_exit, said why. */
int target_open(struct target *t, const struct tt_opts *o);
/* Let the launched command exec; returns 0 or TT_EXIT_EXEC. */
int target_release(struct target *t);
/* Descriptors that become readable when a target process ends. */
int target_pollfds(struct target *t, struct pollfd *fds, int max);
/* True once every -p process, the -t thread or the command is gone.
 * Reaps the command. */
bool target_gone(struct target *t);
/* The trace ended first (@why): stop the command and reap it. */
void target_stop(struct target *t, const char *why);
/* The command's exit status as tamtrace's (128+N for signal N), said
 * on stderr when it is not a plain exit; 0 without a command. */
int target_exit_status(const struct target *t);
void target_close(struct target *t);
/* Where cgroup v2 is mounted: /sys/fs/cgroup, or .../unified (hybrid). */
void cgroup2_root(char *root, size_t len);

#endif /* __TT_TARGET_H */
