// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "procstats.h"

#define NR_TAMALLOC_GLOBAL_STATS 552
#define NR_TAMALLOC_PROC_STATS 553

/* The uapi layouts of <linux/tamalloc.h>, for building on any host. */
struct tamalloc_global_stats_abi {
	__u64 total_reserved_mb;
	__u64 total_used_mb;
};

struct tamalloc_proc_stats_abi {
	__u64 reserved_kb;
	__u64 used_kb;
	__u32 used_percent;
	__s32 oom_score;
};

bool procstats_fallback;

const char *procstats_source(void)
{
	return procstats_fallback ? "proc" : "syscall";
}

static long read_long(const char *fmt, int pid, long dflt)
{
	char path[64];
	long v = dflt;
	FILE *f;

	snprintf(path, sizeof(path), fmt, pid);
	f = fopen(path, "r");
	if (!f)
		return dflt;
	if (fscanf(f, "%ld", &v) != 1)
		v = dflt;
	fclose(f);
	return v;
}

void proc_comm(int pid, char *comm, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	comm[0] = 0;
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(comm, len, f))
		comm[strcspn(comm, "\n")] = 0;
	fclose(f);
}

/* VmSize and VmRSS of /proc/PID/status, in kB. */
static int status_kb(int pid, __u64 *vm, __u64 *rss)
{
	char path[64], line[256];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "VmSize:", 7) && ++found)
			*vm = strtoull(line + 7, NULL, 10);
		else if (!strncmp(line, "VmRSS:", 6) && ++found)
			*rss = strtoull(line + 6, NULL, 10);
	}
	fclose(f);
	return found == 2 ? 0 : -EINVAL;
}

static int proc_get(int pid, struct proc_row *r)
{
	int err = status_kb(pid, &r->reserved_kb, &r->used_kb);

	if (err)
		return err;
	r->used_percent = r->reserved_kb ?
		r->used_kb * 100 / r->reserved_kb : 0;
	r->oom_score = read_long("/proc/%d/oom_score", pid, 0);
	return 0;
}

int procstats_get(int pid, struct proc_row *r)
{
	struct tamalloc_proc_stats_abi st;
	int err = 0;

	memset(r, 0, sizeof(*r));
	r->pid = pid;
	if (!procstats_fallback &&
	    syscall(NR_TAMALLOC_PROC_STATS, pid, &st) == 0) {
		r->reserved_kb = st.reserved_kb;
		r->used_kb = st.used_kb;
		r->used_percent = st.used_percent;
		r->oom_score = st.oom_score;
	} else if (procstats_fallback || errno == ENOSYS) {
		procstats_fallback = true;
		err = proc_get(pid, r);
	} else {
		err = -errno;
	}
	if (err)
		return err;
	proc_comm(pid, r->comm, sizeof(r->comm));
	r->oom_score_adj = read_long("/proc/%d/oom_score_adj", pid, 0);
	return 0;
}

static int proc_global(struct global_row *g)
{
	__u64 vm_kb = 0, rss_kb = 0, vm, rss;
	struct dirent *de;
	DIR *d = opendir("/proc");

	if (!d)
		return -errno;
	g->nr_processes = 0;
	while ((de = readdir(d))) {
		int pid = atoi(de->d_name);

		if (pid <= 0 || status_kb(pid, &vm, &rss))
			continue;
		vm_kb += vm;
		rss_kb += rss;
		g->nr_processes++;
	}
	closedir(d);
	g->reserved_mb = vm_kb >> 10;
	g->used_mb = rss_kb >> 10;
	return 0;
}

int procstats_global(struct global_row *g)
{
	struct tamalloc_global_stats_abi st;

	g->nr_processes = -1;
	if (!procstats_fallback &&
	    syscall(NR_TAMALLOC_GLOBAL_STATS, &st) == 0) {
		g->reserved_mb = st.total_reserved_mb;
		g->used_mb = st.total_used_mb;
		return 0;
	}
	if (!procstats_fallback && errno != ENOSYS)
		return -errno;
	procstats_fallback = true;
	return proc_global(g);
}
