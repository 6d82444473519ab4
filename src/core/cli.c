// SPDX-License-Identifier: GPL-2.0
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "exitcodes.h"
#include "modes.h"
#include "version.h"

#define TRACE (TT_CMD_STREAM | TT_CMD_HIST)
#define ALL (TRACE | TT_CMD_STATS)
#define LIVE (TT_CMD_SERVE | TT_CMD_TOP)	/* system-wide by default */

enum {
	OPT_CSV = 256,
	OPT_JSON_FILE,
	OPT_HEATMAP,
	OPT_STACKS,
	OPT_MAX_PAGES,
	OPT_PPROF,
	OPT_PERFETTO,
	OPT_LISTEN,
	OPT_TEXTFILE,
	OPT_TOP,
	OPT_BY,
};

struct cli_opt {
	int key;		/* short option, or OPT_* */
	const char *name;	/* long option */
	const char *arg;	/* argument's name, NULL: none */
	unsigned int cmds;	/* enum tt_cmd bits that take it */
	const char *help;
};

static const struct cli_opt options[] = {
	{ 'p', "pid", "PID[,PID]", ALL,
	  "these processes, all their threads (repeatable)" },
	{ 't', "tid", "TID", TRACE, "this thread only" },
	{ 'c', "cgroup", "DIR", TRACE,
	  "the processes of a cgroup v2 directory and its children" },
	{ 'a', "all", NULL, TRACE, "every process (system-wide)" },
	{ 'a', "all", NULL, TT_CMD_STATS, "every process" },
	{ 'f', "follow", NULL, TRACE,
	  "also trace the processes they fork, until the last exits" },
	{ 'd', "duration", "SEC", TRACE, "stop after SEC seconds" },
	{ 'o', "output", "FILE", ALL, "write the main output to FILE" },
	{ 'j', "json", NULL, TT_CMD_STREAM, "NDJSON, one object per line" },
	{ 'j', "json", NULL, TT_CMD_STATS, "one JSON object per line" },
	{ 'T', "timestamp", NULL, TT_CMD_STREAM,
	  "print the time of day, to the microsecond" },
	{ 'r', "relative", NULL, TT_CMD_STREAM,
	  "print seconds since the trace started" },
	{ OPT_CSV, "csv", "FILE", TT_CMD_HIST,
	  "one row per page (RFC 4180 CSV)" },
	{ OPT_JSON_FILE, "json", "FILE", TT_CMD_HIST,
	  "pages, regions, latency histograms, losses" },
	{ OPT_HEATMAP, "heatmap", "FILE", TT_CMD_HIST,
	  "SVG: address x time, colour = faults" },
	{ OPT_STACKS, "stacks", "FILE", TT_CMD_HIST,
	  "folded stacks per fault class (flamegraph.pl)" },
	{ OPT_PPROF, "pprof", "FILE", TT_CMD_HIST,
	  "fault stacks as a gzipped pprof profile (go tool pprof)" },
	{ OPT_PERFETTO, "perfetto", "FILE", TT_CMD_STREAM,
	  "also a Chrome JSON trace (ui.perfetto.dev): faults, tamalloc()" },
	{ OPT_MAX_PAGES, "max-pages", "N", TT_CMD_HIST,
	  "room for N touched pages (default 4194304: 16 GiB)" },
	{ 's', "sort", "KEY", TT_CMD_STATS,
	  "with --all: rss (default), reserved or oom" },
	{ 'w', "watch", "SEC", TT_CMD_STATS, "refresh every SEC seconds" },
	{ 'p', "pid", "PID[,PID]", LIVE, "only these processes" },
	{ 'c', "cgroup", "DIR", LIVE,
	  "only a cgroup v2 directory and its children" },
	{ 'a', "all", NULL, LIVE, "every process (the default)" },
	{ OPT_LISTEN, "listen", "ADDR:PORT", TT_CMD_SERVE,
	  "serve /metrics there (default 127.0.0.1:9478; off: "
	  "the textfile only)" },
	{ OPT_TEXTFILE, "textfile", "DIR", TT_CMD_SERVE,
	  "also write DIR/tamtrace.prom for node_exporter" },
	{ OPT_TOP, "top", "N", TT_CMD_SERVE,
	  "label the N busiest keys, the rest as other (default 20)" },
	{ OPT_BY, "by", "KEY", TT_CMD_SERVE, "label by cgroup (default) or comm" },
	{ 'd', "duration", "SEC", TT_CMD_SERVE, "stop after SEC seconds" },
	{ OPT_BY, "by", "KEY", TT_CMD_TOP, "one line per pid (default), comm "
	  "or cgroup" },
	{ 's', "sort", "KEY", TT_CMD_TOP, "faults (default), zero, major, "
	  "lat, used, reserved or oom" },
	{ 'd', "delay", "SEC", TT_CMD_TOP, "refresh every SEC seconds (1)" },
	{ 'b', "batch", NULL, TT_CMD_TOP, "plain text frames, for scripts" },
	{ 'n', "iterations", "N", TT_CMD_TOP, "stop after N frames" },
	{ 'm', "mode", "MODE", TRACE | LIVE, NULL /* from the mode table */ },
	{ 'b', "buffer", "MB", TRACE,
	  "fault record buffer in MiB, a power of 2 (default 8)" },
	{ 'v', "verbose", NULL, TRACE | LIVE, "show libbpf's messages" },
	{ 'h', "help", NULL, ALL | LIVE, "show this help" },
	{ 'V', "version", NULL, ALL | LIVE,
	  "versions of tamtrace, libbpf, the kernel; the mode it offers" },
};

