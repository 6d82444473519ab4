/* SPDX-License-Identifier: GPL-2.0 */
/* log2 histograms, printed the way libbpf-tools' print_log2_hist does. */
#ifndef __TT_HISTOGRAM_H
#define __TT_HISTOGRAM_H

#include <stdio.h>

void print_log2_hist(FILE *f, const unsigned long long *vals, int n,
		     const char *unit);

#endif /* __TT_HISTOGRAM_H */
