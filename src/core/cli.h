/* SPDX-License-Identifier: GPL-2.0 */
/* Command-line options of the streaming tracer. */
#ifndef __TT_CLI_H
#define __TT_CLI_H

#include <stdbool.h>
#include <sys/types.h>

struct tt_opts {
	pid_t pid;		/* -p, 0 when launching a command */
	char **argv;		/* command after --, NULL with -p */
	bool follow;		/* -f */
	bool json;		/* -j */
	bool timestamp;		/* -T */
	bool verbose;		/* -v */
	int mode;		/* -m, -1 for the best available */
	double duration;	/* -d seconds, 0 for no limit */
	unsigned int buf_mb;	/* -b ring buffer size, MiB */
};

/* Parse argv; returns 0, or an exit code after printing help or an error. */
int cli_parse(int argc, char **argv, struct tt_opts *o);
/* -p -d -m -f -v, shared by the subcommands: 0 if handled, 1 if @c is
 * not one of them, or TT_EXIT_USAGE after printing the error. */
int cli_parse_common(int c, const char *arg, struct tt_opts *o);
const char *mode_name(int mode);
int mode_parse(const char *s);

#endif /* __TT_CLI_H */
