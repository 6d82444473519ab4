// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "log2_hist.h"
#include "escape.h"
#include "hist_report.h"
#include "names.h"

/* Time from the tamalloc() call to the first touch of each page. */
struct payoff {
	unsigned long long never_touched_bytes;
	unsigned long long n, min_ns, median_ns, max_ns;
};

static const struct alloc_row *covering_alloc(const struct histdata *d,
					      __u32 pid, __u64 addr)
{
	size_t i;

	for (i = d->nallocs; i-- > 0;)
		if (d->allocs[i].pid == pid && addr >= d->allocs[i].addr &&
		    addr < d->allocs[i].addr + d->allocs[i].len)
			return &d->allocs[i];
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	const unsigned long long *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

static void tamalloc_payoff(const struct histdata *d, int row,
			    struct payoff *p)
{
	const struct region_row *v = &d->rows[row];
	unsigned long long *t = calloc(v->pages_touched + 1, sizeof(*t));
	const struct alloc_row *a;
	struct page_stat st;
	size_t i;

	memset(p, 0, sizeof(*p));
	p->never_touched_bytes = v->reserved > v->pages_touched ?
		(v->reserved - v->pages_touched) << TT_PAGE_SHIFT : 0;
	for (i = 0; t && i < d->nslots; i++) {
		if (d->slot_row[i] != row || !histdata_page(d, i, &st) ||
		    p->n >= v->pages_touched)
			continue;
		a = covering_alloc(d, v->tgid, st.page << TT_PAGE_SHIFT);
		if (a && st.first_ns >= a->ts_ns)
			t[p->n++] = st.first_ns - a->ts_ns;
	}
	if (t && p->n) {
		qsort(t, p->n, sizeof(*t), cmp_u64);
		p->min_ns = t[0];
		p->median_ns = t[p->n / 2];
		p->max_ns = t[p->n - 1];
	}
	free(t);
}

static void print_region(FILE *f, const struct histdata *d, size_t i)
{
	const struct region_row *v = &d->rows[i];
	char label[4 * 28 + 1];
	struct payoff p;
	int c;

	esc_text(label, sizeof(label), v->label, 28);
	fprintf(f, "%-7u %-28s %#14llx %9llu %9llu ", v->tgid, label,
		(unsigned long long)v->start, v->reserved, v->pages_touched);
	for (c = 0; c < TT_CLASS_COUNT; c++)
		if (v->by_class[c])
			fprintf(f, " %s=%llu", class_short(c), v->by_class[c]);
	if (!v->mapped)
		fputs("  (unmapped before the end)", f);
	fputc('\n', f);
	if (v->kind != TT_REG_TAMALLOC)
		return;
	tamalloc_payoff(d, i, &p);
	fprintf(f, "        lazy zeroing: %llu bytes never touched, never "
		"zero-filled", p.never_touched_bytes);
	if (p.n)
		fprintf(f, "; first touch after tamalloc(): min %.1f us, "
			"median %.1f us, max %.1f us", p.min_ns / 1e3,
			p.median_ns / 1e3, p.max_ns / 1e3);
	fputc('\n', f);
}

void hist_report_summary(FILE *f, const struct hist_report *r)
{
	const struct histdata *d = r->d;
	unsigned long long by_class[TT_CLASS_COUNT] = {}, faults = 0;
	struct page_stat st;
	size_t i;
	int c;

	for (i = 0; i < d->nslots; i++) {
		if (!histdata_page(d, i, &st))
			continue;
		faults += st.faults;
		for (c = 0; c < TT_CLASS_COUNT; c++)
			by_class[c] += st.by_class[c];
	}
	fprintf(f, "%llu faults on %zu pages in %.3f s (mode %s)\n", faults,
		d->npages, r->duration_ns / 1e9, r->mode);
	fputs("  by origin: ", f);
	origins_text(f, &r->losses);
	fprintf(f, "; %llu failed (not faults the kernel counts)\n",
		r->losses.n[TT_CNT_ERRORS]);
	for (c = 0; c < TT_CLASS_COUNT; c++)
		if (by_class[c])
			fprintf(f, "  %-15s %llu\n", class_name(c), by_class[c]);
	fprintf(f, "\n%-7s %-28s %16s %9s %9s  %s\n", "PID", "REGION", "START",
		"RESERVED", "TOUCHED", "FAULTS BY CLASS");
	for (i = 0; i < d->nrows; i++)
		if (d->rows[i].pages_touched)
			print_region(f, d, i);
	fputs("\nlost: ", f);
	losses_text(f, &r->losses);
	fputc('\n', f);
	if (r->losses.n[TT_CNT_PAGE_OVERFLOW])
		fprintf(f, "WARNING: %llu faults not counted: the page map is "
			"full (raise --max-pages)\n",
			r->losses.n[TT_CNT_PAGE_OVERFLOW]);
}

void hist_report_latency(FILE *f, const struct hist_report *r)
{
	const struct histdata *d = r->d;
	int c, s;

	if (!r->latency_exact) {
		fprintf(f, "\nFault latency: not measured in %s mode (it sees "
			"the exception, not the handler's return)\n", r->mode);
		return;
	}
	for (c = 0; c < TT_CLASS_COUNT; c++) {
		unsigned long long n = 0;

		for (s = 0; s < TT_LAT_SLOTS; s++)
			n += d->lat[c][s];
		if (!n)
			continue;
		fprintf(f, "\nclass = %s\n", class_name(c));
		print_log2_hist(f, d->lat[c], TT_LAT_SLOTS, "nsecs");
	}
}

/* Latency fields: empty in CSV, null in JSON, where none was measured. */
static void lat_fields(FILE *f, const struct page_stat *p, const char *fmt,
		       const char *none)
{
	if (!p->has_lat) {
		fprintf(f, none, "");
		return;
	}
	fprintf(f, fmt, p->lat_total_ns, p->lat_max_ns);
}

/* The label of slot @i's row. */
static const char *slot_label(const struct histdata *d, size_t i)
{
	return d->slot_row[i] >= 0 ? d->rows[d->slot_row[i]].label : "unknown";
}

static void csv_row(FILE *f, const struct histdata *d, size_t i,
		    const struct page_stat *p)
{
	int c;

	fprintf(f, "%llu,", (unsigned long long)p->page);
	esc_csv(f, slot_label(d, i), sizeof(d->rows[0].label));
	fprintf(f, ",%u", p->faults);
	for (c = 0; c < TT_CLASS_COUNT; c++)
		fprintf(f, ",%u", p->by_class[c]);
	fprintf(f, ",%u,%u,%u,%llu,%llu,", p->by_access[TT_ACC_READ],
		p->by_access[TT_ACC_WRITE], p->by_access[TT_ACC_EXEC],
		p->first_ns, p->last_ns);
	lat_fields(f, p, "%llu,%llu", "%s,");
	fprintf(f, ",%u\n", p->tgid);
}

int hist_report_csv(FILE *f, void *report)
{
	const struct hist_report *r = report;
	struct page_stat st;
	size_t i;
	int c;

	fputs("page,region,faults", f);
	for (c = 0; c < TT_CLASS_COUNT; c++)
		fprintf(f, ",%s", class_name(c));
	fputs(",read,write,exec,first_ns,last_ns,lat_total_ns,lat_max_ns,pid\n",
	      f);
	for (i = 0; i < r->d->nslots; i++)
		if (histdata_page(r->d, i, &st))
			csv_row(f, r->d, i, &st);
	return 0;
}

static void json_page(FILE *f, const struct histdata *d, size_t i,
		      const struct page_stat *p)
{
	int c;

	fprintf(f, "{\"pid\":%u,\"page\":%llu,\"region\":", p->tgid,
		(unsigned long long)p->page);
	esc_json(f, slot_label(d, i), sizeof(d->rows[0].label));
	fprintf(f, ",\"faults\":%u", p->faults);
	for (c = 0; c < TT_CLASS_COUNT; c++)
		fprintf(f, ",\"%s\":%u", class_name(c), p->by_class[c]);
	fprintf(f, ",\"read\":%u,\"write\":%u,\"exec\":%u,\"first_ns\":%llu,"
		"\"last_ns\":%llu,", p->by_access[TT_ACC_READ],
		p->by_access[TT_ACC_WRITE], p->by_access[TT_ACC_EXEC],
		p->first_ns, p->last_ns);
	lat_fields(f, p, "\"lat_total_ns\":%llu,\"lat_max_ns\":%llu}",
		   "\"lat_total_ns\":null,\"lat_max_ns\":null}%s");
}

static void json_region(FILE *f, const struct histdata *d, size_t i)
{
	const struct region_row *v = &d->rows[i];
	struct payoff p;
	int c;

	fprintf(f, "{\"pid\":%u,\"comm\":", v->tgid);
	esc_json(f, v->comm, sizeof(v->comm));
	fputs(",\"region\":", f);
	esc_json(f, v->label, sizeof(v->label));
	fprintf(f, ",\"start\":%llu,\"end\":%llu,\"mapped\":%s,"
		"\"pages_reserved\":%llu,\"pages_touched\":%llu,"
		"\"faults_by_class\":{", (unsigned long long)v->start,
		(unsigned long long)v->end, v->mapped ? "true" : "false",
		v->reserved, v->pages_touched);
	for (c = 0; c < TT_CLASS_COUNT; c++)
		fprintf(f, "%s\"%s\":%llu", c ? "," : "", class_name(c),
			v->by_class[c]);
	fputc('}', f);
	if (v->kind == TT_REG_TAMALLOC) {
		tamalloc_payoff(d, i, &p);
		fprintf(f, ",\"never_touched_bytes\":%llu,\"first_touch_ns\":"
			"{\"n\":%llu,\"min\":%llu,\"median\":%llu,\"max\":%llu}",
			p.never_touched_bytes, p.n, p.min_ns, p.median_ns,
			p.max_ns);
	}
	fputc('}', f);
}

static void json_latency(FILE *f, const struct histdata *d, bool exact)
{
	int c, s;
	bool first_c = true;

	if (!exact) {
		fputs("null", f);
		return;
	}
	fputc('{', f);
	for (c = 0; c < TT_CLASS_COUNT; c++) {
		bool first_s = true;

		fprintf(f, "%s\"%s\":[", first_c ? "" : ",", class_name(c));
		first_c = false;
		for (s = 0; s < TT_LAT_SLOTS; s++) {
			if (!d->lat[c][s])
				continue;
			fprintf(f, "%s{\"lo_ns\":%llu,\"hi_ns\":%llu,"
				"\"count\":%llu}", first_s ? "" : ",",
				s ? 1ULL << s : 0, (1ULL << (s + 1)) - 1,
				d->lat[c][s]);
			first_s = false;
		}
		fputc(']', f);
	}
	fputc('}', f);
}

int hist_report_json(FILE *f, void *report)
{
	const struct hist_report *r = report;
	const struct histdata *d = r->d;
	struct page_stat st;
	size_t i, n;

	fprintf(f, "{\"mode\":\"%s\",\"duration_ns\":%llu,\"lost\":", r->mode,
		r->duration_ns);
	losses_json(f, &r->losses);
	fputs(",\"by_origin\":", f);
	origins_json(f, &r->losses);
	fprintf(f, ",\"errors\":%llu", r->losses.n[TT_CNT_ERRORS]);
	fputs(",\"pages\":[", f);
	for (i = 0, n = 0; i < d->nslots; i++) {
		if (!histdata_page(d, i, &st))
			continue;
		fputs(n++ ? ",\n" : "\n", f);
		json_page(f, d, i, &st);
	}
	fputs("],\n\"regions\":[", f);
	for (i = 0, n = 0; i < d->nrows; i++) {
		if (!d->rows[i].pages_touched)
			continue;
		fputs(n++ ? ",\n" : "\n", f);
		json_region(f, d, i);
	}
	fputs("],\n\"latency\":", f);
	json_latency(f, d, r->latency_exact);
	fputs("}\n", f);
	return 0;
}
