// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "escape.h"
#include "fmt.h"
#include "events.h"
#include "exitcodes.h"
#include "modes.h"
#include "names.h"
#include "regions.h"

/* A fault's line: escaped comm and region label, and the rest. */
#define LINE_MAX_ (ESC_MAX(ST_LABEL_MAX) + ESC_MAX(TT_COMM_LEN) + 512)
/*
 * Fault lines are built in place in a buffer of their own and handed to
 * stdio in big blocks, which glibc writes without copying them again.
 */
#define OBUF_SIZE (256 << 10)

/* Hand the fault lines built so far to stdio: before anything else is
 * written, at each tick and at the end. */
static void out_flush(struct events_sink *e)
{
	if (e->olen)
		fwrite_unlocked(e->obuf, 1, e->olen, e->f);
	e->olen = 0;
}

static long long mono_to_real(void)
{
	struct timespec r, m;

	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m);
	return (r.tv_sec - m.tv_sec) * 1000000000LL + (r.tv_nsec - m.tv_nsec);
}

/* -T: time of day to the microsecond; -r: seconds since the start. */
static void print_times(struct events_sink *e, __u64 ts_ns)
{
	long long real = ts_ns + e->mono_to_real_ns;
	time_t sec = real / 1000000000LL;
	struct tm tm;
	char buf[16];

	if (e->timestamp) {
		localtime_r(&sec, &tm);
		strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
		fprintf(e->f, "%s.%06lld ", buf, real % 1000000000LL / 1000);
	}
	if (e->relative)
		fprintf(e->f, "%12.6f ", ts_ns > e->start_ns ?
			(ts_ns - e->start_ns) / 1e9 : 0.0);
}

static int events_start(struct sink *k, struct session *s)
{
	struct events_sink *e = (struct events_sink *)k;

	e->out = &s->out;
	e->f = s->out.f;
	e->start_ns = s->start_ns;
	/* Lines built in a block, written at each tick; on a terminal (and
	 * without memory for it) line by line, live */
	e->obuf = isatty(fileno(e->f)) ? NULL : malloc(OBUF_SIZE);
	if (e->json)
		return 0;
	if (e->timestamp)
		fprintf(e->f, "%-15s ", "TIME");
	if (e->relative)
		fprintf(e->f, "%12s ", "SECONDS");
	fprintf(e->f, "%-7s %-7s %-16s %-6s %-6s %-14s %-18s %-20s %s\n",
		"PID", "TID", "COMM", "ACCESS", "ORIGIN", "CLASS", "ADDR",
		"REGION", "LAT(us)");
	return 0;
}

/* The region's label, escaped, or what the record alone says. */
static const char *fault_region(struct events_sink *e,
				const struct tt_fault_event *ev, char *buf,
				size_t len)
{
	const char *label = streamtab_label(&e->tab, ev->pid, ev->addr,
					    ev->region_id);
	const char *kind;

	if (label)
		return label;
	/* Its TT_EV_REGION was lost (counted): the kind, not the name */
	kind = ev->region == TT_REG_FILE ? "file:?" :
	       ev->region == TT_REG_NAMED ? "?" :
	       region_text(ev->region, "", NULL, buf, len);
	snprintf(buf, len, e->json ? "\"%s\"" : "%s", kind);
	return buf;
}

