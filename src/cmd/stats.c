// SPDX-License-Identifier: GPL-2.0
/* `tamtrace stats`: reserved vs used memory, from syscalls 552 and 553. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "exitcodes.h"
#include "events.h"
#include "procstats.h"
#include "cmds.h"

#define MAX_PIDS 64

struct stats_opts {
	int pids[MAX_PIDS];
	int npids;
	bool all;
	bool json;
	bool color;
	char sort;	/* 'r' rss, 'v' reserved, 'o' oom */
	double watch;	/* -w seconds, 0 for once */
};

static const char stats_usage[] =
"Usage: tamtrace stats [-p PID]... [--all [--sort rss|reserved|oom]] [-j] [-w SEC]\n"
"\n"
"Reserved (VmSize) against used (VmRSS) memory, from the tamalloc stats\n"
"syscalls 552 and 553; from /proc on kernels without them.\n"
"\n"
"  -p, --pid PID     one process (repeat for several)\n"
"  -a, --all         every process\n"
"  -s, --sort KEY    with --all: rss (default), reserved or oom\n"
"  -j, --json        one JSON object per line\n"
"  -w, --watch SEC   refresh every SEC seconds, like watch(1)\n"
"\n"
"EXAMPLES:\n"
"  tamtrace stats                   # system-wide reserved vs used\n"
"  tamtrace stats -p 1234 -p 5678   # two processes\n"
"  tamtrace stats --all --sort oom  # who the OOM killer would pick\n"
"  tamtrace stats -p 1234 -w 1      # watch RSS grow\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int parse_sort(const char *s)
{
	if (!strcmp(s, "rss"))
		return 'r';
	if (!strcmp(s, "reserved"))
		return 'v';
	if (!strcmp(s, "oom"))
		return 'o';
	return 0;
}

static int stats_bad(const char *what, const char *arg)
{
	fprintf(stderr, "tamtrace stats: %s '%s'\nTry 'tamtrace stats --help'.\n",
		what, arg);
	return TT_EXIT_USAGE;
}

