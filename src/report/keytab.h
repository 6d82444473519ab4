/* SPDX-License-Identifier: GPL-2.0 */
/*
 * serve and top: fault counts per key (cgroup, comm or process), read
 * from the BPF slots and kept here for the whole run. BPF counts in a
 * slot per key; this table hands slots out (the free ring), takes back
 * those of idle keys, and adds each slot's growth to the key that held
 * it, so that no count is lost when slots move. Not thread-safe: the
 * caller serialises.
 */
#ifndef __TT_KEYTAB_H
#define __TT_KEYTAB_H

#include <stdbool.h>
#include "tamtrace.h"

struct tracer;

struct key_counts {
	unsigned long long n[TT_ORIGIN_COUNT][TT_ACC_COUNT][TT_CLASS_COUNT];
	unsigned long long zero_pages;
	unsigned long long lat[TT_LAT_SLOTS];
};

struct key_entry {
	struct tt_serve_key key;
	char name[256];		/* cgroup path, comm, or "" for a pid */
	struct key_counts total;	/* since the start */
	struct key_counts shown;	/* while it had a label (serve) */
	struct key_counts delta;	/* in the last collection */
	unsigned long long last_active_ns;
	bool labelled;
};

struct keytab {
	struct tracer *tr;
	int by;			/* enum tt_by */
	int max_labels;		/* serve --top N */
	int ncpus;
	struct key_entry *keys;
	int nkeys, cap;
	int *index;		/* open addressing over keys, -1: empty */
	int index_cap;
	int nlabelled;
	struct key_counts other;	/* counts of keys without a label */
	struct slot_state *slots;
	void *buf;		/* one slot's per-CPU values */
	unsigned long long last_ns;	/* time of the last collection */
	double interval_s;		/* between the last two */
	unsigned long long unowned;	/* slot 0: keys that found no slot */
	unsigned long long seen_head;	/* free ring: pops already noted */
	char cgroot[2048];
	int cgroot_fd;
};

/* Fill the free ring; 0 or -errno. */
int keytab_init(struct keytab *k, struct tracer *tr, int by, int max_labels);
void keytab_free(struct keytab *k);
/* Read the slots: deltas to their keys, idle keys' slots back. */
int keytab_collect(struct keytab *k);
/* The key's label value (cgroup path, comm, pid) into @buf. */
const char *keytab_name(const struct keytab *k, const struct key_entry *e,
			char *buf, size_t len);
/* Sum of a counts' faults (classes but error). */
unsigned long long counts_faults(const struct key_counts *c);
unsigned long long counts_class(const struct key_counts *c, int cls);

/* Reserved and used memory of a key's processes, kB; the largest OOM
 * score; nprocs 0 when it has none now. */
struct key_mem {
	unsigned long long reserved_kb, used_kb;
	int oom_score;
	int nprocs;
};
/* @out[i] for each key i with @want[i] (both nkeys long); by comm, one
 * scan of /proc for all of them. */
void keytab_memory(const struct keytab *k, const bool *want,
		   struct key_mem *out);

#endif /* __TT_KEYTAB_H */
