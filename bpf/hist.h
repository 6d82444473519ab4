/* SPDX-License-Identifier: GPL-2.0 */
/* hist mode: keys and values of the BPF maps the loader reads. */
#ifndef __TAMTRACE_HIST_H
#define __TAMTRACE_HIST_H

#define TT_LAT_SLOTS	40	/* log2 buckets of nanoseconds */

struct tt_page_key {
	__u32 tgid;
	__u32 pad;
	__u64 page;		/* address >> TT_PAGE_SHIFT */
};

struct tt_page_stat {
	__u64 first_ns;
	__u64 last_ns;
	__u64 lat_total_ns;
	__u64 lat_max_ns;
	__u64 vm_start;		/* VMA at the first fault */
	__u32 faults;
	/* Powers of two, indexed with a mask: every verifier can bound it. */
	__u32 by_class[TT_CLASS_SLOTS];
	__u32 by_access[4];
	__u32 lat_count;	/* faults with a measured latency */
	__u32 nr_pages;		/* most pages one fault here mapped (THP) */
};

struct tt_vma_key {
	__u32 tgid;
	__u32 pad;
	__u64 vm_start;
};

struct tt_vma_info {
	__u64 vm_end;
	__u8 region;		/* enum tt_region */
	__u8 pad[7];
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

#endif /* __TAMTRACE_HIST_H */
