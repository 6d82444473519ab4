// SPDX-License-Identifier: GPL-2.0
/*
 * tamtrace: page faults and zero-fills of one process tree, streamed
 * through a ring buffer. Three attach modes share the emit path:
 *   patched    - mm_fault:* tracepoints of the tamalloc kernel patch
 *   fentry     - fentry/fexit on handle_mm_fault()
 *   exceptions - exceptions:page_fault_{user,kernel} only (x86, any
 *                kernel): no get_user_pages() faults, no latency
 * The first two pair the x86 exception, if any, with handle_mm_fault():
 * that gives each fault its origin, and an exception that never reaches
 * handle_mm_fault() is a fault that failed.
 * The loader switches off, with set_autoload, what a mode does not use.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "tamtrace.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader between open and load. */
const volatile bool follow = false;
const volatile __u32 filter = TT_FILTER_TGID;	/* enum tt_filter */
const volatile __u32 target_tid = 0;	/* TT_FILTER_TID */
const volatile __u32 self_tgid = 0;	/* TT_FILTER_ALL: tamtrace itself */
const volatile __u32 exec_tgid = 0;	/* launched command, before exec */
const volatile __u32 mode = TT_MODE_EXCEPTIONS;
const volatile __u64 wakeup_bytes = 1 << 20;
const volatile bool hist_mode = false;	/* aggregate, do not stream */
const volatile bool want_stacks = false;
const volatile bool want_heat = false;
const volatile __u64 heat_slot_ns = TT_HEAT_SLOT_NS;
/* /sys/kernel/mm/transparent_hugepage/enabled */
const volatile __u32 thp_enabled = TT_THP_NEVER;
/*
 * make bench's profile by part (exceptions mode): stop after part N of
 * the fault path, 0 runs it whole. 1: filter, 2: clock, 3: VMA and
 * refusal checks, 6: the tests for a held fault, 7: class, 4: fault
 * counter, 5: region and thread name (numbered as they were added).
 */
const volatile __u32 prof_stop = 0;

/* Stable kernel ABI values, checked against BTF where it has them. */
#define FAULT_FLAG_WRITE_	0x1
#define FAULT_FLAG_INSTRUCTION_	0x100
#define FAULT_FLAG_TRIED_	0x20
#define VM_FAULT_OOM_		0x1
#define VM_FAULT_SIGBUS_	0x2
#define VM_FAULT_MAJOR_		0x4
#define VM_FAULT_HWPOISON_	0x30	/* and _LARGE */
#define VM_FAULT_SIGSEGV_	0x40
#define VM_FAULT_RETRY_		0x400
#define VM_FAULT_ERROR_		(VM_FAULT_OOM_ | VM_FAULT_SIGBUS_ | \
				 VM_FAULT_HWPOISON_ | VM_FAULT_SIGSEGV_)
#define VM_READ_		0x1
#define VM_WRITE_		0x2
#define VM_EXEC_		0x4
#define VM_SHARED_		0x8
#define VM_GROWSDOWN_		0x100
#define VM_HUGEPAGE_		0x20000000
#define VM_NOHUGEPAGE_		0x40000000
#define PMD_SIZE_		(2UL << 20)
#define PMD_ORDER_		9
#define RLIMIT_STACK_		3
#define STACK_MAX_		(1UL << 30)
#define ___GFP_MOVABLE_		0x08
#define ___GFP_ZERO_		0x100
#define ___GFP_COMP_		0x40000
#define SIGBUS_			7
#define SIGSEGV_		11
#define SEGV_MAPERR_		1
/* x86 page fault error code bits */
#define X86_PF_PROT_		0x1
#define X86_PF_WRITE_		0x2
#define X86_PF_USER_		0x4
#define X86_PF_INSTR_		0x10
#define X86_PF_PK_		0x20
/* The vsyscall page: emulated by the kernel, not a fault it handles. */
#define VSYSCALL_ADDR_		0xffffffffff600000UL
#define ENOENT_			2
#define EFAULT_			14
#define EBUSY_			16
#define ENOMEM_			12

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);	/* resized by the loader (-b) */
} events SEC(".maps");

/*
 * stream mode: fault records in per-CPU rings (struct tt_cpu_ring), a
 * store each instead of the ring buffer's lock, commit and wakeup test.
 * The loader sizes both arrays and drains them every few milliseconds.
 */
const volatile __u32 ring_shift = 0;	/* 1 << ring_shift per CPU; 0: off */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tt_cpu_ring);
} rings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tt_fault_event);
} records SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TT_CNT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* Processes traced with several -p, or followed with -f; seeded by the
 * loader, emptied as they exit. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TT_MAX_TGIDS);
	__type(key, __u32);
	__type(value, __u8);
} tgids SEC(".maps");

/* -c: the cgroup v2 directory whose subtree is traced. Without -c the
 * loader makes it a plain array: kernels without CONFIG_CGROUPS refuse
 * cgroup arrays. Sizes, not BTF types, as fd arrays want. */
struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} cgroups SEC(".maps");

/* The VMA a fault hit, as the events report it. */
struct region_info {
	__u64 vm_start;
	__u64 vm_end;
	__u8 kind;		/* enum tt_region */
	__u8 special;		/* no file, own fault handler: [vdso], [vvar] */
	__u8 pad[2];
	__u32 vm_flags;		/* VM_READ, VM_WRITE, ... (low 32 bits) */
	__u32 id;		/* TT_EV_REGION id, 0 until one is given */
	__u32 dev;		/* the file's, or 0 */
	__u64 ino;
	__u64 pgoff;
	char name[TT_NAME_LEN];
};

/* Where a fault's region came from, which decides when to record it. */
enum reg_src {
	REG_LOOKED_UP = 0,	/* classified for this fault alone */
	REG_CACHED,		/* from the VMA cache, recorded when filled */
	REG_FILLED,		/* looked up and put in the VMA cache */
};

/*
 * The order-0 user page a fault allocated (kmem:mm_page_alloc, movable):
 * do_anonymous_page() and wp_page_copy() of the zero page ask for a
 * zeroed one (__GFP_ZERO), wp_page_copy() and do_cow_fault() for one they
 * copy into; a write that allocates nothing reused the page.
 */
enum user_alloc {
	ALLOC_NONE = 0,
	ALLOC_ZEROED,
	ALLOC_COPY,
};

/* Why exceptions mode holds a fault back (below). */
enum hold {
	HOLD_NONE = 0,
	HOLD_HUGE,		/* may map a PMD: the order-9 allocation says */
	HOLD_WP,		/* write to a present private page: copy or not */
	HOLD_FILE,		/* missing file page: in the page cache or not */
	HOLD_REGION,		/* VMA busy (mmap_lock held): look again later */
};

/* A fault between its first entry and its final exit, per thread. */
struct inflight {
	__u64 start_ns;
	__u64 addr;
	__u64 ip;
	__u32 pf_err;		/* x86 error code from page_fault_user */
	__u32 fault_flags;
	__u8 have_pf;
	__u8 started;
	__u8 retrying;		/* last exit was VM_FAULT_RETRY */
	__u8 class;		/* from anon_zero_fill, else 0 */
	__u8 reg_src;		/* enum reg_src */
	__u8 origin;		/* enum tt_origin */
	__u8 error;		/* enum tt_error */
	__u8 retried;		/* handle_mm_fault() ran more than once */
	__u8 order;		/* of the large folio the fault mapped */
	__u8 held;		/* exceptions mode: enum hold, emitted later */
	__u8 reg_new;		/* reg got a new id: send TT_EV_REGION */
	__u8 used;		/* the slot holds a fault */
	__u8 alloc;		/* enum user_alloc: the page it allocated */
	__u8 pad[3];
	__s32 ustack;		/* held, hist --stacks: the stacks at the */
	__s32 kstack;		/* exception (stack map ids) */
	__u64 saying;		/* a held fault being said (say_held()) */
	struct region_info reg;
};

/*
 * Per thread, in task storage (5.11+): a hash keyed by tid cost three
 * operations per fault (insert, lookup, delete). The slot stays with the
 * thread, free between faults, and goes with it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct inflight);
} inflight SEC(".maps");

/* The current thread's fault in flight, or NULL. */
static __always_inline struct inflight *inflight_get(void)
{
	struct inflight *f = bpf_task_storage_get(
		&inflight, bpf_get_current_task_btf(), 0, 0);

	return f && f->used ? f : NULL;
}