#define NOPTS (sizeof(options) / sizeof(options[0]))

struct cli_cmd {
	enum tt_cmd id;
	const char *prog;
	const char *usage;
	const char *examples;
};

static const struct cli_cmd cmds[] = {
	{ TT_CMD_STREAM, "tamtrace",
	  "Usage: tamtrace [OPTIONS] (-p PID | -t TID | -c DIR | -a)\n"
	  "       tamtrace [OPTIONS] -- COMMAND [ARGS...]\n"
	  "       tamtrace hist ...   (see tamtrace hist --help)\n"
	  "       tamtrace stats ...  (see tamtrace stats --help)\n"
	  "       tamtrace serve ...  (see tamtrace serve --help)\n"
	  "       tamtrace top ...    (see tamtrace top --help)\n\n"
	  "Stream every page fault: access type, how it was resolved (zero\n"
	  "page, zero-fill, copy-on-write, ...), the memory region, and its\n"
	  "latency where the kernel lets us measure it.\n",
	  "  sudo tamtrace -p 1234             # stream faults of PID 1234\n"
	  "  sudo tamtrace -p 1234,5678 -j     # two processes, NDJSON\n"
	  "  sudo tamtrace -T -o ev.txt -- ./demo  # run ./demo, events to a file\n"
	  "  sudo tamtrace -j -d 5 -a          # 5 seconds of every process\n"
	  "  sudo tamtrace -c /sys/fs/cgroup/system.slice/cron.service\n"
	  "  sudo tamtrace -f -- make -j2      # follow the whole build\n"
	  "  sudo tamtrace -m exceptions -p 1  # force the stock-kernel mode\n"
	  "  sudo tamtrace --perfetto t.json -- ./prog  # timeline for Perfetto\n" },
	{ TT_CMD_HIST, "tamtrace hist",
	  "Usage: tamtrace hist [OPTIONS] (-p PID | -t TID | -c DIR | -a) "
	  "[interval [count]]\n"
	  "       tamtrace hist [OPTIONS] -- COMMAND [ARGS...]\n\n"
	  "Count faults per page, per class and per region in BPF maps (no\n"
	  "per-event streaming), with latency histograms per fault class.\n"
	  "Prints a summary when the target exits, on Ctrl-C, or after -d;\n"
	  "with an interval, prints and resets the latency histograms every\n"
	  "interval seconds, count times.\n",
	  "  sudo tamtrace hist -- ./tamalloc-demo --no-wait\n"
	  "  sudo tamtrace hist --csv pages.csv --heatmap heat.svg -p 1234\n"
	  "  sudo tamtrace hist -p 1234 1 10    # 10 one-second reports\n"
	  "  sudo tamtrace hist --stacks faults.folded -- ./prog\n"
	  "  sudo tamtrace hist --pprof faults.pb.gz -- ./prog\n" },
	{ TT_CMD_STATS, "tamtrace stats",
	  "Usage: tamtrace stats [-p PID]... [-a [-s rss|reserved|oom]] "
	  "[-j] [-w SEC]\n\n"
	  "Reserved (VmSize) against used (VmRSS) memory, from the tamalloc\n"
	  "stats syscalls 552 and 553; from /proc on kernels without them.\n",
	  "  tamtrace stats                   # system-wide reserved vs used\n"
	  "  tamtrace stats -p 1234,5678      # two processes\n"
	  "  tamtrace stats -a -s oom         # who the OOM killer would pick\n"
	  "  tamtrace stats -p 1234 -w 1      # watch RSS grow\n" },
	{ TT_CMD_SERVE, "tamtrace serve",
	  "Usage: tamtrace serve [-a | -c DIR | -p PID] [--listen ADDR:PORT]\n"
	  "       [--textfile DIR] [--top N] [--by cgroup|comm]\n\n"
	  "A Prometheus exporter: page faults by class, access, origin and\n"
	  "cgroup (or comm), counted in the kernel; latency histograms where\n"
	  "the mode measures them; losses; reserved vs used memory. Serves\n"
	  "GET /metrics until SIGTERM or SIGINT.\n",
	  "  sudo tamtrace serve                       # 127.0.0.1:9478\n"
	  "  sudo tamtrace serve --by comm --top 50\n"
	  "  sudo tamtrace serve --textfile /var/lib/prometheus/node-exporter\n" },
	{ TT_CMD_TOP, "tamtrace top",
	  "Usage: tamtrace top [-a | -c DIR | -p PID] [--by pid|comm|cgroup]\n"
	  "       [-s KEY] [-d SEC] [-b] [-n N]\n\n"
	  "A live view: faults/s by class, zero-filled MiB/s, major faults/s,\n"
	  "p50/p99 latency where measured, reserved vs used memory and OOM\n"
	  "score, one line per process, comm or cgroup. Keys: f z m l u r o\n"
	  "sort by faults, zero, major, lat, used, reserved, oom; q quits.\n",
	  "  sudo tamtrace top\n"
	  "  sudo tamtrace top --by cgroup -s zero\n"
	  "  sudo tamtrace top -b -n 3 -d 2      # three frames, for scripts\n" },
};

