// SPDX-License-Identifier: GPL-2.0
/*
 * Rows are page buckets, grouped by region (VMA), each region stacked
 * under the previous one with its label; columns are time buckets;
 * colour is the fault count, on a log scale.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"
#include "heatmap.h"
#include "hist_report.h"

#define MAX_ROWS_PER_REGION	200
#define MAX_COLS		400
#define PLOT_W			900.0
#define PLOT_H			700.0
#define LEFT			300.0
#define TOP			50.0

#define MIN_BAND_H		26.0	/* room for a region's two labels */

struct band {
	int vma;		/* index in histdata.vmas */
	unsigned long long npages, pages_per_row;
	int rows, first_row;
	double y, row_h;	/* layout: top and row height, in px */
};

struct grid {
	struct band *bands;
	int nbands, total_rows, cols;
	unsigned int slot0, slots_per_col;
	unsigned long long *cells;	/* total_rows * cols */
	unsigned long long max;
	double col_w, bottom;
};

/* Bands share the plot height by rows, but none is too thin to label. */
static void layout(struct grid *g)
{
	double y = TOP, h;
	int b;

	for (b = 0; b < g->nbands; b++) {
		h = PLOT_H * g->bands[b].rows / g->total_rows;
		if (h < MIN_BAND_H)
			h = MIN_BAND_H;
		g->bands[b].y = y;
		g->bands[b].row_h = h / g->bands[b].rows;
		y += h;
	}
	g->bottom = y;
	g->col_w = PLOT_W / g->cols;
}

/* The VMA holding @page of @tgid, by binary search on the sorted VMAs. */
static int vma_of(const struct histdata *d, __u32 tgid, __u64 page)
{
	__u64 addr = page << TT_PAGE_SHIFT;
	size_t lo = 0, hi = d->nvmas;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct vma_row *v = &d->vmas[mid];

		if (v->key.tgid < tgid ||
		    (v->key.tgid == tgid && v->info.vm_end <= addr))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < d->nvmas && d->vmas[lo].key.tgid == tgid &&
	    d->vmas[lo].key.vm_start <= addr && addr < d->vmas[lo].info.vm_end)
		return lo;
	return -1;
}

static int make_bands(struct grid *g, const struct histdata *d)
{
	size_t i;

	g->bands = calloc(d->nvmas + 1, sizeof(*g->bands));
	if (!g->bands)
		return -ENOMEM;
	for (i = 0; i < d->nvmas; i++) {
		struct band *b = &g->bands[g->nbands];
		const struct vma_row *v = &d->vmas[i];

		if (!v->pages_touched)
			continue;
		b->vma = i;
		b->npages = (v->info.vm_end - v->key.vm_start) >> TT_PAGE_SHIFT;
		b->rows = b->npages < MAX_ROWS_PER_REGION ? b->npages :
			  MAX_ROWS_PER_REGION;
		b->pages_per_row = (b->npages + b->rows - 1) / b->rows;
		b->first_row = g->total_rows;
		g->total_rows += b->rows;
		g->nbands++;
	}
	return 0;
}