/* The current thread's slot, set to @f; NULL without memory for it. */
static __always_inline struct inflight *inflight_set(const struct inflight *f)
{
	struct inflight *s = bpf_task_storage_get(
		&inflight, bpf_get_current_task_btf(), 0,
		BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (!s)
		return NULL;
	*s = *f;
	s->used = 1;
	return s;
}

struct alloc_start {
	__u64 ts_ns;
	__u64 size;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TT_MAX_ALLOCS);
	__type(key, __u32);
	__type(value, struct alloc_start);
} allocs SEC(".maps");

static const struct inflight zero_inflight;

/*
 * The traced process: set by the loader (-p), or on exec of the launched
 * command so that the forked child's faults before exec, which are
 * tamtrace's own, are not counted.
 */
__u32 active_tgid = 0;

/* exceptions mode: faults held back until their size is known (below). */
__u64 held_faults = 0;

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &idx);

	if (v)
		(*v)++;
}

/* Is the process @tgid traced? -p, -f and the launched command. */
static __always_inline bool tgid_traced(__u32 tgid)
{
	if (tgid == active_tgid && tgid)
		return true;
	return (follow || filter == TT_FILTER_TGIDS) &&
	       bpf_map_lookup_elem(&tgids, &tgid);
}

/* Is the current task, @id from bpf_get_current_pid_tgid(), traced? The
 * filter is a load-time constant: the verifier drops the other branches. */
static __always_inline bool traced(__u64 id)
{
	if (filter == TT_FILTER_ALL)
		return (id >> 32) != self_tgid;
	if (filter == TT_FILTER_TID)
		return (__u32)id == target_tid;
	if (filter == TT_FILTER_CGROUP)
		return bpf_current_task_under_cgroup(&cgroups, 0) == 1;
	return tgid_traced(id >> 32);
}

static __always_inline __u64 submit_flags(void)
{
	/* Batch wakeups: wake the loader only once enough data waits. */
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

static __always_inline bool is_tamalloc_name(const char *s)
{
	return s[0] == 't' && s[1] == 'a' && s[2] == 'm' && s[3] == 'a' &&
	       s[4] == 'l' && s[5] == 'l' && s[6] == 'o' && s[7] == 'c' &&
	       s[8] == 0;
}

/* Fill kind, bounds and name of @r from @vma. */
static __always_inline void classify_vma(struct vm_area_struct *vma,
					 struct region_info *r)
{
	struct mm_struct *mm = BPF_CORE_READ(vma, vm_mm);
	struct file *file = BPF_CORE_READ(vma, vm_file);
	unsigned long start = BPF_CORE_READ(vma, vm_start);
	unsigned long end = BPF_CORE_READ(vma, vm_end);

	r->vm_start = start;
	r->vm_end = end;
	r->vm_flags = BPF_CORE_READ(vma, vm_flags);
	if (file) {
		const unsigned char *n =
			BPF_CORE_READ(file, f_path.dentry, d_name.name);

		bpf_probe_read_kernel_str(r->name, sizeof(r->name), n);
		r->kind = TT_REG_FILE;
		r->dev = BPF_CORE_READ(file, f_inode, i_sb, s_dev);
		r->ino = BPF_CORE_READ(file, f_inode, i_ino);
		r->pgoff = BPF_CORE_READ(vma, vm_pgoff);
		return;
	}
	/*
	 * CONFIG_ANON_VMA_NAME (5.17+). Before 6.7 anon_name shared a union
	 * with the file rbtree node, hence the file check above comes first.
	 */
	if (bpf_core_field_exists(vma->anon_name)) {
		struct anon_vma_name *an = BPF_CORE_READ(vma, anon_name);

		if (an) {
			bpf_probe_read_kernel_str(r->name, sizeof(r->name),
						  &an->name);
			r->kind = is_tamalloc_name(r->name) ?
				  TT_REG_TAMALLOC : TT_REG_NAMED;
			return;
		}
	}
	if (mm && start <= BPF_CORE_READ(mm, brk) &&
	    end >= BPF_CORE_READ(mm, start_brk))
		r->kind = TT_REG_HEAP;
	else if (mm && start <= BPF_CORE_READ(mm, start_stack) &&
		 end >= BPF_CORE_READ(mm, start_stack))
		r->kind = TT_REG_STACK;
	else
		r->kind = TT_REG_ANON;
	r->special = BPF_CORE_READ(vma, vm_ops) != NULL;
}

/* Anonymous memory, as the fault handlers see it (vma_is_anonymous()). */
static __always_inline bool anon_region(const struct region_info *r)
{
	return r->kind != TT_REG_FILE && r->kind != TT_REG_UNKNOWN &&
	       !r->special;
}

static __always_inline __u8 access_of(__u32 pf_err, __u32 fault_flags,
				       bool have_pf)
{
	if (have_pf)
		return pf_err & X86_PF_INSTR_ ? TT_ACC_EXEC :
		       pf_err & X86_PF_WRITE_ ? TT_ACC_WRITE : TT_ACC_READ;
	return fault_flags & FAULT_FLAG_INSTRUCTION_ ? TT_ACC_EXEC :
	       fault_flags & FAULT_FLAG_WRITE_ ? TT_ACC_WRITE : TT_ACC_READ;
}

/*
 * Class from what the hardware said and the VMA: a not-present private
 * anonymous page is zero-filled (the zero page on a read); a write to a
 * private mapping copies, a present page (cow) or a file's page
 * (do_cow_fault); a write to a shared one copies nothing. Inferred:
 * swap-ins and page reuse look the same.
 */
static __always_inline __u8 infer_class(const struct region_info *r,
					__u8 access, bool prot)
{
	if (r->kind == TT_REG_UNKNOWN)
		return TT_CLASS_UNKNOWN;
	if (access == TT_ACC_WRITE) {
		if (r->vm_flags & VM_SHARED_)
			return TT_CLASS_MINOR;
		if (prot || !anon_region(r))
			return TT_CLASS_COW;
		return TT_CLASS_ZERO_FILL;
	}
	if (!prot && anon_region(r) && access == TT_ACC_READ)
		return TT_CLASS_ZERO_PAGE;
	return TT_CLASS_MINOR;
}

/*
 * The class the fault's order-0 allocation proves (enum user_alloc), on a
 * private mapping; TT_CLASS_UNKNOWN when it proves nothing. A write to a
 * present page: a zeroed copy of the zero page (cow_zero), a copy (cow),
 * nothing: the page was reused (minor). A missing anonymous page: a
 * zeroed one (zero_fill), one read back from swap (minor; major is said
 * apart). A write to a missing file page: the private copy (cow).
 */
static __always_inline __u8 alloc_class(const struct inflight *f,
					__u8 access, bool prot)
{
	__u8 a = f->alloc, kind = f->reg.kind;

	/* Also without the VMA (mmap_lock busy: kind unknown), but for
	 * what could be a refused write */
	if (f->reg.vm_flags & VM_SHARED_)
		return TT_CLASS_UNKNOWN;
	if (prot)
		return access != TT_ACC_WRITE ? TT_CLASS_UNKNOWN :
		       a == ALLOC_ZEROED      ? TT_CLASS_COW_ZERO :
		       a == ALLOC_COPY        ? TT_CLASS_COW :
		       kind != TT_REG_UNKNOWN ? TT_CLASS_MINOR :
						TT_CLASS_UNKNOWN;
	/* Only an anonymous zero-fill asks for a zeroed page */
	if (a == ALLOC_ZEROED)
		return kind == TT_REG_FILE || f->reg.special ?
			       TT_CLASS_UNKNOWN : TT_CLASS_ZERO_FILL;
	if (anon_region(&f->reg))
		return a == ALLOC_COPY ? TT_CLASS_MINOR : TT_CLASS_UNKNOWN;
	return kind == TT_REG_FILE && access == TT_ACC_WRITE &&
	       a == ALLOC_COPY ? TT_CLASS_COW : TT_CLASS_UNKNOWN;
}

static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 r = 0;

	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8) { v >>= 8; r += 8; }
	if (v >> 4) { v >>= 4; r += 4; }
	if (v >> 2) { v >>= 2; r += 2; }
	if (v >> 1)
		r += 1;
	return r < TT_LAT_SLOTS ? r : TT_LAT_SLOTS - 1;
}

