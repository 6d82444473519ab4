/* SPDX-License-Identifier: GPL-2.0 */
/* Histogram-mode maps, read back into sorted arrays. */
#ifndef __TT_HISTDATA_H
#define __TT_HISTDATA_H

#include <stddef.h>
#include "regions.h"
#include "tamtrace.h"
#include "tracer.h"

struct page_row {
	struct tt_page_key key;
	struct tt_page_stat st;
	int row;		/* index into histdata.rows, -1 if none */
};

/* What BPF recorded of the VMA at a page's first fault. */
struct vma_row {
	struct tt_vma_key key;
	struct tt_vma_info info;
};

/*
 * A region as the process ended up with it: one address range, one
 * file or kind, built from the maps snapshots and the VMAs BPF saw.
 * Rows still mapped never overlap; one unmapped before the end keeps
 * its last range and reserves nothing.
 */
struct region_row {
	__u32 tgid;
	__u8 kind;			/* enum tt_region */
	bool mapped;
	__u64 start, end;
	unsigned long long reserved;	/* pages it holds at the end */
	char name[REGION_PATH_LEN];	/* path or anon name */
	char label[300];		/* region_text() */
	char comm[17];			/* "" if never seen */
	unsigned long long pages_touched, faults;
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
	struct region_row *rows;	/* by pid and address */
	size_t nrows;
	struct heat_row *heat;
	size_t nheat;
	struct stack_row *stacks;
	size_t nstacks;
	unsigned long long lat[TT_CLASS_COUNT][TT_LAT_SLOTS];
	struct alloc_row *allocs;
	size_t nallocs;
};

/* Read every map and build the regions from them and @log; @comm
 * names @tgid where no snapshot did. Returns 0 or a negative errno. */
int histdata_read(struct histdata *d, struct tracer *t,
		  const struct maps_log *log, __u32 tgid, const char *comm);
/* Rows of d->pages, d->vmas and @log (hist_rows.c). */
int histdata_rows(struct histdata *d, const struct maps_log *log,
		  __u32 tgid, const char *comm);
/* The row of @page of @tgid, or NULL. */
const struct region_row *histdata_row_of(const struct histdata *d,
					 __u32 tgid, __u64 page);
/* Sum the per-CPU latency histograms, optionally zeroing them. */
int histdata_read_lat(struct histdata *d, struct tracer *t, bool clear);
int histdata_add_alloc(struct histdata *d, const struct tt_alloc_event *e);
void histdata_free(struct histdata *d);

#endif /* __TT_HISTDATA_H */
