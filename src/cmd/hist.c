// SPDX-License-Identifier: GPL-2.0
/* `tamtrace hist`: per-page fault counts, latency histograms, regions,
 * heatmap and stacks, aggregated in BPF maps instead of streamed. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "exitcodes.h"
#include "heatmap.h"
#include "hist_maps.h"
#include "hist_report.h"
#include "session.h"
#include "stacks.h"
#include "cmds.h"

struct hist {
	struct session s;
	struct histdata d;
	struct stacks_ctx stk;
	const char *csv, *json, *heatmap, *stacks;
	double interval;
	long count;
};

static const char hist_usage[] =
"Usage: tamtrace hist [OPTIONS] -p PID [interval [count]]\n"
"       tamtrace hist [OPTIONS] -- COMMAND [ARGS...]\n"
"\n"
"Count faults per page, per class and per region in BPF maps (no\n"
"per-event streaming), with latency histograms per fault class. Prints a\n"
"summary when the target exits, on Ctrl-C, or after -d; with an interval,\n"
"prints and resets the latency histograms every interval seconds.\n"
"\n"
"  -p, --pid PID        trace this running process\n"
"  -f, --follow         also trace processes it forks\n"
"  -d, --duration SEC   stop after SEC seconds\n"
"  -m, --mode MODE      force patched, fentry or exceptions\n"
"      --csv FILE       one row per page (header starts page,region,faults,)\n"
"      --json FILE      pages, per-region summary and latency histograms\n"
"      --heatmap FILE   SVG: address x time, colour = faults\n"
"      --stacks FILE    folded stacks per fault class (flamegraph.pl)\n"
"      --max-pages N    capacity of the per-page map (default 262144)\n"
"  -v, --verbose        show libbpf debug output\n"
"\n"
"EXAMPLES:\n"
"  sudo tamtrace hist -- ./tamalloc-demo --no-wait\n"
"  sudo tamtrace hist --csv pages.csv --heatmap heat.svg -p 1234\n"
"  sudo tamtrace hist -p 1234 1 10          # 10 one-second reports\n"
"  sudo tamtrace hist --stacks faults.folded -- ./prog\n";

enum { OPT_CSV = 256, OPT_JSON, OPT_HEATMAP, OPT_STACKS, OPT_MAX_PAGES };

static int hist_bad(const char *what, const char *arg)
{
	fprintf(stderr, "tamtrace hist: %s '%s'\nTry 'tamtrace hist --help'.\n",
		what, arg);
	return TT_EXIT_USAGE;
}

static int parse_positional(struct hist *h, int argc, char **argv)
{
	char *end;

	if (optind < argc) {
		h->interval = strtod(argv[optind], &end);
		if (*end || !(h->interval > 0))
			return hist_bad("invalid interval", argv[optind]);
		optind++;
	}
	if (optind < argc) {
		h->count = strtol(argv[optind], &end, 10);
		if (*end || h->count <= 0)
			return hist_bad("invalid count", argv[optind]);
		optind++;
	}
	if (optind < argc)
		return hist_bad("unexpected argument", argv[optind]);
	return 0;
}

static int parse_opt(struct hist *h, int c, char *arg)
{
	int err = cli_parse_common(c, arg, &h->s.opts);
	char *end;
	long v;

	if (err != 1)
		return err;
	switch (c) {
	case OPT_CSV: h->csv = arg; return 0;
	case OPT_JSON: h->json = arg; return 0;
	case OPT_HEATMAP: h->heatmap = arg; return 0;
	case OPT_STACKS: h->stacks = arg; return 0;
	case OPT_MAX_PAGES:
		v = strtol(arg, &end, 10);
		if (*end || v < 16 || v > (1 << 26))
			return hist_bad("invalid --max-pages", arg);
		h->s.cfg.max_pages = v;
		return 0;
	case 'h': fputs(hist_usage, stdout); return -1;
	default:
		fprintf(stderr, "Try 'tamtrace hist --help'.\n");
		return TT_EXIT_USAGE;
	}
}

static int hist_parse(struct hist *h, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "follow", no_argument, NULL, 'f' },
		{ "duration", required_argument, NULL, 'd' },
		{ "mode", required_argument, NULL, 'm' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "csv", required_argument, NULL, OPT_CSV },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "heatmap", required_argument, NULL, OPT_HEATMAP },
		{ "stacks", required_argument, NULL, OPT_STACKS },
		{ "max-pages", required_argument, NULL, OPT_MAX_PAGES },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c, err;

	h->s.opts = (struct tt_opts){ .mode = -1, .buf_mb = 1 };
	h->s.cfg.max_pages = 262144;
	while ((c = getopt_long(argc, argv, "+p:fd:m:vh", opts, NULL)) != -1) {
		err = parse_opt(h, c, optarg);
		if (err)
			return err;
	}
	if (optind > 1 && !strcmp(argv[optind - 1], "--") && optind < argc)
		h->s.opts.argv = argv + optind;
	else if ((err = parse_positional(h, argc, argv)))
		return err;
	if (!!h->s.opts.pid == !!h->s.opts.argv) {
		fprintf(stderr, "tamtrace hist: give either -p PID or -- COMMAND\n"
			"Try 'tamtrace hist --help'.\n");
		return TT_EXIT_USAGE;
	}
	h->s.cfg.hist = true;
	h->s.cfg.stacks = h->stacks != NULL;
	h->s.cfg.heat = h->heatmap != NULL;
	return 0;
}

/* Only tamalloc() calls come through the ring buffer in hist mode. */
static int on_alloc(void *ctx, void *data, size_t len)
{
	struct hist *h = ctx;
	const struct tt_alloc_event *e = data;

	if (len >= sizeof(*e) && e->type == TT_EV_ALLOC)
		return histdata_add_alloc(&h->d, e);
	return 0;
}