static const char exit_codes[] =
	"Exit status: the command's with -- COMMAND (128+N if signal N\n"
	"killed it), else 0; tamtrace's own codes take precedence: 1 error,\n"
	"2 usage, 3 not privileged, 4 no BTF, 5 no such process, thread or\n"
	"cgroup, 6 command not executable, 7 mode unavailable, 9 events\n"
	"lost, 10 output closed, 11 permission denied (stats), 12 cannot\n"
	"listen (serve), 13 textfile directory not writable (serve).\n";

static const struct cli_cmd *cmd_of(enum tt_cmd id)
{
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (cmds[i].id == id)
			return &cmds[i];
	return &cmds[0];
}

const char *cli_prog(const struct tt_opts *o)
{
	return cmd_of(o->cmd)->prog;
}

int cli_usage_error(const struct tt_opts *o, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cli_prog(o));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", cli_prog(o));
	return TT_EXIT_USAGE;
}

static void print_help(enum tt_cmd id)
{
	const struct cli_cmd *c = cmd_of(id);
	char lhs[48], modes[96];
	size_t i;

	snprintf(modes, sizeof(modes), "force one of: %s (default: the best "
		 "this kernel offers)", mode_list());
	printf("%s\n", c->usage);
	for (i = 0; i < NOPTS; i++) {
		const struct cli_opt *p = &options[i];

		if (!(p->cmds & id))
			continue;
		if (p->key < 256)
			snprintf(lhs, sizeof(lhs), "-%c, --%s%s%s", p->key,
				 p->name, p->arg ? " " : "", p->arg ?: "");
		else
			snprintf(lhs, sizeof(lhs), "    --%s%s%s", p->name,
				 p->arg ? " " : "", p->arg ?: "");
		printf("  %-24s %s\n", lhs, p->help ?: modes);
	}
	printf("\nEXAMPLES:\n%s\n%s", c->examples, exit_codes);
}