/*
 * What each CPU remembers between faults. Finding and naming a VMA costs
 * more than the fault: bpf_find_vma() trylocks mmap_lock and, with IRQs
 * off, queues an irq_work to unlock it (3 to 4 us a fault under nested
 * virtualisation), and newer kernels' per-VMA lock refuses a new
 * anonymous VMA; walking the tree (walk_region()) and naming take
 * hundreds of ns. The last VMA_WAYS regions are valid for the same mm
 * while mm_lock_seq, which every mmap write lock bumps, stays the same,
 * and after that while their VMA reads the same (way_same()). Several,
 * because programs fault in turns in their heap, stack, code and data,
 * and processes on a CPU in turns. A region's id says which
 * TT_EV_REGION the stream has for it, and the last thread named which
 * TT_EV_TASK. Per CPU, because a per-process hash lookup cost as much as
 * the rest of the program. The tgid guards against a freed mm's address
 * being reused.
 */
#define VMA_WAYS	8	/* a power of two */

struct vma_way {
	__u64 mm;
	__u64 vma;		/* patched and fentry modes: the VMA */
	__u64 file;
	__u32 tgid;
	__u32 seq;
	__u32 unsent;		/* reg's TT_EV_REGION is not sent yet */
	__u32 pad;
	__u64 anon_name;	/* exceptions mode: for way_same() */
	struct region_info reg;
};

struct cpu_cache {
	struct vma_way way[VMA_WAYS];
	__u32 next;		/* the way to fill next: round robin */
	__u32 hit;		/* the way a search found (way_found()) */
	__u32 region_seq;	/* TT_EV_REGION ids handed out here */
	__u32 task_pid;		/* the last TT_EV_TASK sent from here */
	__u32 task_tid;
	char task_comm[TT_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cpu_cache);
} cpu_cache SEC(".maps");

static __always_inline struct cpu_cache *this_cpu_cache(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&cpu_cache, &zero);
}

/* 6.4 to 6.12 kept mm_lock_seq as an int; 6.13 made it a seqcount_t. */
struct mm_struct___intseq {
	int mm_lock_seq;
} __attribute__((preserve_access_index));

/*
 * The mm's VMA-change sequence, or false before 6.4 (no per-VMA locks).
 * Direct loads, not bpf_probe_read: the task pointer comes from BTF.
 */
static __always_inline bool mm_seq(struct mm_struct *mm, __u32 *seq)
{
	struct mm_struct___intseq *old = (void *)mm;

	if (bpf_core_field_exists(mm->mm_lock_seq.sequence)) {
		*seq = mm->mm_lock_seq.sequence;
		return true;
	}
	if (bpf_core_field_exists(old->mm_lock_seq)) {
		*seq = old->mm_lock_seq;
		return true;
	}
	return false;
}

/* The same region as the one @c remembers? Its id can be reused. */
static __always_inline bool same_region(const struct region_info *a,
					const struct region_info *b)
{
	const __u64 *x = (const void *)a->name, *y = (const void *)b->name;
	int i;

	if (a->vm_start != b->vm_start || a->vm_end != b->vm_end ||
	    a->kind != b->kind || a->vm_flags != b->vm_flags ||
	    a->dev != b->dev || a->ino != b->ino || a->pgoff != b->pgoff)
		return false;
#pragma unroll
	for (i = 0; i < TT_NAME_LEN / 8; i++)
		if (x[i] != y[i])
			return false;
	return true;
}

/*
 * A search of the ways notes the one it finds in c->hit, through memory,
 * and takes it back from there: a way returned from inside the unrolled
 * loop would be a pointer at one of VMA_WAYS constant offsets, and the
 * verifier would go through the rest of the program once for each.
 */
static __always_inline void way_note(struct cpu_cache *c, __u32 i)
{
	*(volatile __u32 *)&c->hit = i;
}

static __always_inline struct vma_way *way_found(struct cpu_cache *c)
{
	__u32 i = *(volatile __u32 *)&c->hit;

	return i < VMA_WAYS ? &c->way[i] : NULL;
}

/* The way of @c that holds @addr of @mm, valid at @seq, or NULL. */
static __always_inline struct vma_way *way_at(struct cpu_cache *c, __u64 mm,
					      __u32 tgid, __u32 seq,
					      __u64 addr)
{
	struct vma_way *w;
	int i;

	way_note(c, VMA_WAYS);
#pragma unroll
	for (i = 0; i < VMA_WAYS; i++) {
		w = &c->way[i];
		if (w->mm == mm && w->tgid == tgid && w->seq == seq &&
		    w->reg.id && addr >= w->reg.vm_start &&
		    addr < w->reg.vm_end)
			way_note(c, i);
	}
	return way_found(c);
}

/* The way of @c that remembers region @id, or NULL. */
static __always_inline struct vma_way *way_of(struct cpu_cache *c, __u32 id)
{
	int i;

	way_note(c, VMA_WAYS);
#pragma unroll
	for (i = 0; i < VMA_WAYS; i++)
		if (c->way[i].reg.id == id)
			way_note(c, i);
	return way_found(c);
}

/*
 * @f->reg was just found for the mm at @mm of @tgid: reuse the id of a
 * region this CPU remembers if it is the same, else take a new one,
 * which makes emit_fault() send it; remember it (in the way returned).
 */
static __always_inline struct vma_way *
remember_region(struct cpu_cache *c, struct inflight *f, __u64 mm,
		__u32 tgid)
{
	struct vma_way *w;
	int i;

	way_note(c, VMA_WAYS);
#pragma unroll
	for (i = 0; i < VMA_WAYS; i++)
		if (c->way[i].mm == mm && c->way[i].tgid == tgid &&
		    c->way[i].reg.id && same_region(&c->way[i].reg, &f->reg))
			way_note(c, i);
	w = way_found(c);
	if (w) {
		f->reg.id = w->reg.id;
		f->reg_new = w->unsent;
	} else {
		w = &c->way[c->next++ & (VMA_WAYS - 1)];
		/* Per CPU, no atomics: a CPU's sequence, and the CPU */
		f->reg.id = ++c->region_seq << 8 |
			    (bpf_get_smp_processor_id() & 0xff);
		f->reg_new = 1;
		w->unsent = 1;
	}
	w->mm = mm;
	w->tgid = tgid;
	w->reg = f->reg;
	return w;
}

#include "hist.bpf.h"
#include "serve.bpf.h"

#define barrier() asm volatile("" ::: "memory")

enum ring_res {
	RING_SLOT,		/* a slot in this CPU's ring */
	RING_BUFFER,		/* use the ring buffer: no rings, or busy */
	RING_FULL,
};

/* A slot for a fault record in this CPU's ring, with *@r set. */
static __always_inline struct tt_fault_event *
ring_reserve(struct tt_cpu_ring **r, enum ring_res *res)
{
	__u32 cpu = bpf_get_smp_processor_id(), idx;
	struct tt_fault_event *e;
	struct tt_cpu_ring *h;

	*res = RING_BUFFER;
	if (!ring_shift)
		return NULL;
	h = bpf_map_lookup_elem(&rings, &cpu);
	if (!h || h->busy)
		return NULL;
	if (h->head - *(volatile __u64 *)&h->tail >= 1ULL << ring_shift) {
		*res = RING_FULL;
		return NULL;
	}
	h->busy = 1;
	barrier();
	idx = cpu << ring_shift | (h->head & ((1ULL << ring_shift) - 1));
	e = bpf_map_lookup_elem(&records, &idx);
	if (!e) {
		h->busy = 0;
		return NULL;
	}
	*r = h;
	*res = RING_SLOT;
	return e;
}

/* Publish the record: x86 keeps stores in order, the barrier the compiler. */
static __always_inline void ring_commit(struct tt_cpu_ring *r)
{
	barrier();
	r->head++;
	barrier();
	r->busy = 0;
}

