// SPDX-License-Identifier: GPL-2.0
/* `tamtrace [OPTIONS] TARGET`: every fault, as it happens. */
#include <stdio.h>
#include <unistd.h>
#include "cmds.h"
#include "events.h"
#include "session.h"

int stream_main(int argc, char **argv)
{
	static char buf[1 << 20];
	struct session s = {};
	struct events_sink e;
	struct tt_opts o;
	int code;

	if (!cli_parse(TT_CMD_STREAM, argc, argv, &o, &code))
		return code;
	/* Live on a terminal; in large writes to a pipe or file. NDJSON
	 * comes in 256 KiB blocks already (events.c): a bigger stdio buffer
	 * would only copy them. */
	if (!o.output && isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOLBF, 0);
	else if (!o.output && !o.json)
		setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	events_sink_init(&e, &o);
	return session_run(&s, &o, &e.sink);
}
