// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "exitcodes.h"
#include "modes.h"
#include "names.h"
#include "session.h"

#define TICK_NS 100000000ULL		/* sinks' tick, and the drain */
#define WARN_NS 1000000000ULL		/* loss warnings while tracing */

static volatile sig_atomic_t stop_signal;
static bool verbose;

/* What each loss counter means, and what to do about it. */
static const struct {
	const char *key, *text, *hint;
} loss_names[TT_CNT_COUNT] = {
	[TT_CNT_DROPPED] = { "ringbuf", "ring buffer full", "raise -b" },
	[TT_CNT_INFLIGHT_FULL] = { "inflight", "no in-flight slot",
				   "no memory for a thread's task storage" },
	[TT_CNT_PAGE_OVERFLOW] = { "pages", "page map full",
				   "raise --max-pages" },
	[TT_CNT_HEAT_OVERFLOW] = { "heatmap", "heatmap map full",
				   "shorter trace or fewer pages" },
	[TT_CNT_STACK_MISSED] = { "stacks", "stack not recorded",
				  "stack map full or unreadable stack" },
	[TT_CNT_HELD] = { "held", "held fault not said",
			  "a thread stopped right after a possible THP fault" },
	[TT_CNT_INFO_DROPPED] = { "info", "region or thread name lost",
				  "ring buffer full: raise -b" },
};

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* libbpf speaks only with -v: a mode that fails is said in one line. */
static int print_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list args)
{
	(void)level;
	return verbose ? vfprintf(stderr, fmt, args) : 0;
}

unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

unsigned long long faults_seen(const struct tt_losses *l)
{
	return l->n[TT_CNT_FAULTS] + l->n[TT_CNT_FAULTS_KERNEL] +
	       l->n[TT_CNT_FAULTS_GUP];
}

/* "user N, kernel N, gup N" */
void origins_text(FILE *f, const struct tt_losses *l)
{
	int o;

	for (o = 0; o < TT_ORIGIN_COUNT; o++)
		fprintf(f, "%s%s %llu", o ? ", " : "", origin_name(o),
			l->n[TT_CNT_FAULTS + o]);
}

/* {"user":N,"kernel":N,"gup":N} */
void origins_json(FILE *f, const struct tt_losses *l)
{
	int o;

	for (o = 0; o < TT_ORIGIN_COUNT; o++)
		fprintf(f, "%s\"%s\":%llu", o ? "," : "{", origin_name(o),
			l->n[TT_CNT_FAULTS + o]);
	fputc('}', f);
}

unsigned long long losses_total(const struct tt_losses *l)
{
	unsigned long long sum = 0;
	int i;

	for (i = 0; i < TT_CNT_COUNT; i++)
		if (loss_names[i].key)
			sum += l->n[i];
	return sum;
}

void losses_json(FILE *f, const struct tt_losses *l)
{
	const char *sep = "";
	int i;

	fputc('{', f);
	for (i = 0; i < TT_CNT_COUNT; i++)
		if (loss_names[i].key) {
			fprintf(f, "%s\"%s\":%llu", sep, loss_names[i].key,
				l->n[i]);
			sep = ",";
		}
	fputc('}', f);
}

void losses_text(FILE *f, const struct tt_losses *l)
{
	const char *sep = "";
	int i;

	for (i = 0; i < TT_CNT_COUNT; i++)
		if (loss_names[i].key) {
			fprintf(f, "%s%s %llu", sep, loss_names[i].text,
				l->n[i]);
			sep = ", ";
		}
}

int session_losses(struct session *s, struct tt_losses *l)
{
	memset(l, 0, sizeof(*l));
	return s->tr ? tracer__counters(s->tr, l->n) : 0;
}

/* New losses since the last warning, one stderr line per kind. */
static void warn_losses(struct session *s)
{
	struct tt_losses l;
	int i;

	if (session_losses(s, &l))
		return;
	for (i = 0; i < TT_CNT_COUNT; i++) {
		/* Held faults come and go: a loss only if held at the end */
		if (!loss_names[i].key || i == TT_CNT_HELD ||
		    l.n[i] == s->warned.n[i])
			continue;
		fprintf(stderr, "tamtrace: WARNING: %llu events lost: %s (%s)\n",
			l.n[i] - s->warned.n[i], loss_names[i].text,
			loss_names[i].hint);
		s->warned.n[i] = l.n[i];
	}
}

static int check_host(struct session *s)
{
	int err;

	if (probe_privileges()) {
		fprintf(stderr, "tamtrace: permission denied: run as root "
			"(needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN)\n");
		return TT_EXIT_PERM;
	}
	if (probe_btf()) {
		fprintf(stderr, "tamtrace: this kernel has no BTF "
			"(/sys/kernel/btf/vmlinux): CO-RE needs "
			"CONFIG_DEBUG_INFO_BTF=y\n");
		return TT_EXIT_NO_BTF;
	}
	err = probe_tracefs();
	if (err)
		fprintf(stderr, "tamtrace: cannot mount tracefs: %s; "
			"tamalloc() calls will not be traced\n", strerror(-err));
	err = probe_features(&s->feat);
	if (err) {
		fprintf(stderr, "tamtrace: cannot read kernel BTF: %s\n",
			strerror(-err));
		return TT_EXIT_NO_BTF;
	}
	if (verbose)
		probe_describe(stderr);
	return 0;
}

