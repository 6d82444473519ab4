/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names of the memory region a fault hit, the same in the stream and in
 * hist, and the /proc/PID/maps snapshots hist builds its regions from.
 */
#ifndef __TT_REGIONS_H
#define __TT_REGIONS_H

#include <stdbool.h>
#include <stddef.h>
#include "tamtrace.h"

#define REGION_PATH_LEN 256

/* The label of @kind: "tamalloc", "heap", "stack", "anon",
 * "file:<path>", "shared-anon", "sysv-shm:<key>", "memfd:<name>" or the
 * anon name, with the name BPF recorded (@name) or, better, the path
 * /proc/PID/maps shows (@path, NULL if unknown). */
const char *region_text(__u8 kind, const char *name, const char *path,
			char *buf, size_t len);
/* The path of the file @dev, @ino that @pid maps (/proc/PID/maps), in
 * @buf, as region_file_name() names it; NULL if it maps it no more. */
const char *region_file_path(__u32 pid, __u32 dev, __u64 ino,
			     char *buf, size_t len);
/* The one path the run names file @dev, @ino by: the first one given
 * (@path; NULL only looks it up), or NULL if none was. */
const char *region_file_name(__u32 dev, __u64 ino, const char *path);

/* One line of /proc/PID/maps. */
struct maps_entry {
	__u64 start, end;
	__u64 offset;			/* into the file */
	bool exec;			/* 'x' in its perms */
	__u32 dev;			/* as the kernel's dev_t */
	__u64 ino;
	__u8 kind;			/* enum tt_region */
	char name[REGION_PATH_LEN];	/* path or anon name, else "" */
};

bool maps_parse(const char *line, struct maps_entry *m);
/* True if the file of @m has a name other than @m's path in this run
 * (region_file_name()): then that name, " (deleted)" as @m, in @buf. */
bool region_file_alias(const struct maps_entry *m, char *buf, size_t len);
/* Every line of /proc/@tgid/maps in *@out, to free even on error; 0,
 * or -errno: -ESRCH also when there are none (a zombie, a kernel
 * thread). */
int maps_read(__u32 tgid, struct maps_entry **out, size_t *n);

/* A mapping, as long as consecutive snapshots showed it unchanged. */
struct maps_seen {
	__u32 tgid;
	struct maps_entry m;
	unsigned long long first_ns, last_ns;
};

struct maps_proc {
	__u32 tgid;
	char comm[17];
	unsigned long long last_ns;	/* the last snapshot, 0 if none */
	size_t *cur;			/* its mappings, in maps_log.seen */
	size_t ncur;
};

/* Every mapping the snapshots saw, per process. */
struct maps_log {
	struct maps_seen *seen;
	size_t nseen, cap;
	struct maps_proc *procs;
	size_t nprocs;
};

/* Snapshot /proc/@tgid/maps; 0, or -errno (-ESRCH once it is gone or a
 * zombie, -EAGAIN while it is still tamtrace before exec). */
int maps_log_snapshot(struct maps_log *l, __u32 tgid,
		      unsigned long long now_ns);
const struct maps_proc *maps_log_proc(const struct maps_log *l, __u32 tgid);
void maps_log_free(struct maps_log *l);

#endif /* __TT_REGIONS_H */
