/* SPDX-License-Identifier: GPL-2.0 */
/* The event stream as a sink: aligned text or NDJSON. */
#ifndef __TT_EVENTS_H
#define __TT_EVENTS_H

#include <stdbool.h>
#include "cli.h"
#include "session.h"
#include "streamtab.h"

struct events_sink {
	struct sink sink;
	struct outfile *out;		/* the session's output, from start */
	FILE *f;			/* out->f */
	bool json, timestamp, relative;
	long long mono_to_real_ns;	/* add to ts_ns for time of day */
	unsigned long long start_ns;	/* -r: time zero */
	unsigned long long faults;	/* delivered, failed ones apart */
	unsigned long long errors;
	unsigned long long allocs;
	struct streamtab tab;		/* threads and regions so far */
	char *obuf;			/* fault lines not yet given to f */
	size_t olen;
};

void events_sink_init(struct events_sink *e, const struct tt_opts *o);

#endif /* __TT_EVENTS_H */
