/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-CPU rings of fault records (struct tt_cpu_ring), mapped from
 * the BPF arrays and drained in timestamp order: a thread's faults, even
 * across CPUs, come out in the order they happened.
 */
#ifndef __TT_CPURINGS_H
#define __TT_CPURINGS_H

#include <stddef.h>
#include "tamtrace.h"

typedef int (*cpu_rings_fn)(void *ctx, void *data, size_t len);

struct cpu_rings {
	volatile struct tt_cpu_ring *heads;
	const struct tt_fault_event *recs;
	size_t heads_len, recs_len;
	int ncpus;
	unsigned int shift;	/* 1 << shift records per CPU */
	__u64 *snap;		/* heads when the drain began */
	__u64 *pos;		/* records read, ahead of the tails */
};

/* log2 of the records per CPU for @buf_mb MiB over @ncpus. */
unsigned int cpu_rings_shift(unsigned int buf_mb, int ncpus);
/* Map the arrays; 0 or -errno. */
int cpu_rings_map(struct cpu_rings *r, int heads_fd, int recs_fd, int ncpus,
		  unsigned int shift);
/* Remember what is written now: only that is drained next. */
void cpu_rings_snapshot(struct cpu_rings *r);
/* Hand the snapshot's records to @fn, oldest first; the number handed,
 * or @fn's error. */
int cpu_rings_drain(struct cpu_rings *r, cpu_rings_fn fn, void *ctx);
void cpu_rings_unmap(struct cpu_rings *r);

#endif /* __TT_CPURINGS_H */
