// SPDX-License-Identifier: GPL-2.0
/*
 * Events are kept and written sorted by time at the end: the per-CPU
 * rings give each thread's faults in order, but tamalloc() calls come
 * through the ring buffer before them, and counters are made per ms.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"
#include "exitcodes.h"
#include "modes.h"
#include "names.h"
#include "outfile.h"
#include "perfetto.h"
#include "procstats.h"
#include "vec.h"

#define NS_PER_MS 1000000ULL
#define RSS_NS (100 * NS_PER_MS)	/* RSS read every 100 ms */
#define RECENT 8	/* buckets looked at for a fault's ms */

struct pf_fault {
	struct tt_fault_event ev;
	char *region;		/* JSON string, or NULL */
};

struct pf_bucket {
	__u32 pid;
	__u32 n[TT_CLASS_COUNT];	/* faults in that ms by class */
	__u32 mask;			/* classes of the process, at the end */
	__u64 ms;
};

struct pf_thread {
	__u32 pid, tid;
	char comm[TT_COMM_LEN];
};

struct pf_rss {
	__u32 pid;
	__u64 ts_ns, kb;
};

/* xorshift64: the sample is the same for the same faults. */
static unsigned long long next_rand(struct perfetto_sink *p)
{
	p->rng ^= p->rng << 13;
	p->rng ^= p->rng >> 7;
	p->rng ^= p->rng << 17;
	return p->rng;
}

static int count_fault(struct perfetto_sink *p, const struct tt_fault_event *e)
{
	__u64 ms = e->ts_ns / NS_PER_MS;
	unsigned int cls = e->class < TT_CLASS_COUNT ? e->class : 0;
	struct pf_bucket *b;
	size_t i;

	/* Faults come about in order: a recent bucket has most. */
	for (i = p->nbuckets; i > 0 && i + RECENT > p->nbuckets; i--) {
		b = &p->buckets[i - 1];
		if (b->pid == e->pid && b->ms == ms) {
			b->n[cls]++;
			return 0;
		}
	}
	if (vec_grow(&p->buckets, &p->bcap, p->nbuckets, sizeof(*b)))
		return -ENOMEM;
	b = &p->buckets[p->nbuckets++];
	memset(b, 0, sizeof(*b));
	b->pid = e->pid;
	b->ms = ms;
	b->n[cls] = 1;
	return 0;
}

/* Every fault until the sample is full, then each replaces a random one
 * with probability PF_MAX_FAULTS / faults so far (reservoir sampling). */
static int keep_fault(struct perfetto_sink *p, const struct tt_fault_event *e)
{
	const char *label = streamtab_label(&p->tab, e->pid, e->addr,
					    e->region_id);
	size_t slot = p->nfaults;
	struct pf_fault *f;

	p->offered++;
	if (p->nfaults == PF_MAX_FAULTS) {
		slot = next_rand(p) % p->offered;
		if (slot >= PF_MAX_FAULTS)
			return 0;
		free(p->faults[slot].region);
	} else if (vec_grow(&p->faults, &p->fcap, p->nfaults, sizeof(*f))) {
		return -ENOMEM;
	} else {
		p->nfaults++;
	}
	f = &p->faults[slot];
	f->ev = *e;
	f->region = label ? strdup(label) : NULL;
	return label && !f->region ? -ENOMEM : 0;
}

static struct pf_thread *find_thread(struct perfetto_sink *p, __u32 tid)
{
	size_t i;

	for (i = p->nthreads; i > 0; i--)
		if (p->threads[i - 1].tid == tid)
			return &p->threads[i - 1];
	return NULL;
}

/* A thread's name: the last one it had. */
static int note_task(struct perfetto_sink *p, const struct tt_task_event *e)
{
	struct pf_thread *t = find_thread(p, e->tid);

	if (!t) {
		if (vec_grow(&p->threads, &p->tcap, p->nthreads, sizeof(*t)))
			return -ENOMEM;
		t = &p->threads[p->nthreads++];
	}
	t->pid = e->pid;
	t->tid = e->tid;
	memcpy(t->comm, e->comm, TT_COMM_LEN);
	return 0;
}

static int note_alloc(struct perfetto_sink *p, const struct tt_alloc_event *e)
{
	p->allocs_seen++;
	if (p->nallocs == PF_MAX_ALLOCS)
		return 0;
	if (vec_grow(&p->allocs, &p->acap, p->nallocs, sizeof(*e)))
		return -ENOMEM;
	p->allocs[p->nallocs++] = *e;
	return 0;
}

