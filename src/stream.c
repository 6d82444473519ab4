// SPDX-License-Identifier: GPL-2.0
/* The streaming tracer: probe, attach the best mode, poll, summarise. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "exitcodes.h"
#include "launch.h"
#include "output.h"
#include "probe.h"
#include "stream.h"
#include "tracer.h"

struct session {
	struct tt_opts opts;
	struct tt_features feat;
	struct output out;
	struct tracer *tr;
	struct launch child;
	bool launched;
	int mode;
	unsigned long long start_ns;
	unsigned long long dropped;
};

static volatile sig_atomic_t exiting;
static bool verbose;
/* Fallback attempts are expected to fail: keep libbpf quiet during them. */
static bool quiet_libbpf;

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

static int print_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list args)
{
	if (!verbose && (level == LIBBPF_DEBUG || quiet_libbpf))
		return 0;
	return vfprintf(stderr, fmt, args);
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
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
	return 0;
}

static void print_banner(const struct session *s)
{
	static const char * const fields[TT_MODE_COUNT] = {
		[TT_MODE_PATCHED] = "exact: address, access, latency, result, "
			"zero-fill class (mm_fault tracepoints); cow/minor "
			"inferred from the x86 error code",
		[TT_MODE_FENTRY] = "exact: address, access, latency, major; "
			"class inferred from the x86 error code and the VMA",
		[TT_MODE_EXCEPTIONS] = "exact: address, ip, access; class "
			"inferred from the x86 error code and the VMA; no "
			"latency",
	};

	fprintf(stderr, "tamtrace: mode %s: %s\n", mode_name(s->mode),
		fields[s->mode]);
	if (!s->feat.tamalloc_tp)
		fprintf(stderr, "tamtrace: no tamalloc() syscall tracepoints "
			"on this kernel: alloc events are off\n");
}

static int try_mode(struct session *s, int mode, char *why, size_t len)
{
	struct tracer_cfg cfg = {
		.mode = mode,
		.pid = s->opts.pid,
		.exec_pid = s->launched ? s->child.pid : 0,
		.follow = s->opts.follow,
		.with_tamalloc = s->feat.tamalloc_tp,
		.with_sched = s->feat.sched_tp,
		.buf_mb = s->opts.buf_mb,
		.on_event = output_event,
		.ctx = &s->out,
	};

	/* Without the exec tracepoint, trace the child from the start. */
	if (s->launched && !s->feat.sched_tp)
		cfg.pid = s->child.pid;
	return tracer__new(&cfg, &s->tr, why, len);
}

static const char *failure_hint(int mode, int err)
{
	if (err == -EPERM && mode == TT_MODE_FENTRY)
		return " (this kernel refuses fentry/fexit programs)";
	if (err == -EACCES || err == -EINVAL)
		return " (rejected by the verifier)";
	return "";
}

static int start_tracer(struct session *s)
{
	int forced = s->opts.mode, m, err;
	char why[128];

	if (forced >= 0 && !s->feat.mode_ok[forced]) {
		fprintf(stderr, "tamtrace: mode %s is unavailable: %s\n",
			mode_name(forced), s->feat.why_not[forced]);
		return TT_EXIT_MODE;
	}
	for (m = 0; m < TT_MODE_COUNT; m++) {
		if ((forced >= 0 && m != forced) || !s->feat.mode_ok[m])
			continue;
		quiet_libbpf = forced < 0;
		err = try_mode(s, m, why, sizeof(why));
		quiet_libbpf = false;
		if (!err) {
			s->mode = m;
			return 0;
		}
		fprintf(stderr, "tamtrace: mode %s: cannot %s: %s%s%s\n",
			mode_name(m), why, strerror(-err), failure_hint(m, err),
			forced >= 0 ? "" : "; trying the next mode (-v: details)");
		if (forced >= 0)
			return TT_EXIT_MODE;
	}
	fprintf(stderr, "tamtrace: no attach mode works on this kernel "
		"(-v shows libbpf's log)\n");
	return TT_EXIT_ERROR;
}

static int start_target(struct session *s)
{
	int err;

	if (s->opts.pid) {
		if (kill(s->opts.pid, 0) && errno == ESRCH) {
			fprintf(stderr, "tamtrace: no such process: %d\n",
				s->opts.pid);
			return TT_EXIT_NO_PID;
		}
		return 0;
	}
	err = launch__new(&s->child, s->opts.argv);
	if (err) {
		fprintf(stderr, "tamtrace: cannot fork: %s\n", strerror(-err));
		return TT_EXIT_ERROR;
	}
	s->launched = true;
	return 0;
}