/* The region @f refers to, before the fault; false if it was lost. */
static __always_inline bool send_region(const struct inflight *f, __u32 pid)
{
	struct cpu_cache *c = this_cpu_cache();
	struct vma_way *mine = c ? way_of(c, f->reg.id) : NULL;
	struct tt_region_event *e;

	/* Another fault of this CPU sent it first (a held one) */
	if (mine && !mine->unsent)
		return true;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		/* Send it again with the next fault there. */
		if (mine)
			mine->reg.id = 0;
		return false;
	}
	if (mine)
		mine->unsent = 0;
	e->type = TT_EV_REGION;
	e->kind = f->reg.kind;
	e->pad[0] = e->pad[1] = 0;
	e->id = f->reg.id;
	e->pid = pid;
	e->dev = f->reg.dev;
	e->vm_start = f->reg.vm_start;
	e->vm_end = f->reg.vm_end;
	e->pgoff = f->reg.pgoff;
	e->ino = f->reg.ino;
	e->vm_flags = f->reg.vm_flags;
	__builtin_memcpy(e->name, f->reg.name, sizeof(e->name));
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	return true;
}

/* The thread's process and name, unless this CPU sent them last. */
static __always_inline bool send_task(struct task_struct *task, __u64 id)
{
	struct cpu_cache *c = this_cpu_cache();
	struct tt_task_event *e;
	char comm[TT_COMM_LEN];
	__u64 x[2];

	/* Direct loads from the BTF pointer: no helper call per fault */
	x[0] = *(__u64 *)&task->comm[0];
	x[1] = *(__u64 *)&task->comm[8];
	if (c && c->task_tid == (__u32)id && c->task_pid == id >> 32 &&
	    *(__u64 *)c->task_comm == x[0] &&
	    *(__u64 *)(c->task_comm + 8) == x[1])
		return true;
	__builtin_memcpy(comm, x, sizeof(comm));
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return false;
	e->type = TT_EV_TASK;
	e->pad[0] = e->pad[1] = e->pad[2] = 0;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->pad2 = 0;
	__builtin_memcpy(e->comm, comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	if (c) {
		c->task_pid = id >> 32;
		c->task_tid = (__u32)id;
		__builtin_memcpy(c->task_comm, comm, sizeof(comm));
	}
	return true;
}

static __always_inline void fill_fault(struct tt_fault_event *e,
				       const struct inflight *f, __u64 id,
				       __u8 access, __u8 class, __u32 flags,
				       __u64 latency)
{
	e->type = TT_EV_FAULT;
	e->flags = flags;
	e->access = access;
	e->class = class;
	e->region = f->reg.kind;
	e->origin = f->origin;
	e->error = f->error;
	e->order = f->order;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->ts_ns = f->start_ns;
	e->addr = f->addr;
	e->ip = f->ip;
	e->latency = tt_lat_encode(latency);
	e->region_id = f->reg.id;
}

/*
 * Stream one fault, after what it refers to (region, thread name). The
 * two ways out are separate paths: older verifiers do not follow which
 * kind of memory a pointer set on either side of a branch is.
 */
static __always_inline void stream_fault(const struct inflight *f, __u64 id,
					 struct task_struct *task, __u8 access,
					 __u8 class, __u32 flags, __u64 latency)
{
	struct tt_cpu_ring *r = NULL;
	struct tt_fault_event *e;
	enum ring_res res;

	if ((f->reg_new && !send_region(f, id >> 32)) || !send_task(task, id))
		count(TT_CNT_INFO_DROPPED);
	if (prof_stop == 5)
		return;
	e = ring_reserve(&r, &res);
	if (e && r) {
		fill_fault(e, f, id, access, class, flags, latency);
		ring_commit(r);
		return;
	}
	e = res == RING_BUFFER ?
	    bpf_ringbuf_reserve(&events, sizeof(*e), 0) : NULL;
	if (!e) {
		count(TT_CNT_DROPPED);
		return;
	}
	fill_fault(e, f, id, access, class, flags, latency);
	bpf_ringbuf_submit(e, submit_flags());
}

static __always_inline void emit_fault(void *ctx, struct inflight *f,
				       __u64 id, struct task_struct *task,
				       __u8 access, __u8 class, __u32 flags,
				       __u64 latency)
{
	bool error = class == TT_CLASS_ERROR;

	if (prof_stop == 7 && !error)
		return;
	/* An error is not a fault the kernel counts, nor a page in the maps */
	count(error ? TT_CNT_ERRORS :
	      f->origin < TT_ORIGIN_COUNT ? TT_CNT_FAULTS + f->origin :
					    TT_CNT_FAULTS);
	if (prof_stop == 4 && !error)
		return;
	if (serve_mode) {
		serve_count(f, id, task, access, class, flags, latency);
		return;
	}
	if (hist_mode) {
		if (!error)
			aggregate(ctx, f, id >> 32, access, class, flags,
				  latency);
		return;
	}
	stream_fault(f, id, task, access, class, flags, latency);
}

/* ---- exceptions mode, and the error code for the other modes ---- */

/* The VMA's anon_name, which names anonymous regions (5.17+), or 0. */
static __always_inline __u64 anon_name_of(struct vm_area_struct *vma)
{
	if (!bpf_core_field_exists(vma->anon_name))
		return 0;
	return (__u64)BPF_CORE_READ(vma, anon_name);
}

/* What a lookup found: the region, and what way_same() compares. */
struct found_vma {
	struct region_info reg;
	__u64 vma;
	__u64 file;
	__u64 anon_name;
};

static long find_vma_cb(struct task_struct *task, struct vm_area_struct *vma,
			void *data)
{
	struct found_vma *d = data;

	classify_vma(vma, &d->reg);
	d->vma = (__u64)vma;
	d->file = (__u64)BPF_CORE_READ(vma, vm_file);
	d->anon_name = anon_name_of(vma);
	return 0;
}

/* 6.15+ count a VMA's readers in vm_refcnt, 0 once detached. */
struct vm_area_struct___refcnt {
	refcount_t vm_refcnt;
} __attribute__((preserve_access_index));

/* Is @vma (possibly freed) in its mm's tree? False before 6.4. */
static __always_inline bool vma_attached(struct vm_area_struct *vma)
{
	struct vm_area_struct___refcnt *v = (void *)vma;

	if (bpf_core_field_exists(vma->detached))
		return !BPF_CORE_READ(vma, detached);
	if (bpf_core_field_exists(v->vm_refcnt))
		return BPF_CORE_READ(v, vm_refcnt.refs.counter) != 0;
	return false;
}

/*
 * Is way @w's region still what @vma (found in the tree, attached, of the
 * same mm, holding the address, from @start to @end) is? What
 * classify_vma() reads, but the heap's and stack's bounds, which move
 * the VMA's own. Some 80 ns, where a lookup and naming cost hundreds:
 * mmap, mprotect and brk change the sequence of the whole mm many times
 * in a process's life, most VMAs stay as they were.
 */
static __always_inline bool way_same(const struct vma_way *w,
				     struct vm_area_struct *vma, __u64 start,
				     __u64 end)
{
	struct file *file;

	if (start != w->reg.vm_start || end != w->reg.vm_end ||
	    (__u32)BPF_CORE_READ(vma, vm_flags) != w->reg.vm_flags ||
	    BPF_CORE_READ(vma, vm_pgoff) != w->reg.pgoff ||
	    anon_name_of(vma) != w->anon_name)
		return false;
	file = BPF_CORE_READ(vma, vm_file);
	if ((__u64)file != w->file)
		return false;
	/* A file closed and another opened may share a struct file */
	return !file || (BPF_CORE_READ(file, f_inode, i_ino) == w->reg.ino &&
			 BPF_CORE_READ(file, f_inode, i_sb, s_dev) == w->reg.dev);
}

/*
 * The mm's maple tree (6.1+), walked as lock_vma_under_rcu() does under
 * RCU (BPF programs run in an RCU read section; nodes are freed after a
 * grace period). bpf_find_vma() cannot stand in: it needs mmap_lock, and
 * kernels that take the per-VMA lock instead refuse an anonymous VMA
 * that was never written (no anon_vma yet), the first fault in each new
 * mapping. A node: 256 bytes, the parent then pivots then slots;
 * maple_range_64 and maple_leaf_64 have 15 pivots and 16 slots,
 * maple_arange_64 9 and 10. A node's address in a slot has its type in
 * bits 3-6; the root's has 2 in its low two bits too (xa_is_node()).
 */
#define MT_NODE_WORDS	32
#define MT_LEAF_64	1
#define MT_RANGE_64	2
#define MT_ARANGE_64	3
#define MT_MAX_DEPTH	5

struct mt_node {
	__u64 w[MT_NODE_WORDS];
	__u32 at;		/* mt_slot()'s pick, through memory (way_note()) */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mt_node);
} mt_buf SEC(".maps");

