/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The event stream as a Chrome JSON trace (the trace-event format that
 * ui.perfetto.dev and chrome://tracing open), written at the end:
 * process and thread names, a counter track per process of faults per
 * ms by class and one of RSS, an instant event per fault (every one up
 * to PF_MAX_FAULTS, then a uniform sample of them, said in the file's
 * otherData and on stderr), and tamalloc() calls as complete slices.
 */
#ifndef __TT_PERFETTO_H
#define __TT_PERFETTO_H

#include "cli.h"
#include "session.h"
#include "streamtab.h"

#define PF_MAX_FAULTS 100000	/* instant events kept */
#define PF_MAX_ALLOCS 100000	/* tamalloc() slices kept, the first */
#define PF_RSS_PROCS 64		/* processes whose RSS is read per tick */

struct pf_fault;
struct pf_bucket;
struct pf_thread;
struct pf_rss;

struct perfetto_sink {
	struct sink sink;
	const struct tt_opts *o;
	struct streamtab tab;		/* region labels, JSON-escaped */
	struct pf_fault *faults;	/* the sample, PF_MAX_FAULTS at most */
	size_t nfaults, fcap;
	unsigned long long offered;	/* faults and failed ones delivered */
	unsigned long long errors;	/* failed ones delivered */
	struct tt_alloc_event *allocs;
	size_t nallocs, acap;
	unsigned long long allocs_seen;
	struct pf_bucket *buckets;	/* per process and ms */
	size_t nbuckets, bcap;
	struct pf_thread *threads;
	size_t nthreads, tcap;
	struct pf_rss *rss;
	size_t nrss, rcap;
	unsigned long long rss_next_ns;
	unsigned long long rng;
	int err;			/* -ENOMEM: stop */
	struct tt_losses losses;	/* at the end, for otherData */
	const char *mode;
};

void perfetto_sink_init(struct perfetto_sink *p, const struct tt_opts *o);

#endif /* __TT_PERFETTO_H */
