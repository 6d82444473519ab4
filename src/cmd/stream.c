// SPDX-License-Identifier: GPL-2.0
/* `tamtrace [OPTIONS] TARGET`: every fault, as it happens. */
#include <stdio.h>
#include <unistd.h>
#include "cmds.h"
#include "events.h"
#include "perfetto.h"
#include "session.h"

/* Two sinks fed the same trace: the stream and --perfetto's file. */
struct tee {
	struct sink sink;
	struct sink *a, *b;
};

static int tee_start(struct sink *k, struct session *s)
{
	struct tee *t = (struct tee *)k;
	int err = t->a->ops->start ? t->a->ops->start(t->a, s) : 0;

	return (t->b->ops->start ? t->b->ops->start(t->b, s) : 0) ?: err;
}

static int tee_event(struct sink *k, const void *data, size_t len)
{
	struct tee *t = (struct tee *)k;
	int err = t->a->ops->on_event(t->a, data, len);

	return t->b->ops->on_event(t->b, data, len) ?: err;
}

static int tee_tick(struct sink *k, struct session *s)
{
	struct tee *t = (struct tee *)k;
	int a = t->a->ops->tick ? t->a->ops->tick(t->a, s) : 0;
	int b = t->b->ops->tick ? t->b->ops->tick(t->b, s) : 0;

	return a < 0 ? a : b < 0 ? b : a ?: b;
}

static int tee_finish(struct sink *k, struct session *s,
		      const struct tt_losses *l)
{
	struct tee *t = (struct tee *)k;
	int a = t->a->ops->finish(t->a, s, l);
	int b = t->b->ops->finish(t->b, s, l);

	return a ?: b;
}

static const struct sink_ops tee_ops = {
	.start = tee_start,
	.on_event = tee_event,
	.tick = tee_tick,
	.finish = tee_finish,
};

int stream_main(int argc, char **argv)
{
	static char buf[1 << 20];
	struct session s = {};
	struct events_sink e;
	struct perfetto_sink p;
	struct tee t = { .sink.ops = &tee_ops, .a = &e.sink, .b = &p.sink };
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
	if (!o.perfetto)
		return session_run(&s, &o, &e.sink);
	perfetto_sink_init(&p, &o);
	return session_run(&s, &o, &t.sink);
}
