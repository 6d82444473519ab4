/* SPDX-License-Identifier: GPL-2.0 */
/* The BPF side, as an object: new -> attach -> poll -> counters -> free. */
#ifndef __TT_TRACER_H
#define __TT_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "tamtrace.h"

struct tracer;

typedef int (*tracer_event_fn)(void *ctx, void *data, size_t len);

struct tracer_cfg {
	int mode;		/* enum tt_mode */
	int filter;		/* enum tt_filter */
	const pid_t *pids;	/* running processes to trace (-p) */
	int npids;
	pid_t exec_pid;		/* launched child: traced from its exec */
	pid_t tid;		/* TT_FILTER_TID */
	int cgroup_fd;		/* TT_FILTER_CGROUP: open cgroup directory */
	bool follow;
	bool with_tamalloc;	/* attach the tamalloc syscall tracepoints */
	bool with_sched;	/* sched tp_btf programs are available */
	unsigned int buf_mb;
	bool hist;		/* aggregate in maps instead of streaming */
	bool stacks;		/* hist: count stacks per fault class */
	bool heat;		/* hist: count faults per page and ms */
	unsigned int max_pages;	/* hist: capacity of the per-page map */
	bool serve;		/* serve, top: count per key, no events */
	int serve_by;		/* enum tt_by */
	tracer_event_fn on_event;
	void *ctx;
};

/* Open, configure, load and attach. Returns 0 or a negative errno; on
 * failure @why (if not NULL) names the step that failed. */
int tracer__new(const struct tracer_cfg *cfg, struct tracer **out,
		char *why, size_t why_len);
/* Readable when events wait: for poll(2) next to other descriptors. */
int tracer__epoll_fd(struct tracer *t);
/* Hand every waiting event to on_event; returns their number or -errno
 * (on_event's own error included). */
int tracer__consume(struct tracer *t);
/* How often the caller must call tracer__consume(), woken or not: in
 * milliseconds, 0 if only when woken (and at its own ticks). */
int tracer__say_held(struct tracer *t);
int tracer__drain_ms(struct tracer *t);
/* True while some process of the -f / several -p table is alive. */
bool tracer__has_followed(struct tracer *t);
/* Sum of the per-CPU counters, indexed by enum tt_counter. */
int tracer__counters(struct tracer *t, unsigned long long out[TT_CNT_COUNT]);
void tracer__free(struct tracer *t);

enum tracer_map {
	TRACER_MAP_PAGES,
	TRACER_MAP_VMAS,
	TRACER_MAP_HEAT,
	TRACER_MAP_LAT_HIST,
	TRACER_MAP_STACK_TRACES,	/* kernel stacks, IPs */
	TRACER_MAP_USER_IPS,		/* user stacks, IPs */
	TRACER_MAP_USER_STACKS,		/* the same, struct bpf_stack_build_id */
	TRACER_MAP_USTACK_IDS,		/* user_ips id -> user_stacks id */
	TRACER_MAP_STACK_COUNTS,
	TRACER_MAP_SERVE_SLOTS,		/* serve: per-key counts, per CPU */
	TRACER_MAP_SERVE_KEYS,		/* key -> slot */
	TRACER_MAP_SERVE_FREE,		/* the ring of free slots */
};

/* File descriptor of one of the histogram-mode maps. */
int tracer__map_fd(struct tracer *t, enum tracer_map which);

/* serve: the free-slot ring's indexes, in the mapped .bss. */
struct tt_serve_ctl *tracer__serve_ctl(struct tracer *t);
/* Possible CPUs: the per-CPU maps' value count. */
int tracer__ncpus(struct tracer *t);

#endif /* __TT_TRACER_H */
