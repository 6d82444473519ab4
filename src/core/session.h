/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One trace, whatever the subcommand: host checks, the target, mode
 * probing with fallback, the only poll loop, stop conditions, losses,
 * and the exit status. What to do with the events is a sink's business.
 */
#ifndef __TT_SESSION_H
#define __TT_SESSION_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include "cli.h"
#include "outfile.h"
#include "probe.h"
#include "target.h"
#include "tracer.h"

/* The loss counters of enum tt_counter, summed over CPUs. */
struct tt_losses {
	unsigned long long n[TT_CNT_COUNT];
};

struct session;
struct sink;

#define SINK_DONE 1	/* tick(): the sink has all it wants, stop */

struct sink_ops {
	/* The target runs, events follow: headers. 0 or -errno. */
	int (*start)(struct sink *k, struct session *s);
	/* One ring-buffer record. 0, or -errno to stop reading. */
	int (*on_event)(struct sink *k, const void *data, size_t len);
	/* About every 100 ms. 0, SINK_DONE, or -errno. */
	int (*tick)(struct sink *k, struct session *s);
	/* The trace ended: final output. Returns an enum tt_exit. */
	int (*finish)(struct sink *k, struct session *s,
		      const struct tt_losses *l);
};

struct sink {
	const struct sink_ops *ops;
};

struct session {
	const struct tt_opts *opts;
	struct tt_features feat;
	struct tracer_cfg cfg;	/* hist settings from the caller */
	struct tracer *tr;
	struct target tgt;
	struct outfile out;	/* -o, or stdout */
	int mode;		/* enum tt_mode, once attached */
	unsigned long long start_ns;
	struct tt_losses warned;
};

unsigned long long now_ns(void);
/* Run the whole trace into @k; returns tamtrace's exit status. */
int session_run(struct session *s, const struct tt_opts *o, struct sink *k);
/* Read the counters now; 0 or -errno. */
int session_losses(struct session *s, struct tt_losses *l);
/* Faults the filter accepted, of every origin; failed ones not. */
unsigned long long faults_seen(const struct tt_losses *l);
/* "user N, kernel N, gup N", and the same as a JSON object. */
void origins_text(FILE *f, const struct tt_losses *l);
void origins_json(FILE *f, const struct tt_losses *l);
/* Faults lost: the counters that say a loss. */
unsigned long long losses_total(const struct tt_losses *l);
/* {"ringbuf":N,"inflight":N,...} */
void losses_json(FILE *f, const struct tt_losses *l);
/* "ring buffer full 0, in-flight table full 0, ..." */
void losses_text(FILE *f, const struct tt_losses *l);
/* The JSON key of a loss counter ("ringbuf"), NULL if it is no loss. */
const char *loss_key(int counter);

#endif /* __TT_SESSION_H */
