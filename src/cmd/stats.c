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
#include "cli.h"
#include "escape.h"
#include "outfile.h"
#include "procstats.h"
#include "cmds.h"

struct stats {
	const struct tt_opts *o;
	FILE *f;
	bool color;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *col(const struct stats *o, const char *code)
{
	return o->color ? code : "";
}

static void print_global(const struct stats *o, const struct global_row *g)
{
	unsigned int pct = g->reserved_mb ? g->used_mb * 100 / g->reserved_mb : 0;

	if (o->o->json) {
		fprintf(o->f, "{\"total_reserved_mb\":%llu,\"total_used_mb\":%llu,"
		       "\"used_percent\":%u,", (unsigned long long)g->reserved_mb,
		       (unsigned long long)g->used_mb, pct);
		if (g->nr_processes >= 0)
			fprintf(o->f, "\"nr_processes\":%ld,", g->nr_processes);
		fprintf(o->f, "\"source\":\"%s\"}\n", procstats_source());
		return;
	}
	fprintf(o->f, "%sRESERVED(MB)  USED(MB)  USED%%%s\n", col(o, "\033[1m"),
	       col(o, "\033[0m"));
	fprintf(o->f, "%12llu  %8llu  %4u%%\n", (unsigned long long)g->reserved_mb,
	       (unsigned long long)g->used_mb, pct);
}

static void print_row_header(const struct stats *o)
{
	if (o->o->json)
		return;
	fprintf(o->f, "%s%7s %-16s %12s %10s %10s %9s %5s %5s %7s%s\n",
	       col(o, "\033[1m"), "PID", "COMM", "RESERVED(KB)", "USED(KB)",
	       "RESERV(MB)", "USED(MB)", "USED%", "OOM", "OOM_ADJ",
	       col(o, "\033[0m"));
}

static void print_row(const struct stats *o, const struct proc_row *r)
{
	if (o->o->json) {
		fprintf(o->f, "{\"pid\":%d,\"comm\":", r->pid);
		esc_json(o->f, r->comm, sizeof(r->comm));
		fprintf(o->f, ",\"reserved_kb\":%llu,\"used_kb\":%llu,"
		       "\"used_percent\":%u,\"oom_score\":%d,"
		       "\"oom_score_adj\":%d,\"source\":\"%s\"}\n",
		       (unsigned long long)r->reserved_kb,
		       (unsigned long long)r->used_kb, r->used_percent,
		       r->oom_score, r->oom_score_adj, procstats_source());
		return;
	}
	fprintf(o->f, "%7d %s%-16s%s %12llu %10llu %10.1f %9.1f %4u%% %5d %7d\n",
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

static int show_all(const struct stats *o)
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
	qsort_r(rows, n, sizeof(*rows), cmp_rows, (void *)&o->o->sort);
	print_row_header(o);
	for (i = 0; i < n; i++)
		print_row(o, &rows[i]);
	free(rows);
	return TT_EXIT_OK;
}

/* Rows of the -p processes that exist; the first error's exit code. */
static int show_pids(const struct stats *o)
{
	struct proc_row rows[TT_MAX_PIDS];
	int i, n = 0, err, ret = TT_EXIT_OK;

	for (i = 0; i < o->o->npids; i++) {
		err = procstats_get(o->o->pids[i], &rows[n]);
		if (!err)
			n++;
		else if (!ret)
			ret = pid_error(o->o->pids[i], err);
		else
			pid_error(o->o->pids[i], err);
	}
	if (n)
		print_row_header(o);
	for (i = 0; i < n; i++)
		print_row(o, &rows[i]);
	return ret;
}

static int show_once(const struct stats *o)
{
	struct global_row g;
	int err;

	if (o->o->all)
		return show_all(o);
	if (o->o->npids)
		return show_pids(o);
	err = procstats_global(&g);
	if (err) {
		fprintf(stderr, "tamtrace stats: %s\n", strerror(-err));
		return TT_EXIT_ERROR;
	}
	print_global(o, &g);
	return TT_EXIT_OK;
}

static int watch(struct stats *st, struct outfile *out)
{
	bool warned = false;
	int err;

	do {
		if (st->o->watch && st->color)
			fprintf(st->f, "\033[H\033[2J");
		err = show_once(st);
		if (procstats_fallback && !warned) {
			fprintf(stderr, "tamtrace stats: the tamalloc stats "
				"syscalls are absent (ENOSYS): figures come "
				"from /proc\n");
			warned = true;
		}
		if (outfile_flush(out) || err || !st->o->watch)
			break;
		usleep(st->o->watch * 1e6);
	} while (!stop);
	return err;
}

int stats_main(int argc, char **argv)
{
	struct stats st = {};
	struct outfile out;
	struct tt_opts o;
	int err, ret;

	if (!cli_parse(TT_CMD_STATS, argc, argv, &o, &err))
		return err;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGPIPE, SIG_IGN);
	err = outfile_open(&out, o.output);
	if (err) {
		fprintf(stderr, "tamtrace stats: cannot create %s: %s\n",
			o.output, strerror(-err));
		return TT_EXIT_ERROR;
	}
	st.o = &o;
	st.f = out.f;
	st.color = !o.output && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	ret = watch(&st, &out);
	err = outfile_close(&out, "tamtrace stats");
	return err ?: ret;
}
