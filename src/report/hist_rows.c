// SPDX-License-Identifier: GPL-2.0
/*
 * Regions by address range, not by the VMA's start at fault time: VMAs
 * merge, split and grow. Each page goes to the file or kind that held
 * its address when it faulted; the rows are the process's last maps
 * snapshot, plus the union of the ranges seen for what that snapshot
 * does not show; overlapping or adjacent ranges of one kind are one row.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hist_maps.h"

/* Where a span comes from: the last snapshot, after it, or before it
 * and unmapped since. */
enum { LIVE, LATE, GONE };

struct ident {
	__u8 kind;
	char name[REGION_PATH_LEN];
};

struct span {
	__u32 tgid;
	int id;			/* builder.ids */
	int gone;		/* GONE spans make rows of their own */
	int live;
	__u64 s, e;
	__u64 live_len;		/* bytes of it in the last snapshot */
	unsigned long long t;	/* latest first fault, ~0 when live */
};

struct builder {
	struct histdata *d;
	const struct maps_log *log;
	struct maps_log canon;	/* the log renamed, if canon_log() had to */
	struct ident *ids;
	size_t nids, idcap;
	int last_id;
	struct span *spans;
	size_t nspans, spcap, nlive;
	size_t *seen;		/* log->seen by tgid and start */
	__u64 maxlen;
	const struct vma_row **cand;	/* VMAs over the current block */
	size_t ncand, candcap;
	struct span *rows;	/* merged spans, one per row */
	size_t nrows;
};

static int intern(struct builder *b, __u8 kind, const char *name)
{
	struct ident *id = b->last_id >= 0 ? &b->ids[b->last_id] : NULL;
	size_t i;

	if (id && id->kind == kind && !strcmp(id->name, name))
		return b->last_id;
	for (i = 0; i < b->nids; i++)
		if (b->ids[i].kind == kind && !strcmp(b->ids[i].name, name))
			return b->last_id = i;
	if (b->nids == b->idcap) {
		id = realloc(b->ids, (b->idcap = b->idcap * 2 + 64) *
			     sizeof(*id));
		if (!id)
			return -ENOMEM;
		b->ids = id;
	}
	id = &b->ids[b->nids];
	id->kind = kind;
	snprintf(id->name, sizeof(id->name), "%s", name);
	return b->last_id = b->nids++;
}

static int add_span(struct builder *b, const struct span *s)
{
	struct span *tmp;

	if (b->nspans == b->spcap) {
		tmp = realloc(b->spans, (b->spcap = b->spcap * 2 + 256) *
			      sizeof(*tmp));
		if (!tmp)
			return -ENOMEM;
		b->spans = tmp;
	}
	b->spans[b->nspans++] = *s;
	return 0;
}

static int cmp_seen(const void *a, const void *b, void *arg)
{
	const struct maps_seen *s = arg, *x = &s[*(const size_t *)a],
			       *y = &s[*(const size_t *)b];

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	return x->m.start < y->m.start ? -1 : x->m.start > y->m.start;
}

static int index_seen(struct builder *b)
{
	const struct maps_log *l = b->log;
	size_t i;

	b->seen = calloc(l->nseen + 1, sizeof(*b->seen));
	if (!b->seen)
		return -ENOMEM;
	for (i = 0; i < l->nseen; i++) {
		b->seen[i] = i;
		if (l->seen[i].m.end - l->seen[i].m.start > b->maxlen)
			b->maxlen = l->seen[i].m.end - l->seen[i].m.start;
	}
	qsort_r(b->seen, l->nseen, sizeof(*b->seen), cmp_seen, l->seen);
	return 0;
}

/* The VMAs BPF recorded over block @blk's 2 MiB, into b->cand. */
static int block_vmas(struct builder *b, const struct hist_block *blk)
{
	const struct histdata *d = b->d;
	__u64 s = blk->chunk << (TT_CHUNK_SHIFT + TT_PAGE_SHIFT);
	__u64 e = s + ((__u64)TT_CHUNK_PAGES << TT_PAGE_SHIFT);
	size_t lo = 0, hi = d->nvmas, i;
	const struct vma_row **tmp;

	while (lo < hi) {	/* the process's first */
		size_t mid = (lo + hi) / 2;

		if (d->vmas[mid].key.tgid < blk->tgid)
			lo = mid + 1;
		else
			hi = mid;
	}
	b->ncand = 0;
	for (i = lo; i < d->nvmas && d->vmas[i].key.tgid == blk->tgid &&
		     d->vmas[i].key.vm_start < e; i++) {
		if (d->vmas[i].info.vm_end <= s)
			continue;
		if (b->ncand == b->candcap) {
			b->candcap = b->candcap * 2 + 16;
			tmp = realloc(b->cand, b->candcap * sizeof(*tmp));
			if (!tmp)
				return -ENOMEM;
			b->cand = tmp;
		}
		b->cand[b->ncand++] = &d->vmas[i];
	}
	return 0;
}

