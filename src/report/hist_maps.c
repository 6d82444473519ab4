// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

static int cmp_block(const void *a, const void *b)
{
	const struct hist_block *x = a, *y = b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	return x->chunk < y->chunk ? -1 : x->chunk > y->chunk;
}

/* The blocks BPF labelled, from the header of the pages map. */
static int find_blocks(struct histdata *d, size_t nelems)
{
	const struct tt_hist_hdr *h = &d->map[0].hdr;
	size_t i, n = h->blocks, stride = h->block_elems, at;

	if (!stride || h->first_block >= nelems)
		return 0;	/* no page faulted */
	d->lat_words = stride > TT_BLOCK_ELEMS(0);
	d->base_ns = h->base_ns;
	d->first_block = h->first_block;
	if (n > (nelems - h->first_block) / stride)
		n = (nelems - h->first_block) / stride;
	d->blocks = calloc(n + 1, sizeof(*d->blocks));
	if (!d->blocks)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		at = h->first_block + i * stride;
		if (!d->map[at].block.tgid)
			continue;	/* lost a race for its chunk */
		d->blocks[d->nblocks++] = (struct hist_block){
			.tgid = d->map[at].block.tgid,
			.chunk = d->map[at].block.chunk,
			.elem = at,
		};
	}
	qsort(d->blocks, d->nblocks, sizeof(*d->blocks), cmp_block);
	return 0;
}

static const struct tt_page_slot *slot_of(const struct histdata *d, size_t i)
{
	unsigned int s = i % TT_CHUNK_PAGES;

	return &d->map[d->blocks[i / TT_CHUNK_PAGES].elem + 1 +
		       s / TT_SLOTS_PER_ELEM].slot[s % TT_SLOTS_PER_ELEM];
}

/* Map the pages map read-only: the counts stay where BPF keeps them. */
static int read_pages(struct histdata *d, int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	void *m;
	size_t i;
	int err;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.value_size != sizeof(struct tt_hist_elem))
		return -EINVAL;
	d->map_len = (size_t)info.max_entries * info.value_size;
	m = mmap(NULL, d->map_len, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return -errno;
	d->map = m;
	err = find_blocks(d, info.max_entries);
	d->nslots = d->nblocks * TT_CHUNK_PAGES;
	d->slot_row = err ? NULL : calloc(d->nslots + 1, sizeof(int));
	if (!err && !d->slot_row)
		err = -ENOMEM;
	for (i = 0; !err && i < d->nslots; i++) {
		d->slot_row[i] = -1;
		d->npages += !!slot_of(d, i)->counts;
	}
	return err;
}

/* Unpack a page's counts: from its word, or from its extension. */
static void page_counts(const struct histdata *d, __u64 w, struct page_stat *st)
{
	const struct tt_page_ext *x = NULL;
	__u64 ext = w & TT_PS_EXT_MASK;
	int c;

	if ((w & TT_PS_EXT) && 1 + ext < d->first_block)
		x = &d->map[1 + ext].ext;
	for (c = 0; c < TT_HIST_CLASSES; c++)
		st->by_class[c] =
			x ? x->by_class[c] : w >> (c * TT_PS_CLASS_BITS) & 31;
	for (c = 0; c < TT_ACC_COUNT; c++) {
		st->by_access[c] =
			x ? x->by_access[c] :
			    w >> (TT_PS_ACC_SHIFT + c * TT_PS_CLASS_BITS) &
				    (c == TT_ACC_EXEC ? 15 : 31);
		st->faults += st->by_access[c];
	}
	st->nr_pages = 1U << ((w & TT_PS_ORDER_MASK) >> TT_PS_ORDER_SHIFT);
	if (x) {
		st->lat_total_ns = x->lat_total_ns;
		st->lat_max_ns = x->lat_max_ns;
	}
}

/* A time as tt_page_slot keeps it, back in CLOCK_MONOTONIC ns. */
static unsigned long long time_ns(const struct histdata *d, __u32 code)
{
	__u32 e = code >> TT_TIME_MANT_BITS;

	return d->base_ns +
	       ((unsigned long long)(code & TT_TIME_MANT_MASK) << e);
}

unsigned long long histdata_round_ns(const struct histdata *d,
				     unsigned long long ns)
{
	unsigned long long t = ns > d->base_ns ? ns - d->base_ns : 0;
	int e = 0;

	while (t >> (TT_TIME_MANT_BITS + e))
		e++;
	return d->base_ns + (t >> e << e);
}

bool histdata_page(const struct histdata *d, size_t i, struct page_stat *st)
{
	const struct hist_block *b = &d->blocks[i / TT_CHUNK_PAGES];
	const struct tt_page_slot *ps = slot_of(d, i);
	unsigned int s = i % TT_CHUNK_PAGES;
	__u64 w = ps->counts, lw;

	if (!w)
		return false;
	memset(st, 0, sizeof(*st));
	st->tgid = b->tgid;
	st->page = b->chunk << TT_CHUNK_SHIFT | s;
	page_counts(d, w, st);
	st->first_ns = time_ns(d, ps->first);
	st->last_ns = time_ns(d, ps->last);
	if (!d->lat_words)
		return true;
	lw = d->map[b->elem + 1 + TT_CHUNK_PAGES / TT_SLOTS_PER_ELEM +
		    s / TT_LATS_PER_ELEM].lat[s % TT_LATS_PER_ELEM];
	/* A fault takes more than 0 ns: zeros mean none was measured */
	st->has_lat = lw || st->lat_total_ns;
	st->lat_total_ns += lw & 0xffffffffULL;
	if (lw >> 32 > st->lat_max_ns)
		st->lat_max_ns = lw >> 32;
	return true;
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

	err = read_pages(d, tracer__map_fd(t, TRACER_MAP_PAGES));
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
	qsort(d->vmas, d->nvmas, sizeof(*d->vmas), cmp_vma);
	return histdata_rows(d, log, tgid, comm);
}

const struct region_row *histdata_row_of(const struct histdata *d, __u32 tgid,
					 __u64 page)
{
	struct hist_block k = { .tgid = tgid, .chunk = page >> TT_CHUNK_SHIFT };
	const struct hist_block *b =
		bsearch(&k, d->blocks, d->nblocks, sizeof(k), cmp_block);
	int row;

	if (!b || !d->slot_row)
		return NULL;
	row = d->slot_row[(b - d->blocks) * TT_CHUNK_PAGES +
			  (page & (TT_CHUNK_PAGES - 1))];
	return row >= 0 ? &d->rows[row] : NULL;
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
	if (d->map)
		munmap((void *)d->map, d->map_len);
	free(d->blocks);
	free(d->slot_row);
	free(d->vmas);
	free(d->rows);
	free(d->heat);
	free(d->stacks);
	free(d->allocs);
	memset(d, 0, sizeof(*d));
}
