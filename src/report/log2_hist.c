// SPDX-License-Identifier: GPL-2.0
#include "log2_hist.h"

#define BAR_WIDTH 40

static void print_stars(FILE *f, unsigned long long v, unsigned long long max)
{
	int i, n = max ? (int)(v * BAR_WIDTH / max) : 0;

	for (i = 0; i < BAR_WIDTH; i++)
		fputc(i < n ? '*' : ' ', f);
}

/* Bucket i holds values in [2^i, 2^(i+1)); bucket 0 also holds 0. */
void print_log2_hist(FILE *f, const unsigned long long *vals, int n,
		     const char *unit)
{
	unsigned long long max = 0, lo, hi;
	int i, first = -1, last = -1;

	for (i = 0; i < n; i++) {
		if (!vals[i])
			continue;
		if (first < 0)
			first = i;
		last = i;
		if (vals[i] > max)
			max = vals[i];
	}
	if (last < 0) {
		fprintf(f, "     (no samples)\n");
		return;
	}
	fprintf(f, "%24s : count    distribution\n", unit);
	for (i = first; i <= last; i++) {
		lo = i ? 1ULL << i : 0;
		hi = (1ULL << (i + 1)) - 1;
		fprintf(f, "%10llu -> %-10llu : %-8llu |", lo, hi, vals[i]);
		print_stars(f, vals[i], max);
		fprintf(f, "|\n");
	}
}