/* A whole decimal number in [min, max]. */
static bool parse_ulong(const char *s, unsigned long min, unsigned long max,
			unsigned long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	*out = strtoul(s, &end, 10);
	return !*end && *out >= min && *out <= max;
}

static bool parse_seconds(const char *s, double *out)
{
	char *end;

	*out = strtod(s, &end);
	return end != s && !*end && *out > 0 && *out < 1e9;
}

/* -p 12,34 -p 56: every PID, in order. */
static int add_pids(struct tt_opts *o, const char *arg)
{
	char buf[256], *tok, *save;
	unsigned long v;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!parse_ulong(tok, 1, 0x3fffffff, &v))
			return cli_usage_error(o, "invalid PID '%s'", tok);
		if (o->npids == TT_MAX_PIDS)
			return cli_usage_error(o, "too many PIDs (at most %d)",
					       TT_MAX_PIDS);
		o->pids[o->npids++] = v;
	}
	if (!strlen(arg) || arg[strlen(arg) - 1] == ',')
		return cli_usage_error(o, "invalid PID list '%s'", arg);
	return 0;
}

static int parse_sort(struct tt_opts *o, const char *s)
{
	static const char *const keys[] = { "rss", "reserved", "oom" };
	static const char codes[] = { 'r', 'v', 'o' };
	size_t i;

	for (i = 0; i < sizeof(codes); i++)
		if (!strcmp(s, keys[i])) {
			o->sort = codes[i];
			return 0;
		}
	return cli_usage_error(o, "unknown sort key '%s' (rss, reserved, oom)",
			       s);
}

/* top --sort: the column to sort on. */
static const char *const top_keys[] = {
	"faults", "zero", "major", "lat", "used", "reserved", "oom", NULL,
};

static int parse_top_sort(struct tt_opts *o, const char *s)
{
	int i;

	for (i = 0; top_keys[i]; i++)
		if (!strcmp(s, top_keys[i])) {
			o->top_sort = top_keys[i];
			return 0;
		}
	return cli_usage_error(o, "unknown sort key '%s' (faults, zero, major, "
			       "lat, used, reserved, oom)", s);
}

/* --by: serve labels by cgroup or comm, never pid; top also by pid. */
static int parse_by(struct tt_opts *o, const char *s)
{
	if (!strcmp(s, "cgroup"))
		o->by = TT_BY_CGROUP;
	else if (!strcmp(s, "comm"))
		o->by = TT_BY_COMM;
	else if (!strcmp(s, "pid") && o->cmd == TT_CMD_TOP)
		o->by = TT_BY_PID;
	else
		return cli_usage_error(o, "unknown --by '%s' (%s)", s,
				       o->cmd == TT_CMD_TOP ? "pid, comm, cgroup" :
				       "cgroup, comm");
	return 0;
}