static void print_banner(const struct session *s)
{
	const struct tt_mode_desc *m = mode_desc(s->mode);

	fprintf(stderr, "tamtrace: mode %s: exact: %s; inferred: %s\n",
		m->name, m->exact, m->inferred);
	if (!s->feat.tamalloc_tp)
		fprintf(stderr, "tamtrace: no tamalloc() syscall tracepoints "
			"on this kernel: alloc events are off\n");
}

/* Which tasks the BPF filter lets through, from the target. */
static void set_filter(struct session *s, struct tracer_cfg *c)
{
	const struct target *t = &s->tgt;

	c->follow = s->opts->follow;
	c->filter = t->npids > 1 ? TT_FILTER_TGIDS : TT_FILTER_TGID;
	c->pids = t->pids;
	c->npids = t->npids;
	c->exec_pid = t->launched ? t->child.pid : 0;
	/* Without the exec tracepoint, trace the child from the fork. */
	if (t->launched && !s->feat.sched_tp) {
		c->pids = &t->child.pid;
		c->npids = 1;
	}
	if (s->opts->tid) {
		c->filter = TT_FILTER_TID;
		c->tid = s->opts->tid;
	} else if (s->opts->cgroup) {
		c->filter = TT_FILTER_CGROUP;
		c->cgroup_fd = t->cgroup_fd;
	} else if (s->opts->all) {
		c->filter = TT_FILTER_ALL;
	}
}

static int try_mode(struct session *s, int mode, char *why, size_t len)
{
	struct tracer_cfg cfg = s->cfg;

	cfg.mode = mode;
	cfg.with_tamalloc = s->feat.tamalloc_tp;
	cfg.with_sched = s->feat.sched_tp;
	cfg.buf_mb = s->opts->buf_mb;
	set_filter(s, &cfg);
	return tracer__new(&cfg, &s->tr, why, len);
}

/* The forced mode, or the best one that loads and attaches. */
static int start_tracer(struct session *s)
{
	int forced = s->opts->mode, m, err;
	const char *hint;
	char why[128];

	if (forced >= 0 && !s->feat.mode_ok[forced]) {
		fprintf(stderr, "tamtrace: mode %s is unavailable: %s\n",
			mode_name(forced), s->feat.why_not[forced]);
		return TT_EXIT_MODE;
	}
	for (m = 0; m < TT_MODE_COUNT; m++) {
		if ((forced >= 0 && m != forced) || !s->feat.mode_ok[m])
			continue;
		err = try_mode(s, m, why, sizeof(why));
		if (!err) {
			s->mode = m;
			print_banner(s);
			return 0;
		}
		hint = mode_desc(m)->hint(err);
		fprintf(stderr, "tamtrace: mode %s: cannot %s: %s%s%s%s%s\n",
			mode_name(m), why, strerror(-err), *hint ? " (" : "",
			hint, *hint ? ")" : "",
			forced >= 0 ? "" : "; trying the next mode");
		if (forced >= 0)
			return TT_EXIT_MODE;
	}
	fprintf(stderr, "tamtrace: no attach mode works on this kernel%s\n",
		verbose ? "" : " (-v: libbpf's messages)");
	return TT_EXIT_ERROR;
}

/* The targets are gone, and with -f every process they forked too. */
static bool trace_over(struct session *s)
{
	if (!target_gone(&s->tgt))
		return false;
	return !(s->opts->follow && s->feat.sched_tp &&
		 tracer__has_followed(s->tr));
}

static const char *stop_reason(int sig)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "the trace was interrupted (SIG%s)",
		 sigabbrev_np(sig) ?: "?");
	return buf;
}

/* Wait for events or a target's exit, at most until the next tick. */
static int wait_events(struct session *s, unsigned long long deadline)
{
	struct pollfd fds[2 + TT_MAX_PIDS];
	unsigned long long now = now_ns();
	int n, timeout = tracer__drain_ms(s->tr) ?: (int)(TICK_NS / 1000000);

	if (deadline && deadline < now + timeout * 1000000ULL)
		timeout = deadline > now ? (deadline - now) / 1000000 + 1 : 0;
	fds[0] = (struct pollfd){ .fd = tracer__epoll_fd(s->tr),
				  .events = POLLIN };
	n = 1 + target_pollfds(&s->tgt, fds + 1, TT_MAX_PIDS + 1);
	if (poll(fds, n, timeout) < 0 && errno != EINTR)
		return -errno;
	n = tracer__consume(s->tr);
	return n < 0 && !s->out.err ? n : 0;
}

