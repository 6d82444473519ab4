/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The attach modes: the only place that knows them. A new mode is a row
 * here plus its programs on the BPF side.
 */
#ifndef __TT_MODES_H
#define __TT_MODES_H

#include <stdbool.h>
#include "tamtrace.h"

struct kbtf_name;

struct tt_mode_desc {
	const char *name;
	/* Banner: what the mode measures exactly, and what it infers. */
	const char *exact;
	const char *inferred;
	bool has_latency;	/* latency_ns measured (fault entry to exit) */
	/* Fault-path programs to load; NULL-terminated. */
	const char *const *progs;
	/* True if the running kernel offers the mode; else *why says why. */
	bool (*probe)(const struct kbtf_name *btf, const char **why);
	/* Why attaching failed with @err, in words, or "". */
	const char *(*hint)(int err);
};

/* Indexed by enum tt_mode, best first. */
extern const struct tt_mode_desc tt_modes[TT_MODE_COUNT];

/* The mode's row, or NULL for an out-of-range mode. */
const struct tt_mode_desc *mode_desc(int mode);
const char *mode_name(int mode);
/* enum tt_mode of @name, or -1. */
int mode_parse(const char *name);
/* "patched, fentry, exceptions", for messages and --help. */
const char *mode_list(void);
/* True if @prog is a fault-path program of some mode. */
bool mode_owns_prog(const char *prog);
/* True if @prog is a fault-path program of @mode. */
bool mode_has_prog(int mode, const char *prog);

#endif /* __TT_MODES_H */
