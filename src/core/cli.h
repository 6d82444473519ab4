/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The command line of every subcommand: one option table, one parser,
 * one --help generator. Each option says which subcommands take it.
 */
#ifndef __TT_CLI_H
#define __TT_CLI_H

#include <stdbool.h>
#include <sys/types.h>
#include "tamtrace.h"

enum tt_cmd {
	TT_CMD_STREAM = 1 << 0,	/* tamtrace [OPTIONS] TARGET */
	TT_CMD_HIST = 1 << 1,	/* tamtrace hist */
	TT_CMD_STATS = 1 << 2,	/* tamtrace stats */
	TT_CMD_SERVE = 1 << 3,	/* tamtrace serve */
	TT_CMD_TOP = 1 << 4,	/* tamtrace top */
};

struct tt_opts {
	enum tt_cmd cmd;
	/* what to trace: exactly one of these (stats: -p or -a or none) */
	pid_t pids[TT_MAX_PIDS];	/* -p, repeatable, comma lists */
	int npids;
	pid_t tid;			/* -t */
	const char *cgroup;		/* -c */
	bool all;			/* -a */
	char **argv;			/* -- COMMAND ARGS */
	/* tracing */
	bool follow;			/* -f */
	bool verbose;			/* -v */
	int mode;			/* -m, -1: the best available */
	double duration;		/* -d seconds, 0: no limit */
	unsigned int buf_mb;		/* -b */
	const char *output;		/* -o, NULL: stdout */
	/* stream */
	bool json;			/* -j (stats too) */
	bool timestamp;			/* -T */
	bool relative;			/* -r */
	const char *perfetto;		/* --perfetto FILE */
	/* hist */
	const char *csv, *json_file, *heatmap, *stacks;
	const char *pprof;		/* --pprof FILE */
	unsigned int max_pages;
	double interval;		/* positional [interval [count]] */
	long count;
	/* stats */
	char sort;			/* 'r' rss, 'v' reserved, 'o' oom */
	double watch;			/* -w */
	/* serve and top */
	int by;				/* --by: enum tt_by */
	const char *listen;		/* serve --listen ADDR:PORT */
	const char *textfile;		/* serve --textfile DIR */
	int top_n;			/* serve --top N labels */
	double delay;			/* top -d */
	bool batch;			/* top -b */
	long iterations;		/* top -n, 0: no limit */
	const char *top_sort;		/* top --sort KEY */
};

/*
 * Parse @argv (argv[0] is the subcommand's name). Returns true to run;
 * false after printing --help or --version (*exit_code 0) or an error (2).
 */
bool cli_parse(enum tt_cmd cmd, int argc, char **argv, struct tt_opts *o,
	       int *exit_code);
/* Print "tamtrace[ SUB]: MESSAGE" and the --help hint; returns 2. */
int cli_usage_error(const struct tt_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "tamtrace", "tamtrace hist" or "tamtrace stats", for messages. */
const char *cli_prog(const struct tt_opts *o);

#endif /* __TT_CLI_H */
