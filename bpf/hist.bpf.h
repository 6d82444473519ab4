/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hist mode: faults aggregated in BPF maps per page, region, time slot
 * and stack, instead of streamed. Included by tamtrace.bpf.c after the
 * in-flight state it reads.
 */
#ifndef __HIST_BPF_H
#define __HIST_BPF_H

/* Histogram mode maps; the loader sizes them (1 entry when unused). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, struct tt_page_key);
	__type(value, struct tt_page_stat);
} pages SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, struct tt_vma_key);
	__type(value, struct tt_vma_info);
} vmas SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, struct tt_heat_key);
	__type(value, __u64);
} heat SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TT_CLASS_COUNT * TT_LAT_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} lat_hist SEC(".maps");

/* Kernel stacks: IPs. */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, TT_STACK_DEPTH * sizeof(__u64));
} stack_traces SEC(".maps");

/* User stacks: IPs, the stack key's user_stack. */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, TT_USTACK_DEPTH * sizeof(__u64));
} user_ips SEC(".maps");

/* The same stacks as build id and file offset per frame, which
 * symbolise after the process exited (the kernel falls back to the IP
 * per frame when it cannot read a build id); ustack_ids pairs them. */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_STACK_BUILD_ID);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, TT_USTACK_DEPTH * sizeof(struct bpf_stack_build_id));
} user_stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);	/* user_ips id */
	__type(value, __u32);	/* user_stacks id */
} ustack_ids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, struct tt_stack_key);
	__type(value, __u64);
} stack_counts SEC(".maps");