static char *fault_json(char *p, struct events_sink *e,
			const struct tt_fault_event *ev, const char *region)
{
	p = put_str(p, "{\"type\":\"fault\",\"ts_ns\":");
	p = put_u64(p, ev->ts_ns);
	p = put_str(p, ",\"pid\":");
	p = put_u64(p, ev->pid);
	p = put_str(p, ",\"tid\":");
	p = put_u64(p, ev->tid);
	p = put_str(p, ",\"comm\":");
	p = put_str(p, streamtab_comm(&e->tab, ev->tid));
	p = put_str(p, ",\"addr\":");
	p = put_u64(p, ev->addr);
	p = put_str(p, ",\"page\":");
	p = put_u64(p, ev->addr >> TT_PAGE_SHIFT);
	p = put_str(p, ",\"ip\":");
	p = put_u64(p, ev->ip);
	p = put_str(p, ",\"access\":\"");
	p = put_str(p, access_name(ev->access));
	p = put_str(p, "\",\"origin\":\"");
	p = put_str(p, origin_name(ev->origin));
	p = put_str(p, "\",\"class\":\"");
	p = put_str(p, class_name(ev->class));
	if (ev->class == TT_CLASS_ERROR) {
		p = put_str(p, "\",\"error\":\"");
		p = put_str(p, error_name(ev->error));
	}
	p = put_str(p, "\",\"pages\":");
	p = put_u64(p, 1U << (ev->order & 31));
	p = put_str(p, ",\"region\":");
	p = put_str(p, region);
	p = put_str(p, ",\"latency_ns\":");
	if (ev->flags & TT_F_HAS_LATENCY)
		p = put_u64(p, tt_lat_decode(ev->latency));
	else
		p = put_str(p, "null");
	p = put_str(p, ev->flags & TT_F_EXACT_CLASS ? ",\"exact\":true}\n" :
		    ",\"exact\":false}\n");
	return p;
}

static char *fault_text(char *p, struct events_sink *e,
			const struct tt_fault_event *ev, const char *region)
{
	char *col = p;

	p = put_u64(p, ev->pid);
	p = put_pad(p, col, 7);
	p = put_u64(col = p, ev->tid);
	p = put_pad(p, col, 7);
	p = put_str(col = p, streamtab_comm(&e->tab, ev->tid));
	p = put_pad(p, col, 16);
	p = put_str(col = p, access_name(ev->access));
	p = put_pad(p, col, 6);
	p = put_str(col = p, origin_name(ev->origin));
	p = put_pad(p, col, 6);
	col = p;
	if (ev->class == TT_CLASS_ERROR) {
		p = put_str(p, "error:");
		p = put_str(p, error_name(ev->error));
	} else {
		p = put_str(p, class_name(ev->class));
	}
	p = put_pad(p, col, 14);
	p = put_str(p, "0x");
	p = put_hex(col = p, ev->addr);
	p = put_pad(p, col, 16);
	p = put_str(col = p, region);
	p = put_pad(p, col, 20);
	if (ev->flags & TT_F_HAS_LATENCY)
		p = put_us2(p, tt_lat_decode(ev->latency));
	else
		*p++ = '-';
	*p++ = '\n';
	return p;
}

/* One fault, in one write. */
static void fault_out(struct events_sink *e, const struct tt_fault_event *ev)
{
	char line[LINE_MAX_], buf[64];
	const char *region = fault_region(e, ev, buf, sizeof(buf));
	char *p;

	if (ev->class == TT_CLASS_ERROR)
		e->errors++;
	else
		e->faults++;
	if (e->json && e->obuf) {
		if (e->olen + LINE_MAX_ > OBUF_SIZE)
			out_flush(e);
		p = fault_json(e->obuf + e->olen, e, ev, region);
		e->olen = p - e->obuf;
		return;
	}
	out_flush(e);
	if (e->json) {
		p = fault_json(line, e, ev, region);
	} else {
		print_times(e, ev->ts_ns);
		p = fault_text(line, e, ev, region);
	}
	fwrite_unlocked(line, 1, p - line, e->f);
}

static void alloc_json(struct events_sink *e, const struct tt_alloc_event *ev)
{
	bool ok = ev->ret >= 0;

	fprintf(e->f, "{\"type\":\"alloc\",\"ts_ns\":%llu,\"pid\":%u,"
		"\"tid\":%u,\"addr\":%lld,\"len\":%llu,\"size\":%llu,"
		"\"latency_ns\":%llu", (unsigned long long)ev->ts_ns, ev->pid,
		ev->tid, ok ? (long long)ev->ret : 0LL,
		ok ? TT_PAGE_ALIGN(ev->size) : 0ULL,
		(unsigned long long)ev->size,
		(unsigned long long)ev->latency_ns);
	if (!ok)
		fprintf(e->f, ",\"errno\":%lld", -(long long)ev->ret);
	fputs("}\n", e->f);
}

