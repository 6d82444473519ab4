/* SPDX-License-Identifier: GPL-2.0 */
/* Reports of histogram mode: terminal summary, CSV, JSON. */
#ifndef __TT_HISTOUT_H
#define __TT_HISTOUT_H

#include <stdbool.h>
#include <stdio.h>
#include "hist_maps.h"

struct hist_meta {
	const char *mode;
	bool latency_exact;	/* false in exceptions mode */
	unsigned long long duration_ns;
	unsigned long long counters[TT_CNT_COUNT];
};

void histout_summary(FILE *f, const struct histdata *d,
		     const struct hist_meta *m);
void histout_latency(FILE *f, const struct histdata *d,
		     const struct hist_meta *m);
int histout_csv(const char *path, const struct histdata *d);
int histout_json(const char *path, const struct histdata *d,
		 const struct hist_meta *m);

#endif /* __TT_HISTOUT_H */
