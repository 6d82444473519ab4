// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "exitcodes.h"
#include "session.h"

volatile sig_atomic_t session_exiting;
static bool verbose;
/* Fallback attempts are expected to fail: keep libbpf quiet during them. */
static bool quiet_libbpf;

static void on_signal(int sig)
{
	(void)sig;
	session_exiting = 1;
}

static int print_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list args)
{
	if (!verbose && (level == LIBBPF_DEBUG || quiet_libbpf))
		return 0;
	return vfprintf(stderr, fmt, args);
}

unsigned long long now_ns(void)
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

int session_init(struct session *s)
{
	struct sigaction sa = { .sa_handler = on_signal };

	s->mode = -1;
	verbose = s->opts.verbose;
	libbpf_set_print(print_libbpf);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return check_host(s);
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
	struct tracer_cfg cfg = s->cfg;

	cfg.mode = mode;
	cfg.pid = s->opts.pid;
	cfg.exec_pid = s->launched ? s->child.pid : 0;
	cfg.follow = s->opts.follow;
	cfg.with_tamalloc = s->feat.tamalloc_tp;
	cfg.with_sched = s->feat.sched_tp;
	cfg.buf_mb = s->opts.buf_mb;
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

int session_start_tracer(struct session *s)
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
			print_banner(s);
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

/* The process (thread group) a PID belongs to: -p may name a thread. */
static pid_t tgid_of(pid_t pid)
{
	char path[64], line[128];
	pid_t tgid = pid;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	if (f)
		fclose(f);
	return tgid;
}

int session_start_target(struct session *s)
{
	pid_t tgid;
	int err;

	if (s->opts.pid) {
		if (kill(s->opts.pid, 0) && errno == ESRCH) {
			fprintf(stderr, "tamtrace: no such process: %d\n",
				s->opts.pid);
			return TT_EXIT_NO_PID;
		}
		tgid = tgid_of(s->opts.pid);
		if (tgid != s->opts.pid) {
			fprintf(stderr, "tamtrace: %d is a thread of process "
				"%d: tracing all of %d's threads\n",
				s->opts.pid, tgid, tgid);
			s->opts.pid = tgid;
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

int session_release_target(struct session *s)
{
	int err;

	s->start_ns = now_ns();
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

bool session_target_gone(struct session *s)
{
	if (s->launched)
		return waitpid(s->child.pid, NULL, WNOHANG) == s->child.pid;
	return kill(s->opts.pid, 0) && errno == ESRCH;
}

bool session_should_stop(struct session *s)
{
	if (session_exiting)
		return true;
	if (s->opts.duration > 0 &&
	    now_ns() >= s->start_ns + s->opts.duration * 1e9)
		return true;
	return false;
}

void session_close(struct session *s, int err)
{
	if (s->launched && err)
		launch__abort(&s->child);
	tracer__free(s->tr);
	s->tr = NULL;
}
