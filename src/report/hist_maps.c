// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "hist_maps.h"

/*
 * Copy every entry of a hash map into a growing array of rows, each row
 * starting with the key, then the value at @val_off.
 */
static int read_hash(int fd, size_t key_sz, size_t row_sz, size_t val_off,
		     void **rows, size_t *n)
{
	char key[64], next[64];
	size_t cap = 0;
	void *k = NULL;
	char *r;

	*rows = NULL;
	*n = 0;
	while (!bpf_map_get_next_key(fd, k, next)) {
		if (*n == cap) {
			void *tmp = realloc(*rows, (cap = cap ? cap * 2 : 1024) *
					    row_sz);
			if (!tmp)
				return -ENOMEM;
			*rows = tmp;
		}
		r = (char *)*rows + *n * row_sz;
		memset(r, 0, row_sz);
		memcpy(r, next, key_sz);
		if (!bpf_map_lookup_elem(fd, next, r + val_off))
			(*n)++;
		memcpy(key, next, key_sz);
		k = key;
	}
	return 0;
}

static int cmp_page(const void *a, const void *b)
{
	const struct tt_page_key *x = a, *y = b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	return x->page < y->page ? -1 : x->page > y->page;
}

static int cmp_vma(const void *a, const void *b)
{
	const struct tt_vma_key *x = a, *y = b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	return x->vm_start < y->vm_start ? -1 : x->vm_start > y->vm_start;
}

int histdata_read_lat(struct histdata *d, struct tracer *t, bool clear)
{
	int fd = tracer__map_fd(t, TRACER_MAP_LAT_HIST);
	int ncpus = libbpf_num_possible_cpus(), c;
	__u64 *vals = calloc(ncpus, sizeof(*vals));
	__u32 i;

	if (!vals)
		return -ENOMEM;
	for (i = 0; i < TT_CLASS_COUNT * TT_LAT_SLOTS; i++) {
		unsigned long long sum = 0;

		if (bpf_map_lookup_elem(fd, &i, vals))
			continue;
		for (c = 0; c < ncpus; c++)
			sum += vals[c];
		d->lat[i / TT_LAT_SLOTS][i % TT_LAT_SLOTS] = sum;
		if (clear) {
			memset(vals, 0, sizeof(*vals) * ncpus);
			bpf_map_update_elem(fd, &i, vals, BPF_ANY);
		}
	}
	free(vals);
	return 0;
}

int histdata_read(struct histdata *d, struct tracer *t,
		  const struct maps_log *log, __u32 tgid, const char *comm)
{
	int err;

	err = read_hash(tracer__map_fd(t, TRACER_MAP_PAGES),
			sizeof(struct tt_page_key), sizeof(struct page_row), offsetof(struct page_row, st),
			(void **)&d->pages, &d->npages);
	err = err ?: read_hash(tracer__map_fd(t, TRACER_MAP_VMAS),
			sizeof(struct tt_vma_key), sizeof(struct vma_row), offsetof(struct vma_row, info),
			(void **)&d->vmas, &d->nvmas);
	err = err ?: read_hash(tracer__map_fd(t, TRACER_MAP_HEAT),
			sizeof(struct tt_heat_key), sizeof(struct heat_row), offsetof(struct heat_row, count),
			(void **)&d->heat, &d->nheat);
	err = err ?: read_hash(tracer__map_fd(t, TRACER_MAP_STACK_COUNTS),
			sizeof(struct tt_stack_key), sizeof(struct stack_row), offsetof(struct stack_row, count),
			(void **)&d->stacks, &d->nstacks);
	err = err ?: histdata_read_lat(d, t, false);
	if (err)
		return err;
	qsort(d->pages, d->npages, sizeof(*d->pages), cmp_page);
	qsort(d->vmas, d->nvmas, sizeof(*d->vmas), cmp_vma);
	return histdata_rows(d, log, tgid, comm);
}

int histdata_add_alloc(struct histdata *d, const struct tt_alloc_event *e)
{
	struct alloc_row *tmp;

	if (e->ret < 0)
		return 0;
	tmp = realloc(d->allocs, (d->nallocs + 1) * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	d->allocs = tmp;
	d->allocs[d->nallocs++] = (struct alloc_row){
		.pid = e->pid, .ts_ns = e->ts_ns, .addr = e->ret,
		.len = TT_PAGE_ALIGN(e->size),
	};
	return 0;
}

void histdata_free(struct histdata *d)
{
	free(d->pages);
	free(d->vmas);
	free(d->rows);
	free(d->heat);
	free(d->stacks);
	free(d->allocs);
	memset(d, 0, sizeof(*d));
}