/* The slot of @n, a node of @type, whose range holds @addr. */
static __always_inline __u64 mt_slot(struct mt_node *n, __u32 type,
				     __u64 addr)
{
	__u32 npiv = type == MT_ARANGE_64 ? 9 : 15, at;
	int i;

	/* The first pivot at or above @addr; a 0 past the first ends the
	 * node's data, and its last slot reaches the node's end. Without
	 * a break: the last one written is the first. */
	*(volatile __u32 *)&n->at = npiv;
#pragma unroll
	for (i = 14; i >= 0; i--)
		if (i < npiv && (n->w[1 + i] >= addr || (i && !n->w[1 + i])))
			*(volatile __u32 *)&n->at = i;
	at = *(volatile __u32 *)&n->at;
	return n->w[(npiv + 1 + at) & (MT_NODE_WORDS - 1)];
}

/*
 * The VMA at @addr in the current mm: its address, 0 if none, or
 * MT_FAILED if the walk failed (a node freed under it, or an unknown
 * node type). A global function, verified once on its own (scalar
 * arguments only): inlined at each lookup it tripled the programs'
 * verification time.
 */
#define MT_FAILED	1ULL

__noinline __u64 mt_vma(__u64 addr)
{
	struct mm_struct *mm = bpf_get_current_task_btf()->mm;
	struct mt_node *n;
	__u64 entry, node;
	__u32 zero = 0, type;
	int depth;

	n = bpf_map_lookup_elem(&mt_buf, &zero);
	if (!n || !bpf_core_field_exists(mm->mm_mt))
		return MT_FAILED;
	entry = (__u64)BPF_CORE_READ(mm, mm_mt.ma_root);
	if ((entry & 3) != 2 || entry <= 4096)
		return MT_FAILED;	/* not a node: an empty or one-entry tree */
	for (depth = 0; depth < MT_MAX_DEPTH; depth++) {
		type = (entry >> 3) & 15;
		node = entry & ~255ULL;
		if (type < MT_LEAF_64 || type > MT_ARANGE_64 ||
		    bpf_probe_read_kernel(n->w, sizeof(n->w), (void *)node) ||
		    (n->w[0] & ~255ULL) == node)	/* dead: its own parent */
			return MT_FAILED;
		entry = mt_slot(n, type, addr);
		if (type == MT_LEAF_64)
			return entry;
	}
	return MT_FAILED;
}

/*
 * The VMA of @addr in the current mm, from the tree (6.4+: VMAs are freed
 * after an RCU grace period, and say whether they are detached): 0 with
 * *@w, a way of @c that still has it, or with @d filled; -ENOENT if there
 * is none; -EBUSY if the walk cannot tell.
 */
static __always_inline long walk_region(struct task_struct *task,
					struct mm_struct *mm, __u32 tgid,
					__u64 addr, struct cpu_cache *c,
					struct vma_way **w, struct found_vma *d)
{
	__u64 v = mt_vma(addr), start, end;
	struct vm_area_struct *vma = (void *)v;
	int i;

	if (!v)
		return -ENOENT_;
	if (v == MT_FAILED || (__u64)BPF_CORE_READ(vma, vm_mm) != (__u64)mm ||
	    !vma_attached(vma))
		return -EBUSY_;
	start = BPF_CORE_READ(vma, vm_start);
	end = BPF_CORE_READ(vma, vm_end);
	if (addr < start || addr >= end)
		return -EBUSY_;
	way_note(c, VMA_WAYS);
#pragma unroll
	for (i = 0; i < VMA_WAYS; i++)
		if (c->way[i].vma == v && c->way[i].mm == (__u64)mm &&
		    c->way[i].tgid == tgid && c->way[i].reg.id &&
		    way_same(&c->way[i], vma, start, end))
			way_note(c, i);
	*w = way_found(c);
	return *w ? 0 : find_vma_cb(task, vma, d);
}

/* The VMA of @f->addr into @f->reg: 0, or -errno (-ENOENT: no VMA
 * there; -EBUSY: mmap_lock contended, or no way to tell). */
static __always_inline long find_region(struct inflight *f, __u32 tgid)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct mm_struct *mm = task->mm;
	struct cpu_cache *c = this_cpu_cache();
	struct found_vma d = {};
	struct vma_way *w;
	bool have_seq;
	__u32 seq = 0;
	long err;

	if (!c)
		return -ENOMEM_;
	have_seq = mm_seq(mm, &seq);
	w = have_seq ? way_at(c, (__u64)mm, tgid, seq, f->addr) : NULL;
	err = -EBUSY_;
	if (!w && have_seq)	/* the tree: no lock, any VMA */
		err = walk_region(task, mm, tgid, f->addr, c, &w, &d);
	if (w) {
		w->seq = seq;
		f->reg = w->reg;
		f->reg_src = REG_CACHED;
		/* A held fault said before the one that found it new */
		f->reg_new = w->unsent;
		return 0;
	}
	/* Before 6.13 (or so) the callback's data must be on the stack */
	if (err == -EBUSY_)
		err = bpf_find_vma(task, f->addr, find_vma_cb, &d, 0);
	f->reg = d.reg;
	if (err || f->reg.kind == TT_REG_UNKNOWN)
		return err;
	w = remember_region(c, f, (__u64)mm, tgid);
	w->vma = d.vma;
	w->file = d.file;
	w->anon_name = d.anon_name;
	w->seq = seq;
	/* Without the sequence only the id is reused, not the lookup */
	if (have_seq)
		f->reg_src = REG_FILLED;
	return 0;
}

/*
 * No VMA at @addr: the kernel still handles a fault just below the main
 * stack, within RLIMIT_STACK, by growing it (expand_stack()). An
 * unlimited stack is taken as 1 GiB, so that a stray pointer far below
 * is still an error.
 */
static __always_inline bool grows_stack(__u64 addr)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 top = BPF_CORE_READ(task, mm, start_stack);
	__u64 rlim = BPF_CORE_READ(task, signal, rlim[RLIMIT_STACK_].rlim_cur);

	if (rlim > STACK_MAX_)
		rlim = STACK_MAX_;
	return addr < top && top - addr <= rlim;
}

/*
 * Does the kernel refuse the fault? The checks of x86's access_error()
 * in do_user_addr_fault(), which come before handle_mm_fault(), on the
 * VMA found (@found: find_region()'s result). Unknown VMA: no error.
 */
static __always_inline __u8 fault_error(struct inflight *f, long found)
{
	__u32 vmf = f->reg.vm_flags;

	if (found == -ENOENT_) {
		if (!grows_stack(f->addr))
			return TT_ERR_NO_VMA;
		f->reg.kind = TT_REG_STACK;
		return TT_ERR_NONE;
	}
	if (found)
		return TT_ERR_NONE;
	if (f->pf_err & X86_PF_PK_)
		return TT_ERR_ACCESS;
	if (f->pf_err & X86_PF_WRITE_)
		return vmf & VM_WRITE_ ? TT_ERR_NONE : TT_ERR_ACCESS;
	if (f->pf_err & X86_PF_PROT_)
		return TT_ERR_ACCESS;
	if (!(vmf & (VM_READ_ | VM_WRITE_ | VM_EXEC_)))
		return TT_ERR_ACCESS;
	return TT_ERR_NONE;
}

/*
 * An exception that handle_mm_fault() never saw was refused before it:
 * a failed fault. Said when the thread's next exception comes, or at
 * its SIGSEGV/SIGBUS (signal_generate) with the reason from si_code.
 */
static __always_inline void flush_unhandled(void *ctx, struct inflight *f,
					    __u64 id, __u8 error)
{
	long found;

	if (!error) {
		/* A kernel-mode fault fixed up with -EFAULT: no signal */
		found = find_region(f, id >> 32);
		error = fault_error(f, found);
		if (!error)	/* the VMA changed since */
			error = found ? TT_ERR_NO_VMA : TT_ERR_ACCESS;
	}
	f->error = error;
	/* Exact: handle_mm_fault() never ran, the kernel refused it */
	emit_fault(ctx, f, id, bpf_get_current_task_btf(),
		   access_of(f->pf_err, 0, true), TT_CLASS_ERROR,
		   TT_F_EXACT_CLASS | TT_F_PROT * !!(f->pf_err & X86_PF_PROT_),
		   0);
}