/*
 * The VMA BPF recorded at @addr when it first faulted, at @t: the one
 * recorded last by then, else the first after. (Times compared as the
 * pages map rounds them.)
 */
static const struct vma_row *vma_at(const struct builder *b, __u64 addr,
				    unsigned long long t)
{
	const struct vma_row *r, *best = NULL;
	unsigned long long rt, bt = 0;
	size_t i;

	for (i = 0; i < b->ncand; i++) {
		r = b->cand[i];
		if (addr < r->key.vm_start || addr >= r->info.vm_end)
			continue;
		rt = histdata_round_ns(b->d, r->info.first_ns);
		if (!best || (rt <= t && (bt > t || rt > bt)) ||
		    (rt > t && bt > t && rt < bt)) {
			best = r;
			bt = rt;
		}
	}
	return best;
}

/* Could the mapping @m be the VMA BPF recorded as @r? */
static bool compatible(const struct vma_row *r, const struct maps_entry *m)
{
	if (!r)
		return true;
	switch (r->info.region) {
	case TT_REG_FILE:
		/* The same file, at the same offset for the same address */
		return m->kind == TT_REG_FILE && m->dev == r->info.dev &&
		       m->ino == r->info.ino &&
		       m->offset + (r->key.vm_start - m->start) ==
			       r->info.pgoff << TT_PAGE_SHIFT;
	case TT_REG_NAMED:
	case TT_REG_TAMALLOC:
		return m->kind == r->info.region &&
		       !strncmp(m->name, r->info.name, TT_NAME_LEN - 1);
	case TT_REG_UNKNOWN:
		return true;
	default:
		return m->kind == TT_REG_ANON || m->kind == TT_REG_HEAP ||
		       m->kind == TT_REG_STACK;
	}
}

static unsigned long long distance(const struct maps_seen *s,
				   unsigned long long t)
{
	return t < s->first_ns ? s->first_ns - t :
	       t > s->last_ns ? t - s->last_ns : 0;
}

/*
 * The mapping that held @addr at time @t: one seen both before and
 * after @t, else the one nearest in time that can be what BPF recorded
 * (a later look-up at the address may find what replaced it).
 */
static const struct maps_seen *pick_seen(const struct builder *b, __u32 tgid,
					 __u64 addr, unsigned long long t,
					 const struct vma_row *r)
{
	const struct maps_seen *all = b->log->seen, *s, *best = NULL;
	size_t lo = 0, hi = b->log->nseen;

	while (lo < hi) {	/* first entry past (tgid, addr) */
		size_t mid = (lo + hi) / 2;

		s = &all[b->seen[mid]];
		if (s->tgid < tgid || (s->tgid == tgid && s->m.start <= addr))
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo-- > 0) {
		s = &all[b->seen[lo]];
		if (s->tgid != tgid || s->m.start + b->maxlen <= addr)
			break;
		if (addr >= s->m.end)
			continue;
		if (s->first_ns <= t && t <= s->last_ns)
			return s;
		if (compatible(r, &s->m) &&
		    (!best || distance(s, t) < distance(best, t)))
			best = s;
	}
	return best;
}

/*
 * The log with each file under the one name the run gives it
 * (region_file_alias()): all rows of a file say the same path. A copy,
 * made only when a mapping names its file otherwise (a hard link).
 */
static int canon_log(struct builder *b)
{
	const struct maps_log *l = b->log;
	char name[REGION_PATH_LEN];
	size_t i;

	for (i = 0; i < l->nseen; i++) {
		if (!region_file_alias(&l->seen[i].m, name, sizeof(name)))
			continue;
		if (!b->canon.seen) {
			b->canon = *l;
			b->canon.seen = malloc(l->nseen * sizeof(*l->seen));
			if (!b->canon.seen)
				return -ENOMEM;
			memcpy(b->canon.seen, l->seen,
			       l->nseen * sizeof(*l->seen));
		}
		memcpy(b->canon.seen[i].m.name, name, sizeof(name));
	}
	if (b->canon.seen)
		b->log = &b->canon;
	return 0;
}