static int stats_parse(int argc, char **argv, struct stats_opts *o)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "all", no_argument, NULL, 'a' },
		{ "sort", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "watch", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	char *end;
	int c;
	long v;

	*o = (struct stats_opts){ .sort = 'r' };
	while ((c = getopt_long(argc, argv, "p:as:jw:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			v = strtol(optarg, &end, 10);
			if (*end || v <= 0 || v > 0x3fffffff)
				return stats_bad("invalid PID", optarg);
			if (o->npids == MAX_PIDS)
				return stats_bad("too many PIDs at", optarg);
			o->pids[o->npids++] = v;
			break;
		case 'a': o->all = true; break;
		case 's':
			o->sort = parse_sort(optarg);
			if (!o->sort)
				return stats_bad("unknown sort key", optarg);
			break;
		case 'j': o->json = true; break;
		case 'w':
			o->watch = strtod(optarg, &end);
			if (*end || !(o->watch > 0))
				return stats_bad("invalid interval", optarg);
			break;
		case 'h': fputs(stats_usage, stdout); return -1;
		default: return stats_bad("bad option", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return stats_bad("unexpected argument", argv[optind]);
	o->color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	return 0;
}

static const char *col(const struct stats_opts *o, const char *code)
{
	return o->color ? code : "";
}

static void print_global(const struct stats_opts *o, const struct global_row *g)
{
	unsigned int pct = g->reserved_mb ? g->used_mb * 100 / g->reserved_mb : 0;

	if (o->json) {
		printf("{\"total_reserved_mb\":%llu,\"total_used_mb\":%llu,"
		       "\"used_percent\":%u,", (unsigned long long)g->reserved_mb,
		       (unsigned long long)g->used_mb, pct);
		if (g->nr_processes >= 0)
			printf("\"nr_processes\":%ld,", g->nr_processes);
		printf("\"source\":\"%s\"}\n", procstats_source());
		return;
	}
	printf("%sRESERVED(MB)  USED(MB)  USED%%%s\n", col(o, "\033[1m"),
	       col(o, "\033[0m"));
	printf("%12llu  %8llu  %4u%%\n", (unsigned long long)g->reserved_mb,
	       (unsigned long long)g->used_mb, pct);
}

static void print_row_header(const struct stats_opts *o)
{
	if (o->json)
		return;
	printf("%s%7s %-16s %12s %10s %10s %9s %5s %5s %7s%s\n",
	       col(o, "\033[1m"), "PID", "COMM", "RESERVED(KB)", "USED(KB)",
	       "RESERV(MB)", "USED(MB)", "USED%", "OOM", "OOM_ADJ",
	       col(o, "\033[0m"));
}

static void print_row(const struct stats_opts *o, const struct proc_row *r)
{
	if (o->json) {
		printf("{\"pid\":%d,\"comm\":", r->pid);
		json_str(stdout, r->comm, sizeof(r->comm));
		printf(",\"reserved_kb\":%llu,\"used_kb\":%llu,"
		       "\"used_percent\":%u,\"oom_score\":%d,"
		       "\"oom_score_adj\":%d,\"source\":\"%s\"}\n",
		       (unsigned long long)r->reserved_kb,
		       (unsigned long long)r->used_kb, r->used_percent,
		       r->oom_score, r->oom_score_adj, procstats_source());
		return;
	}
	printf("%7d %s%-16s%s %12llu %10llu %10.1f %9.1f %4u%% %5d %7d\n",
	       r->pid, col(o, "\033[36m"), r->comm, col(o, "\033[0m"),
	       (unsigned long long)r->reserved_kb,
	       (unsigned long long)r->used_kb, r->reserved_kb / 1024.0,
	       r->used_kb / 1024.0, r->used_percent, r->oom_score,
	       r->oom_score_adj);
}

static int pid_error(int pid, int err)
{
	if (err == -ESRCH) {
		fprintf(stderr, "tamtrace stats: no such process: %d\n", pid);
		return TT_EXIT_NO_PID;
	}
	if (err == -EACCES || err == -EPERM) {
		fprintf(stderr, "tamtrace stats: permission denied for "
			"process %d (try sudo)\n", pid);
		return TT_EXIT_ACCESS;
	}
	fprintf(stderr, "tamtrace stats: process %d: %s\n", pid,
		err == -EINVAL ? "no user memory (kernel thread or exiting)" :
		strerror(-err));
	return TT_EXIT_ERROR;
}

static int cmp_rows(const void *a, const void *b, void *arg)
{
	const struct proc_row *x = a, *y = b;
	char key = *(const char *)arg;
	long long d = key == 'o' ? (long long)y->oom_score - x->oom_score :
		      key == 'v' ? (long long)(y->reserved_kb - x->reserved_kb) :
		      (long long)(y->used_kb - x->used_kb);

	return d > 0 ? 1 : d < 0 ? -1 : x->pid - y->pid;
}

static int show_all(const struct stats_opts *o)
{
	struct proc_row *rows = NULL, *tmp;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	DIR *d = opendir("/proc");

	if (!d)
		return TT_EXIT_ERROR;
	while ((de = readdir(d))) {
		int pid = atoi(de->d_name);

		if (pid <= 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			tmp = realloc(rows, cap * sizeof(*rows));
			if (!tmp)
				break;
			rows = tmp;
		}
		/* Kernel threads, exited or unreadable processes: skipped. */
		if (!procstats_get(pid, &rows[n]))
			n++;
	}
	closedir(d);
	qsort_r(rows, n, sizeof(*rows), cmp_rows, (void *)&o->sort);
	print_row_header(o);
	for (i = 0; i < n; i++)
		print_row(o, &rows[i]);
	free(rows);
	return TT_EXIT_OK;
}

static int show_once(const struct stats_opts *o)
{
	struct proc_row rows[MAX_PIDS];
	struct global_row g;
	int i, err;

	if (o->all)
		return show_all(o);
	if (!o->npids) {
		err = procstats_global(&g);
		if (err) {
			fprintf(stderr, "tamtrace stats: %s\n", strerror(-err));
			return TT_EXIT_ERROR;
		}
		print_global(o, &g);
		return TT_EXIT_OK;
	}
	for (i = 0; i < o->npids; i++) {
		err = procstats_get(o->pids[i], &rows[i]);
		if (err)
			return pid_error(o->pids[i], err);
	}
	print_row_header(o);
	for (i = 0; i < o->npids; i++)
		print_row(o, &rows[i]);
	return TT_EXIT_OK;
}

int stats_main(int argc, char **argv)
{
	struct stats_opts o;
	bool warned = false;
	int err;

	err = stats_parse(argc, argv, &o);
	if (err)
		return err < 0 ? TT_EXIT_OK : err;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	do {
		if (o.watch && isatty(STDOUT_FILENO))
			printf("\033[H\033[2J");
		err = show_once(&o);
		if (procstats_fallback && !warned) {
			fprintf(stderr, "tamtrace stats: the tamalloc stats "
				"syscalls are absent (ENOSYS): figures come "
				"from /proc\n");
			warned = true;
		}
		fflush(stdout);
		if (err || !o.watch)
			break;
		usleep(o.watch * 1e6);
	} while (!stop);
	return err;
}