/* exceptions mode: the whole event, from the exception alone. */
static __always_inline void emit_exception(void *ctx, struct inflight *f,
					   __u64 id, struct task_struct *task)
{
	bool prot = f->pf_err & X86_PF_PROT_;
	__u8 access = access_of(f->pf_err, 0, true);
	__u8 class = infer_class(&f->reg, access, prot), proven;
	__u32 flags = prot ? TT_F_PROT : 0;

	if (f->error) {
		class = TT_CLASS_ERROR;
	} else if (f->order && class == TT_CLASS_ZERO_FILL) {
		class = TT_CLASS_HUGE_ZERO_FILL;
	} else if (f->class) {
		class = f->class;	/* major: page_cache_add */
		flags |= TT_F_EXACT_CLASS;
	} else if (f->held) {
		/* mm_page_alloc followed it, or nothing did until the thread
		 * faulted again or exited */
		proven = alloc_class(f, access, prot);
		if (proven != TT_CLASS_UNKNOWN) {
			class = proven;
			flags |= TT_F_EXACT_CLASS;
		}
	}
	emit_fault(ctx, f, id, task, access, class, flags, 0);
}

/*
 * exceptions mode has no end of fault; the allocation that follows an
 * exception on the same thread tells what it did (mm_page_alloc):
 * - THP: a not-present fault on an anonymous VMA that can take a huge
 *   page at that address may map 512 pages (an order-9 folio);
 * - a write to a present private page copies the zero page (a zeroed
 *   page), copies a page, or reuses it (nothing);
 * - a missing file page is read from the disk (major: the page cache
 *   insertion, page_cache_add) or found (minor);
 * - a fault whose VMA was busy gets its class from its allocation.
 * Such a fault is held in the in-flight table (enum hold) until then, or
 * until the thread's next exception or exit says nothing happened; at
 * the end, say_held_at_end says what is left. held_faults lets every
 * other fault skip the table.
 */
static __always_inline bool may_be_huge(const struct inflight *f)
{
	__u64 huge = f->addr & ~(PMD_SIZE_ - 1);
	__u32 vmf = f->reg.vm_flags;

	if (thp_enabled == TT_THP_NEVER || !anon_region(&f->reg) ||
	    f->reg.kind == TT_REG_NAMED || (vmf & VM_NOHUGEPAGE_) ||
	    !((vmf & VM_HUGEPAGE_) || thp_enabled == TT_THP_ALWAYS))
		return false;
	return huge >= f->reg.vm_start && huge + PMD_SIZE_ <= f->reg.vm_end;
}

/* Hold @f back for @why; false without a slot: the caller says it now. */
static __always_inline bool hold(void *ctx, struct inflight *f, __u8 why)
{
	f->held = why;
	if (hist_mode && want_stacks)
		take_stacks(ctx, f);
	if (!inflight_set(f)) {
		f->held = HOLD_NONE;
		return false;
	}
	__sync_fetch_and_add(&held_faults, 1);
	return true;
}

/* Why a user-mode fault @f, found with @found, must wait (enum hold). */
static __always_inline __u8 hold_reason(const struct inflight *f, long found)
{
	bool prot = f->pf_err & X86_PF_PROT_;

	if (!prot && may_be_huge(f))
		return HOLD_HUGE;
	if (prot && (f->pf_err & X86_PF_WRITE_) &&
	    alloc_class(f, TT_ACC_WRITE, true) != TT_CLASS_UNKNOWN)
		return HOLD_WP;
	if (!prot && f->reg.kind == TT_REG_FILE)
		return HOLD_FILE;
	if (found == -EBUSY_)
		return HOLD_REGION;
	return HOLD_NONE;
}

/*
 * Is the thread still in the exception of its held fault @f? A user-mode
 * one: the user registers are the exception's (orig_ax is -1 for an
 * exception, a syscall's number in a syscall) at the same ip.
 */
static __always_inline bool in_held_fault(const struct inflight *f)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(
		bpf_get_current_task_btf());

	/* A BTF pointer: direct loads */
	return regs->orig_ax == -1UL && regs->ip == f->ip;
}

/* Emit the thread's held fault, if any, with what is known by now. */
static __always_inline void say_held(void *ctx, struct inflight *f, __u64 id,
				     struct task_struct *task, bool own)
{
	/* At the end the iterator and the thread's exit may race */
	if (__sync_val_compare_and_swap(&f->saying, 0, 1))
		return;
	/* The VMA was busy at the exception: look again, from the thread */
	if (own && f->held == HOLD_REGION && !find_region(f, id >> 32))
		f->error = fault_error(f, 0);
	emit_exception(ctx, f, id, task);
	f->held = HOLD_NONE;
	f->used = 0;
	f->saying = 0;
	__sync_fetch_and_sub(&held_faults, 1);
}

static __always_inline void flush_held(void *ctx, __u64 id)
{
	struct inflight *f = inflight_get();

	if (f && f->held)
		say_held(ctx, f, id, bpf_get_current_task_btf(), true);
}

/*
 * exceptions mode, at the end of a session: the faults still held by
 * threads that live on, said with what is known by then. The loader
 * runs it once (a task iterator) after detaching the exception
 * programs; a thread that exits meanwhile says its own.
 */
SEC("iter/task")
int say_held_at_end(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct inflight *f;

	if (!task || !held_faults)
		return 0;
	f = bpf_task_storage_get(&inflight, task, 0, 0);
	if (f && f->used && f->held)
		say_held(ctx, f, (__u64)task->tgid << 32 | (__u32)task->pid,
			 task, false);
	return 0;
}

/*
 * An x86 page fault exception on a user address, from user mode or from
 * the kernel (copy_to_user() and co). In exceptions mode the whole
 * event; otherwise the start of a fault that handle_mm_fault() ends.
 */
static __always_inline void on_exception(void *ctx, __u64 address,
					 struct pt_regs *regs, __u32 pf_err,
					 __u8 origin)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct inflight f = {}, *old;
	long found;
	__u8 why;

	if (!traced(id) || prof_stop == 1)
		return;
	f.addr = address;
	f.ip = regs->ip;	/* a BTF pointer: a direct load */
	f.pf_err = pf_err;
	f.have_pf = 1;
	f.origin = origin;
	/* serve and top keep no time where the mode measures no latency */
	if (!serve_mode || mode != TT_MODE_EXCEPTIONS)
		f.start_ns = bpf_ktime_get_ns();
	if (prof_stop == 2)
		return;
	if (mode != TT_MODE_EXCEPTIONS) {
		old = inflight_get();
		if (old && old->have_pf && !old->started)
			flush_unhandled(ctx, old, id, TT_ERR_NONE);
		/* handle_mm_fault() follows on this thread: leave it the code.
		 * Without a slot, fault_enter() tries again and counts the loss. */
		inflight_set(&f);
		return;
	}
	found = find_region(&f, id >> 32);
	/*
	 * After this fault's lookup: bpf_find_vma() works once per exception
	 * (IRQs are off, its unlock waits in a per-CPU irq_work), and a held
	 * fault in the same VMA finds it in the per-CPU cache.
	 */
	if (held_faults)
		flush_held(ctx, id);
	f.error = address >> 63 ? TT_ERR_NO_VMA : fault_error(&f, found);
	if (prof_stop == 3)
		return;
	/* Only user-mode faults: a syscall's later allocations (readahead,
	 * populate) would pass for a kernel-mode fault's folio. */
	why = !f.error && origin == TT_ORIGIN_USER ? hold_reason(&f, found) :
						     HOLD_NONE;
	if (why && hold(ctx, &f, why))
		return;
	if (prof_stop == 6)
		return;
	emit_exception(ctx, &f, id, bpf_get_current_task_btf());
}

SEC("tp_btf/page_fault_user")
int BPF_PROG(page_fault_user, unsigned long address, struct pt_regs *regs,
	     unsigned long error_code)
{
	/* Emulated, not a fault (CONFIG_X86_VSYSCALL_EMULATION) */
	if ((address & ~0xfffUL) == VSYSCALL_ADDR_)
		return 0;
	on_exception(ctx, address, regs, error_code, TT_ORIGIN_USER);
	return 0;
}

