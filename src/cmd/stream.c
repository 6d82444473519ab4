// SPDX-License-Identifier: GPL-2.0
/* The streaming tracer: every fault, as it happens, as text or NDJSON. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "exitcodes.h"
#include "events.h"
#include "session.h"
#include "cmds.h"

struct stream {
	struct session s;
	struct output out;
	unsigned long long dropped;
};

static void report_drops(struct stream *st)
{
	unsigned long long c[TT_CNT_COUNT];

	if (tracer__counters(st->s.tr, c) || c[TT_CNT_DROPPED] == st->dropped)
		return;
	fprintf(stderr, "tamtrace: WARNING: %llu events dropped, ring buffer "
		"full (raise -b, now %u MiB)\n", c[TT_CNT_DROPPED] - st->dropped,
		st->s.opts.buf_mb);
	st->dropped = c[TT_CNT_DROPPED];
}

/* Poll until a signal, the target's exit, the duration, or EPIPE. */
static int poll_loop(struct stream *st)
{
	unsigned long long next_report = st->s.start_ns + 1000000000ULL;
	bool gone = false;
	int err;

	while (!gone && !session_should_stop(&st->s)) {
		gone = session_target_gone(&st->s);
		err = tracer__poll(st->s.tr, 100);
		if (err == -EINTR || st->out.err)
			break;
		if (err < 0) {
			fprintf(stderr, "tamtrace: reading events: %s\n",
				strerror(-err));
			return TT_EXIT_ERROR;
		}
		if (output_flush(&st->out))
			break;
		if (now_ns() >= next_report) {
			report_drops(st);
			next_report += 1000000000ULL;
		}
	}
	return 0;
}

static int finish(struct stream *st)
{
	unsigned long long c[TT_CNT_COUNT] = {};
	struct summary sum = { .mode = mode_name(st->s.mode) };

	if (!st->out.err)
		tracer__poll(st->s.tr, 0);
	tracer__counters(st->s.tr, c);
	sum.dropped = c[TT_CNT_DROPPED];
	sum.seen = c[TT_CNT_SEEN];
	sum.duration_ns = now_ns() - st->s.start_ns;
	output_summary(&st->out, &sum);
	output_flush(&st->out);
	if (st->out.err == -EPIPE) {
		fprintf(stderr, "tamtrace: output closed, stopping\n");
		return TT_EXIT_PIPE;
	}
	if (st->out.err) {
		fprintf(stderr, "tamtrace: writing output: %s\n",
			strerror(-st->out.err));
		return TT_EXIT_ERROR;
	}
	if (sum.dropped) {
		fprintf(stderr, "tamtrace: %llu of %llu events were dropped "
			"(ring buffer full; raise -b)\n", sum.dropped, sum.seen);
		return TT_EXIT_DROPPED;
	}
	return TT_EXIT_OK;
}

static void setup_output(struct stream *st)
{
	static char buf[1 << 20];

	if (isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOLBF, 0);
	else
		setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	output_init(&st->out, stdout, st->s.opts.json, st->s.opts.timestamp);
	st->s.cfg.on_event = output_event;
	st->s.cfg.ctx = &st->out;
}

int stream_main(int argc, char **argv)
{
	struct stream st = {};
	int err;

	err = cli_parse(argc, argv, &st.s.opts);
	if (err)
		return err < 0 ? TT_EXIT_OK : err;
	err = session_init(&st.s);
	if (err)
		return err;
	err = session_start_target(&st.s);
	if (err)
		return err;
	setup_output(&st);
	err = session_start_tracer(&st.s);
	if (err)
		goto cleanup;
	output_header(&st.out);
	err = session_release_target(&st.s);
	if (err)
		goto cleanup;
	err = poll_loop(&st);
	if (!err)
		err = finish(&st);
cleanup:
	session_close(&st.s, err);
	return err;
}