static int pf_event(struct sink *k, const void *data, size_t len)
{
	struct perfetto_sink *p = (struct perfetto_sink *)k;
	__u8 type = *(const __u8 *)data;
	int err = 0;

	if (type == TT_EV_FAULT && len >= sizeof(struct tt_fault_event)) {
		p->errors += ((const struct tt_fault_event *)data)->class ==
			     TT_CLASS_ERROR;
		err = count_fault(p, data) ?: keep_fault(p, data);
	} else if (type == TT_EV_REGION && len >= sizeof(struct tt_region_event))
		err = streamtab_region(&p->tab, data);
	else if (type == TT_EV_TASK && len >= sizeof(struct tt_task_event))
		err = note_task(p, data);
	else if (type == TT_EV_ALLOC && len >= sizeof(struct tt_alloc_event))
		err = note_alloc(p, data);
	if (err)
		p->err = err;
	return err;
}

/* Every 100 ms: the RSS of the processes seen so far, while they live. */
static int pf_tick(struct sink *k, struct session *s)
{
	struct perfetto_sink *p = (struct perfetto_sink *)k;
	unsigned long long now = now_ns();
	__u32 pids[PF_RSS_PROCS];
	struct proc_row row;
	size_t i, j, n = 0;

	(void)s;
	streamtab_prune(&p->tab);
	if (now < p->rss_next_ns)
		return 0;
	p->rss_next_ns = now + RSS_NS;
	for (i = 0; i < p->nthreads && n < PF_RSS_PROCS; i++) {
		for (j = 0; j < n && pids[j] != p->threads[i].pid; j++)
			;
		if (j < n)
			continue;
		pids[n++] = p->threads[i].pid;
		if (procstats_get(p->threads[i].pid, &row) || !row.used_kb)
			continue;
		if (vec_grow(&p->rss, &p->rcap, p->nrss, sizeof(*p->rss)))
			return -ENOMEM;
		p->rss[p->nrss++] = (struct pf_rss){ p->threads[i].pid, now,
						     row.used_kb };
	}
	return 0;
}

static int cmp_bucket(const void *a, const void *b)
{
	const struct pf_bucket *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->ms < y->ms ? -1 : x->ms > y->ms;
}

/* Sort by process and ms, add up those of the same ms, and give each
 * the classes its process had: a counter's series are the same in all
 * its events. */
static void merge_buckets(struct perfetto_sink *p)
{
	size_t i, j, n = 0, run = 0;
	__u32 mask = 0;
	int c;

	qsort(p->buckets, p->nbuckets, sizeof(*p->buckets), cmp_bucket);
	for (i = 0; i < p->nbuckets; i++) {
		if (n && !cmp_bucket(&p->buckets[n - 1], &p->buckets[i])) {
			for (c = 0; c < TT_CLASS_COUNT; c++)
				p->buckets[n - 1].n[c] += p->buckets[i].n[c];
			continue;
		}
		p->buckets[n++] = p->buckets[i];
	}
	p->nbuckets = n;
	for (i = 0; i <= n; i++) {
		if (i == n || p->buckets[i].pid != p->buckets[run].pid) {
			for (j = run; j < i; j++)
				p->buckets[j].mask = mask;
			run = i;
			mask = 0;
		}
		for (c = 0; i < n && c < TT_CLASS_COUNT; c++)
			mask |= p->buckets[i].n[c] ? 1U << c : 0;
	}
}

/* The timeline, in the order it is written. */
enum { OUT_COUNTER, OUT_ZERO, OUT_RSS, OUT_ALLOC, OUT_FAULT };

struct pf_out {
	__u64 ts_ns;
	__u32 kind;
	__u32 idx;
};

