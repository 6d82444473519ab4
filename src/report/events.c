// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <time.h>
#include "events.h"
#include "regions.h"

static const char * const classes[TT_CLASS_COUNT] = {
	[TT_CLASS_UNKNOWN] = "unknown",
	[TT_CLASS_ZERO_PAGE] = "zero_page",
	[TT_CLASS_ZERO_FILL] = "zero_fill",
	[TT_CLASS_COW_ZERO] = "cow_zero",
	[TT_CLASS_COW] = "cow",
	[TT_CLASS_MINOR] = "minor",
	[TT_CLASS_MAJOR] = "major",
	[TT_CLASS_HUGE_ZERO_FILL] = "huge_zero_fill",
	[TT_CLASS_HUGE_ZERO_PAGE] = "huge_zero_page",
};

const char *class_name(unsigned int class)
{
	return class < TT_CLASS_COUNT ? classes[class] : "unknown";
}

const char *access_name(unsigned int access)
{
	static const char * const names[] = { "read", "write", "exec" };

	return access < 3 ? names[access] : "unknown";
}

static long long mono_to_real(void)
{
	struct timespec r, m;

	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m);
	return (r.tv_sec - m.tv_sec) * 1000000000LL + (r.tv_nsec - m.tv_nsec);
}

void output_init(struct output *o, FILE *f, bool json, bool timestamp)
{
	*o = (struct output){ .f = f, .json = json, .timestamp = timestamp };
	o->mono_to_real_ns = mono_to_real();
}

void json_str(FILE *f, const char *s, size_t max)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < max && s[i]; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void print_time(struct output *o, __u64 ts_ns)
{
	time_t sec = (ts_ns + o->mono_to_real_ns) / 1000000000LL;
	struct tm tm;
	char buf[16];

	localtime_r(&sec, &tm);
	strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
	fprintf(o->f, "%-9s ", buf);
}

void output_header(struct output *o)
{
	if (o->json)
		return;
	if (o->timestamp)
		fprintf(o->f, "%-9s ", "TIME");
	fprintf(o->f, "%-7s %-7s %-16s %-6s %-14s %-18s %-20s %s\n", "PID",
		"TID", "COMM", "ACCESS", "CLASS", "ADDR", "REGION", "LAT(us)");
}

static void fault_json(struct output *o, const struct tt_fault_event *e,
		       const char *region)
{
	FILE *f = o->f;

	fprintf(f, "{\"type\":\"fault\",\"ts_ns\":%llu,\"pid\":%u,\"tid\":%u,"
		"\"comm\":", (unsigned long long)e->ts_ns, e->pid, e->tid);
	json_str(f, e->comm, TT_COMM_LEN);
	fprintf(f, ",\"addr\":%llu,\"page\":%llu,\"ip\":%llu,"
		"\"access\":\"%s\",\"class\":\"%s\",\"region\":",
		(unsigned long long)e->addr,
		(unsigned long long)(e->addr >> TT_PAGE_SHIFT),
		(unsigned long long)e->ip, access_name(e->access),
		class_name(e->class));
	json_str(f, region, 512);
	if (e->flags & TT_F_HAS_LATENCY)
		fprintf(f, ",\"latency_ns\":%llu",
			(unsigned long long)e->latency_ns);
	else
		fputs(",\"latency_ns\":null", f);
	fprintf(f, ",\"exact\":%s}\n",
		e->flags & TT_F_EXACT_CLASS ? "true" : "false");
}

static void fault_text(struct output *o, const struct tt_fault_event *e,
		       const char *region)
{
	char lat[32] = "-";

	if (o->timestamp)
		print_time(o, e->ts_ns);
	if (e->flags & TT_F_HAS_LATENCY)
		snprintf(lat, sizeof(lat), "%.2f", e->latency_ns / 1000.0);
	fprintf(o->f, "%-7u %-7u %-16.16s %-6s %-14s 0x%-16llx %-20s %s\n",
		e->pid, e->tid, e->comm, access_name(e->access),
		class_name(e->class), (unsigned long long)e->addr, region, lat);
}

static void alloc_out(struct output *o, const struct tt_alloc_event *e)
{
	unsigned long long len = TT_PAGE_ALIGN(e->size);

	if (o->json) {
		fprintf(o->f, "{\"type\":\"alloc\",\"ts_ns\":%llu,\"pid\":%u,"
			"\"tid\":%u,\"addr\":%lld,\"len\":%llu,\"size\":%llu,"
			"\"latency_ns\":%llu}\n",
			(unsigned long long)e->ts_ns, e->pid, e->tid,
			e->ret < 0 ? 0LL : (long long)e->ret,
			e->ret < 0 ? 0ULL : len, (unsigned long long)e->size,
			(unsigned long long)e->latency_ns);
		return;
	}
	if (o->timestamp)
		print_time(o, e->ts_ns);
	if (e->ret < 0)
		fprintf(o->f, "%-7u %-7u %-16.16s tamalloc(%llu) failed: %s\n",
			e->pid, e->tid, e->comm, (unsigned long long)e->size,
			strerror((int)-e->ret));
	else
		fprintf(o->f, "%-7u %-7u %-16.16s tamalloc(%llu) = 0x%llx "
			"len %llu in %.2f us\n", e->pid, e->tid, e->comm,
			(unsigned long long)e->size, (unsigned long long)e->ret,
			len, e->latency_ns / 1000.0);
}

int output_event(void *ctx, void *data, size_t len)
{
	struct output *o = ctx;
	const __u32 *type = data;
	char buf[300];

	if (len >= sizeof(struct tt_fault_event) && *type == TT_EV_FAULT) {
		const struct tt_fault_event *e = data;
		const char *region = region_name(e, buf, sizeof(buf));

		o->faults++;
		if (o->json)
			fault_json(o, e, region);
		else
			fault_text(o, e, region);
	} else if (len >= sizeof(struct tt_alloc_event) &&
		   *type == TT_EV_ALLOC) {
		o->allocs++;
		alloc_out(o, data);
	}
	if (ferror(o->f)) {
		o->err = -errno;
		return o->err;	/* stops ring_buffer__consume */
	}
	return 0;
}

void output_summary(struct output *o, const struct summary *s)
{
	if (o->json && !o->err)
		fprintf(o->f, "{\"type\":\"summary\",\"faults\":%llu,"
			"\"allocs\":%llu,\"dropped\":%llu,\"seen\":%llu,"
			"\"mode\":\"%s\",\"duration_ns\":%llu}\n", o->faults,
			o->allocs, s->dropped, s->seen, s->mode,
			s->duration_ns);
	fprintf(stderr, "tamtrace: %llu faults, %llu allocs, %llu dropped "
		"in %.3f s (mode %s)\n", o->faults, o->allocs, s->dropped,
		s->duration_ns / 1e9, s->mode);
}

int output_flush(struct output *o)
{
	if (fflush(o->f) && !o->err)
		o->err = -errno;
	return o->err;
}
