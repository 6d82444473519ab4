/* SPDX-License-Identifier: GPL-2.0 */
/* Reports of histogram mode: terminal summary and latency, CSV, JSON. */
#ifndef __TT_HIST_REPORT_H
#define __TT_HIST_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include "hist_maps.h"
#include "session.h"

struct hist_report {
	const struct histdata *d;
	const char *mode;
	bool latency_exact;	/* the mode measures latency */
	unsigned long long duration_ns;
	struct tt_losses losses;
};

void hist_report_summary(FILE *f, const struct hist_report *r);
void hist_report_latency(FILE *f, const struct hist_report *r);
/* outfile_write() callbacks: @report is a struct hist_report. */
int hist_report_csv(FILE *f, void *report);
int hist_report_json(FILE *f, void *report);

#endif /* __TT_HIST_REPORT_H */
