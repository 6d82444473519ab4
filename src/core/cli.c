// SPDX-License-Identifier: GPL-2.0
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tamtrace.h"
#include "cli.h"
#include "exitcodes.h"

static const char usage[] =
"Usage: tamtrace [OPTIONS] -p PID\n"
"       tamtrace [OPTIONS] -- COMMAND [ARGS...]\n"
"       tamtrace hist [OPTIONS] (-p PID | -- COMMAND) [interval [count]]\n"
"       tamtrace stats [-p PID]... [--all] [-j] [-w SEC]\n"
"\n"
"Stream every page fault of a process (all its threads): access type,\n"
"how it was resolved (zero page, zero-fill, copy-on-write, ...), the\n"
"memory region, and its latency where the kernel lets us measure it.\n"
"\n"
"  -p, --pid PID        trace this running process\n"
"  -f, --follow         also trace processes it forks after attach\n"
"  -d, --duration SEC   stop after SEC seconds\n"
"  -j, --json           NDJSON output, one object per line\n"
"  -T, --timestamp      print the time of day of each event\n"
"  -m, --mode MODE      force patched, fentry or exceptions\n"
"                       (default: the best the running kernel offers)\n"
"  -b, --buffer MB      ring buffer size in MiB, a power of 2 (default 16)\n"
"  -v, --verbose        show libbpf debug output\n"
"  -h, --help           show this help\n"
"\n"
"EXAMPLES:\n"
"  sudo tamtrace -p 1234             # stream faults of PID 1234\n"
"  sudo tamtrace -T -- ./demo        # run ./demo, with timestamps\n"
"  sudo tamtrace -j -d 5 -p 1234     # 5 seconds of NDJSON\n"
"  sudo tamtrace -f -- make -j2      # follow the whole build\n"
"  sudo tamtrace -m exceptions -p 1  # force the stock-kernel mode\n"
"  sudo tamtrace hist --csv p.csv -- ./demo   # per-page histogram\n"
"  sudo tamtrace stats -p 1234       # tamalloc memory stats of a PID\n"
"\n"
"Exit codes: 0 ok, 1 error, 2 usage, 3 not privileged, 4 no BTF,\n"
"5 no such process, 6 exec failed, 7 mode unavailable, 9 events dropped,\n"
"10 output closed, 11 permission denied (stats).\n"
"See 'tamtrace hist --help' and 'tamtrace stats --help'.\n";

static const char * const mode_names[TT_MODE_COUNT] = {
	[TT_MODE_PATCHED] = "patched",
	[TT_MODE_FENTRY] = "fentry",
	[TT_MODE_EXCEPTIONS] = "exceptions",
};

const char *mode_name(int mode)
{
	return mode >= 0 && mode < TT_MODE_COUNT ? mode_names[mode] : "none";
}

int mode_parse(const char *s)
{
	int m;

	for (m = 0; m < TT_MODE_COUNT; m++)
		if (!strcmp(s, mode_names[m]))
			return m;
	return -1;
}

static int bad(const char *fmt, const char *arg)
{
	fprintf(stderr, "tamtrace: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'tamtrace --help'.\n");
	return TT_EXIT_USAGE;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!*s || *s == '-')
		return false;
	*out = strtoul(s, &end, 10);
	return !*end && *out <= max && *out > 0;
}

int cli_parse_common(int c, const char *arg, struct tt_opts *o)
{
	unsigned long v;
	char *end;

	switch (c) {
	case 'p':
		if (!parse_uint(arg, 0x3fffffff, &v))
			return bad("invalid PID '%s'", arg);
		o->pid = v;
		return 0;
	case 'd':
		o->duration = strtod(arg, &end);
		if (*end || !(o->duration > 0))
			return bad("invalid duration '%s' (seconds > 0)", arg);
		return 0;
	case 'm':
		o->mode = mode_parse(arg);
		if (o->mode < 0)
			return bad("unknown mode '%s' (patched, fentry, exceptions)",
				   arg);
		return 0;
	case 'f': o->follow = true; return 0;
	case 'v': o->verbose = true; return 0;
	default: return 1;
	}
}

static int parse_one(int c, const char *arg, struct tt_opts *o)
{
	unsigned long v;
	int err = cli_parse_common(c, arg, o);

	if (err <= 0 || err == TT_EXIT_USAGE)
		return err;
	switch (c) {
	case 'b':
		if (!parse_uint(arg, 1024, &v) || (v & (v - 1)))
			return bad("invalid buffer size '%s' (MiB, power of 2)",
				   arg);
		o->buf_mb = v;
		return 0;
	case 'j': o->json = true; return 0;
	case 'T': o->timestamp = true; return 0;
	case 'h':
		fputs(usage, stdout);
		return -1;
	default:
		fprintf(stderr, "Try 'tamtrace --help'.\n");
		return TT_EXIT_USAGE;
	}
}

int cli_parse(int argc, char **argv, struct tt_opts *o)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "follow", no_argument, NULL, 'f' },
		{ "duration", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "timestamp", no_argument, NULL, 'T' },
		{ "mode", required_argument, NULL, 'm' },
		{ "buffer", required_argument, NULL, 'b' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c, err;

	*o = (struct tt_opts){ .mode = -1, .buf_mb = 16 };
	while ((c = getopt_long(argc, argv, "+p:fd:jTm:b:vh", longopts,
				NULL)) != -1) {
		err = parse_one(c, optarg, o);
		if (err)
			return err;
	}
	if (optind < argc)
		o->argv = argv + optind;
	if (o->pid && o->argv)
		return bad("%s", "give either -p PID or a command, not both");
	if (!o->pid && !o->argv)
		return bad("%s", "nothing to trace: give -p PID or -- COMMAND");
	return 0;
}