/* The identity of page @p at its first fault, and a range around it. */
static int page_ident(struct builder *b, const struct page_stat *p,
		      struct span *sp)
{
	__u64 addr = p->page << TT_PAGE_SHIFT;
	const struct vma_row *r = vma_at(b, addr, p->first_ns);
	const struct maps_seen *s = pick_seen(b, p->tgid, addr, p->first_ns, r);
	char name[TT_NAME_LEN + 1] = "";
	const char *path;

	sp->tgid = p->tgid;
	sp->t = p->first_ns;
	if (s) {
		sp->s = s->m.start;
		sp->e = s->m.end;
		return intern(b, s->m.kind, s->m.name);
	}
	sp->s = r ? r->key.vm_start : addr;
	sp->e = r && r->info.vm_end > addr ? r->info.vm_end :
		addr + (1ULL << TT_PAGE_SHIFT);
	if (!r)
		return intern(b, TT_REG_UNKNOWN, "");
	if (r->info.region == TT_REG_FILE || r->info.region == TT_REG_NAMED ||
	    r->info.region == TT_REG_TAMALLOC)
		snprintf(name, sizeof(name), "%.*s", TT_NAME_LEN, r->info.name);
	/* Not in a snapshot then: the name maps gave the file elsewhere */
	path = r->info.region == TT_REG_FILE ?
		       region_file_name(r->info.dev, r->info.ino, NULL) :
		       NULL;
	return intern(b, r->info.region, path ?: name);
}

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	if (x->gone != y->gone)
		return x->gone < y->gone ? -1 : 1;
	return x->s < y->s ? -1 : x->s > y->s;
}

/* The spans of every process's last snapshot, sorted as cmp_span. */
static int live_spans(struct builder *b)
{
	const struct maps_log *l = b->log;
	const struct maps_seen *s;
	struct span sp = { .live = 1, .t = ~0ULL };
	size_t i, j;
	int err = 0;

	for (i = 0; !err && i < l->nprocs; i++) {
		for (j = 0; !err && j < l->procs[i].ncur; j++) {
			s = &l->seen[l->procs[i].cur[j]];
			sp.tgid = s->tgid;
			sp.s = s->m.start;
			sp.e = s->m.end;
			sp.live_len = sp.e - sp.s;
			sp.id = intern(b, s->m.kind, s->m.name);
			err = sp.id < 0 ? sp.id : add_span(b, &sp);
		}
	}
	b->nlive = b->nspans;
	qsort(b->spans, b->nlive, sizeof(*b->spans), cmp_span);
	return err;
}

/* The span of @key's tgid, identity and group that holds @key->s. */
static const struct span *span_at(const struct span *v, size_t n,
				  const struct span *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		struct span k = *key;

		k.s = v[mid].s;	/* compare the group only */
		if (cmp_span(&v[mid], &k) < 0 ||
		    (!cmp_span(&v[mid], &k) && v[mid].e <= key->s))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n && v[lo].tgid == key->tgid && v[lo].id == key->id &&
	    v[lo].gone == key->gone && v[lo].s <= key->s && key->s < v[lo].e)
		return &v[lo];
	return NULL;
}

/* A page's span, unless it repeats the last page's. */
static int add_page_span(struct builder *b, const struct span *sp)
{
	struct span *l = b->nspans > b->nlive ? &b->spans[b->nspans - 1] : NULL;

	if (!l || l->tgid != sp->tgid || l->id != sp->id ||
	    l->gone != sp->gone || l->s != sp->s || l->e != sp->e)
		return add_span(b, sp);
	if (sp->t > l->t)
		l->t = sp->t;
	return 0;
}

/*
 * Each page's identity, kept as 2 * id + gone in its slot_row until
 * attach_pages(); a span for those the last snapshot lacks.
 */
static int page_spans(struct builder *b)
{
	const struct maps_proc *mp = NULL;
	struct page_stat st;
	struct span sp, at;
	size_t i;
	int err = 0;

	for (i = 0; !err && i < b->d->nslots; i++) {
		if (i % TT_CHUNK_PAGES == 0)
			err = block_vmas(b, &b->d->blocks[i / TT_CHUNK_PAGES]);
		if (err || !histdata_page(b->d, i, &st))
			continue;
		if (!mp || mp->tgid != st.tgid)
			mp = maps_log_proc(b->log, st.tgid);
		memset(&sp, 0, sizeof(sp));
		sp.id = err = page_ident(b, &st, &sp);
		if (err < 0)
			break;
		at = (struct span){ .tgid = sp.tgid, .id = sp.id,
				    .s = st.page << TT_PAGE_SHIFT };
		err = 0;
		if (!span_at(b->spans, b->nlive, &at)) {
			sp.gone =
				mp && mp->last_ns && st.first_ns <= mp->last_ns;
			err = add_page_span(b, &sp);
		}
		b->d->slot_row[i] = 2 * sp.id + sp.gone;
	}
	return err;
}

