/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hist mode: faults aggregated in BPF maps per page, region, time slot
 * and stack, instead of streamed. Included by tamtrace.bpf.c after the
 * in-flight state it reads.
 */
#ifndef __HIST_BPF_H
#define __HIST_BPF_H

/* Set by the loader, with the maps' sizes. */
const volatile __u64 hist_base_ns = 0;	/* CLOCK_MONOTONIC at load */
const volatile __u32 hist_max_pages = TT_MAX_PAGES_MIN;	/* --max-pages */
const volatile bool hist_lat = false;	/* the mode measures latency */

/* Histogram mode maps; the loader sizes them (1 entry when unused). */

/* Per-page counts, in blocks of 512 pages: see hist.h. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tt_hist_elem);
} pages SEC(".maps");

/* The block of each process's 2 MiB, by tgid and page >> 9. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, struct tt_chunk_key);
	__type(value, __u32);
} chunks SEC(".maps");

/*
 * The block of each CPU's last fault: consecutive faults in the same
 * 2 MiB skip the chunks lookup. Blocks are never freed, so an entry
 * stays right; tgid 0 is never traced.
 */
struct chunk_cache {
	__u32 tgid;
	__u32 elem;		/* the block's first element */
	__u64 chunk;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct chunk_cache);
} chunk_cache SEC(".maps");

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
	__type(value, struct tt_stack_val);
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
	vi.first_ns = f->start_ns;
	vi.region = f->reg.kind;
	vi.dev = f->reg.dev;
	vi.ino = f->reg.ino;
	vi.pgoff = f->reg.pgoff;
	__builtin_memcpy(vi.name, f->reg.name, sizeof(vi.name));
	bpf_map_update_elem(&vmas, &vk, &vi, BPF_NOEXIST);
}

#define HIST_BLOCKS	TT_HIST_BLOCKS(hist_max_pages)
#define HIST_EXTS	TT_HIST_EXTS(hist_max_pages)
#define BLOCK_ELEMS	TT_BLOCK_ELEMS(hist_lat)
#define PAGE_IN_CHUNK(page) ((__u32)(page) & (TT_CHUNK_PAGES - 1))

static __always_inline struct tt_hist_elem *hist_elem(__u32 n)
{
	return bpf_map_lookup_elem(&pages, &n);
}

/* The first element of block @n. */
static __always_inline __u32 block_elem(__u32 n)
{
	return 1 + HIST_EXTS + n * BLOCK_ELEMS;
}

/*
 * The slow paths below are global functions: the verifier checks them
 * once, not at each caller, and their loops stay out of the fast path,
 * which makes no call (on x86 a return costs ~10 ns with SRSO's
 * mitigation). Their arguments are scalars: indexes, not pointers.
 */

/* The block of @tgid's @chunk, handed out at its first fault: its
 * number, or -1 when every block is used. */
__noinline int hist_block(__u32 tgid, __u64 chunk)
{
	struct tt_chunk_key key = { .tgid = tgid, .chunk = chunk };
	__u32 *found = bpf_map_lookup_elem(&chunks, &key), n;
	struct tt_hist_elem *h, *b;

	if (found)
		return *found;
	/* Once full, stop counting up: the counter must not wrap */
	h = hist_elem(0);
	if (!h || h->hdr.blocks >= HIST_BLOCKS)
		return -1;
	n = __sync_fetch_and_add(&h->hdr.blocks, 1);
	if (n >= HIST_BLOCKS)
		return -1;
	if (bpf_map_update_elem(&chunks, &key, &n, BPF_NOEXIST)) {
		/* Another CPU added it first: block n stays unused */
		found = bpf_map_lookup_elem(&chunks, &key);
		return found ? *found : -1;
	}
	h->hdr.base_ns = hist_base_ns;
	h->hdr.block_elems = BLOCK_ELEMS;
	h->hdr.first_block = block_elem(0);
	b = hist_elem(block_elem(n));
	if (b) {
		b->block.chunk = chunk;
		b->block.tgid = tgid;
	}
	return n;
}

/* The first element of @page's block, or -1 when the map is full. */
static __always_inline long page_block(__u32 tgid, __u64 page)
{
	__u64 chunk = page >> TT_CHUNK_SHIFT;
	struct chunk_cache *c;
	__u32 zero = 0;
	int n;

	c = bpf_map_lookup_elem(&chunk_cache, &zero);
	if (!c)
		return -1;
	if (c->tgid != tgid || c->chunk != chunk) {
		n = hist_block(tgid, chunk);
		if (n < 0)
			return -1;
		c->tgid = tgid;
		c->chunk = chunk;
		c->elem = block_elem(n);
	}
	return c->elem;
}

