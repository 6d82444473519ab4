/* SPDX-License-Identifier: GPL-2.0 */
/* Fault stacks per class, symbolised and written in folded format. */
#ifndef __TT_STACKS_H
#define __TT_STACKS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include "hist_maps.h"
#include "tracer.h"

#define STACKS_MAX_PROCS 256	/* processes whose maps are snapshotted */
#define STACKS_MAX_FILES 4096	/* files they ran or mapped */

/* A traced process: its name after its last exec, its last snapshot of
 * executable mappings (for frames the kernel gave without a build id). */
struct stack_proc {
	pid_t pid;
	bool gone;		/* no more snapshots */
	char comm[TT_COMM_LEN + 1];
	struct maps_entry *maps;	/* its executable file mappings */
	size_t nmaps;
};

struct stacks_ctx {
	pid_t pid;
	char comm[17];
	char exe[PATH_MAX];
	struct stack_proc *procs;
	size_t nprocs;
	char **files;		/* where to look for the frames' build ids */
	size_t nfiles;
	unsigned long long last_ns;
	const struct histdata *d;	/* for stacks_write() */
	struct tracer *tr;
};

void stacks_init(struct stacks_ctx *c, pid_t pid);
/* The launched command's executable, found as execvp() finds it. */
void stacks_set_exe(struct stacks_ctx *c, const char *argv0);
/* Every 100 ms: keep a copy of the traced processes' executable mappings
 * while they live. */
void stacks_snapshot_maps(struct stacks_ctx *c);
/* A traced process ran execve(): remember the file and its name. 0 or
 * -ENOMEM. */
int stacks_note_exec(struct stacks_ctx *c, const struct tt_exec_event *e);
/* outfile_write() callback: @ctx is a struct stacks_ctx with d and tr. */
int stacks_write(FILE *f, void *ctx);
void stacks_free(struct stacks_ctx *c);

#endif /* __TT_STACKS_H */
