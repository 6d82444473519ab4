// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "escape.h"
#include "events.h"
#include "exitcodes.h"
#include "modes.h"
#include "names.h"
#include "regions.h"

#define REGION_MAX 512

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

static void fault_json(struct events_sink *e, const struct tt_fault_event *ev,
		       const char *region)
{
	FILE *f = e->f;

	fprintf(f, "{\"type\":\"fault\",\"ts_ns\":%llu,\"pid\":%u,\"tid\":%u,"
		"\"comm\":", (unsigned long long)ev->ts_ns, ev->pid, ev->tid);
	esc_json(f, ev->comm, TT_COMM_LEN);
	fprintf(f, ",\"addr\":%llu,\"page\":%llu,\"ip\":%llu,"
		"\"access\":\"%s\",\"origin\":\"%s\",\"class\":\"%s\",",
		(unsigned long long)ev->addr,
		(unsigned long long)(ev->addr >> TT_PAGE_SHIFT),
		(unsigned long long)ev->ip, access_name(ev->access),
		origin_name(ev->origin), class_name(ev->class));
	if (ev->class == TT_CLASS_ERROR)
		fprintf(f, "\"error\":\"%s\",", error_name(ev->error));
	fprintf(f, "\"pages\":%u,\"region\":", 1U << (ev->order & 31));
	esc_json(f, region, REGION_MAX);
	if (ev->flags & TT_F_HAS_LATENCY)
		fprintf(f, ",\"latency_ns\":%llu",
			(unsigned long long)ev->latency_ns);
	else
		fputs(",\"latency_ns\":null", f);
	fprintf(f, ",\"exact\":%s}\n",
		ev->flags & TT_F_EXACT_CLASS ? "true" : "false");
}

static void fault_text(struct events_sink *e, const struct tt_fault_event *ev,
		       const char *region)
{
	char lat[32] = "-", comm[4 * TT_COMM_LEN + 1], reg[4 * REGION_MAX + 1];
	char class[32];

	print_times(e, ev->ts_ns);
	if (ev->class == TT_CLASS_ERROR)
		snprintf(class, sizeof(class), "error:%s",
			 error_name(ev->error));
	else
		snprintf(class, sizeof(class), "%s", class_name(ev->class));
	if (ev->flags & TT_F_HAS_LATENCY)
		snprintf(lat, sizeof(lat), "%.2f", ev->latency_ns / 1000.0);
	esc_text(comm, sizeof(comm), ev->comm, TT_COMM_LEN);
	esc_text(reg, sizeof(reg), region, REGION_MAX);
	fprintf(e->f, "%-7u %-7u %-16s %-6s %-6s %-14s 0x%-16llx %-20s %s\n",
		ev->pid, ev->tid, comm, access_name(ev->access),
		origin_name(ev->origin), class, (unsigned long long)ev->addr,
		reg, lat);
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

static int events_event(struct sink *k, const void *data, size_t len)
{
	struct events_sink *e = (struct events_sink *)k;
	const __u32 *type = data;
	char buf[REGION_MAX];

	if (len >= sizeof(struct tt_fault_event) && *type == TT_EV_FAULT) {
		const struct tt_fault_event *ev = data;
		const char *region = region_name(ev, buf, sizeof(buf));

		if (ev->class == TT_CLASS_ERROR)
			e->errors++;
		else
			e->faults++;
		if (e->json)
			fault_json(e, ev, region);
		else
			fault_text(e, ev, region);
	} else if (len >= sizeof(struct tt_alloc_event) &&
		   *type == TT_EV_ALLOC) {
		e->allocs++;
		if (e->json)
			alloc_json(e, data);
		else
			alloc_text(e, data);
	}
	/* A failed write stops ring_buffer__consume(); the session says why. */
	return outfile_failed(e->out) ? e->out->err : 0;
}

/* Events reach a pipe or file at least every tick, not per buffer. */
static int events_tick(struct sink *k, struct session *s)
{
	(void)k;
	return outfile_flush(&s->out);
}

static int events_finish(struct sink *k, struct session *s,
			 const struct tt_losses *l)
{
	struct events_sink *e = (struct events_sink *)k;

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
}