/* @t as tt_page_slot.first and .last keep it (hist.h). */
static __always_inline __u32 time_code(__u64 t)
{
	__u64 d = t > hist_base_ns ? t - hist_base_ns : 0;
	__u32 e;

	if (d < (1ULL << TT_TIME_MANT_BITS))
		return d;
	/* log2(d) - 26: the shift that leaves 27 bits */
	e = log2_slot(d >> (TT_TIME_MANT_BITS - 1));
	if (e > 31)
		return ~0U;
	return e << TT_TIME_MANT_BITS | (__u32)(d >> e);
}

enum { PACKED, PACKED_FIRST, TO_EXT };

/*
 * Count a fault in the packed word @old of @ps: @cls and @acc are the
 * shifts of its class and access counts, @order already in place.
 * Returns PACKED_FIRST for the page's first fault, PACKED, or TO_EXT
 * when the counts are in, or must move to, an extension, or when
 * another CPU changed the word (then @old is the new word).
 */
static __always_inline int pack_fault(struct tt_page_slot *ps, __u64 *old,
				      __u32 cls, __u32 acc, __u64 order)
{
	__u64 amax = acc == TT_PS_ACC_SHIFT + 2 * TT_PS_CLASS_BITS ? 15 : 31;
	__u64 w = *old, new, prev;

	if ((w & TT_PS_EXT) || ((w >> cls) & 31) == 31 ||
	    ((w >> acc) & amax) == amax)
		return TO_EXT;
	new = w + (1ULL << cls) + (1ULL << acc);
	if (order > (w & TT_PS_ORDER_MASK))
		new = (new & ~TT_PS_ORDER_MASK) | order;
	prev = __sync_val_compare_and_swap(&ps->counts, w, new);
	if (prev != w) {
		*old = prev;
		return TO_EXT;
	}
	return w ? PACKED : PACKED_FIRST;
}

/* An extension's counts from the packed word @w; not yet published. */
static __always_inline void unpack(struct tt_page_ext *x, __u64 w)
{
	int c;

#pragma unroll
	for (c = 0; c < TT_HIST_CLASSES; c++)
		x->by_class[c] = w >> (c * TT_PS_CLASS_BITS) & 31;
#pragma unroll
	for (c = 0; c < TT_ACC_COUNT; c++)
		x->by_access[c] =
			w >> (TT_PS_ACC_SHIFT + c * TT_PS_CLASS_BITS) &
			(c == TT_ACC_EXEC ? 15 : 31);
}

/*
 * Move @ps's counts, packed in @word, to an extension, unless another
 * CPU did. Returns the extension's index, or -1 when none is left.
 */
static __always_inline long promote(struct tt_page_slot *ps, __u64 word)
{
	struct tt_hist_elem *h = hist_elem(0), *e;
	__u64 n, prev;
	int i;

	if (word & TT_PS_EXT)
		return word & TT_PS_EXT_MASK;
	if (!h || h->hdr.exts >= HIST_EXTS)
		return -1;
	n = __sync_fetch_and_add(&h->hdr.exts, 1);
	e = n < HIST_EXTS ? hist_elem(1 + n) : NULL;
	if (!e)
		return -1;
	for (i = 0; i < 4; i++) {
		unpack(&e->ext, word);
		prev = __sync_val_compare_and_swap(
			&ps->counts, word,
			TT_PS_EXT | (word & TT_PS_ORDER_MASK) | n);
		if (prev == word)
			return n;
		if (prev & TT_PS_EXT)	/* extension n stays unused */
			return prev & TT_PS_EXT_MASK;
		word = prev;
	}
	return -1;
}

/* Count a fault in extension @n of @ps; the order stays in the word. */
static __always_inline bool ext_fault(struct tt_page_slot *ps, long n,
				      __u32 class, __u32 access, __u64 order)
{
	struct tt_hist_elem *e = n < 0 ? NULL : hist_elem(1 + n);
	__u64 old;
	int i;

	/* In range already, but the verifier must see it here */
	barrier_var(class);
	barrier_var(access);
	if (!e || class >= TT_HIST_CLASSES || access >= TT_ACC_COUNT)
		return false;
	__sync_fetch_and_add(&e->ext.by_class[class], 1);
	__sync_fetch_and_add(&e->ext.by_access[access], 1);
	old = ps->counts;
	for (i = 0; i < 4 && order > (old & TT_PS_ORDER_MASK); i++)
		old = __sync_val_compare_and_swap(
			&ps->counts, old, (old & ~TT_PS_ORDER_MASK) | order);
	return true;
}

