/* SPDX-License-Identifier: GPL-2.0 */
/* Histogram-mode maps, read back into sorted arrays. */
#ifndef __TT_HISTDATA_H
#define __TT_HISTDATA_H

#include <stddef.h>
#include "tamtrace.h"
#include "tracer.h"

struct page_row {
	struct tt_page_key key;
	struct tt_page_stat st;
	int vma;		/* index into histdata.vmas, -1 if unknown */
};

struct vma_row {
	struct tt_vma_key key;
	struct tt_vma_info info;
	char label[300];	/* region_label() */
	unsigned long long pages_touched;
	unsigned long long by_class[TT_CLASS_COUNT];
};

struct heat_row {
	struct tt_heat_key key;
	unsigned long long count;
};

struct stack_row {
	struct tt_stack_key key;
	unsigned long long count;
};

struct alloc_row {
	__u32 pid;
	__u64 ts_ns;
	__u64 addr;
	__u64 len;
};

struct histdata {
	struct page_row *pages;
	size_t npages;
	struct vma_row *vmas;
	size_t nvmas;
	struct heat_row *heat;
	size_t nheat;
	struct stack_row *stacks;
	size_t nstacks;
	unsigned long long lat[TT_CLASS_COUNT][TT_LAT_SLOTS];
	struct alloc_row *allocs;
	size_t nallocs;
};

/* Read every map; returns 0 or a negative errno. */
int histdata_read(struct histdata *d, struct tracer *t);
/* Sum the per-CPU latency histograms, optionally zeroing them. */
int histdata_read_lat(struct histdata *d, struct tracer *t, bool clear);
int histdata_add_alloc(struct histdata *d, const struct tt_alloc_event *e);
void histdata_free(struct histdata *d);

#endif /* __TT_HISTDATA_H */
