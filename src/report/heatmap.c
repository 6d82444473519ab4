// SPDX-License-Identifier: GPL-2.0
/*
 * Address x time, after damo's heatmaps: rows are the touched pages
 * only (untouched address space is collapsed, a dashed line marks each
 * break), grouped in one band per busy region and one `other` band for
 * the rest; columns are time buckets; colour is the fault count, on a
 * log scale. The picture's height is bounded and every cell is at
 * least one pixel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"
#include "heatmap.h"
#include "hist_report.h"

#define MAX_BANDS	12	/* the last one may be `other` */
#define MIN_SHARE	100	/* a region with < 1/100 of faults folds */
#define MAX_COLS	450
#define PLOT_W		900.0
#define PLOT_H		560.0
#define LEFT		300.0
#define TOP		50.0
#define MIN_BAND_H	28.0	/* room for a band's two labels */
#define BREAK_PAGES	16	/* a gap this long is drawn */
#define MAX_BREAKS	64	/* per band */
#define LABEL_CHARS	30	/* with comm and pid, fits LEFT at 11 px */

struct tpage {			/* a touched page, in its band */
	int row;		/* histdata.rows */
	__u64 page;
};

struct band {
	int row;		/* histdata.rows, -1 for `other` */
	int nrows_folded;
	struct tpage *pages;	/* sorted, distinct */
	size_t npages, cap;
	unsigned long long faults;
	int rows, per_row;	/* pixel rows; pages per pixel row */
	double y, h;
};

struct grid {
	const struct histdata *d;
	int *band_of;		/* per histdata row, -1 if none */
	unsigned long long *row_faults;
	struct band bands[MAX_BANDS];
	int nbands, cols;
	unsigned int slot0, slots_per_col;
	unsigned long long **cells;	/* per band: rows * cols */
	unsigned long long max;
	double col_w;
};

static int row_index(const struct histdata *d, __u32 tgid, __u64 page)
{
	const struct region_row *r = histdata_row_of(d, tgid, page);

	return r ? (int)(r - d->rows) : -1;
}