/* hist_count()'s @info: the fault, and its page's place in element. */
#define HP_INFO(access, class, order, page) \
	((__u32)(access) | (__u32)(class) << 8 | (__u32)(order) << 16 | \
	 ((__u32)(page) & (TT_SLOTS_PER_ELEM - 1)) << 24)

/*
 * A fault the fast path could not pack: a count full, the page moved
 * to an extension, or a race lost. Returns what pack_fault() does, or
 * -1 when no extension is left.
 */
__noinline int hist_count(__u32 elem, __u32 info)
{
	__u32 access = info & 0xff, class = (info >> 8) & 0xff;
	__u64 order = (__u64)((info >> 16) & 15) << TT_PS_ORDER_SHIFT, old;
	struct tt_hist_elem *e = hist_elem(elem);
	struct tt_page_slot *ps;
	int i, r = TO_EXT;

	if (!e || class >= TT_HIST_CLASSES || access >= TT_ACC_COUNT)
		return -1;
	ps = &e->slot[(info >> 24) & (TT_SLOTS_PER_ELEM - 1)];
	old = ps->counts;
	for (i = 0; i < 4 && r == TO_EXT && !(old & TT_PS_EXT); i++)
		r = pack_fault(ps, &old, class * TT_PS_CLASS_BITS,
			       TT_PS_ACC_SHIFT + access * TT_PS_CLASS_BITS,
			       order);
	if (r != TO_EXT)
		return r;
	/* Full, or busy: an extension takes atomic adds */
	if (!ext_fault(ps, promote(ps, old), class, access, order))
		return -1;
	return PACKED;
}

/*
 * Latency the fast path could not add to page @sub's word in element
 * @lat_elem: too big for it, the page has an extension, or a race
 * lost. It goes to the extension of the page in @elem. Returns 0, or
 * -1 when no extension is left.
 */
__noinline int hist_latency(__u32 elem, __u32 lat_elem, __u32 sub, __u64 lat)
{
	struct tt_hist_elem *e = hist_elem(elem), *l = hist_elem(lat_elem);
	struct tt_page_slot *ps;
	__u64 *w, old, new, max;
	long n;
	int i;

	if (!e || !l)
		return -1;
	ps = &e->slot[sub & (TT_SLOTS_PER_ELEM - 1)];
	w = &l->lat[sub & (TT_LATS_PER_ELEM - 1)];
	old = *w;
	for (i = 0; i < 4 && !(ps->counts & TT_PS_EXT); i++) {
		if (lat > 0xffffffffULL ||
		    (old & 0xffffffffULL) + lat > 0xffffffffULL)
			break;
		max = old >> 32 > lat ? old >> 32 : lat;
		new = max << 32 | ((old & 0xffffffffULL) + lat);
		new = __sync_val_compare_and_swap(w, old, new);
		if (new == old)
			return 0;
		old = new;
	}
	n = promote(ps, ps->counts);
	e = n < 0 ? NULL : hist_elem(1 + n);
	if (!e)
		return -1;
	__sync_fetch_and_add(&e->ext.lat_total_ns, lat);
	if (lat > e->ext.lat_max_ns)
		e->ext.lat_max_ns = lat;
	return 0;
}

/* Add @lat to the latency word @w of a page without an extension:
 * total in the low 32 bits, max in the high 32. False if it cannot. */
static __always_inline bool add_latency(const struct tt_page_slot *ps, __u64 *w,
					__u64 lat)
{
	__u64 old = *w, max = old >> 32 > lat ? old >> 32 : lat, new;

	if ((ps->counts & TT_PS_EXT) || lat > 0xffffffffULL ||
	    (old & 0xffffffffULL) + lat > 0xffffffffULL)
		return false;
	new = max << 32 | ((old & 0xffffffffULL) + lat);
	return __sync_val_compare_and_swap(w, old, new) == old;
}

/*
 * Count one fault of a page: the CPU's last block, one compare-and-swap
 * on the page's packed counts, its times. Returns -1 when the map is
 * full, 1 when the page is new, else 0.
 */
