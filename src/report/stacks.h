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
#include "symbols.h"
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
/* One frame as the symbolisation found it; strings live until
 * stacks_walk() returns. */
struct stack_frame {
	const char *name;	/* function, or NULL: no symbol covers it */
	const char *path;	/* its file, or NULL (kernel: NULL) */
	const char *base;	/* the file's base name, or NULL */
	unsigned char build_id[ELF_BUILD_ID_MAX];
	size_t build_id_len;	/* 0: none known */
	unsigned long long ip;	/* address in the process or kernel, or 0 */
	unsigned long long off;	/* file offset of ip, with has_off */
	bool has_off;
	bool kernel;
};

#define STACK_MAX_FRAMES (TT_USTACK_DEPTH + TT_STACK_DEPTH + 2)

/* A stack with its counts: frames outermost first. */
struct stack_sample {
	pid_t tgid;
	const char *comm;	/* name after the last exec, or "pid-N" */
	unsigned int class;	/* enum tt_class */
	unsigned long long count;
	unsigned long long lat_ns;	/* summed, where measured */
	size_t n;
	struct stack_frame fr[STACK_MAX_FRAMES];
};

/* Symbolise every recorded stack (@ctx with d and tr) and give each to
 * @fn, which returns 0 or -errno to stop. Returns 0 or -errno. */
int stacks_walk(struct stacks_ctx *c,
		int (*fn)(const struct stack_sample *st, void *arg),
		void *arg);
/* outfile_write() callback, folded stacks: @ctx is a struct stacks_ctx
 * with d and tr. */
int stacks_write(FILE *f, void *ctx);
void stacks_free(struct stacks_ctx *c);

#endif /* __TT_STACKS_H */
