/* SPDX-License-Identifier: GPL-2.0 */
/* hist mode: keys and values of the BPF maps the loader reads. */
#ifndef __TAMTRACE_HIST_H
#define __TAMTRACE_HIST_H

#define TT_LAT_SLOTS	40	/* log2 buckets of nanoseconds */

/*
 * Per-page counts live in blocks of 512 pages (2 MiB of one process's
 * address space), allocated at a block's first fault, in one array of
 * 64-byte elements that user space maps (BPF_F_MMAPABLE):
 *
 *   [0]                  struct tt_hist_hdr
 *   [1, 1 + exts)        struct tt_page_ext: pages whose counts outgrew
 *                        their packed word (one element each)
 *   then blocks, each    a struct tt_block_hdr element, 128 elements of
 *                        4 struct tt_page_slot, and with latency 64
 *                        elements of 8 latency words
 *
 * --max-pages N gives N / 512 blocks plus a sixteenth for sparsely
 * touched ranges, and a pool of extensions for 1 page in 64.
 */
#define TT_CHUNK_SHIFT		9
#define TT_CHUNK_PAGES		(1U << TT_CHUNK_SHIFT)
#define TT_SLOTS_PER_ELEM	4
#define TT_LATS_PER_ELEM	8
#define TT_BLOCK_ELEMS(lat) \
	(1 + TT_CHUNK_PAGES / TT_SLOTS_PER_ELEM + \
	 ((lat) ? TT_CHUNK_PAGES / TT_LATS_PER_ELEM : 0))
#define TT_HIST_BLOCKS(pages) \
	(((pages) + TT_CHUNK_PAGES - 1) / TT_CHUNK_PAGES + \
	 ((pages) + 16 * TT_CHUNK_PAGES - 1) / (16 * TT_CHUNK_PAGES))
#define TT_HIST_EXTS(pages)	(TT_HIST_BLOCKS(pages) * TT_CHUNK_PAGES / 64)
#define TT_HIST_ELEMS(pages, lat) \
	(1 + TT_HIST_EXTS(pages) + TT_HIST_BLOCKS(pages) * TT_BLOCK_ELEMS(lat))

/* hist --heatmap: (page, ms) cells for twice min(--max-pages, this) */
#define TT_HEAT_PAGES		262144

/* Classes a counted fault can have (errors are not counted per page). */
#define TT_HIST_CLASSES		TT_CLASS_ERROR

/*
 * tt_page_slot.counts, updated with compare-and-swap: 5 bits per class
 * (bit 5 * class), read and write (bits 45, 50), 4 bits for exec (55),
 * the largest folio order a fault here mapped (59). A count that would
 * overflow moves them all to a struct tt_page_ext: then the word holds
 * TT_PS_EXT | order | the extension's index.
 */
#define TT_PS_CLASS_BITS	5
#define TT_PS_ACC_SHIFT		45
#define TT_PS_ORDER_SHIFT	59
#define TT_PS_ORDER_MASK	(15ULL << TT_PS_ORDER_SHIFT)
#define TT_PS_EXT		(1ULL << 63)
#define TT_PS_EXT_MASK		((1ULL << TT_PS_ORDER_SHIFT) - 1)

/*
 * first and last: time since tt_hist_hdr.base_ns, a float of 27 bits of
 * mantissa and 5 of exponent (TT_TIME_*), rounded down: exact below
 * 2^27 ns (134 ms), within 2^-26 of it after (8 ns at 1 s, 33 us at
 * an hour, up to 9 years). Comparing codes compares times.
 */
#define TT_TIME_MANT_BITS	27
#define TT_TIME_MANT_MASK	((1U << TT_TIME_MANT_BITS) - 1)

struct tt_page_slot {
	__u64 counts;		/* 0 while the page never faulted */
	__u32 first;
	__u32 last;
};

/* A page's counts once they outgrew the packed word, in full. */
struct tt_page_ext {
	__u32 by_class[TT_HIST_CLASSES];
	__u32 by_access[TT_ACC_COUNT];
	__u64 lat_total_ns;	/* on top of the page's latency word */
	__u64 lat_max_ns;
};

struct tt_hist_hdr {
	__u64 base_ns;		/* CLOCK_MONOTONIC the times count from */
	__u64 blocks;		/* blocks handed out (may pass capacity) */
	__u64 exts;		/* extensions handed out */
	__u32 block_elems;	/* TT_BLOCK_ELEMS() of this run */
	__u32 first_block;	/* element of block 0 */
	__u64 pad2[4];
};

/* Which process's 2 MiB a block counts; tgid 0: the block is unused. */
struct tt_block_hdr {
	__u32 tgid;
	__u32 pad;
	__u64 chunk;		/* page >> TT_CHUNK_SHIFT */
	__u64 pad2[6];
};

struct tt_hist_elem {
	union {
		struct tt_hist_hdr hdr;
		struct tt_block_hdr block;
		struct tt_page_slot slot[TT_SLOTS_PER_ELEM];
		/* Latency per page: total ns, low half; max ns, high half */
		__u64 lat[TT_LATS_PER_ELEM];
		struct tt_page_ext ext;
	};
};

struct tt_chunk_key {
	__u32 tgid;
	__u32 pad;
	__u64 chunk;
};

struct tt_vma_key {
	__u32 tgid;
	__u32 pad;
	__u64 vm_start;
};

struct tt_vma_info {
	__u64 vm_end;
	__u64 first_ns;		/* start of the fault that recorded it */
	__u8 region;		/* enum tt_region */
	__u8 pad[3];
	__u32 dev;		/* the file's (kernel dev_t), or 0 */
	__u64 ino;		/* the file's inode number, or 0 */
	__u64 pgoff;		/* file offset of vm_start, in pages */
	char name[TT_NAME_LEN];
};

struct tt_heat_key {
	__u32 tgid;
	__u32 slot;		/* CLOCK_MONOTONIC / heat_slot_ns */
	__u64 page;
};

struct tt_stack_key {
	__u32 tgid;
	__u32 class;
	__s32 user_stack;	/* stack map ids, negative when missing */
	__s32 kern_stack;
};

/* A stack's faults, and their latency summed where measured. */
struct tt_stack_val {
	__u64 count;
	__u64 lat_ns;
};

#endif /* __TAMTRACE_HIST_H */