static __always_inline int count_page(const struct inflight *f, __u32 tgid,
				      __u32 access, __u32 class, __u32 flags,
				      __u64 latency)
{
	__u64 page = f->addr >> TT_PAGE_SHIFT, order = f->order, old;
	long blk = page_block(tgid, page);
	struct tt_hist_elem *e, *l;
	struct tt_page_slot *ps;
	__u32 t, elem, lat_elem;
	int r;

	elem = blk + 1 + PAGE_IN_CHUNK(page) / TT_SLOTS_PER_ELEM;
	e = blk < 0 ? NULL : hist_elem(elem);
	if (!e)
		return -1;
	ps = &e->slot[page & (TT_SLOTS_PER_ELEM - 1)];
	class = class < TT_HIST_CLASSES ? class : TT_CLASS_UNKNOWN;
	access = access <= TT_ACC_EXEC ? access : TT_ACC_READ;
	order = order < 15 ? order : 15;
	old = ps->counts;
	r = pack_fault(ps, &old, class * TT_PS_CLASS_BITS,
		       TT_PS_ACC_SHIFT + access * TT_PS_CLASS_BITS,
		       order << TT_PS_ORDER_SHIFT);
	if (r == TO_EXT)
		r = hist_count(elem, HP_INFO(access, class, order, page));
	if (r < 0)
		return -1;
	t = time_code(f->start_ns);
	if (r == PACKED_FIRST || t < ps->first)
		ps->first = t;
	if (t > ps->last)
		ps->last = t;
	if (!hist_lat || !(flags & TT_F_HAS_LATENCY))
		return r == PACKED_FIRST;
	lat_elem = blk + 1 + TT_CHUNK_PAGES / TT_SLOTS_PER_ELEM +
		   PAGE_IN_CHUNK(page) / TT_LATS_PER_ELEM;
	l = hist_elem(lat_elem);
	/* Counted, but its latency lost: a loss all the same */
	if (!l || (!add_latency(ps, &l->lat[page & (TT_LATS_PER_ELEM - 1)],
				latency) &&
		   hist_latency(elem, lat_elem, page, latency)))
		count(TT_CNT_PAGE_OVERFLOW);
	return r == PACKED_FIRST;
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

/* The stacks of the fault the thread is in, into @f (ids or -errno). */
static __always_inline void take_stacks(void *ctx, struct inflight *f)
{
	f->ustack = bpf_get_stackid(ctx, &user_ips, BPF_F_USER_STACK);
	stack_build_ids(ctx, f->ustack, f->reg_src);
	f->kstack = bpf_get_stackid(ctx, &stack_traces, 0);
}

/* A fault said later (exceptions mode holds some) keeps the stacks
 * taken at its exception: the thread is elsewhere by then. */
static __always_inline void count_stack(void *ctx, struct inflight *f,
					__u32 tgid, __u8 class, __u64 latency)
{
	static const struct tt_stack_val zero;
	struct tt_stack_key sk = { .tgid = tgid, .class = class };
	struct tt_stack_val *v;

	if (!f->held)
		take_stacks(ctx, f);
	sk.user_stack = f->ustack;
	sk.kern_stack = f->kstack;
	if ((sk.user_stack < 0 && sk.kern_stack < 0) ||
	    stack_lost(sk.user_stack) || stack_lost(sk.kern_stack)) {
		count(TT_CNT_STACK_MISSED);
		return;
	}
	v = bpf_map_lookup_elem(&stack_counts, &sk);
	if (!v) {
		bpf_map_update_elem(&stack_counts, &sk, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&stack_counts, &sk);
	}
	if (!v) {
		count(TT_CNT_STACK_MISSED);	/* map full */
		return;
	}
	__sync_fetch_and_add(&v->count, 1);
	if (latency)
		__sync_fetch_and_add(&v->lat_ns, latency);
}

static __always_inline void aggregate(void *ctx, struct inflight *f,
				      __u32 tgid, __u8 access, __u8 class,
				      __u32 flags, __u64 latency)
{
	struct tt_heat_key hk;
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
		hk = (struct tt_heat_key){ .tgid = tgid,
					   .slot = f->start_ns / heat_slot_ns,
					   .page = f->addr >> TT_PAGE_SHIFT };
		if (!hash_add(&heat, &hk, 1))
			count(TT_CNT_HEAT_OVERFLOW);
	}
	if (want_stacks)
		count_stack(ctx, f, tgid, class,
			    flags & TT_F_HAS_LATENCY ? latency : 0);
}

#endif /* __HIST_BPF_H */