/*
 * The kernel touching user memory. Not with page faults disabled
 * (copy_from_user_nofault(), perf and BPF reading user stacks): the
 * kernel does not handle those, it fails the copy.
 */
SEC("tp_btf/page_fault_kernel")
int BPF_PROG(page_fault_kernel, unsigned long address, struct pt_regs *regs,
	     unsigned long error_code)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (address >> 63 || (error_code & X86_PF_USER_) ||
	    task->pagefault_disabled || !task->mm)
		return 0;
	on_exception(ctx, address, regs, error_code, TT_ORIGIN_KERNEL);
	return 0;
}

/*
 * A fault refused before handle_mm_fault() ends in SIGSEGV or SIGBUS,
 * sent by the faulting thread to itself with the reason in si_code.
 */
SEC("tp_btf/signal_generate")
int BPF_PROG(signal_generate, int sig, struct kernel_siginfo *info,
	     struct task_struct *task, int group, int result)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct inflight *f;

	if ((sig != SIGSEGV_ && sig != SIGBUS_) ||
	    task != bpf_get_current_task_btf() || (__u64)info < 4096 ||
	    !traced(id))
		return 0;
	f = inflight_get();
	if (!f || !f->have_pf || f->started ||
	    (__u64)BPF_CORE_READ(info, _sifields._sigfault._addr) != f->addr)
		return 0;
	flush_unhandled(ctx, f, id,
			sig == SIGBUS_ ? TT_ERR_SIGBUS :
			BPF_CORE_READ(info, si_code) == SEGV_MAPERR_ ?
			TT_ERR_NO_VMA : TT_ERR_ACCESS);
	f->used = 0;
	return 0;
}

/* ---- patched and fentry modes: pair entry and final exit ---- */

/*
 * The region of @vma into @f->reg. A CPU's faults mostly hit the VMA
 * before: while its mm's mm_lock_seq stays the same (6.4+), or else its
 * bounds, flags and file, classify_vma() is skipped.
 */
static __always_inline void vma_region(struct vm_area_struct *vma,
				       struct inflight *f, __u32 tgid)
{
	struct mm_struct *mm = vma->vm_mm;
	struct cpu_cache *c = this_cpu_cache();
	__u64 file = (__u64)vma->vm_file;
	struct vma_way *w = NULL;
	__u32 seq = 0;

	mm_seq(mm, &seq);
	if (c)
		w = way_at(c, (__u64)mm, tgid, seq, vma->vm_start);
	if (w && w->vma == (__u64)vma && w->file == file &&
	    w->reg.vm_start == vma->vm_start &&
	    w->reg.vm_end == vma->vm_end &&
	    w->reg.vm_flags == (__u32)vma->vm_flags) {
		f->reg = w->reg;
		f->reg_src = REG_CACHED;
		f->reg_new = w->unsent;
		return;
	}
	classify_vma(vma, &f->reg);
	f->reg_src = REG_FILLED;
	if (!c)
		return;
	w = remember_region(c, f, (__u64)mm, tgid);
	w->vma = (__u64)vma;
	w->file = file;
	w->seq = seq;
}

static __always_inline void fault_enter(void *ctx,
					struct vm_area_struct *vma,
					unsigned long address,
					unsigned int flags)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct inflight *f;

	if (!traced(id))
		return;
	f = inflight_get();
	if (f && f->started && f->retrying && f->addr == address) {
		/* Same fault, retried (FAULT_FLAG_TRIED or VMA-lock fallback) */
		f->retrying = 0;
		f->retried = 1;
		f->fault_flags = flags;
		return;
	}
	if (!f || !f->have_pf || f->started || f->addr != address) {
		/* No exception first: get_user_pages() or the like */
		if (f && f->have_pf && !f->started)
			flush_unhandled(ctx, f, id, TT_ERR_NONE);
		f = inflight_set(&zero_inflight);
		if (!f) {
			count(TT_CNT_INFLIGHT_FULL);
			return;
		}
		f->start_ns = bpf_ktime_get_ns();
		f->addr = address;
		f->origin = TT_ORIGIN_GUP;
	}
	f->started = 1;
	f->fault_flags = flags;
	vma_region(vma, f, id >> 32);
}

static __always_inline __u8 exit_error(unsigned int ret)
{
	return ret & VM_FAULT_SIGSEGV_ ? TT_ERR_SIGSEGV :
	       ret & VM_FAULT_SIGBUS_ ? TT_ERR_SIGBUS :
	       ret & VM_FAULT_OOM_ ? TT_ERR_OOM : TT_ERR_HWPOISON;
}

static __always_inline __u8 exit_class(struct inflight *f, __u8 access,
				       unsigned int ret, __u32 *flags)
{
	bool prot = f->have_pf && (f->pf_err & X86_PF_PROT_);
	__u8 proven;

	*flags |= TT_F_EXACT_CLASS;
	if (ret & VM_FAULT_ERROR_) {
		f->error = exit_error(ret);
		return TT_CLASS_ERROR;
	}
	if (f->class)
		return f->class;
	/* mm_page_alloc saw a large folio for an anonymous fault (fentry) */
	if (f->order && anon_region(&f->reg) && !prot &&
	    access == TT_ACC_WRITE) {
		*flags &= ~TT_F_EXACT_CLASS;
		return TT_CLASS_HUGE_ZERO_FILL;
	}
	/* mm_account_fault(): a fault that needed a retry is major */
	if ((ret & VM_FAULT_MAJOR_) || (f->fault_flags & FAULT_FLAG_TRIED_))
		return TT_CLASS_MAJOR;
	proven = alloc_class(f, access, prot);
	if (proven != TT_CLASS_UNKNOWN)
		return proven;
	*flags &= ~TT_F_EXACT_CLASS;
	/* Not zero-filled (patched mode would have said so), not major. */
	if (mode == TT_MODE_PATCHED && anon_region(&f->reg))
		return prot && access == TT_ACC_WRITE ? TT_CLASS_COW :
		       TT_CLASS_MINOR;
	return infer_class(&f->reg, access, prot);
}

static __always_inline void fault_exit(void *ctx, unsigned long address,
				       unsigned int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 flags = TT_F_HAS_LATENCY;
	struct inflight *f;
	__u8 access;

	if (!traced(id))
		return;
	f = inflight_get();
	if (!f || !f->started)
		return;
	if (ret & VM_FAULT_RETRY_) {
		f->retrying = 1;
		return;
	}
	if (f->have_pf)
		flags |= TT_F_PROT * !!(f->pf_err & X86_PF_PROT_);
	flags |= TT_F_RETRIED * f->retried;
	/* A large folio in a file fault is readahead's, not the mapping */
	if (!anon_region(&f->reg))
		f->order = 0;
	access = access_of(f->pf_err, f->fault_flags, f->have_pf);
	emit_fault(ctx, f, id, bpf_get_current_task_btf(), access,
		   exit_class(f, access, ret, &flags),
		   flags, bpf_ktime_get_ns() - f->start_ns);
	f->used = 0;
}

SEC("tp_btf/handle_mm_fault_enter")
int BPF_PROG(mm_fault_enter, struct vm_area_struct *vma,
	     unsigned long address, unsigned int flags)
{
	fault_enter(ctx, vma, address, flags);
	return 0;
}

SEC("tp_btf/handle_mm_fault_exit")
int BPF_PROG(mm_fault_exit, struct mm_struct *mm, unsigned long address,
	     unsigned int flags, unsigned int ret)
{
	fault_exit(ctx, address, ret);
	return 0;
}

static __always_inline __u8 zero_kind_class(int kind)
{
	if (kind == bpf_core_enum_value(enum mm_zero_fill_kind, MM_ZERO_PAGE))
		return TT_CLASS_ZERO_PAGE;
	if (kind == bpf_core_enum_value(enum mm_zero_fill_kind, MM_ZERO_FILL))
		return TT_CLASS_ZERO_FILL;
	if (kind == bpf_core_enum_value(enum mm_zero_fill_kind, MM_ZERO_COW))
		return TT_CLASS_COW_ZERO;
	if (kind == bpf_core_enum_value(enum mm_zero_fill_kind,
					MM_ZERO_THP_FILL))
		return TT_CLASS_HUGE_ZERO_FILL;
	if (kind == bpf_core_enum_value(enum mm_zero_fill_kind,
					MM_ZERO_HUGE_PAGE))
		return TT_CLASS_HUGE_ZERO_PAGE;
	return TT_CLASS_UNKNOWN;
}

