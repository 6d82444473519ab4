/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the stream's side events said: each thread's process and name
 * (TT_EV_TASK) and each region (TT_EV_REGION), kept so that a 48-byte
 * fault record can be printed with them. Strings are kept escaped for
 * the output format, so a fault only copies them.
 */
#ifndef __TT_STREAMTAB_H
#define __TT_STREAMTAB_H

#include <stdbool.h>
#include <stddef.h>
#include "escape.h"
#include "tamtrace.h"

#define ST_LABEL_MAX 512	/* a region's label, unescaped */

struct st_task {
	__u32 tid;		/* 0: free slot */
	__u32 pid;
	char comm[ESC_MAX(TT_COMM_LEN)];	/* escaped, JSON with quotes */
};

struct st_region {
	__u32 pid;
	__u32 id;
	__u64 start, end;
	char *label;		/* escaped */
	unsigned long tick;	/* last used, or replaced */
	bool live;		/* in regions[]: not replaced */
};

struct streamtab {
	bool json;		/* escape for NDJSON, else for the terminal */
	struct st_task *tasks;	/* open addressing by tid */
	size_t ntasks, task_cap;
	struct st_region **regions;	/* by pid, then start; no overlaps */
	size_t nregions, region_cap;
	struct st_region **by_id;	/* open addressing by id: all */
	size_t nids, id_cap;
	unsigned long tick;		/* streamtab_prune() calls */
};

void streamtab_init(struct streamtab *t, bool json);
void streamtab_free(struct streamtab *t);
/* Remember a side event; 0 or -ENOMEM. */
int streamtab_task(struct streamtab *t, const struct tt_task_event *e);
int streamtab_region(struct streamtab *t, const struct tt_region_event *e);
/* The escaped name of @tid, or "?" (escaped) if no event said it. */
const char *streamtab_comm(const struct streamtab *t, __u32 tid);
/* The escaped label of the region @id, else the one at @addr of @pid
 * now, or NULL. */
const char *streamtab_label(struct streamtab *t, __u32 pid, __u64 addr,
			    __u32 id);
/* Every tick: forget replaced regions no fault used for two ticks, and
 * threads and processes that are gone when the tables are big. */
void streamtab_prune(struct streamtab *t);

#endif /* __TT_STREAMTAB_H */