static void alloc_text(struct events_sink *e, const struct tt_alloc_event *ev)
{
	char comm[4 * TT_COMM_LEN + 1];

	print_times(e, ev->ts_ns);
	esc_text(comm, sizeof(comm), ev->comm, TT_COMM_LEN);
	if (ev->ret < 0)
		fprintf(e->f, "%-7u %-7u %-16s tamalloc(%llu) failed: %s\n",
			ev->pid, ev->tid, comm, (unsigned long long)ev->size,
			strerror((int)-ev->ret));
	else
		fprintf(e->f, "%-7u %-7u %-16s tamalloc(%llu) = 0x%llx "
			"len %llu in %.2f us\n", ev->pid, ev->tid, comm,
			(unsigned long long)ev->size,
			(unsigned long long)ev->ret, TT_PAGE_ALIGN(ev->size),
			ev->latency_ns / 1000.0);
}

static void alloc_out(struct events_sink *e, const struct tt_alloc_event *ev)
{
	out_flush(e);
	e->allocs++;
	if (e->json)
		alloc_json(e, ev);
	else
		alloc_text(e, ev);
}

static int events_event(struct sink *k, const void *data, size_t len)
{
	struct events_sink *e = (struct events_sink *)k;
	__u8 type = *(const __u8 *)data;
	int err = 0;

	if (type == TT_EV_FAULT && len >= sizeof(struct tt_fault_event))
		fault_out(e, data);
	else if (type == TT_EV_REGION && len >= sizeof(struct tt_region_event))
		err = streamtab_region(&e->tab, data);
	else if (type == TT_EV_TASK && len >= sizeof(struct tt_task_event))
		err = streamtab_task(&e->tab, data);
	else if (type == TT_EV_ALLOC && len >= sizeof(struct tt_alloc_event))
		alloc_out(e, data);
	if (err)
		return err;
	/* A failed write stops ring_buffer__consume(); the session says why. */
	return outfile_failed(e->out) ? e->out->err : 0;
}

/* Events reach a pipe or file at least every tick, not per buffer. */
static int events_tick(struct sink *k, struct session *s)
{
	struct events_sink *e = (struct events_sink *)k;

	streamtab_prune(&e->tab);
	out_flush(e);
	return outfile_flush(&s->out);
}

static int events_finish(struct sink *k, struct session *s,
			 const struct tt_losses *l)
{
	struct events_sink *e = (struct events_sink *)k;

	streamtab_free(&e->tab);
	out_flush(e);
	free(e->obuf);
	e->obuf = NULL;
	if (!e->json || s->out.err)
		return TT_EXIT_OK;
	fprintf(e->f, "{\"type\":\"summary\",\"faults\":%llu,\"errors\":%llu,"
		"\"allocs\":%llu,\"faults_seen\":%llu,\"errors_seen\":%llu,"
		"\"allocs_seen\":%llu,\"seen\":%llu,\"by_origin\":",
		e->faults, e->errors, e->allocs, faults_seen(l),
		l->n[TT_CNT_ERRORS], l->n[TT_CNT_ALLOCS],
		faults_seen(l) + l->n[TT_CNT_ERRORS] + l->n[TT_CNT_ALLOCS]);
	origins_json(e->f, l);
	fprintf(e->f, ",\"dropped\":%llu,\"lost\":", l->n[TT_CNT_DROPPED]);
	losses_json(e->f, l);
	fprintf(e->f, ",\"mode\":\"%s\",\"duration_ns\":%llu}\n",
		mode_name(s->mode), now_ns() - s->start_ns);
	return TT_EXIT_OK;
}

static const struct sink_ops events_ops = {
	.start = events_start,
	.on_event = events_event,
	.tick = events_tick,
	.finish = events_finish,
};

void events_sink_init(struct events_sink *e, const struct tt_opts *o)
{
	*e = (struct events_sink){ .sink.ops = &events_ops, .json = o->json,
				   .timestamp = o->timestamp,
				   .relative = o->relative };
	e->mono_to_real_ns = mono_to_real();
	streamtab_init(&e->tab, o->json);
}