SEC("tp_btf/anon_zero_fill")
int BPF_PROG(anon_zero_fill, struct vm_area_struct *vma,
	     unsigned long address, unsigned int nr_pages, int kind)
{
	struct inflight *f;

	if (!traced(bpf_get_current_pid_tgid()))
		return 0;
	f = inflight_get();
	if (f && f->started) {
		f->class = zero_kind_class(kind);
		f->order = log2_slot(nr_pages);
		/* mTHP: a large folio of fewer pages than a PMD */
		if (f->order && f->class == TT_CLASS_ZERO_FILL)
			f->class = TT_CLASS_HUGE_ZERO_FILL;
	}
	return 0;
}

/*
 * An order-0 user page (movable: not a page table or a kernel buffer)
 * allocated while a traced thread is inside handle_mm_fault(), or in the
 * exception of its held fault: the first one is the fault's (a
 * do_cow_fault() copy is allocated before the file page is read).
 */
static __always_inline void user_page_alloc(void *ctx, gfp_t gfp)
{
	__u8 a = gfp & ___GFP_ZERO_ ? ALLOC_ZEROED : ALLOC_COPY;
	__u64 id;
	struct inflight *f;

	if (mode == TT_MODE_EXCEPTIONS && !held_faults)
		return;
	id = bpf_get_current_pid_tgid();
	if (!traced(id))
		return;
	f = inflight_get();
	if (!f)
		return;
	if (!f->started && !(f->held && in_held_fault(f)))
		return;
	if (!f->alloc)
		f->alloc = a;
	/* a file fault's is read-ahead's or its copy: wait for the page
	 * cache (page_cache_add) */
	if (!f->started && f->held != HOLD_FILE)
		flush_held(ctx, id);
}

/*
 * The large folio (THP, or mTHP on 6.8+) allocated while a traced thread
 * is inside handle_mm_fault() is the one the fault maps (fentry mode), or
 * a PMD folio allocated after a held fault (exceptions mode). An mTHP
 * folio that fails its memcg charge is freed and a smaller one tried: the
 * last order seen wins. Order-0 pages: user_page_alloc().
 */
SEC("tp_btf/mm_page_alloc")
int BPF_PROG(mm_page_alloc, struct page *page, unsigned int order,
	     gfp_t gfp_flags, int migratetype)
{
	struct inflight *f;

	if (!page || !(gfp_flags & ___GFP_MOVABLE_))
		return 0;
	if (!order) {
		user_page_alloc(ctx, gfp_flags);
		return 0;
	}
	if (!(gfp_flags & ___GFP_COMP_))
		return 0;
	f = inflight_get();
	if (!f)
		return 0;
	if (f->started)
		f->order = order;
	else if (f->held == HOLD_HUGE && order == PMD_ORDER_ &&
		 in_held_fault(f)) {
		f->order = order;
		flush_held(ctx, bpf_get_current_pid_tgid());
	}
	return 0;
}

/*
 * exceptions mode: a folio of the held fault's file added to the page
 * cache at or before the faulting offset, in the same exception, is the
 * page the fault waits for: filemap_fault() found none, the fault is
 * major. Read-ahead the fault starts adds folios past that offset, and
 * such a fault is minor.
 */
SEC("tp_btf/mm_filemap_add_to_page_cache")
int BPF_PROG(page_cache_add, struct folio *folio)
{
	struct inflight *f;
	struct inode *host;
	__u64 id, index;

	if (!held_faults)
		return 0;
	id = bpf_get_current_pid_tgid();
	if (!traced(id))
		return 0;
	f = inflight_get();
	if (!f || f->held != HOLD_FILE || !in_held_fault(f))
		return 0;
	host = BPF_CORE_READ(folio, mapping, host);
	index = f->reg.pgoff + ((f->addr - f->reg.vm_start) >> TT_PAGE_SHIFT);
	if (BPF_CORE_READ(host, i_ino) != f->reg.ino ||
	    BPF_CORE_READ(host, i_sb, s_dev) != f->reg.dev ||
	    BPF_CORE_READ(folio, index) > index)
		return 0;
	f->class = TT_CLASS_MAJOR;
	flush_held(ctx, id);
	return 0;
}

/*
 * A thread ends. exceptions mode: its held fault was one page. Other
 * modes: an exception that handle_mm_fault() never saw failed (a
 * kernel-mode -EFAULT raises no signal), and the slot is freed, also
 * from a fault left in retry by SIGKILL (the storage goes with the
 * task).
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(thread_exit, struct task_struct *p)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct inflight *f;

	if (mode == TT_MODE_EXCEPTIONS) {
		if (held_faults)
			flush_held(ctx, id);
		return 0;
	}
	f = inflight_get();
	if (!f)
		return 0;
	if (f->have_pf && !f->started)
		flush_unhandled(ctx, f, id, TT_ERR_NONE);
	f->used = 0;
	return 0;
}

SEC("fentry/handle_mm_fault")
int BPF_PROG(fentry_fault, struct vm_area_struct *vma, unsigned long address,
	     unsigned int flags)
{
	fault_enter(ctx, vma, address, flags);
	return 0;
}

SEC("fexit/handle_mm_fault")
int BPF_PROG(fexit_fault, struct vm_area_struct *vma, unsigned long address,
	     unsigned int flags, struct pt_regs *regs, unsigned int ret)
{
	fault_exit(ctx, address, ret);
	return 0;
}

/* ---- tamalloc() calls, through the syscall tracepoints ---- */

SEC("tp/syscalls/sys_enter_tamalloc")
int tamalloc_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct alloc_start a;

	if (!traced(id))
		return 0;
	a.ts_ns = bpf_ktime_get_ns();
	a.size = BPF_CORE_READ(ctx, args[0]);
	bpf_map_update_elem(&allocs, &tid, &a, BPF_ANY);
	return 0;
}

SEC("tp/syscalls/sys_exit_tamalloc")
int tamalloc_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct tt_alloc_event *e;
	struct alloc_start *a;

	a = bpf_map_lookup_elem(&allocs, &tid);
	if (!a)
		return 0;
	count(TT_CNT_ALLOCS);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(TT_CNT_DROPPED);
		bpf_map_delete_elem(&allocs, &tid);
		return 0;
	}
	e->type = TT_EV_ALLOC;
	e->pid = id >> 32;
	e->tid = tid;
	e->pad = 0;
	e->ts_ns = a->ts_ns;
	e->size = a->size;
	e->ret = BPF_CORE_READ(ctx, ret);
	e->latency_ns = bpf_ktime_get_ns() - a->ts_ns;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, submit_flags());
	bpf_map_delete_elem(&allocs, &tid);
	return 0;
}

/* ---- -f: follow processes forked by traced ones ---- */

SEC("tp_btf/sched_process_fork")
int BPF_PROG(process_fork, struct task_struct *parent,
	     struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	__u8 one = 1;

	if (tgid_traced(ptgid) && ptgid != ctgid)
		bpf_map_update_elem(&tgids, &ctgid, &one, BPF_ANY);
	return 0;
}

/*
 * A followed process is gone: forget it, so that a reused PID is not
 * traced and the loader sees when the last one exited. The tracepoint
 * fires per thread, after do_exit() counted the thread out of
 * signal->live: zero there means the whole process is dead.
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(process_exit, struct task_struct *p)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (!BPF_CORE_READ(p, signal, live.counter))
		bpf_map_delete_elem(&tgids, &tgid);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(process_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u8 one = 1;

	if (tgid != exec_tgid || !tgid)
		return 0;
	active_tgid = tgid;
	if (follow)
		bpf_map_update_elem(&tgids, &tgid, &one, BPF_ANY);
	return 0;
}

/* ---- hist --stacks: the files traced processes execute ---- */

SEC("tp_btf/sched_process_exec")
int BPF_PROG(stack_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct tt_exec_event *e;

	/* process_exec may run after this program: accept exec_tgid too. */
	if (!want_stacks || (!traced(id) && (id >> 32) != exec_tgid))
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(TT_CNT_DROPPED);
		return 0;
	}
	e->type = TT_EV_EXEC;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->pad = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename),
				  BPF_CORE_READ(bprm, filename));
	bpf_ringbuf_submit(e, submit_flags());
	return 0;
}