/* Options with a value to check; returns 0 or TT_EXIT_USAGE. */
static int parse_value(struct tt_opts *o, int key, const char *arg)
{
	unsigned long v;

	switch (key) {
	case 'p':
		return add_pids(o, arg);
	case 't':
		if (!parse_ulong(arg, 1, 0x3fffffff, &v))
			return cli_usage_error(o, "invalid TID '%s'", arg);
		o->tid = v;
		return 0;
	case 'd':
		if (o->cmd == TT_CMD_TOP)
			return parse_seconds(arg, &o->delay) ? 0 :
			       cli_usage_error(o, "invalid delay '%s' (seconds"
					       " > 0)", arg);
		if (!parse_seconds(arg, &o->duration))
			return cli_usage_error(o, "invalid duration '%s' "
					       "(seconds > 0)", arg);
		return 0;
	case 'w':
		if (!parse_seconds(arg, &o->watch))
			return cli_usage_error(o, "invalid interval '%s' "
					       "(seconds > 0)", arg);
		return 0;
	case 'm':
		o->mode = mode_parse(arg);
		if (o->mode < 0)
			return cli_usage_error(o, "unknown mode '%s' (%s)", arg,
					       mode_list());
		return 0;
	case 'b':
		if (o->cmd == TT_CMD_TOP)
			return o->batch = true, 0;
		if (!parse_ulong(arg, 1, TT_BUF_MB_MAX, &v) || (v & (v - 1)))
			return cli_usage_error(o, "invalid buffer size '%s' (MiB,"
					       " a power of 2 from 1 to %d)",
					       arg, TT_BUF_MB_MAX);
		o->buf_mb = v;
		return 0;
	case OPT_MAX_PAGES:
		if (!parse_ulong(arg, TT_MAX_PAGES_MIN, TT_MAX_PAGES_MAX, &v))
			return cli_usage_error(o, "invalid --max-pages '%s' (at "
					       "least %d, at most %d)", arg,
					       TT_MAX_PAGES_MIN,
					       TT_MAX_PAGES_MAX);
		o->max_pages = v;
		return 0;
	case 's':
		if (o->cmd == TT_CMD_TOP)
			return parse_top_sort(o, arg);
		return parse_sort(o, arg);
	case 'n':
		if (!parse_ulong(arg, 1, 1000000000, &v))
			return cli_usage_error(o, "invalid -n '%s'", arg);
		o->iterations = v;
		return 0;
	case OPT_TOP:
		if (!parse_ulong(arg, 0, TT_SERVE_SLOTS - 1, &v))
			return cli_usage_error(o, "invalid --top '%s' (0 to %d)",
					       arg, TT_SERVE_SLOTS - 1);
		o->top_n = v;
		return 0;
	case OPT_BY:
		return parse_by(o, arg);
	}
	return -1;
}

/* Returns 0, TT_EXIT_USAGE after an error, or -1 after --help. */
static int parse_one(struct tt_opts *o, int key, const char *arg)
{
	int err = parse_value(o, key, arg);

	if (err >= 0)
		return err;
	switch (key) {
	case 'c': o->cgroup = arg; return 0;
	case 'a': o->all = true; return 0;
	case 'f': o->follow = true; return 0;
	case 'v': o->verbose = true; return 0;
	case 'o': o->output = arg; return 0;
	case 'j': o->json = true; return 0;
	case 'T': o->timestamp = true; return 0;
	case 'r': o->relative = true; return 0;
	case OPT_CSV: o->csv = arg; return 0;
	case OPT_JSON_FILE: o->json_file = arg; return 0;
	case OPT_HEATMAP: o->heatmap = arg; return 0;
	case OPT_STACKS: o->stacks = arg; return 0;
	case OPT_PPROF: o->pprof = arg; return 0;
	case OPT_PERFETTO: o->perfetto = arg; return 0;
	case OPT_LISTEN: o->listen = arg; return 0;
	case OPT_TEXTFILE: o->textfile = arg; return 0;
	case 'h': print_help(o->cmd); return -1;
	case 'V': return version_print(stdout) ? TT_EXIT_ERROR : -1;
	default:
		fprintf(stderr, "Try '%s --help'.\n", cli_prog(o));
		return TT_EXIT_USAGE;
	}
}