static int cmp_out(const void *a, const void *b)
{
	const struct pf_out *x = a, *y = b;

	if (x->ts_ns != y->ts_ns)
		return x->ts_ns < y->ts_ns ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* A process's counter falls back to 0 after an ms without faults. */
static bool needs_zero(const struct perfetto_sink *p, size_t i)
{
	return i + 1 == p->nbuckets ||
	       p->buckets[i + 1].pid != p->buckets[i].pid ||
	       p->buckets[i + 1].ms != p->buckets[i].ms + 1;
}

static struct pf_out *timeline(const struct perfetto_sink *p, size_t *n)
{
	size_t i, k = 0;
	struct pf_out *o = malloc((p->nfaults + p->nallocs + p->nrss +
				   2 * p->nbuckets + 1) * sizeof(*o));

	if (!o)
		return NULL;
	for (i = 0; i < p->nbuckets; i++) {
		o[k++] = (struct pf_out){ p->buckets[i].ms * NS_PER_MS,
					  OUT_COUNTER, i };
		if (needs_zero(p, i))
			o[k++] = (struct pf_out){ (p->buckets[i].ms + 1) *
						  NS_PER_MS, OUT_ZERO, i };
	}
	for (i = 0; i < p->nrss; i++)
		o[k++] = (struct pf_out){ p->rss[i].ts_ns, OUT_RSS, i };
	for (i = 0; i < p->nallocs; i++)
		o[k++] = (struct pf_out){ p->allocs[i].ts_ns, OUT_ALLOC, i };
	for (i = 0; i < p->nfaults; i++)
		o[k++] = (struct pf_out){ p->faults[i].ev.ts_ns, OUT_FAULT, i };
	qsort(o, k, sizeof(*o), cmp_out);
	*n = k;
	return o;
}

/* The next event of the traceEvents array. */
static FILE *next_ev(FILE *f, size_t *n)
{
	fputs((*n)++ ? ",\n" : "\n", f);
	return f;
}

/* Microseconds, to the ns. */
static void put_ts(FILE *f, __u64 ns)
{
	fprintf(f, "\"ts\":%llu.%03llu", (unsigned long long)ns / 1000,
		(unsigned long long)ns % 1000);
}

static void put_counter(FILE *f, const struct pf_bucket *b, bool zero)
{
	bool first = true;
	int c;

	fputs("{\"name\":\"faults/ms\",\"ph\":\"C\",", f);
	put_ts(f, (b->ms + zero) * NS_PER_MS);
	fprintf(f, ",\"pid\":%u,\"args\":{", b->pid);
	for (c = 0; c < TT_CLASS_COUNT; c++) {
		if (!(b->mask & 1U << c))
			continue;
		fprintf(f, "%s\"%s\":%u", first ? "" : ",", class_name(c),
			zero ? 0 : b->n[c]);
		first = false;
	}
	fputs("}}", f);
}

static void put_fault(FILE *f, const struct pf_fault *x)
{
	const struct tt_fault_event *e = &x->ev;

	fprintf(f, "{\"name\":\"%s\",\"cat\":\"fault\",\"ph\":\"i\","
		"\"s\":\"t\",", class_name(e->class));
	put_ts(f, e->ts_ns);
	fprintf(f, ",\"pid\":%u,\"tid\":%u,\"args\":{\"addr\":\"0x%llx\","
		"\"access\":\"%s\",\"origin\":\"%s\",", e->pid, e->tid,
		(unsigned long long)e->addr, access_name(e->access),
		origin_name(e->origin));
	if (e->class == TT_CLASS_ERROR)
		fprintf(f, "\"error\":\"%s\",", error_name(e->error));
	fprintf(f, "\"pages\":%u,\"region\":%s,\"exact\":%s,\"latency_ns\":",
		1U << (e->order & 31), x->region ?: "null",
		e->flags & TT_F_EXACT_CLASS ? "true" : "false");
	if (e->flags & TT_F_HAS_LATENCY)
		fprintf(f, "%llu}}",
			(unsigned long long)tt_lat_decode(e->latency));
	else
		fputs("null}}", f);
}

static void put_alloc(FILE *f, const struct tt_alloc_event *a)
{
	fputs("{\"name\":\"tamalloc\",\"cat\":\"tamalloc\",\"ph\":\"X\",", f);
	put_ts(f, a->ts_ns);
	fprintf(f, ",\"dur\":%llu.%03llu,\"pid\":%u,\"tid\":%u,\"args\":"
		"{\"size\":%llu,", (unsigned long long)a->latency_ns / 1000,
		(unsigned long long)a->latency_ns % 1000, a->pid, a->tid,
		(unsigned long long)a->size);
	if (a->ret < 0)
		fprintf(f, "\"errno\":%lld}}", -(long long)a->ret);
	else
		fprintf(f, "\"addr\":\"0x%llx\",\"len\":%llu}}",
			(unsigned long long)a->ret, TT_PAGE_ALIGN(a->size));
}

static void put_rss(FILE *f, const struct pf_rss *r)
{
	fputs("{\"name\":\"RSS (KiB)\",\"ph\":\"C\",", f);
	put_ts(f, r->ts_ns);
	fprintf(f, ",\"pid\":%u,\"args\":{\"rss_kb\":%llu}}", r->pid,
		(unsigned long long)r->kb);
}

/* Thread names, and each process's: its main thread's, else the name
 * of the first of its threads seen. */
static void put_names(FILE *f, const struct perfetto_sink *p, size_t *n)
{
	const struct pf_thread *t, *main;
	size_t i, j;

	for (i = 0; i < p->nthreads; i++) {
		t = &p->threads[i];
		fprintf(next_ev(f, n), "{\"name\":\"thread_name\",\"ph\":\"M\","
			"\"pid\":%u,\"tid\":%u,\"args\":{\"name\":", t->pid,
			t->tid);
		esc_json(f, t->comm, TT_COMM_LEN);
		fputs("}}", f);
		for (j = 0; j < i && p->threads[j].pid != t->pid; j++)
			;
		if (j < i)
			continue;	/* not its process's first thread */
		main = find_thread((struct perfetto_sink *)p, t->pid);
		fprintf(next_ev(f, n), "{\"name\":\"process_name\",\"ph\":\"M\","
			"\"pid\":%u,\"args\":{\"name\":", t->pid);
		esc_json(f, (main && main->pid == t->pid ? main : t)->comm,
			 TT_COMM_LEN);
		fputs("}}", f);
	}
}

/* What the trace holds and what it does not, with the summary's
 * counts: ui.perfetto.dev shows it under "Info and stats". */
static void put_other(FILE *f, const struct perfetto_sink *p)
{
	const struct tt_losses *l = &p->losses;

	fprintf(f, "\"otherData\":{\"tool\":\"tamtrace\",\"mode\":\"%s\","
		"\"faults_seen\":%llu,\"errors_seen\":%llu,"
		"\"allocs_seen\":%llu,\"faults_delivered\":%llu,"
		"\"errors_delivered\":%llu,\"fault_events\":%zu,"
		"\"fault_events_limit\":%d,\"fault_events_sampled\":%s,"
		"\"alloc_slices\":%zu,\"alloc_slices_limit\":%d,\"lost\":",
		p->mode, faults_seen(l), l->n[TT_CNT_ERRORS],
		l->n[TT_CNT_ALLOCS], p->offered - p->errors, p->errors,
		p->nfaults, PF_MAX_FAULTS,
		p->offered > p->nfaults ? "true" : "false", p->nallocs,
		PF_MAX_ALLOCS);
	losses_json(f, l);
	fputs("},\n", f);
}

static int perfetto_write(FILE *f, void *ctx)
{
	const struct perfetto_sink *p = ctx;
	size_t i, n = 0, nout;
	struct pf_out *o = timeline(p, &nout);

	if (!o)
		return -ENOMEM;
	fputs("{\"displayTimeUnit\":\"ms\",\n", f);
	put_other(f, p);
	fputs("\"traceEvents\":[", f);
	put_names(f, p, &n);
	for (i = 0; i < nout; i++) {
		next_ev(f, &n);
		if (o[i].kind <= OUT_ZERO)
			put_counter(f, &p->buckets[o[i].idx],
				    o[i].kind == OUT_ZERO);
		else if (o[i].kind == OUT_RSS)
			put_rss(f, &p->rss[o[i].idx]);
		else if (o[i].kind == OUT_ALLOC)
			put_alloc(f, &p->allocs[o[i].idx]);
		else
			put_fault(f, &p->faults[o[i].idx]);
	}
	fputs("\n]}\n", f);
	free(o);
	return 0;
}

static void pf_free(struct perfetto_sink *p)
{
	size_t i;

	for (i = 0; i < p->nfaults; i++)
		free(p->faults[i].region);
	free(p->faults);
	free(p->allocs);
	free(p->buckets);
	free(p->threads);
	free(p->rss);
	streamtab_free(&p->tab);
}

static int pf_finish(struct sink *k, struct session *s,
		     const struct tt_losses *l)
{
	struct perfetto_sink *p = (struct perfetto_sink *)k;
	const char *prog = cli_prog(p->o);
	int ret;

	p->losses = *l;
	p->mode = mode_name(s->mode);
	merge_buckets(p);
	if (p->err) {
		fprintf(stderr, "%s: Perfetto trace: %s\n", prog,
			strerror(-p->err));
		ret = TT_EXIT_ERROR;
	} else {
		ret = outfile_write(prog, "Perfetto trace", p->o->perfetto,
				    perfetto_write, p);
	}
	if (!p->err && p->offered > p->nfaults)
		fprintf(stderr, "%s: Perfetto trace: %llu faults (failed ones "
			"too), %zu of them as instant events, a uniform sample "
			"(at most %d are kept); the faults/ms counters count "
			"them all\n", prog, p->offered, p->nfaults,
			PF_MAX_FAULTS);
	if (!p->err && p->allocs_seen > p->nallocs)
		fprintf(stderr, "%s: Perfetto trace: the first %zu of %llu "
			"tamalloc() calls as slices\n", prog, p->nallocs,
			p->allocs_seen);
	pf_free(p);
	return ret;
}

static const struct sink_ops perfetto_ops = {
	.on_event = pf_event,
	.tick = pf_tick,
	.finish = pf_finish,
};

void perfetto_sink_init(struct perfetto_sink *p, const struct tt_opts *o)
{
	*p = (struct perfetto_sink){ .sink.ops = &perfetto_ops, .o = o,
				     .rng = 0x9e3779b97f4a7c15ULL };
	streamtab_init(&p->tab, true);
}
