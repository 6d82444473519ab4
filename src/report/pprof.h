/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault stacks as a pprof profile: profile.proto (github.com/google/pprof,
 * proto/profile.proto), gzip-compressed, for go tool pprof, Parca and
 * Pyroscope. Encoded here: the few message types it needs are plain
 * varints and length-delimited fields.
 */
#ifndef __TT_PPROF_H
#define __TT_PPROF_H

#include <stdbool.h>
#include <stdio.h>
#include "stacks.h"

struct pprof_ctx {
	struct stacks_ctx *stk;		/* with d and tr */
	const char *mode;
	bool latency;			/* the mode measures latency */
	unsigned long long duration_ns;
};

/* outfile_write() callback: @ctx is a struct pprof_ctx. */
int pprof_write(FILE *f, void *ctx);

#endif /* __TT_PPROF_H */
