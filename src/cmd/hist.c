// SPDX-License-Identifier: GPL-2.0
/* `tamtrace hist`: per-page fault counts, latency histograms, regions,
 * heatmap and stacks, aggregated in BPF maps instead of streamed. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include "cmds.h"
#include "exitcodes.h"
#include "heatmap.h"
#include "hist_maps.h"
#include "hist_report.h"
#include "modes.h"
#include "pprof.h"
#include "regions.h"
#include "session.h"
#include "stacks.h"

struct hist {
	struct sink sink;
	const struct tt_opts *o;
	struct histdata d;
	struct stacks_ctx stk;
	struct maps_log log;	/* the regions as each process has them */
	__u32 child;		/* the launched command, 0 without */
	unsigned long long next_report;
	long reports;
};

/* Only tamalloc() calls, and execs with --stacks, come through the ring
 * buffer in hist mode. */
static int hist_event(struct sink *k, const void *data, size_t len)
{
	struct hist *h = (struct hist *)k;
	const struct tt_alloc_event *e = data;

	if (len >= sizeof(*e) && e->type == TT_EV_ALLOC)
		return histdata_add_alloc(&h->d, e);
	if (len >= sizeof(struct tt_exec_event) && e->type == TT_EV_EXEC)
		return stacks_note_exec(&h->stk, data);
	return 0;
}

static int hist_start(struct sink *k, struct session *s)
{
	struct hist *h = (struct hist *)k;
	const struct target *t = &s->tgt;

	stacks_init(&h->stk, t->launched ? t->child.pid : t->pids[0]);
	h->child = t->launched ? t->child.pid : 0;
	if (t->launched)
		stacks_set_exe(&h->stk, h->o->argv[0]);
	h->next_report = s->start_ns + h->o->interval * 1e9;
	return 0;
}

static void report_init(struct hist *h, struct session *s,
			struct hist_report *r)
{
	memset(r, 0, sizeof(*r));
	r->d = &h->d;
	r->mode = mode_name(s->mode);
	r->latency_exact = mode_desc(s->mode)->has_latency;
	r->duration_ns = now_ns() - s->start_ns;
	session_losses(s, &r->losses);
}

static void interval_report(struct hist *h, struct session *s)
{
	struct hist_report r;

	report_init(h, s, &r);
	histdata_read_lat(&h->d, s->tr, true);
	fprintf(s->out.f, "\n--- %.1f s: %llu faults so far ---\n",
		r.duration_ns / 1e9, faults_seen(&r.losses) -
		r.losses.n[TT_CNT_PAGE_OVERFLOW]);
	hist_report_latency(s->out.f, &r);
	outfile_flush(&s->out);
}

/* Processes looked at per tick: enough for -f, bounded for -a. */
#define SNAP_PROCS 128

/*
 * Snapshot /proc/PID/maps of the processes that faulted so far: the
 * regions are built from what they had mapped while they ran, and
 * named by what was there at the time, not by what is there later.
 */
static void snapshot_maps(struct hist *h, struct session *s)
{
	int fd = tracer__map_fd(s->tr, TRACER_MAP_VMAS), n = 0, i;
	struct tt_vma_key key, next, *prev = NULL;
	unsigned long long now = now_ns();
	__u32 tgids[SNAP_PROCS];

	while (n < SNAP_PROCS && !bpf_map_get_next_key(fd, prev, &next)) {
		for (i = 0; i < n && tgids[i] != next.tgid; i++)
			;
		if (i == n)
			tgids[n++] = next.tgid;
		key = next;
		prev = &key;
	}
	for (i = 0; i < n; i++)
		maps_log_snapshot(&h->log, tgids[i], now);
}

static int hist_tick(struct sink *k, struct session *s)
{
	struct hist *h = (struct hist *)k;

	snapshot_maps(h, s);
	if (h->o->stacks)
		stacks_snapshot_maps(&h->stk);
	if (!h->o->interval || now_ns() < h->next_report)
		return 0;
	interval_report(h, s);
	h->next_report += h->o->interval * 1e9;
	return h->o->count && ++h->reports >= h->o->count ? SINK_DONE : 0;
}

/* The launched command's name, as the kernel would cut it, for
 * processes that exited before any snapshot. */
static const char *command_comm(const char *argv0, char *comm)
{
	const char *base = strrchr(argv0, '/') ? strrchr(argv0, '/') + 1 :
						argv0;

	snprintf(comm, 16, "%.15s", base);
	return comm;
}

static int write_pprof(struct hist *h, const struct hist_report *r)
{
	struct pprof_ctx p = { .stk = &h->stk, .mode = r->mode,
			       .latency = r->latency_exact,
			       .duration_ns = r->duration_ns };

	return outfile_write(cli_prog(h->o), "pprof profile", h->o->pprof,
			     pprof_write, &p);
}

static int hist_finish(struct sink *k, struct session *s,
		       const struct tt_losses *l)
{
	struct hist *h = (struct hist *)k;
	const char *prog = cli_prog(h->o);
	struct hist_report r;
	char comm[16];
	int err, ret = 0;

	report_init(h, s, &r);
	r.losses = *l;
	snapshot_maps(h, s);	/* still running with -p and -d */
	err = histdata_read(&h->d, s->tr, &h->log, h->child,
			    h->child ? command_comm(h->o->argv[0], comm) : NULL);
	if (err) {
		fprintf(stderr, "%s: reading maps: %s\n", prog, strerror(-err));
		return TT_EXIT_ERROR;
	}
	hist_report_summary(s->out.f, &r);
	if (!h->o->interval)
		hist_report_latency(s->out.f, &r);
	if (h->o->csv)
		ret = outfile_write(prog, "CSV", h->o->csv, hist_report_csv,
				    &r) ?: ret;
	if (h->o->json_file)
		ret = outfile_write(prog, "JSON", h->o->json_file,
				    hist_report_json, &r) ?: ret;
	if (h->o->heatmap)
		ret = outfile_write(prog, "heatmap", h->o->heatmap,
				    heatmap_write, &r) ?: ret;
	h->stk.d = &h->d;
	h->stk.tr = s->tr;
	if (h->o->stacks)
		ret = outfile_write(prog, "stacks", h->o->stacks, stacks_write,
				    &h->stk) ?: ret;
	if (h->o->pprof)
		ret = write_pprof(h, &r) ?: ret;
	return ret;
}

static const struct sink_ops hist_ops = {
	.start = hist_start,
	.on_event = hist_event,
	.tick = hist_tick,
	.finish = hist_finish,
};

int hist_main(int argc, char **argv)
{
	struct session s = {};
	struct hist h = { .sink.ops = &hist_ops };
	struct tt_opts o;
	int code;

	if (!cli_parse(TT_CMD_HIST, argc, argv, &o, &code))
		return code;
	h.o = &o;
	s.cfg.hist = true;
	s.cfg.stacks = o.stacks || o.pprof;
	s.cfg.heat = o.heatmap != NULL;
	s.cfg.max_pages = o.max_pages;
	code = session_run(&s, &o, &h.sink);
	stacks_free(&h.stk);
	maps_log_free(&h.log);
	histdata_free(&h.d);
	return code;
}
