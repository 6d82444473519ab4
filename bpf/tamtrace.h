/* SPDX-License-Identifier: GPL-2.0 */
/* Events and constants shared by the BPF programs and the loader. */
#ifndef __TAMTRACE_H
#define __TAMTRACE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>	/* user space; BPF gets them from vmlinux.h */
#endif

#define TT_COMM_LEN	16
#define TT_NAME_LEN	32
#define TT_PAGE_SHIFT	12	/* x86_64 base pages */

/* Map sizes and limits, the same for BPF and the loader. */
#define TT_MAX_PIDS		64	/* -p PID,... */
#define TT_MAX_TGIDS		4096	/* processes followed with -f */
#define TT_MAX_ALLOCS		4096	/* threads inside tamalloc() at once */
#define TT_MAX_VMAS		4096	/* hist: regions */
/*
 * hist --stacks: distinct stacks per stack map. Stack maps are allocated
 * whole at load: user stacks as IPs, 8192 x 32 x 8 = 2 MiB, and as a
 * build id and file offset per frame (32 bytes), 2048 x 32 x 32 = 2 MiB;
 * kernel stacks as IPs, 2 MiB. A stack that no longer fits is a `stacks`
 * loss; one that collides with another in the map's hash is counted with
 * that part unknown.
 */
#define TT_MAX_STACKS		8192
#define TT_STACK_DEPTH		32	/* kernel frames per stack */
#define TT_USTACK_DEPTH		32	/* user frames per stack, innermost */
#define TT_PATH_LEN		256	/* exec events: file name as passed */
#define TT_HEAT_SLOT_NS		1000000ULL	/* hist: heatmap time slot, 1 ms */
#define TT_MAX_PAGES_DEFAULT	(1 << 22)	/* hist: --max-pages, 16 GiB */
#define TT_MAX_PAGES_MIN	16
#define TT_MAX_PAGES_MAX	(1 << 26)
#define TT_BUF_MB_DEFAULT	8	/* -b: per-CPU rings of fault records */
#define TT_SIDE_BUF_MB		1	/* ring buffer: regions, names, allocs */
#define TT_BUF_MB_MAX		1024
/* Length tamalloc() maps for @size bytes. */
#define TT_PAGE_ALIGN(size) \
	(((size) + (1ULL << TT_PAGE_SHIFT) - 1) & ~((1ULL << TT_PAGE_SHIFT) - 1))

enum tt_event_type {
	TT_EV_FAULT = 1,
	TT_EV_ALLOC = 2,
	TT_EV_EXEC = 3,		/* hist --stacks only */
	TT_EV_REGION = 4,	/* a region the next faults refer to */
	TT_EV_TASK = 5,		/* a thread's process and name */
};

/* Attach modes, best first. */
enum tt_mode {
	TT_MODE_PATCHED = 0,
	TT_MODE_FENTRY = 1,
	TT_MODE_EXCEPTIONS = 2,
	TT_MODE_COUNT,
};

/* Which tasks the programs trace; the loader picks one. */
enum tt_filter {
	TT_FILTER_TGID = 0,	/* active_tgid, plus the tgids map with -f */
	TT_FILTER_TGIDS,	/* the tgids map: several -p, or -f */
	TT_FILTER_TID,		/* -t: one thread */
	TT_FILTER_CGROUP,	/* -c: tasks in a cgroup v2 subtree */
	TT_FILTER_ALL,		/* -a: every process but tamtrace */
};

/* Transparent huge pages, as the system is set up. */
enum tt_thp {
	TT_THP_NEVER = 0,	/* or no CONFIG_TRANSPARENT_HUGEPAGE */
	TT_THP_MADVISE,
	TT_THP_ALWAYS,
};

enum tt_access {
	TT_ACC_READ = 0,
	TT_ACC_WRITE = 1,
	TT_ACC_EXEC = 2,
	TT_ACC_COUNT,
};

