// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"
#include "names.h"
#include "procstats.h"
#include "prom.h"

#define NS 1e-9
/* Latency buckets: slot k holds [2^k, 2^(k+1)) ns; le 1.024 us to 17 s */
#define LAT_FIRST 9
#define LAT_LAST 33

static const char *const by_label[TT_BY_COUNT] = {
	[TT_BY_CGROUP] = "cgroup", [TT_BY_COMM] = "comm", [TT_BY_PID] = "pid",
};

const char *prom_content_type(bool openmetrics)
{
	return openmetrics ?
	       "application/openmetrics-text; version=1.0.0; charset=utf-8" :
	       "text/plain; version=0.0.4; charset=utf-8";
}

/* # HELP and # TYPE; OpenMetrics names a counter's family without _total */
static void family(FILE *f, const struct prom_ctx *c, const char *name,
		   const char *type, const char *help)
{
	int n = strlen(name);

	if (c->openmetrics && !strcmp(type, "counter") && n > 6 &&
	    !strcmp(name + n - 6, "_total"))
		n -= 6;
	fprintf(f, "# HELP %.*s %s\n# TYPE %.*s %s\n", n, name, help, n, name,
		type);
}

/* The key label: a key's name, or "other". */
static void key_label(FILE *f, const struct prom_ctx *c,
		      const struct key_entry *e)
{
	char buf[256];

	fprintf(f, "%s=", by_label[c->k->by]);
	if (e)
		esc_prom(f, keytab_name(c->k, e, buf, sizeof(buf)), sizeof(buf));
	else
		fputs("\"other\"", f);
}

/* One key's fault counters (errors apart), and its zero-filled bytes. */
static void key_faults(FILE *f, const struct prom_ctx *c,
		       const struct key_entry *e, const struct key_counts *n,
		       bool errors)
{
	int o, a, cls;

	for (o = 0; o < TT_ORIGIN_COUNT; o++)
		for (a = 0; a < TT_ACC_COUNT; a++)
			for (cls = 0; cls < TT_CLASS_COUNT; cls++) {
				if (!n->n[o][a][cls] ||
				    (cls == TT_CLASS_ERROR) != errors)
					continue;
				fputs(errors ? "tamtrace_failed_page_faults_total{" :
				      "tamtrace_page_faults_total{", f);
				if (!errors)
					fprintf(f, "class=\"%s\",",
						class_name(cls));
				fprintf(f, "access=\"%s\",origin=\"%s\",",
					access_name(a), origin_name(o));
				key_label(f, c, e);
				fprintf(f, "} %llu\n", n->n[o][a][cls]);
			}
}

/* Every labelled key, then `other`, through @each. */
static void each_key(FILE *f, const struct prom_ctx *c,
		     void (*each)(FILE *, const struct prom_ctx *,
				  const struct key_entry *,
				  const struct key_counts *, bool),
		     bool arg)
{
	int i;

	for (i = 0; i < c->k->nkeys; i++)
		if (c->k->keys[i].labelled)
			each(f, c, &c->k->keys[i], &c->k->keys[i].shown, arg);
	each(f, c, NULL, &c->k->other, arg);
}

static void key_zero(FILE *f, const struct prom_ctx *c,
		     const struct key_entry *e, const struct key_counts *n,
		     bool unused)
{
	(void)unused;
	fputs("tamtrace_zero_filled_bytes_total{", f);
	key_label(f, c, e);
	fprintf(f, "} %llu\n", n->zero_pages << TT_PAGE_SHIFT);
}

static void key_memory(FILE *f, const struct prom_ctx *c,
		       const struct key_entry *e, const struct key_counts *n,
		       bool used)
{
	const struct key_mem *m = e ? &c->mem[e - c->k->keys] : NULL;

	(void)n;
	if (!m || !m->nprocs)
		return;
	fprintf(f, "tamtrace_memory_%s_bytes{", used ? "used" : "reserved");
	key_label(f, c, e);
	fprintf(f, "} %llu\n", (used ? m->used_kb : m->reserved_kb) << 10);
}