static int release_target(struct session *s)
{
	int err;

	if (!s->launched)
		return 0;
	err = launch__go(&s->child);
	if (err) {
		fprintf(stderr, "tamtrace: cannot run '%s': %s\n",
			s->opts.argv[0], strerror(-err));
		s->launched = false;
		return TT_EXIT_EXEC;
	}
	return 0;
}

static bool target_gone(struct session *s)
{
	if (s->launched)
		return waitpid(s->child.pid, NULL, WNOHANG) == s->child.pid;
	return kill(s->opts.pid, 0) && errno == ESRCH;
}

static void report_drops(struct session *s)
{
	unsigned long long c[TT_CNT_COUNT];

	if (tracer__counters(s->tr, c) || c[TT_CNT_DROPPED] == s->dropped)
		return;
	fprintf(stderr, "tamtrace: WARNING: %llu events dropped, ring buffer "
		"full (raise -b, now %u MiB)\n", c[TT_CNT_DROPPED] - s->dropped,
		s->opts.buf_mb);
	s->dropped = c[TT_CNT_DROPPED];
}

/* Poll until a signal, the target's exit, the duration, or EPIPE. */
static int poll_loop(struct session *s)
{
	unsigned long long end = s->opts.duration > 0 ?
		s->start_ns + s->opts.duration * 1e9 : 0;
	unsigned long long next_report = s->start_ns + 1000000000ULL;
	int err = 0;
	bool gone = false;

	while (!exiting && !gone) {
		gone = target_gone(s);
		err = tracer__poll(s->tr, 100);
		if (err == -EINTR || s->out.err)
			break;
		if (err < 0) {
			fprintf(stderr, "tamtrace: reading events: %s\n",
				strerror(-err));
			return TT_EXIT_ERROR;
		}
		if (output_flush(&s->out))
			break;
		if (now_ns() >= next_report) {
			report_drops(s);
			next_report += 1000000000ULL;
		}
		if (end && now_ns() >= end)
			break;
	}
	return 0;
}

static int finish(struct session *s)
{
	unsigned long long c[TT_CNT_COUNT] = {};
	struct summary sum = { .mode = mode_name(s->mode) };

	if (!s->out.err)
		tracer__poll(s->tr, 0);
	tracer__counters(s->tr, c);
	sum.dropped = c[TT_CNT_DROPPED];
	sum.seen = c[TT_CNT_SEEN];
	sum.duration_ns = now_ns() - s->start_ns;
	output_summary(&s->out, &sum);
	output_flush(&s->out);
	if (s->out.err == -EPIPE) {
		fprintf(stderr, "tamtrace: output closed, stopping\n");
		return TT_EXIT_PIPE;
	}
	if (s->out.err) {
		fprintf(stderr, "tamtrace: writing output: %s\n",
			strerror(-s->out.err));
		return TT_EXIT_ERROR;
	}
	if (sum.dropped) {
		fprintf(stderr, "tamtrace: %llu of %llu events were dropped "
			"(ring buffer full; raise -b)\n", sum.dropped,
			c[TT_CNT_SEEN]);
		return TT_EXIT_DROPPED;
	}
	return TT_EXIT_OK;
}

static void setup_io(struct session *s)
{
	static char buf[1 << 20];
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOLBF, 0);
	else
		setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	output_init(&s->out, stdout, s->opts.json, s->opts.timestamp);
}

int stream_main(int argc, char **argv)
{
	struct session s = { .mode = -1 };
	int err;

	err = cli_parse(argc, argv, &s.opts);
	if (err)
		return err < 0 ? TT_EXIT_OK : err;
	verbose = s.opts.verbose;
	libbpf_set_print(print_libbpf);
	err = check_host(&s);
	if (err)
		return err;
	err = start_target(&s);
	if (err)
		return err;
	setup_io(&s);
	err = start_tracer(&s);
	if (err)
		goto cleanup;
	print_banner(&s);
	output_header(&s.out);
	s.start_ns = now_ns();
	err = release_target(&s);
	if (err)
		goto cleanup;
	err = poll_loop(&s);
	if (!err)
		err = finish(&s);
cleanup:
	if (s.launched && err)
		launch__abort(&s.child);
	tracer__free(s.tr);
	return err;
}