enum tt_class {
	TT_CLASS_UNKNOWN = 0,
	TT_CLASS_ZERO_PAGE,
	TT_CLASS_ZERO_FILL,
	TT_CLASS_COW_ZERO,
	TT_CLASS_COW,
	TT_CLASS_MINOR,
	TT_CLASS_MAJOR,
	TT_CLASS_HUGE_ZERO_FILL,
	TT_CLASS_HUGE_ZERO_PAGE,
	TT_CLASS_ERROR,		/* failed: SIGSEGV, SIGBUS or -EFAULT */
	TT_CLASS_COUNT,
};
#define TT_CLASS_SLOTS	16	/* >= TT_CLASS_COUNT, a power of two */

/* How the kernel came to handle_mm_fault(). */
enum tt_origin {
	TT_ORIGIN_USER = 0,	/* an exception in user mode */
	TT_ORIGIN_KERNEL,	/* the kernel touching user memory */
	TT_ORIGIN_GUP,		/* no exception: get_user_pages() and co */
	TT_ORIGIN_COUNT,
};

/* Why a fault of class TT_CLASS_ERROR failed. */
enum tt_error {
	TT_ERR_NONE = 0,
	TT_ERR_NO_VMA,		/* no mapping at the address */
	TT_ERR_ACCESS,		/* the mapping does not allow the access */
	TT_ERR_SIGSEGV,		/* handle_mm_fault() said VM_FAULT_SIGSEGV */
	TT_ERR_SIGBUS,		/* VM_FAULT_SIGBUS, e.g. past a file's end */
	TT_ERR_OOM,		/* VM_FAULT_OOM */
	TT_ERR_HWPOISON,	/* VM_FAULT_HWPOISON* */
	TT_ERR_COUNT,
};

enum tt_region {
	TT_REG_UNKNOWN = 0,	/* VMA not found (lock contended or gone) */
	TT_REG_ANON,
	TT_REG_TAMALLOC,
	TT_REG_HEAP,
	TT_REG_STACK,
	TT_REG_FILE,		/* name holds the file's base name */
	TT_REG_NAMED,		/* name holds the anon VMA name */
};

/* tt_fault_event.flags */
#define TT_F_EXACT_CLASS	(1U << 0)	/* class observed, not inferred */
#define TT_F_HAS_LATENCY	(1U << 1)	/* latency was measured */
#define TT_F_RETRIED		(1U << 2)	/* VM_FAULT_RETRY, then done */
#define TT_F_PROT		(1U << 3)	/* page was present (x86 PF_PROT) */

/*
 * tt_fault_event.latency: nanoseconds below 2^31, else microseconds with
 * the top bit set, which reaches 35 minutes.
 */
#define TT_LAT_US_BIT		(1U << 31)
static inline __u32 tt_lat_encode(__u64 ns)
{
	return ns < TT_LAT_US_BIT ? (__u32)ns :
	       ns / 1000 < TT_LAT_US_BIT ? (__u32)(ns / 1000) | TT_LAT_US_BIT :
	       ~0U;
}

static inline __u64 tt_lat_decode(__u32 v)
{
	return v & TT_LAT_US_BIT ? (__u64)(v & ~TT_LAT_US_BIT) * 1000 : v;
}

/*
 * One fault: 48 bytes. The thread's process and name, and the region,
 * come before it in their own events (TT_EV_TASK, TT_EV_REGION) when
 * they change, not in every fault.
 */
struct tt_fault_event {
	__u8 type;		/* TT_EV_FAULT */
	__u8 flags;		/* TT_F_* */
	__u8 access;		/* enum tt_access */
	__u8 class;		/* enum tt_class */
	__u8 region;		/* enum tt_region, also without region_id */
	__u8 origin;		/* enum tt_origin */
	__u8 error;		/* enum tt_error, with TT_CLASS_ERROR */
	__u8 order;		/* mapped 1 << order pages (THP, mTHP) */
	__u32 pid;		/* tgid */
	__u32 tid;
	__u64 ts_ns;		/* CLOCK_MONOTONIC, at fault entry */
	__u64 addr;
	__u64 ip;
	__u32 latency;		/* tt_lat_encode(), with TT_F_HAS_LATENCY */
	__u32 region_id;	/* a TT_EV_REGION's id; 0: unknown */
};