static int make_cells(struct grid *g, const struct histdata *d)
{
	unsigned int smin = ~0U, smax = 0;
	size_t i;

	for (i = 0; i < d->nheat; i++) {
		if (d->heat[i].key.slot < smin)
			smin = d->heat[i].key.slot;
		if (d->heat[i].key.slot > smax)
			smax = d->heat[i].key.slot;
	}
	g->slot0 = smin;
	g->cols = smax - smin + 1 < MAX_COLS ? smax - smin + 1 : MAX_COLS;
	g->slots_per_col = (smax - smin + g->cols) / g->cols;
	g->cells = calloc((size_t)g->total_rows * g->cols, sizeof(*g->cells));
	if (!g->cells)
		return -ENOMEM;
	for (i = 0; i < d->nheat; i++) {
		const struct heat_row *h = &d->heat[i];
		int v = vma_of(d, h->key.tgid, h->key.page), b, row, col;
		unsigned long long *c;

		for (b = 0; v >= 0 && b < g->nbands && g->bands[b].vma != v; b++)
			;
		if (v < 0 || b == g->nbands)
			continue;
		row = g->bands[b].first_row +
		      (h->key.page - (d->vmas[v].key.vm_start >> TT_PAGE_SHIFT)) /
		      g->bands[b].pages_per_row;
		col = (h->key.slot - g->slot0) / g->slots_per_col;
		c = &g->cells[(size_t)row * g->cols + col];
		*c += h->count;
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

static void svg_band_cells(FILE *f, const struct grid *g,
			   const struct band *b)
{
	char fill[8];
	int r, c;

	for (r = 0; r < b->rows; r++)
		for (c = 0; c < g->cols; c++) {
			unsigned long long n =
				g->cells[(size_t)(b->first_row + r) * g->cols + c];

			if (!n)
				continue;
			colour(fill, n, g->max);
			fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
				"height=\"%.2f\" fill=\"%s\"><title>%llu faults"
				"</title></rect>\n", LEFT + c * g->col_w,
				b->y + r * b->row_h, g->col_w, b->row_h, fill, n);
		}
}

static void svg_cells(FILE *f, const struct grid *g)
{
	int b;

	for (b = 0; b < g->nbands; b++)
		svg_band_cells(f, g, &g->bands[b]);
}

static void svg_regions(FILE *f, const struct grid *g,
			const struct histdata *d)
{
	int b;

	for (b = 0; b < g->nbands; b++) {
		const struct band *bd = &g->bands[b];
		const struct vma_row *v = &d->vmas[bd->vma];
		double y = bd->y;

		fprintf(f, "<line x1=\"%.0f\" y1=\"%.2f\" x2=\"%.0f\" y2=\"%.2f\" "
			"stroke=\"#888\" stroke-width=\"0.5\"/>\n", LEFT - 5, y,
			LEFT + PLOT_W, y);
		fprintf(f, "<text x=\"%.0f\" y=\"%.2f\" font-size=\"11\" "
			"text-anchor=\"end\">pid %u ", LEFT - 8, y + 11,
			v->key.tgid);
		esc_xml(f, v->label, 40);
		fputs("</text>\n", f);
		fprintf(f, "<text x=\"%.0f\" y=\"%.2f\" font-size=\"9\" "
			"fill=\"#555\" text-anchor=\"end\">%#llx, %llu pages "
			"(%llu/row)</text>\n", LEFT - 8, y + 23,
			(unsigned long long)v->key.vm_start, bd->npages,
			bd->pages_per_row);
	}
}

static void svg_axes(FILE *f, const struct grid *g, double slot_ms)
{
	double bottom = g->bottom, x;
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
	fprintf(f, "<text x=\"20\" y=\"%.0f\" font-size=\"12\" transform=\""
		"rotate(-90 20 %.0f)\" text-anchor=\"middle\">address (pages, "
		"by region)</text>\n", TOP + (bottom - TOP) / 2,
		TOP + (bottom - TOP) / 2);
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

int heatmap_write(FILE *f, void *report)
{
	const struct histdata *d = ((const struct hist_report *)report)->d;
	struct grid g = {};
	double height, slot_ms = TT_HEAT_SLOT_NS / 1e6;
	int err;

	err = make_bands(&g, d);
	err = err ?: (g.total_rows ? make_cells(&g, d) : 0);
	if (err)
		goto out;
	if (g.total_rows)
		layout(&g);
	height = (g.total_rows ? g.bottom : TOP + 20) + 60;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\""
		"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"font-family=\"sans-serif\">\n<rect width=\"100%%\" "
		"height=\"100%%\" fill=\"#fff\"/>\n<text x=\"%.0f\" y=\"22\" "
		"font-size=\"15\">tamtrace: page faults, address x time</text>\n",
		LEFT + PLOT_W + 20, height, LEFT);
	if (g.total_rows) {
		svg_cells(f, &g);
		svg_regions(f, &g, d);
		svg_axes(f, &g, slot_ms);
		svg_legend(f, &g);
	} else {
		fprintf(f, "<text x=\"%.0f\" y=\"%.0f\">no faults</text>\n",
			LEFT, TOP + 20);
	}
	fputs("</svg>\n", f);
out:
	free(g.bands);
	free(g.cells);
	return err;
}