static void latency(FILE *f, const struct prom_ctx *c)
{
	unsigned long long cum, total;
	double sum;
	int cls, s;

	family(f, c, "tamtrace_page_fault_latency_seconds", "histogram",
	       "Page fault latency, first entry to final exit (log2 buckets; "
	       "the sum counts each fault at 1.5 times its bucket's start).");
	for (cls = 0; cls < TT_CLASS_COUNT; cls++) {
		for (s = 0, total = 0, sum = 0; s < TT_LAT_SLOTS; s++) {
			total += c->lat[cls][s];
			sum += c->lat[cls][s] * 1.5 * (double)(1ULL << s) * NS;
		}
		if (!total)
			continue;
		for (s = 0, cum = 0; s <= LAT_LAST; s++) {
			cum += c->lat[cls][s];
			if (s >= LAT_FIRST)
				fprintf(f, "tamtrace_page_fault_latency_seconds_"
					"bucket{class=\"%s\",le=\"%.9g\"} %llu\n",
					class_name(cls),
					(double)(2ULL << s) * NS, cum);
		}
		fprintf(f, "tamtrace_page_fault_latency_seconds_bucket{class="
			"\"%s\",le=\"+Inf\"} %llu\n", class_name(cls), total);
		fprintf(f, "tamtrace_page_fault_latency_seconds_sum{class="
			"\"%s\"} %.9g\n", class_name(cls), sum);
		fprintf(f, "tamtrace_page_fault_latency_seconds_count{class="
			"\"%s\"} %llu\n", class_name(cls), total);
	}
}

static void losses(FILE *f, const struct prom_ctx *c)
{
	int i;

	family(f, c, "tamtrace_lost_events_total", "counter",
	       "Faults or records lost, by reason (README: Loss).");
	/* held: faults held right now, not a loss until the end */
	for (i = 0; i < TT_CNT_COUNT; i++)
		if (loss_key(i) && i != TT_CNT_HELD)
			fprintf(f, "tamtrace_lost_events_total{reason=\"%s\"} "
				"%llu\n", loss_key(i), c->losses->n[i]);
}

static void memory(FILE *f, struct prom_ctx *c)
{
	struct global_row g;
	bool *want = calloc(c->k->nkeys + 1, sizeof(*want));
	int i;

	c->mem = calloc(c->k->nkeys + 1, sizeof(*c->mem));
	if (!want || !c->mem) {
		free(want);
		free(c->mem);
		c->mem = NULL;
		return;
	}
	for (i = 0; i < c->k->nkeys; i++)
		want[i] = c->k->keys[i].labelled;
	keytab_memory(c->k, want, c->mem);
	free(want);

	family(f, c, "tamtrace_memory_reserved_bytes", "gauge",
	       "Reserved memory (VmSize) of the label's processes.");
	each_key(f, c, key_memory, false);
	family(f, c, "tamtrace_memory_used_bytes", "gauge",
	       "Used memory (VmRSS) of the label's processes.");
	each_key(f, c, key_memory, true);
	free(c->mem);
	c->mem = NULL;
	if (procstats_global(&g))
		return;
	family(f, c, "tamtrace_system_memory_reserved_bytes", "gauge",
	       "Reserved memory of every process (syscall 552 or /proc).");
	fprintf(f, "tamtrace_system_memory_reserved_bytes %llu\n",
		(unsigned long long)g.reserved_mb << 20);
	family(f, c, "tamtrace_system_memory_used_bytes", "gauge",
	       "Used memory of every process (syscall 552 or /proc).");
	fprintf(f, "tamtrace_system_memory_used_bytes %llu\n",
		(unsigned long long)g.used_mb << 20);
}

int prom_write(FILE *f, void *ctx)
{
	struct prom_ctx *c = ctx;

	family(f, c, "tamtrace_page_faults_total", "counter",
	       "Page faults the kernel handled, by class, access, origin.");
	each_key(f, c, key_faults, false);
	family(f, c, "tamtrace_failed_page_faults_total", "counter",
	       "Faults the kernel refused (SIGSEGV, SIGBUS, -EFAULT).");
	each_key(f, c, key_faults, true);
	family(f, c, "tamtrace_zero_filled_bytes_total", "counter",
	       "Bytes zero-filled by faults (zero_fill, cow_zero, huge).");
	each_key(f, c, key_zero, false);
	if (c->has_lat)
		latency(f, c);
	losses(f, c);
	if (c->memory)
		memory(f, c);
	family(f, c, "tamtrace_attach_mode", "gauge",
	       "1 for the attach mode in use, and the memory figures' source.");
	fprintf(f, "tamtrace_attach_mode{mode=\"%s\",memory_source=\"%s\"} 1\n",
		c->mode, procstats_source());
	if (c->openmetrics)
		fputs("# EOF\n", f);
	return ferror(f) ? -EIO : 0;
}