/*
 * A VMA as a fault found it, sent before the first fault in it. It
 * replaces the regions of the process it overlaps: those VMAs changed.
 * The id is the CPU's (low 8 bits) and its sequence there.
 */
struct tt_region_event {
	__u8 type;		/* TT_EV_REGION */
	__u8 kind;		/* enum tt_region */
	__u8 pad[2];
	__u32 id;
	__u32 pid;		/* tgid */
	__u32 dev;		/* file's device (kernel dev_t), or 0 */
	__u64 vm_start;
	__u64 vm_end;
	__u64 pgoff;		/* file offset of vm_start, in pages */
	__u64 ino;		/* file's inode number, or 0 */
	__u64 vm_flags;
	char name[TT_NAME_LEN];
};

/* A thread's process and name, sent before its first fault, and again
 * when the name changes (exec, prctl). */
struct tt_task_event {
	__u8 type;		/* TT_EV_TASK */
	__u8 pad[3];
	__u32 pid;		/* tgid */
	__u32 tid;
	__u32 pad2;
	char comm[TT_COMM_LEN];
};

/*
 * stream mode: each CPU's fault records go to its own ring in a
 * BPF_F_MMAPABLE array that the loader maps; this is its header. head
 * is written by BPF only, tail by the loader only, on their own cache
 * lines. busy: a program on this CPU is writing a record (another one
 * that preempts or interrupts it uses the ring buffer).
 */
struct tt_cpu_ring {
	__u64 head;		/* records written */
	__u64 busy;
	__u64 pad[6];
	__u64 tail;		/* records read */
	__u64 pad2[7];
};
#define TT_RING_MIN_SHIFT	12	/* at least 4096 records per CPU */
#define TT_RING_MAX_SHIFT	24

struct tt_alloc_event {
	__u8 type;		/* TT_EV_ALLOC */
	__u8 pad0[3];
	__u32 pid;
	__u32 tid;
	__u32 pad;
	__u64 ts_ns;		/* at syscall entry */
	__u64 size;		/* bytes requested */
	__s64 ret;		/* address, or negative errno */
	__u64 latency_ns;
	char comm[TT_COMM_LEN];
};

/*
 * Per-CPU counters, indexes into the counters map. Besides what the
 * filter accepted, only losses are counted, to keep the hot path short:
 * events delivered are faults + ERRORS + ALLOCS - DROPPED, faults in the
 * maps faults - PAGE_OVERFLOW, where faults is the sum of the three
 * FAULTS_* (TT_CNT_FAULTS + enum tt_origin).
 */
enum tt_counter {
	TT_CNT_FAULTS = 0,	/* faults the filter accepted, by origin: */
	TT_CNT_FAULTS_KERNEL,
	TT_CNT_FAULTS_GUP,
	TT_CNT_ERRORS,		/* failed faults, which the kernel does not count */
	TT_CNT_ALLOCS,		/* tamalloc() calls the filter accepted */
	TT_CNT_DROPPED,		/* ring buffer full: event lost */
	TT_CNT_INFLIGHT_FULL,	/* no slot to pair fault entry and exit */
	TT_CNT_PAGE_OVERFLOW,	/* hist mode: pages map full, fault lost */
	TT_CNT_HEAT_OVERFLOW,	/* hist mode: heatmap map full */
	TT_CNT_STACK_MISSED,	/* hist mode: stack not recorded */
	TT_CNT_HELD,		/* exceptions mode: faults still held (THP) */
	TT_CNT_INFO_DROPPED,	/* ring buffer full: a region or thread name */
	TT_CNT_COUNT,
};

#include "hist.h"
#include "serve.h"

/*
 * hist --stacks: a traced process ran execve(). User space looks for the
 * build ids of the stacks' frames in the files named here, which may have
 * exited before any /proc/PID/maps snapshot.
 */
struct tt_exec_event {
	__u8 type;		/* TT_EV_EXEC */
	__u8 pad0[3];
	__u32 pid;		/* tgid */
	__u32 tid;
	__u32 pad;
	char comm[TT_COMM_LEN];	/* after exec */
	char filename[TT_PATH_LEN];	/* as given to execve(), maybe relative */
};

#endif /* __TAMTRACE_H */