/*
 * The only poll loop. Returns 0 with *why set when the trace ended
 * before the target did (NULL when the target ended), or an enum tt_exit.
 */
static int loop(struct session *s, struct sink *k, const char **why)
{
	unsigned long long deadline = 0, next_tick = 0, next_warn, now;
	int err;

	if (s->opts->duration > 0)
		deadline = s->start_ns + s->opts->duration * 1e9;
	next_warn = s->start_ns + WARN_NS;
	for (*why = NULL;; ) {
		now = now_ns();
		if (stop_signal)
			return *why = stop_reason(stop_signal), 0;
		if (deadline && now >= deadline)
			return *why = "the duration (-d) elapsed", 0;
		if (trace_over(s))
			return 0;
		err = wait_events(s, deadline);
		if (err) {
			fprintf(stderr, "tamtrace: reading events: %s\n",
				strerror(-err));
			return TT_EXIT_ERROR;
		}
		if (outfile_failed(&s->out))
			return *why = "the output was closed", 0;
		now = now_ns();
		if (now >= next_tick) {
			err = k->ops->tick ? k->ops->tick(k, s) : 0;
			if (err == SINK_DONE)
				return *why = "the last report was printed", 0;
			if (err < 0)
				return *why = "writing failed", 0;
			next_tick = now + TICK_NS;
		}
		if (now >= next_warn) {
			warn_losses(s);
			next_warn += WARN_NS;
		}
	}
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* A closed output is seen as EPIPE on the write, and reported. */
	signal(SIGPIPE, SIG_IGN);
}

static void print_summary(const struct session *s, const struct tt_losses *l)
{
	fprintf(stderr, "tamtrace: %llu faults (", faults_seen(l));
	origins_text(stderr, l);
	fprintf(stderr, "), %llu failed, %llu allocs seen in %.3f s "
		"(mode %s); lost: ", l->n[TT_CNT_ERRORS], l->n[TT_CNT_ALLOCS],
		(now_ns() - s->start_ns) / 1e9, mode_name(s->mode));
	losses_text(stderr, l);
	fputc('\n', stderr);
	if (losses_total(l))
		fprintf(stderr, "tamtrace: WARNING: %llu events lost: the "
			"results are incomplete (exit status %d)\n",
			losses_total(l), TT_EXIT_LOST);
}

static int sink_event(void *ctx, void *data, size_t len)
{
	struct sink *k = ctx;

	return k->ops->on_event ? k->ops->on_event(k, data, len) : 0;
}

/* Attach, run the target, and loop; an enum tt_exit on failure. */
static int trace(struct session *s, struct sink *k, const char **why)
{
	int err;

	s->cfg.on_event = sink_event;
	s->cfg.ctx = k;
	err = target_open(&s->tgt, s->opts);
	err = err ?: start_tracer(s);
	if (err)
		return err;
	s->start_ns = now_ns();
	err = target_release(&s->tgt);
	if (err)
		return err;
	/* Nothing reaches the output before the command runs. */
	if (k->ops->start)
		k->ops->start(k, s);
	return loop(s, k, why);
}

/* The trace ended: the rest of the events, the sink's report. */
static int finish(struct session *s, struct sink *k, struct tt_losses *l)
{
	int ret = tracer__say_held(s->tr);

	if (ret)
		fprintf(stderr, "tamtrace: saying the faults still held: %s\n",
			strerror(-ret));
	if (!s->out.err)
		tracer__consume(s->tr);
	session_losses(s, l);
	ret = k->ops->finish(k, s, l);
	print_summary(s, l);
	return ret;
}

int session_run(struct session *s, const struct tt_opts *o, struct sink *k)
{
	const char *why = NULL;
	struct tt_losses l = {};
	int err, ret = 0, out_ret, status;

	s->opts = o;
	s->mode = -1;
	verbose = o->verbose;
	libbpf_set_print(print_libbpf);
	install_signals();
	err = check_host(s);
	if (err)
		return err;
	err = outfile_open(&s->out, o->output);
	if (err) {
		fprintf(stderr, "%s: cannot create %s: %s\n", cli_prog(o),
			o->output, strerror(-err));
		return TT_EXIT_ERROR;
	}
	err = trace(s, k, &why);
	target_stop(&s->tgt, err ? "tamtrace failed" : why);
	if (!err)
		ret = finish(s, k, &l);
	out_ret = outfile_close(&s->out, cli_prog(o));
	status = target_exit_status(&s->tgt);
	tracer__free(s->tr);
	s->tr = NULL;
	target_close(&s->tgt);
	if (err || ret || out_ret)
		return err ?: ret ?: out_ret;
	return losses_total(&l) ? TT_EXIT_LOST : status;
}

const char *loss_key(int counter)
{
	return counter >= 0 && counter < TT_CNT_COUNT ?
	       loss_names[counter].key : NULL;
}