static void meta(struct hist *h, struct hist_meta *m)
{
	memset(m, 0, sizeof(*m));
	m->mode = mode_name(h->s.mode);
	m->latency_exact = h->s.mode != TT_MODE_EXCEPTIONS;
	m->duration_ns = now_ns() - h->s.start_ns;
	tracer__counters(h->s.tr, m->counters);
}

static void interval_report(struct hist *h)
{
	struct hist_meta m;

	meta(h, &m);
	histdata_read_lat(&h->d, h->s.tr, true);
	printf("\n--- %.1f s: %llu faults so far ---\n", m.duration_ns / 1e9,
	       m.counters[TT_CNT_SEEN] - m.counters[TT_CNT_PAGE_OVERFLOW]);
	histout_latency(stdout, &h->d, &m);
	fflush(stdout);
}

static int run(struct hist *h)
{
	unsigned long long next = h->s.start_ns + h->interval * 1e9;
	long reports = 0;
	int err;

	while (!session_should_stop(&h->s)) {
		if (session_target_gone(&h->s))
			break;
		err = tracer__poll(h->s.tr, 100);
		if (err < 0 && err != -EINTR)
			return TT_EXIT_ERROR;
		if (h->stacks)
			stacks_snapshot_maps(&h->stk);
		if (h->interval && now_ns() >= next) {
			interval_report(h);
			next += h->interval * 1e9;
			if (h->count && ++reports >= h->count)
				break;
		}
	}
	tracer__poll(h->s.tr, 0);
	return 0;
}

static int write_file(const char *what, const char *path, int err)
{
	if (!err)
		fprintf(stderr, "tamtrace: wrote %s %s\n", what, path);
	else
		fprintf(stderr, "tamtrace: cannot write %s %s: %s\n", what,
			path, strerror(-err));
	return err ? TT_EXIT_ERROR : 0;
}

static int report(struct hist *h)
{
	struct hist_meta m;
	int err, ret = 0;

	meta(h, &m);
	err = histdata_read(&h->d, h->s.tr);
	if (err) {
		fprintf(stderr, "tamtrace: reading maps: %s\n", strerror(-err));
		return TT_EXIT_ERROR;
	}
	histout_summary(stdout, &h->d, &m);
	if (!h->interval)
		histout_latency(stdout, &h->d, &m);
	if (h->csv)
		ret = ret ?: write_file("CSV", h->csv, histout_csv(h->csv, &h->d));
	if (h->json)
		ret = ret ?: write_file("JSON", h->json,
					histout_json(h->json, &h->d, &m));
	if (h->heatmap)
		ret = ret ?: write_file("heatmap", h->heatmap,
					heatmap_write(h->heatmap, &h->d));
	if (h->stacks)
		ret = ret ?: write_file("stacks", h->stacks,
					stacks_write(h->stacks, &h->d,
						     h->s.tr, &h->stk));
	return ret;
}

int hist_main(int argc, char **argv)
{
	struct hist h = {};
	int err;

	err = hist_parse(&h, argc, argv);
	if (err)
		return err < 0 ? TT_EXIT_OK : err;
	err = session_init(&h.s);
	err = err ?: session_start_target(&h.s);
	if (err)
		return err;
	h.s.cfg.on_event = on_alloc;
	h.s.cfg.ctx = &h;
	err = session_start_tracer(&h.s);
	err = err ?: session_release_target(&h.s);
	if (!err) {
		stacks_init(&h.stk, h.s.launched ? h.s.child.pid : h.s.opts.pid);
		if (h.s.launched)
			stacks_set_exe(&h.stk, h.s.opts.argv[0]);
		err = run(&h) ?: report(&h);
	}
	session_close(&h.s, err);
	stacks_free(&h.stk);
	histdata_free(&h.d);
	return err;
}