/* Add @n to the counter at @key of a hash map, creating it. */
static __always_inline bool hash_add(void *map, const void *key, __u64 n)
{
	static const __u64 zero;
	__u64 *v = bpf_map_lookup_elem(map, key);

	if (!v) {
		bpf_map_update_elem(map, key, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(map, key);
		if (!v)
			return false;	/* map full */
	}
	__sync_fetch_and_add(v, n);
	return true;
}

/* Remember the region of a newly seen page's VMA. */
static __always_inline void note_vma(const struct inflight *f, __u32 tgid)
{
	struct tt_vma_key vk = { .tgid = tgid, .vm_start = f->reg.vm_start };
	struct tt_vma_info vi = {}, *v = bpf_map_lookup_elem(&vmas, &vk);

	if (v) {
		/* The heap and stack grow: keep the largest extent seen. */
		if (f->reg.vm_end > v->vm_end)
			v->vm_end = f->reg.vm_end;
		return;
	}
	vi.vm_end = f->reg.vm_end;
	vi.region = f->reg.kind;
	__builtin_memcpy(vi.name, f->reg.name, sizeof(vi.name));
	bpf_map_update_elem(&vmas, &vk, &vi, BPF_NOEXIST);
}

/* The stats of a page at its first fault. */
static __always_inline void page_init(struct tt_page_stat *ps,
				      const struct inflight *f, __u8 access,
				      __u8 class, bool lat, __u64 latency)
{
	int i;

	ps->first_ns = f->start_ns;
	ps->last_ns = f->start_ns;
	ps->vm_start = f->reg.vm_start;
	ps->faults = 1;
	ps->nr_pages = 1U << (f->order & 31);
	/* Constant offsets: older verifiers refuse variable stack writes. */
#pragma unroll
	for (i = 0; i < TT_CLASS_SLOTS; i++)
		ps->by_class[i] = i == class;
#pragma unroll
	for (i = 0; i < 4; i++)
		ps->by_access[i] = i == access;
	if (lat) {
		ps->lat_total_ns = latency;
		ps->lat_max_ns = latency;
		ps->lat_count = 1;
	}
}

/*
 * Count one fault of a page. Most faults are a page's first, so try to
 * insert it with its counts already set, and look it up only if it
 * exists: one hash operation per first touch. Returns -1 when the map is
 * full, 1 when the page is new, else 0.
 */
static __always_inline int count_page(const struct inflight *f, __u32 tgid,
				      __u8 access, __u8 class, __u32 flags,
				      __u64 latency)
{
	struct tt_page_key pk = { .tgid = tgid, .page = f->addr >> TT_PAGE_SHIFT };
	bool lat = flags & TT_F_HAS_LATENCY;
	struct tt_page_stat init = {}, *ps;

	class &= TT_CLASS_SLOTS - 1;
	access &= 3;
	page_init(&init, f, access, class, lat, latency);
	if (!bpf_map_update_elem(&pages, &pk, &init, BPF_NOEXIST))
		return 1;
	/* The page exists, or the map is full. */
	ps = bpf_map_lookup_elem(&pages, &pk);
	if (!ps)
		return -1;
	__sync_fetch_and_add(&ps->faults, 1);
	__sync_fetch_and_add(&ps->by_class[class], 1);
	__sync_fetch_and_add(&ps->by_access[access], 1);
	ps->last_ns = f->start_ns;
	if (1U << (f->order & 31) > ps->nr_pages)
		ps->nr_pages = 1U << (f->order & 31);
	if (lat) {
		__sync_fetch_and_add(&ps->lat_total_ns, latency);
		__sync_fetch_and_add(&ps->lat_count, 1);
		if (latency > ps->lat_max_ns)
			ps->lat_max_ns = latency;
	}
	return 0;
}

/* A full stack map: the stack is not recorded. (A hash collision,
 * -EEXIST, is recorded, that part of the stack shown as unknown.) */
static __always_inline bool stack_lost(long id)
{
	return id == -ENOMEM_;
}

/*
 * The build ids of a new user stack. Not after bpf_find_vma() in
 * exceptions mode: with IRQs off it leaves a per-CPU irq_work pending to
 * unlock mmap_lock, and meanwhile the kernel reads no build ids.
 */
static __always_inline void stack_build_ids(void *ctx, __s32 ips_id,
					    __u8 reg_src)
{
	__u32 key = ips_id;
	long id;

	if (ips_id < 0 || (mode == TT_MODE_EXCEPTIONS && reg_src != REG_CACHED) ||
	    bpf_map_lookup_elem(&ustack_ids, &key))
		return;
	id = bpf_get_stackid(ctx, &user_stacks, BPF_F_USER_STACK);
	if (id >= 0)
		bpf_map_update_elem(&ustack_ids, &key, &id, BPF_NOEXIST);
}

static __always_inline void count_stack(void *ctx, const struct inflight *f,
					__u32 tgid, __u8 class)
{
	struct tt_stack_key sk = { .tgid = tgid, .class = class };

	sk.user_stack = bpf_get_stackid(ctx, &user_ips, BPF_F_USER_STACK);
	stack_build_ids(ctx, sk.user_stack, f->reg_src);
	sk.kern_stack = bpf_get_stackid(ctx, &stack_traces, 0);
	if ((sk.user_stack < 0 && sk.kern_stack < 0) ||
	    stack_lost(sk.user_stack) || stack_lost(sk.kern_stack))
		count(TT_CNT_STACK_MISSED);
	else if (!hash_add(&stack_counts, &sk, 1))
		count(TT_CNT_STACK_MISSED);
}

static __always_inline void aggregate(void *ctx, const struct inflight *f,
				      __u32 tgid, __u8 access, __u8 class,
				      __u32 flags, __u64 latency)
{
	struct tt_heat_key hk = { .tgid = tgid, .page = f->addr >> TT_PAGE_SHIFT };
	__u32 slot;
	__u64 *h;

	int added = count_page(f, tgid, access, class, flags, latency);

	if (added < 0) {
		count(TT_CNT_PAGE_OVERFLOW);
		return;
	}
	/*
	 * A VMA is recorded with its first page, or once per VMA cache
	 * fill: pages of a cached VMA skip the per-fault map lookup.
	 */
	if (f->reg_src == REG_FILLED ||
	    (f->reg_src == REG_LOOKED_UP && added))
		note_vma(f, tgid);
	if (flags & TT_F_HAS_LATENCY) {
		slot = (class < TT_CLASS_COUNT ? class : 0) * TT_LAT_SLOTS +
		       log2_slot(latency);
		h = bpf_map_lookup_elem(&lat_hist, &slot);
		if (h)
			(*h)++;
	}
	if (want_heat) {
		hk.slot = f->start_ns / heat_slot_ns;
		if (!hash_add(&heat, &hk, 1))
			count(TT_CNT_HEAT_OVERFLOW);
	}
	if (want_stacks)
		count_stack(ctx, f, tgid, class);
}

#endif /* __HIST_BPF_H */
