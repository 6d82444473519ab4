/* SPDX-License-Identifier: GPL-2.0 */
/* What streaming and histogram runs share: checks, the target process,
 * mode probing with fallback, and the stop conditions. */
#ifndef __TT_SESSION_H
#define __TT_SESSION_H

#include <signal.h>
#include <stdbool.h>
#include "cli.h"
#include "launch.h"
#include "probe.h"
#include "tracer.h"

struct session {
	struct tt_opts opts;
	struct tt_features feat;
	struct tracer_cfg cfg;	/* filled in by the caller, mode by us */
	struct tracer *tr;
	struct launch child;
	bool launched;
	int mode;
	unsigned long long start_ns;
};

extern volatile sig_atomic_t session_exiting;

unsigned long long now_ns(void);
/* Each returns 0 or an enum tt_exit, after printing why. */
int session_init(struct session *s);
int session_start_target(struct session *s);
int session_start_tracer(struct session *s);
int session_release_target(struct session *s);
bool session_target_gone(struct session *s);
/* True once a signal, the target's exit or the duration says stop. */
bool session_should_stop(struct session *s);
void session_close(struct session *s, int err);

#endif /* __TT_SESSION_H */
