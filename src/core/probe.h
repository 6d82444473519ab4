/* SPDX-License-Identifier: GPL-2.0 */
/* What the running kernel offers, asked before loading anything. */
#ifndef __TT_PROBE_H
#define __TT_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "tamtrace.h"

struct tt_features {
	bool mode_ok[TT_MODE_COUNT];	/* from each mode's probe */
	const char *why_not[TT_MODE_COUNT];	/* reason it is unavailable */
	bool tamalloc_tp;		/* syscalls:sys_{enter,exit}_tamalloc */
	bool sched_tp;			/* sched_process_{fork,exec} tp_btf */
};

int probe_privileges(void);
int probe_btf(void);
int probe_tracefs(void);
int probe_features(struct tt_features *f);
/* -v: what probe_features() found in the kernel's BTF. */
void probe_describe(FILE *f);

#endif /* __TT_PROBE_H */