static int cmp_faults_desc(const void *a, const void *b, void *arg)
{
	const unsigned long long *f = arg;
	int x = *(const int *)a, y = *(const int *)b;

	return f[x] > f[y] ? -1 : f[x] < f[y];
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/*
 * The busiest regions get a band each, in address order; those with
 * less than 1/MIN_SHARE of the faults, and any past MAX_BANDS - 1,
 * fold into `other` (unless that would hold one region only).
 */
static int pick_bands(struct grid *g, unsigned long long total)
{
	const struct histdata *d = g->d;
	int *order = calloc(d->nrows + 1, sizeof(*order)), n = 0, keep = 0;
	int i;

	if (!order)
		return -ENOMEM;
	for (i = 0; i < (int)d->nrows; i++)
		if (g->row_faults[i])
			order[n++] = i;
	qsort_r(order, n, sizeof(*order), cmp_faults_desc, g->row_faults);
	while (keep < n && keep < MAX_BANDS - 1 &&
	       g->row_faults[order[keep]] * MIN_SHARE >= total)
		keep++;
	if (n - keep == 1)
		keep = n;
	qsort(order, keep, sizeof(*order), cmp_int);
	for (i = 0; i < n; i++) {
		if (i <= keep && g->nbands < MAX_BANDS)
			g->bands[g->nbands++].row = i < keep ? order[i] : -1;
		g->band_of[order[i]] = i < keep ? i : keep;
		if (i >= keep)
			g->bands[keep].nrows_folded++;
	}
	free(order);
	return 0;
}

static int cmp_tpage(const void *a, const void *b)
{
	const struct tpage *x = a, *y = b;

	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	return x->page < y->page ? -1 : x->page > y->page;
}

static int add_tpage(struct band *b, int row, __u64 page)
{
	struct tpage *tmp;

	if (b->npages == b->cap) {
		tmp = realloc(b->pages, (b->cap = b->cap * 2 + 64) *
			      sizeof(*tmp));
		if (!tmp)
			return -ENOMEM;
		b->pages = tmp;
	}
	b->pages[b->npages++] = (struct tpage){ row, page };
	return 0;
}

/* Each band's touched pages, sorted and distinct: its y axis. */
static int band_pages(struct grid *g)
{
	const struct histdata *d = g->d;
	size_t i, j, k;
	int r, err = 0;

	for (i = 0; !err && i < d->nheat; i++) {
		r = row_index(d, d->heat[i].key.tgid, d->heat[i].key.page);
		if (r >= 0 && g->band_of[r] >= 0)
			err = add_tpage(&g->bands[g->band_of[r]], r,
					d->heat[i].key.page);
	}
	for (k = 0; k < (size_t)g->nbands; k++) {
		struct band *b = &g->bands[k];

		qsort(b->pages, b->npages, sizeof(*b->pages), cmp_tpage);
		for (i = j = 0; i < b->npages; i++)
			if (!j || cmp_tpage(&b->pages[j - 1], &b->pages[i]))
				b->pages[j++] = b->pages[i];
		b->npages = j;
	}
	return err;
}

/*
 * Bands share PLOT_H by touched pages, each at least MIN_BAND_H; a
 * pixel row holds as many pages as it takes to be one pixel tall.
 */
static void layout(struct grid *g)
{
	double y = TOP, spare = PLOT_H - g->nbands * MIN_BAND_H;
	size_t total = 0;
	int i;

	for (i = 0; i < g->nbands; i++)
		total += g->bands[i].npages;
	for (i = 0; i < g->nbands; i++) {
		struct band *b = &g->bands[i];

		b->y = y;
		b->h = MIN_BAND_H + spare * b->npages / total;
		b->rows = b->npages < (size_t)b->h ? (int)b->npages :
			  (int)b->h;
		b->per_row = (b->npages + b->rows - 1) / b->rows;
		b->rows = (b->npages + b->per_row - 1) / b->per_row;
		y += b->h;
	}
	g->col_w = PLOT_W / g->cols;
}

/* The y index of @page of region @row in band @b. */
static size_t rank_of(const struct band *b, int row, __u64 page)
{
	struct tpage key = { row, page };
	size_t lo = 0, hi = b->npages;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (cmp_tpage(&b->pages[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void time_axis(struct grid *g)
{
	unsigned int smin = ~0U, smax = 0;
	size_t i;

	for (i = 0; i < g->d->nheat; i++) {
		if (g->d->heat[i].key.slot < smin)
			smin = g->d->heat[i].key.slot;
		if (g->d->heat[i].key.slot > smax)
			smax = g->d->heat[i].key.slot;
	}
	g->slot0 = smin;
	g->cols = smax - smin + 1 < MAX_COLS ? smax - smin + 1 : MAX_COLS;
	g->slots_per_col = (smax - smin + g->cols) / g->cols;
}

static int make_cells(struct grid *g)
{
	const struct histdata *d = g->d;
	size_t i;
	int b, r;

	g->cells = calloc(g->nbands, sizeof(*g->cells));
	for (b = 0; g->cells && b < g->nbands; b++) {
		g->cells[b] = calloc((size_t)g->bands[b].rows * g->cols,
				     sizeof(**g->cells));
		if (!g->cells[b])
			return -ENOMEM;
	}
	if (!g->cells)
		return -ENOMEM;
	for (i = 0; i < d->nheat; i++) {
		const struct heat_row *h = &d->heat[i];
		unsigned long long *c;
		struct band *bd;

		r = row_index(d, h->key.tgid, h->key.page);
		if (r < 0 || g->band_of[r] < 0)
			continue;
		b = g->band_of[r];
		bd = &g->bands[b];
		c = &g->cells[b][rank_of(bd, r, h->key.page) / bd->per_row *
				 g->cols + (h->key.slot - g->slot0) /
				 g->slots_per_col];
		*c += h->count;
		bd->faults += h->count;
		if (*c > g->max)
			g->max = *c;
	}
	return 0;
}

/* Light yellow (few faults) to dark red (many), log scale. */
static void colour(char *buf, unsigned long long c, unsigned long long max)
{
	double t = max > 1 ? log1p(c) / log1p(max) : 1.0;

	snprintf(buf, 8, "#%02x%02x%02x", (int)(255 - 100 * t),
		 (int)(230 * (1 - t)), (int)(120 * (1 - t)));
}

static void svg_band_cells(FILE *f, const struct grid *g, int b)
{
	const struct band *bd = &g->bands[b];
	double row_h = bd->h / bd->rows;
	char fill[8];
	int r, c;

	fprintf(f, "<g class=\"band\" data-y0=\"%.2f\" data-y1=\"%.2f\" "
		"data-x0=\"%.0f\" data-x1=\"%.0f\">\n", bd->y, bd->y + bd->h,
		LEFT, LEFT + PLOT_W);
	for (r = 0; r < bd->rows; r++)
		for (c = 0; c < g->cols; c++) {
			unsigned long long n = g->cells[b][(size_t)r * g->cols + c];

			if (!n)
				continue;
			colour(fill, n, g->max);
			fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
				"height=\"%.2f\" fill=\"%s\"><title>%llu faults"
				"</title></rect>\n", LEFT + c * g->col_w,
				bd->y + r * row_h, g->col_w, row_h, fill, n);
		}
	fputs("</g>\n", f);
}

/* Dashed lines where the collapsed address space has a gap. */
static void svg_breaks(FILE *f, const struct band *b)
{
	double row_h = b->h / b->rows, y, last = -10;
	int n = 0;
	size_t i;

	for (i = 1; i < b->npages && n < MAX_BREAKS; i++) {
		if (b->pages[i].row == b->pages[i - 1].row &&
		    b->pages[i].page - b->pages[i - 1].page < BREAK_PAGES)
			continue;
		y = b->y + (double)(i / b->per_row) * row_h;
		if (y - last < 4)	/* one line per few pixels */
			continue;
		last = y;
		fprintf(f, "<line x1=\"%.0f\" y1=\"%.2f\" x2=\"%.0f\" "
			"y2=\"%.2f\" stroke=\"#66a\" stroke-width=\"0.6\" "
			"stroke-dasharray=\"3,3\"/>\n", LEFT - 6, y,
			LEFT + PLOT_W, y);
		n++;
	}
}

/* @s in at most @max characters, the middle cut out as "…". Cuts only
 * between UTF-8 characters; invalid bytes count as characters. */
static void mid_cut(char *dst, size_t len, const char *s, size_t max)
{
	size_t n = 0, i, head, tail, h, t;

	for (i = 0; s[i]; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	if (n <= max) {
		snprintf(dst, len, "%s", s);
		return;
	}
	head = (max - 1) / 2;
	tail = max - 1 - head;
	for (h = 0, i = 0; s[h] && i <= head; h++)
		i += ((unsigned char)s[h] & 0xc0) != 0x80;
	h--;			/* s[h] starts character head + 1 */
	for (t = strlen(s), i = 0; t > 0 && i < tail; t--)
		i += ((unsigned char)s[t - 1] & 0xc0) != 0x80;
	/* A cut name is still a name: the check only quiets gcc. */
	if (snprintf(dst, len, "%.*s\xe2\x80\xa6%s", (int)h, s, s + t) < 0)
		dst[0] = 0;
}

static void svg_label(FILE *f, const struct grid *g, const struct band *b)
{
	const struct region_row *r = b->row >= 0 ? &g->d->rows[b->row] : NULL;
	char name[4 * LABEL_CHARS];

	fprintf(f, "<text x=\"%.0f\" y=\"%.2f\" font-size=\"11\" "
		"text-anchor=\"end\">", LEFT - 8, b->y + 12);
	if (r) {
		esc_xml(f, r->comm[0] ? r->comm : "pid", sizeof(r->comm));
		fprintf(f, " %u ", r->tgid);
		mid_cut(name, sizeof(name), r->label, LABEL_CHARS);
		esc_xml(f, name, sizeof(name));
	} else {
		fprintf(f, "other: %d regions", b->nrows_folded);
	}
	fputs("</text>\n", f);
	fprintf(f, "<text x=\"%.0f\" y=\"%.2f\" font-size=\"9\" fill=\"#555\" "
		"text-anchor=\"end\">", LEFT - 8, b->y + 24);
	if (r)
		fprintf(f, "%#llx ", (unsigned long long)r->start);
	fprintf(f, "%zu pages, %llu faults, %d/row</text>\n", b->npages,
		b->faults, b->per_row);
	fprintf(f, "<line x1=\"%.0f\" y1=\"%.2f\" x2=\"%.0f\" y2=\"%.2f\" "
		"stroke=\"#000\" stroke-width=\"0.8\"/>\n", LEFT - 120, b->y,
		LEFT + PLOT_W, b->y);
}

static void svg_axes(FILE *f, const struct grid *g, double bottom)
{
	double x, slot_ms = TT_HEAT_SLOT_NS / 1e6;
	int i;

	fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.2f\" "
		"fill=\"none\" stroke=\"#000\"/>\n", LEFT, TOP, PLOT_W,
		bottom - TOP);
	for (i = 0; i <= 5; i++) {
		x = LEFT + PLOT_W * i / 5;
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.2f\" x2=\"%.1f\" y2=\"%.2f\" "
			"stroke=\"#000\"/><text x=\"%.1f\" y=\"%.2f\" "
			"font-size=\"11\" text-anchor=\"middle\">%.0f ms</text>\n",
			x, bottom, x, bottom + 5, x, bottom + 18,
			g->cols * g->slots_per_col * slot_ms * i / 5);
	}
	fprintf(f, "<text x=\"%.0f\" y=\"%.2f\" font-size=\"12\" "
		"text-anchor=\"middle\">time since the first fault</text>\n",
		LEFT + PLOT_W / 2, bottom + 36);
	fprintf(f, "<text x=\"14\" y=\"%.0f\" font-size=\"12\" transform=\""
		"rotate(-90 14 %.0f)\" text-anchor=\"middle\">touched pages by "
		"region, in address order (dashed: untouched gap)</text>\n",
		TOP + (bottom - TOP) / 2, TOP + (bottom - TOP) / 2);
}

static void svg_legend(FILE *f, const struct grid *g)
{
	char fill[8];
	int i;

	fprintf(f, "<text x=\"%.0f\" y=\"20\" font-size=\"11\">faults per "
		"cell:</text>\n", LEFT + PLOT_W - 300);
	for (i = 0; i < 20; i++) {
		unsigned long long c = (unsigned long long)
			expm1(log1p(g->max) * (i + 1) / 20.0);

		colour(fill, c ? c : 1, g->max);
		fprintf(f, "<rect x=\"%.0f\" y=\"28\" width=\"10\" height=\"10\" "
			"fill=\"%s\"/>\n", LEFT + PLOT_W - 300 + i * 10, fill);
	}
	fprintf(f, "<text x=\"%.0f\" y=\"37\" font-size=\"10\">1</text>"
		"<text x=\"%.0f\" y=\"37\" font-size=\"10\">%llu</text>\n",
		LEFT + PLOT_W - 312, LEFT + PLOT_W - 95, g->max);
}

static void svg_write(FILE *f, const struct grid *g)
{
	double bottom = g->nbands ? g->bands[g->nbands - 1].y +
				    g->bands[g->nbands - 1].h : TOP + 20;
	int b;

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\""
		"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"font-family=\"sans-serif\">\n<rect width=\"100%%\" "
		"height=\"100%%\" fill=\"#fff\"/>\n<text x=\"%.0f\" y=\"22\" "
		"font-size=\"15\">tamtrace: page faults, address x time</text>\n",
		LEFT + PLOT_W + 20, bottom + 60, LEFT);
	if (!g->nbands) {
		fprintf(f, "<text x=\"%.0f\" y=\"%.0f\">no faults</text>\n",
			LEFT, TOP + 20);
		fputs("</svg>\n", f);
		return;
	}
	for (b = 0; b < g->nbands; b++) {
		svg_band_cells(f, g, b);
		svg_breaks(f, &g->bands[b]);
		svg_label(f, g, &g->bands[b]);
	}
	svg_axes(f, g, bottom);
	svg_legend(f, g);
	fputs("</svg>\n", f);
}

static int build(struct grid *g)
{
	const struct histdata *d = g->d;
	unsigned long long total = 0;
	size_t i;
	int r, err;

	g->band_of = malloc((d->nrows + 1) * sizeof(*g->band_of));
	g->row_faults = calloc(d->nrows + 1, sizeof(*g->row_faults));
	if (!g->band_of || !g->row_faults)
		return -ENOMEM;
	memset(g->band_of, -1, (d->nrows + 1) * sizeof(*g->band_of));
	for (i = 0; i < d->nheat; i++) {
		r = row_index(d, d->heat[i].key.tgid, d->heat[i].key.page);
		if (r >= 0) {
			g->row_faults[r] += d->heat[i].count;
			total += d->heat[i].count;
		}
	}
	err = pick_bands(g, total) ?: band_pages(g);
	if (err || !g->nbands)
		return err;
	time_axis(g);
	layout(g);
	return make_cells(g);
}

int heatmap_write(FILE *f, void *report)
{
	struct grid g = { .d = ((const struct hist_report *)report)->d };
	int err = build(&g), b;

	if (!err)
		svg_write(f, &g);
	for (b = 0; b < g.nbands; b++) {
		free(g.bands[b].pages);
		free(g.cells ? g.cells[b] : NULL);
	}
	free(g.cells);
	free(g.band_of);
	free(g.row_faults);
	return err;
}