/* Overlapping or adjacent spans of one process, identity and group
 * make one row. */
static int merge_spans(struct builder *b)
{
	struct span *r = NULL, *s;
	size_t i;

	qsort(b->spans, b->nspans, sizeof(*b->spans), cmp_span);
	b->rows = calloc(b->nspans + 1, sizeof(*b->rows));
	if (!b->rows)
		return -ENOMEM;
	for (i = 0; i < b->nspans; i++) {
		s = &b->spans[i];
		if (r && r->tgid == s->tgid && r->id == s->id &&
		    r->gone == s->gone && s->s <= r->e) {
			if (s->e > r->e)
				r->e = s->e;
			if (s->t > r->t)
				r->t = s->t;
			r->live |= s->live;
			r->live_len += s->live_len;
			continue;
		}
		r = &b->rows[b->nrows++];
		*r = *s;
	}
	return 0;
}

struct iv {
	__u64 s, e;
};

static int cmp_iv(const void *a, const void *b)
{
	const struct iv *x = a, *y = b;

	return x->s < y->s ? -1 : x->s > y->s;
}

/* Bytes of [s, e) that none of @o covers; @tmp has room for @n. */
static __u64 uncovered(const struct iv *o, size_t n, __u64 s, __u64 e,
		       struct iv *tmp)
{
	__u64 cov = 0, end = s;
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (o[i].s < e && o[i].e > s)
			tmp[k++] = (struct iv){ o[i].s > s ? o[i].s : s,
						o[i].e < e ? o[i].e : e };
	qsort(tmp, k, sizeof(*tmp), cmp_iv);
	for (i = 0; i < k; i++) {
		if (tmp[i].e <= end)
			continue;
		cov += tmp[i].e - (tmp[i].s > end ? tmp[i].s : end);
		end = tmp[i].e;
	}
	return e - s - cov;
}

static int cmp_latest(const void *a, const void *b)
{
	const struct span *x = *(const struct span *const *)a,
			  *y = *(const struct span *const *)b;

	return x->t > y->t ? -1 : x->t < y->t;
}

/*
 * What each row of one process holds at the end: its part of the last
 * snapshot, plus what no other row holds of its range, latest first.
 * Rows unmapped before the end hold nothing. Returns the bytes in
 * @res, in the order of @rows.
 */
static int reserve_proc(struct builder *b, struct span *rows, size_t n,
			__u64 *res)
{
	struct iv *occ = calloc(2 * (b->nspans + n) + 1, sizeof(*occ));
	struct span **order = calloc(n + 1, sizeof(*order));
	size_t i, no = 0, k = 0;

	if (!occ || !order) {
		free(occ);
		free(order);
		return -ENOMEM;
	}
	for (i = 0; i < b->nspans; i++)
		if (b->spans[i].live && b->spans[i].tgid == rows[0].tgid)
			occ[no++] = (struct iv){ b->spans[i].s, b->spans[i].e };
	for (i = 0; i < n; i++)
		if (!rows[i].gone)
			order[k++] = &rows[i];
	qsort(order, k, sizeof(*order), cmp_latest);
	for (i = 0; i < k; i++) {
		struct span *r = order[i];

		res[r - rows] = r->live_len + uncovered(occ, no, r->s, r->e,
							occ + b->nspans + n);
		occ[no++] = (struct iv){ r->s, r->e };
	}
	free(occ);
	free(order);
	return 0;
}

static void count_page(struct region_row *r, const struct page_stat *p)
{
	int c;

	/* A THP fault maps its pages at once: they never fault alone */
	r->pages_touched += p->nr_pages > 1 ? p->nr_pages : 1;
	r->faults += p->faults;
	for (c = 0; c < TT_CLASS_COUNT; c++)
		r->by_class[c] += p->by_class[c];
}

