/* SPDX-License-Identifier: GPL-2.0 */
/* Histogram-mode maps, read back into sorted arrays. */
#ifndef __TT_HISTDATA_H
#define __TT_HISTDATA_H

#include <stddef.h>
#include "regions.h"
#include "tamtrace.h"
#include "tracer.h"

/* One page's counts, decoded from the pages map. */
struct page_stat {
	__u32 tgid;
	__u64 page;		/* address >> TT_PAGE_SHIFT */
	unsigned long long first_ns, last_ns;	/* to hist.h's precision */
	unsigned long long lat_total_ns, lat_max_ns;
	bool has_lat;		/* latency measured */
	unsigned int faults;
	unsigned int nr_pages;	/* most pages one fault here mapped (THP) */
	unsigned int by_class[TT_CLASS_COUNT];
	unsigned int by_access[TT_ACC_COUNT];
};

/* 512 pages of one process, as BPF handed them out. */
struct hist_block {
	__u32 tgid;
	__u32 elem;		/* its first element in the pages map */
	__u64 chunk;		/* page >> TT_CHUNK_SHIFT */
};

/* A VMA BPF recorded, at the first fault that saw it. */
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
	unsigned long long count;	/* struct tt_stack_val */
	unsigned long long lat_ns;
};

struct alloc_row {
	__u32 pid;
	__u64 ts_ns;
	__u64 addr;
	__u64 len;
};

/*
 * Pages are slots of the blocks, in order: slot i is page i % 512 of
 * blocks[i / 512], so they go by pid and address. Their counts stay in
 * the pages map, mapped read-only; only the row of each is kept here.
 */
struct histdata {
	const struct tt_hist_elem *map;
	size_t map_len;
	unsigned long long base_ns;	/* the times count from it */
	bool lat_words;			/* the map has latency words */
	size_t first_block;		/* element of block 0: exts before */
	struct hist_block *blocks;	/* by pid and chunk */
	size_t nblocks;
	size_t nslots;			/* nblocks * TT_CHUNK_PAGES */
	int *slot_row;			/* per slot: index into rows, or -1 */
	size_t npages;			/* slots touched */
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
/* The counts of slot @i: false if its page never faulted. */
bool histdata_page(const struct histdata *d, size_t i, struct page_stat *st);
/* @ns rounded down as the pages map keeps times. */
unsigned long long histdata_round_ns(const struct histdata *d,
				     unsigned long long ns);
/* Rows of the pages, d->vmas and @log (hist_rows.c). */
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
