// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "cpurings.h"

#define barrier() __asm__ __volatile__("" ::: "memory")

unsigned int cpu_rings_shift(unsigned int buf_mb, int ncpus)
{
	size_t per_cpu = ((size_t)buf_mb << 20) / (ncpus > 0 ? ncpus : 1) /
			 sizeof(struct tt_fault_event);
	unsigned int shift = TT_RING_MIN_SHIFT;

	while (shift < TT_RING_MAX_SHIFT && (2UL << shift) <= per_cpu)
		shift++;
	return shift;
}

static void *map_array(int fd, size_t len, int prot)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	len = (len + page - 1) / page * page;
	p = mmap(NULL, len, prot, MAP_SHARED, fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

int cpu_rings_map(struct cpu_rings *r, int heads_fd, int recs_fd, int ncpus,
		  unsigned int shift)
{
	memset(r, 0, sizeof(*r));
	r->ncpus = ncpus;
	r->shift = shift;
	r->heads_len = ncpus * sizeof(struct tt_cpu_ring);
	r->recs_len = ((size_t)ncpus << shift) * sizeof(struct tt_fault_event);
	r->snap = calloc(2 * ncpus, sizeof(*r->snap));
	r->pos = r->snap + ncpus;
	/* The loader writes tails only; records are read-only to it. */
	r->heads = map_array(heads_fd, r->heads_len, PROT_READ | PROT_WRITE);
	r->recs = map_array(recs_fd, r->recs_len, PROT_READ);
	if (!r->snap || !r->heads || !r->recs) {
		int err = errno ? -errno : -ENOMEM;

		cpu_rings_unmap(r);
		return err;
	}
	return 0;
}

void cpu_rings_snapshot(struct cpu_rings *r)
{
	int c;

	for (c = 0; c < r->ncpus; c++) {
		r->snap[c] = r->heads[c].head;
		r->pos[c] = r->heads[c].tail;
	}
	/* Records are read after the heads that cover them (x86: TSO) */
	barrier();
}

/* The CPU whose next record in the snapshot is the oldest, or -1. */
static int oldest(const struct cpu_rings *r)
{
	__u64 mask = (1ULL << r->shift) - 1, best_ts = ~0ULL;
	int c, best = -1;

	for (c = 0; c < r->ncpus; c++) {
		__u64 t = r->pos[c];
		const struct tt_fault_event *e;

		if (t == r->snap[c])
			continue;
		e = &r->recs[((size_t)c << r->shift) | (t & mask)];
		if (e->ts_ns < best_ts) {
			best_ts = e->ts_ns;
			best = c;
		}
	}
	return best;
}

int cpu_rings_drain(struct cpu_rings *r, cpu_rings_fn fn, void *ctx)
{
	__u64 mask = (1ULL << r->shift) - 1;
	int c, n = 0, err = 0;
	struct tt_fault_event e;

	if (!r->heads)
		return 0;
	while ((c = oldest(r)) >= 0) {
		__u64 t = r->pos[c]++;

		/* A copy: BPF may reuse the slot once the tail moves */
		e = r->recs[((size_t)c << r->shift) | (t & mask)];
		/* The tail's cache line is BPF's too: move it now and then */
		if (!(r->pos[c] & 255)) {
			barrier();
			r->heads[c].tail = r->pos[c];
		}
		err = fn(ctx, &e, sizeof(e));
		if (err)
			break;
		n++;
	}
	barrier();
	for (c = 0; c < r->ncpus; c++)
		r->heads[c].tail = r->pos[c];
	return err ? err : n;
}

void cpu_rings_unmap(struct cpu_rings *r)
{
	long page = sysconf(_SC_PAGESIZE);

	if (r->heads)
		munmap((void *)r->heads, (r->heads_len + page - 1) / page * page);
	if (r->recs)
		munmap((void *)r->recs, (r->recs_len + page - 1) / page * page);
	free(r->snap);
	memset(r, 0, sizeof(*r));
}