/* The region rows, their pages counted; pages point at them. */
static int fill_rows(struct builder *b, __u32 tgid, const char *comm)
{
	struct histdata *d = b->d;
	size_t i, j, base;
	int err = 0;

	d->rows = calloc(b->nrows + 1, sizeof(*d->rows));
	if (!d->rows)
		return -ENOMEM;
	d->nrows = b->nrows;
	for (i = 0; !err && i < b->nrows; i = j) {
		__u64 *res = calloc(b->nrows + 1, sizeof(*res));

		for (j = i; j < b->nrows && b->rows[j].tgid == b->rows[i].tgid;)
			j++;
		err = res ? reserve_proc(b, b->rows + i, j - i, res) : -ENOMEM;
		for (base = i; !err && i < j; i++) {
			struct region_row *r = &d->rows[i];
			const struct ident *id = &b->ids[b->rows[i].id];
			const struct maps_proc *mp = maps_log_proc(b->log,
								  b->rows[i].tgid);
			char buf[sizeof(r->label)];

			r->tgid = b->rows[i].tgid;
			r->kind = id->kind;
			r->mapped = !b->rows[i].gone;
			r->start = b->rows[i].s;
			r->end = b->rows[i].e;
			r->reserved = res[i - base] >> TT_PAGE_SHIFT;
			snprintf(r->name, sizeof(r->name), "%s", id->name);
			snprintf(r->label, sizeof(r->label), "%s",
				 region_text(r->kind, id->name,
					     id->name[0] == '/' ||
					     id->name[0] == '[' ? id->name : NULL,
					     buf, sizeof(buf)));
			snprintf(r->comm, sizeof(r->comm), "%s",
				 mp && mp->comm[0] ? mp->comm :
				 r->tgid == tgid && comm ? comm : "");
		}
		free(res);
	}
	return err;
}

/* Each page's row, from the identity page_spans() left in slot_row. */
static void attach_pages(struct builder *b)
{
	struct histdata *d = b->d;
	const struct span *r;
	struct page_stat st;
	struct span key;
	size_t i;

	for (i = 0; i < d->nslots; i++) {
		if (!histdata_page(d, i, &st))
			continue;
		key = (struct span){ .tgid = st.tgid,
				     .id = d->slot_row[i] / 2,
				     .gone = d->slot_row[i] % 2,
				     .s = st.page << TT_PAGE_SHIFT };
		r = span_at(b->rows, b->nrows, &key);
		d->slot_row[i] = r ? (int)(r - b->rows) : -1;
		if (r)
			count_page(&d->rows[d->slot_row[i]], &st);
	}
}

static int cmp_row(const void *a, const void *b)
{
	const struct region_row *x = a, *y = b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return y->mapped - x->mapped;
}

static int cmp_row_at(const void *a, const void *b, void *rows)
{
	const struct region_row *r = rows;

	return cmp_row(&r[*(const int *)a], &r[*(const int *)b]);
}

/* Rows by pid and address; pages follow their row. */
static int sort_rows(struct histdata *d)
{
	struct region_row *sorted = calloc(d->nrows + 1, sizeof(*sorted));
	int *order = calloc(d->nrows + 1, sizeof(*order));
	int *to = calloc(d->nrows + 1, sizeof(*to));
	size_t i;
	int err = sorted && order && to ? 0 : -ENOMEM;

	for (i = 0; !err && i < d->nrows; i++)
		order[i] = i;
	if (!err)
		qsort_r(order, d->nrows, sizeof(*order), cmp_row_at, d->rows);
	for (i = 0; !err && i < d->nrows; i++) {
		sorted[i] = d->rows[order[i]];
		to[order[i]] = i;
	}
	for (i = 0; !err && i < d->nslots; i++)
		if (d->slot_row[i] >= 0)
			d->slot_row[i] = to[d->slot_row[i]];
	if (!err) {
		free(d->rows);
		d->rows = sorted;
		sorted = NULL;
	}
	free(sorted);
	free(order);
	free(to);
	return err;
}

int histdata_rows(struct histdata *d, const struct maps_log *log,
		  __u32 tgid, const char *comm)
{
	static const struct maps_log none;
	struct builder b = { .d = d, .log = log ?: &none, .last_id = -1 };
	int err;

	err = canon_log(&b);
	err = err ?: index_seen(&b);
	err = err ?: live_spans(&b);
	err = err ?: page_spans(&b);
	err = err ?: merge_spans(&b);
	err = err ?: fill_rows(&b, tgid, comm);
	if (!err)
		attach_pages(&b);
	err = err ?: sort_rows(d);
	free(b.cand);
	free(b.ids);
	free(b.spans);
	free(b.seen);
	free(b.rows);
	free(b.canon.seen);
	return err;
}
