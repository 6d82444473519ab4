/* SPDX-License-Identifier: GPL-2.0 */
/* Fault stacks per class, symbolised and written in folded format. */
#ifndef __TT_STACKS_H
#define __TT_STACKS_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include "hist_maps.h"
#include "tracer.h"

struct exec_map {
	unsigned long long start, end, offset;
	char path[256];
};

struct stacks_ctx {
	pid_t pid;
	char comm[17];
	char exe[PATH_MAX];
	struct exec_map *maps;	/* last snapshot of executable mappings */
	size_t nmaps;
	unsigned long long last_ns;
	const struct histdata *d;	/* for stacks_write() */
	struct tracer *tr;
};

void stacks_init(struct stacks_ctx *c, pid_t pid);
/* The launched command's executable, found as execvp() finds it. */
void stacks_set_exe(struct stacks_ctx *c, const char *argv0);
/* Keep a copy of the target's executable mappings while it lives, so
 * frames can be symbolised after it exits. */
void stacks_snapshot_maps(struct stacks_ctx *c);
/* outfile_write() callback: @ctx is a struct stacks_ctx with d and tr. */
int stacks_write(FILE *f, void *ctx);
void stacks_free(struct stacks_ctx *c);

#endif /* __TT_STACKS_H */
