// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "exitcodes.h"
#include "target.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define CGROUP_ROOT "/sys/fs/cgroup"
#define STOP_GRACE_MS 2000	/* SIGTERM, then SIGKILL after this */

static int pidfd_open(pid_t pid)
{
	return syscall(SYS_pidfd_open, pid, 0);
}

/* The thread group of @tid, or 0 if no such task. */
static pid_t tgid_of(pid_t tid)
{
	char path[64], line[128];
	pid_t tgid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	if (f)
		fclose(f);
	return tgid;
}

/* 'Z', 'X', ... from /proc/.../stat, or 0 when the task is gone. */
static char task_state(pid_t tgid, pid_t tid)
{
	char path[64], buf[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", tgid, tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	return p && p[1] == ' ' ? p[2] : 0;
}

static bool task_dead(pid_t tgid, pid_t tid)
{
	char s = task_state(tgid, tid);

	return !s || s == 'Z' || s == 'X';
}

static int add_pid(struct target *t, pid_t pid)
{
	pid_t tgid = tgid_of(pid);
	int i;

	if (!tgid) {
		fprintf(stderr, "tamtrace: no such process: %d\n", pid);
		return TT_EXIT_NO_PID;
	}
	if (tgid != pid)
		fprintf(stderr, "tamtrace: %d is a thread of process %d: "
			"tracing all of %d's threads (-t %d: that thread only)\n",
			pid, tgid, tgid, pid);
	for (i = 0; i < t->npids; i++)
		if (t->pids[i] == tgid)
			return 0;
	t->pids[t->npids] = tgid;
	/* Without pidfds (before 5.3) target_gone() reads /proc instead. */
	t->pidfds[t->npids++] = pidfd_open(tgid);
	return 0;
}

void cgroup2_root(char *root, size_t len)
{
	char line[4096], dir[2048], type[64];
	FILE *f = fopen("/proc/self/mounts", "r");

	snprintf(root, len, CGROUP_ROOT);
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %2047s %63s", dir, type) == 2 &&
		    !strcmp(type, "cgroup2")) {
			snprintf(root, len, "%.2000s", dir);
			break;
		}
	if (f)
		fclose(f);
}

/* -c DIR: a cgroup v2 directory, absolute or under the cgroup2 mount. */
static int open_cgroup(struct target *t, const char *dir)
{
	char path[4096], root[2048];
	struct statfs st;

	t->cgroup_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t->cgroup_fd < 0 && errno == ENOENT && dir[0] != '/') {
		cgroup2_root(root, sizeof(root));
		snprintf(path, sizeof(path), "%s/%.2000s", root, dir);
		t->cgroup_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (t->cgroup_fd < 0) {
		fprintf(stderr, "tamtrace: no such cgroup: %s: %s\n", dir,
			strerror(errno));
		return TT_EXIT_NO_PID;
	}
	if (fstatfs(t->cgroup_fd, &st) || st.f_type != CGROUP2_SUPER_MAGIC) {
		cgroup2_root(root, sizeof(root));
		fprintf(stderr, "tamtrace: %s is not a cgroup v2 directory "
			"(cgroup v2 is mounted on %s)\n", dir, root);
		return TT_EXIT_USAGE;
	}
	return 0;
}

static int open_thread(struct target *t, pid_t tid)
{
	t->tid_tgid = tgid_of(tid);
	if (!t->tid_tgid || task_dead(t->tid_tgid, tid)) {
		fprintf(stderr, "tamtrace: no such thread: %d\n", tid);
		return TT_EXIT_NO_PID;
	}
	return 0;
}

int target_open(struct target *t, const struct tt_opts *o)
{
	int i, err = 0;

	*t = (struct target){ .opts = o, .cgroup_fd = -1, .child_pidfd = -1 };
	for (i = 0; i < o->npids && !err; i++)
		err = add_pid(t, o->pids[i]);
	if (err)
		return err;
	if (o->tid)
		return open_thread(t, o->tid);
	if (o->cgroup)
		return open_cgroup(t, o->cgroup);
	if (!o->argv)
		return 0;
	err = launch__new(&t->child, o->argv);
	if (err) {
		fprintf(stderr, "tamtrace: cannot fork: %s\n", strerror(-err));
		return TT_EXIT_ERROR;
	}
	t->launched = true;
	return 0;
}

