/* SPDX-License-Identifier: GPL-2.0 */
/*
 * serve and top: fault counts per key (a cgroup, a comm or a process),
 * in per-CPU slots that the loader hands out and takes back. Shared by
 * the BPF side (serve.bpf.h) and the loader (src/report/keytab.c).
 */
#ifndef __TAMTRACE_SERVE_H
#define __TAMTRACE_SERVE_H

/* What a slot counts faults of. */
enum tt_by {
	TT_BY_CGROUP = 0,	/* the faulting task's cgroup v2 id */
	TT_BY_COMM,		/* the thread's name */
	TT_BY_PID,		/* the process (top only: never a label) */
	TT_BY_COUNT,
};

/*
 * Slots of counters (slot 0: keys that found no free slot) and keys
 * known at once; the loader frees the slots of idle keys.
 */
#define TT_SERVE_SLOTS		1024
#define TT_SERVE_KEYS		4096

struct tt_serve_key {
	__u64 id;		/* cgroup id or tgid; 0 with TT_BY_COMM */
	char comm[TT_COMM_LEN];	/* TT_BY_COMM and TT_BY_PID; else zeros */
};

/* One slot's counts, per CPU. */
struct tt_serve_slot {
	__u64 n[TT_ORIGIN_COUNT][TT_ACC_COUNT][TT_CLASS_COUNT];
	__u64 zero_pages;	/* pages zero-filled (zero_fill, cow_zero, huge) */
	__u64 lat[TT_LAT_SLOTS];	/* log2 ns, modes with latency */
};

/*
 * Free slots: a ring the loader fills (tail) and BPF takes from (head,
 * compare-and-swap). gen: the loader bumps it when it takes keys back,
 * which makes each CPU's cached key look its slot up again.
 */
struct tt_serve_ctl {
	__u64 head;
	__u64 tail;
	__u64 gen;
	__u64 pad[5];
};
#define TT_SERVE_RING		TT_SERVE_SLOTS	/* a power of two */

#endif /* __TAMTRACE_SERVE_H */
