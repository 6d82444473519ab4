/* SPDX-License-Identifier: GPL-2.0 */
/* Memory figures of processes: syscalls 552/553, or /proc without them. */
#ifndef __TT_PROCSTATS_H
#define __TT_PROCSTATS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct proc_row {
	int pid;
	char comm[17];
	__u64 reserved_kb;
	__u64 used_kb;
	__u32 used_percent;
	__s32 oom_score;
	int oom_score_adj;
};

struct global_row {
	__u64 reserved_mb;
	__u64 used_mb;
	long nr_processes;	/* -1 when the source does not say */
};

/* True once a stats syscall answered ENOSYS: figures come from /proc. */
extern bool procstats_fallback;

/* 0, -ESRCH, -EACCES/-EPERM, or -EINVAL (kernel thread, exiting). */
int procstats_get(int pid, struct proc_row *r);
int procstats_global(struct global_row *g);
const char *procstats_source(void);
/* /proc/PID/comm, or "" when the process is gone. */
void proc_comm(int pid, char *comm, size_t len);

#endif /* __TT_PROCSTATS_H */
