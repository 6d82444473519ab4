/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exporter's exposition: Prometheus text 0.0.4, or OpenMetrics 1.0
 * when the scraper asks for it; also the node_exporter textfile.
 */
#ifndef __TT_PROM_H
#define __TT_PROM_H

#include <stdbool.h>
#include <stdio.h>
#include "keytab.h"
#include "session.h"

struct prom_ctx {
	const struct keytab *k;
	const struct tt_losses *losses;
	const char *mode;
	bool has_lat;		/* the mode measures latency */
	/* per class, log2 ns buckets, summed over CPUs */
	unsigned long long lat[TT_CLASS_COUNT][TT_LAT_SLOTS];
	bool openmetrics;
	bool memory;		/* reserved and used memory per label */
	struct key_mem *mem;	/* prom_write's, per key while it writes */
};

/* Content-Type of the exposition. */
const char *prom_content_type(bool openmetrics);
/* Write the whole exposition; 0 or -errno (outfile_write's contract). */
int prom_write(FILE *f, void *ctx);

#endif /* __TT_PROM_H */