int target_release(struct target *t)
{
	int err;

	if (!t->launched)
		return 0;
	err = launch__go(&t->child);
	if (err) {
		fprintf(stderr, "tamtrace: cannot run '%s': %s\n",
			t->opts->argv[0], strerror(-err));
		t->launched = false;
		return TT_EXIT_EXEC;
	}
	t->running = true;
	t->child_pidfd = pidfd_open(t->child.pid);
	return 0;
}

int target_pollfds(struct target *t, struct pollfd *fds, int max)
{
	int i, n = 0;

	if (t->running && t->child_pidfd >= 0 && n < max)
		fds[n++] = (struct pollfd){ .fd = t->child_pidfd,
					    .events = POLLIN };
	for (i = 0; i < t->npids && n < max; i++)
		if (t->pidfds[i] >= 0 && !t->exited[i])
			fds[n++] = (struct pollfd){ .fd = t->pidfds[i],
						    .events = POLLIN };
	return n;
}

static bool reap(struct target *t, int flags)
{
	if (t->running && waitpid(t->child.pid, &t->status, flags) ==
			  t->child.pid)
		t->running = false;
	return !t->running;
}

/* A pidfd is readable once its process exited, zombie or reaped. */
static bool process_gone(struct target *t, int i)
{
	struct pollfd p = { .fd = t->pidfds[i], .events = POLLIN };

	if (t->pidfds[i] < 0)
		return task_dead(t->pids[i], t->pids[i]);
	return poll(&p, 1, 0) > 0;
}

bool target_gone(struct target *t)
{
	int i;

	if (t->launched)
		return reap(t, WNOHANG);
	if (t->opts->tid)
		return task_dead(t->tid_tgid, t->opts->tid);
	for (i = 0; i < t->npids; i++)
		if (!t->exited[i] && !(t->exited[i] = process_gone(t, i)))
			return false;
	return t->npids > 0;
}

static unsigned long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

void target_stop(struct target *t, const char *why)
{
	unsigned long long until = mono_ms() + STOP_GRACE_MS;

	if (!t->launched || reap(t, WNOHANG))
		return;
	why = why ?: "the trace ended";
	fprintf(stderr, "tamtrace: %s before %s (pid %d) exited: sending it "
		"SIGTERM\n", why, t->opts->argv[0], t->child.pid);
	kill(t->child.pid, SIGTERM);
	while (!reap(t, WNOHANG) && mono_ms() < until)
		usleep(10000);
	if (t->running) {
		fprintf(stderr, "tamtrace: %s (pid %d) still runs after %d ms: "
			"sending it SIGKILL\n", t->opts->argv[0], t->child.pid,
			STOP_GRACE_MS);
		kill(t->child.pid, SIGKILL);
		reap(t, 0);
	}
}

int target_exit_status(const struct target *t)
{
	int sig;

	if (!t->launched || t->running)
		return 0;
	if (WIFEXITED(t->status))
		return WEXITSTATUS(t->status);
	sig = WTERMSIG(t->status);
	fprintf(stderr, "tamtrace: %s was killed by signal %d (%s)%s\n",
		t->opts->argv[0], sig, strsignal(sig),
		WCOREDUMP(t->status) ? ", core dumped" : "");
	return 128 + sig;
}

void target_close(struct target *t)
{
	int i;

	if (t->launched && !t->running)
		launch__abort(&t->child);	/* parked, never released */
	for (i = 0; i < t->npids; i++)
		if (t->pidfds[i] >= 0)
			close(t->pidfds[i]);
	if (t->child_pidfd >= 0)
		close(t->child_pidfd);
	if (t->cgroup_fd >= 0)
		close(t->cgroup_fd);
}