/* getopt_long's tables for the options @cmd takes. */
static void build_tables(enum tt_cmd cmd, char *shorts, struct option *longs)
{
	size_t i, n = 0;
	char *s = shorts;

	*s++ = '+';	/* stop at the command */
	for (i = 0; i < NOPTS; i++) {
		const struct cli_opt *p = &options[i];

		if (!(p->cmds & cmd))
			continue;
		if (p->key < 256) {
			*s++ = p->key;
			if (p->arg)
				*s++ = ':';
		}
		longs[n++] = (struct option){ p->name,
			p->arg ? required_argument : no_argument, NULL, p->key };
	}
	*s = 0;
	longs[n] = (struct option){};
}

/* hist's [interval [count]], after the options. */
static int parse_interval(struct tt_opts *o, int argc, char **argv)
{
	unsigned long v;

	if (optind < argc && !parse_seconds(argv[optind++], &o->interval))
		return cli_usage_error(o, "invalid interval '%s' (seconds > 0)",
				       argv[optind - 1]);
	if (optind < argc) {
		if (!parse_ulong(argv[optind], 1, 1000000000, &v))
			return cli_usage_error(o, "invalid count '%s'",
					       argv[optind]);
		o->count = v;
		optind++;
	}
	if (optind < argc)
		return cli_usage_error(o, "unexpected argument '%s'",
				       argv[optind]);
	return 0;
}

static int parse_positional(struct tt_opts *o, int argc, char **argv)
{
	bool dashdash = optind > 1 && !strcmp(argv[optind - 1], "--");

	if (optind >= argc)
		return 0;
	if (o->cmd == TT_CMD_STREAM || (o->cmd == TT_CMD_HIST && dashdash)) {
		o->argv = argv + optind;
		return 0;
	}
	if (o->cmd == TT_CMD_HIST)
		return parse_interval(o, argc, argv);
	return cli_usage_error(o, "unexpected argument '%s'", argv[optind]);
}

/* Exactly one target; -f only where new processes are not included. */
static int check_target(struct tt_opts *o)
{
	int n = !!o->npids + !!o->tid + !!o->cgroup + o->all + !!o->argv;

	if (o->cmd == TT_CMD_STATS)
		return o->npids && o->all ?
		       cli_usage_error(o, "give -p PID or -a, not both") : 0;
	if ((o->cmd & LIVE) && n > 1)
		return cli_usage_error(o, "give one of -a, -c DIR, -p PID");
	if (o->cmd & LIVE) {
		o->all = !o->npids && !o->cgroup;
		return 0;
	}
	if (!n)
		return cli_usage_error(o, "nothing to trace: give -p PID, -t TID,"
				       " -c DIR, -a or -- COMMAND");
	if (n > 1)
		return cli_usage_error(o, "give one target: -p PID, -t TID, "
				       "-c DIR, -a or -- COMMAND");
	if (o->follow && !o->npids && !o->argv)
		return cli_usage_error(o, "-f follows -p processes or a command "
				       "(-c and -a include new processes, -t is "
				       "one thread)");
	return 0;
}

bool cli_parse(enum tt_cmd cmd, int argc, char **argv, struct tt_opts *o,
	       int *exit_code)
{
	struct option longs[NOPTS + 1];
	char shorts[2 * NOPTS + 2];
	int key, err = 0;

	*o = (struct tt_opts){ .cmd = cmd, .mode = -1, .sort = 'r',
			       .by = cmd == TT_CMD_TOP ? TT_BY_PID : TT_BY_CGROUP,
			       .top_n = 20, .delay = 1, .top_sort = "faults",
			       .buf_mb = cmd == TT_CMD_HIST ? 1 :
					 TT_BUF_MB_DEFAULT,
			       .max_pages = TT_MAX_PAGES_DEFAULT };
	build_tables(cmd, shorts, longs);
	optind = 1;
	opterr = 1;
	while (!err && (key = getopt_long(argc, argv, shorts, longs,
					  NULL)) != -1)
		err = parse_one(o, key, optarg);
	err = err ?: parse_positional(o, argc, argv);
	err = err ?: check_target(o);
	*exit_code = err < 0 ? TT_EXIT_OK : err;
	return !err;
}
