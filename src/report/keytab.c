// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "keytab.h"
#include "procstats.h"
#include "session.h"
#include "target.h"
#include "tracer.h"

#define RING_MASK (TT_SERVE_RING - 1)
#define IDLE_NS (10 * 1000000000ULL)	/* a slot goes back after this */
#define LABEL_IDLE_NS (300 * 1000000000ULL)	/* a label, after this */
/* A slot taken back waits this long before BPF may hand it out again,
 * and a popped slot whose key never showed is taken back after it:
 * BPF programs run for microseconds, scrapes may come every millisecond. */
#define DRAIN_NS 1000000000ULL
#define KEEP_KEYS 1024		/* past this, idle keys are forgotten */
#define FILEID_KERNFS_ 0xfe	/* cgroup ids are kernfs file handles */

enum slot_st { SLOT_RING, SLOT_POPPED, SLOT_OWNED, SLOT_DRAIN };

struct slot_state {
	int st;			/* enum slot_st */
	int key;		/* index in keys, -1: none */
	unsigned long long since_ns;	/* in this state since */
	struct key_counts prev;	/* the slot's sum when last read */
};

static unsigned int key_hash(const struct tt_serve_key *key)
{
	const unsigned char *p = (const void *)key;
	unsigned int h = 2166136261u;
	size_t i;

	for (i = 0; i < sizeof(*key); i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static void index_put(struct keytab *k, int i)
{
	unsigned int m = k->index_cap - 1, h = key_hash(&k->keys[i].key) & m;

	while (k->index[h] >= 0)
		h = (h + 1) & m;
	k->index[h] = i;
}

static int index_find(const struct keytab *k, const struct tt_serve_key *key)
{
	unsigned int m = k->index_cap - 1, h = key_hash(key) & m;

	for (; k->index[h] >= 0; h = (h + 1) & m)
		if (!memcmp(&k->keys[k->index[h]].key, key, sizeof(*key)))
			return k->index[h];
	return -1;
}

/* The index, rebuilt for keys 0..nkeys-1 at twice their room. */
static int index_build(struct keytab *k)
{
	int cap = 64, i;

	while (cap < 2 * k->cap)
		cap *= 2;
	free(k->index);
	k->index = malloc(cap * sizeof(*k->index));
	if (!k->index)
		return -ENOMEM;
	k->index_cap = cap;
	memset(k->index, 0xff, cap * sizeof(*k->index));
	for (i = 0; i < k->nkeys; i++)
		index_put(k, i);
	return 0;
}

/* A cgroup's path under the cgroup2 mount, from its id. */
static void cgroup_path(struct keytab *k, __u64 id, char *buf, size_t len)
{
	struct {
		struct file_handle fh;
		__u64 id;
	} h = { .fh = { .handle_bytes = sizeof(__u64),
			.handle_type = FILEID_KERNFS_ } };
	char link[64], path[PATH_MAX];
	size_t n = strlen(k->cgroot);
	ssize_t got;
	int fd;

	snprintf(buf, len, "?%llu", (unsigned long long)id);
	memcpy(h.fh.f_handle, &id, sizeof(id));
	fd = open_by_handle_at(k->cgroot_fd, &h.fh, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	got = readlink(link, path, sizeof(path) - 1);
	close(fd);
	if (got <= 0)
		return;
	path[got] = 0;
	if (!strncmp(path, k->cgroot, n) && (!path[n] || path[n] == '/'))
		snprintf(buf, len, "%s", path[n] ? path + n : "/");
}

static int key_add(struct keytab *k, const struct tt_serve_key *key)
{
	struct key_entry *e;

	if (k->nkeys == k->cap) {
		e = realloc(k->keys, 2 * k->cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		k->keys = e;
		k->cap *= 2;
		if (index_build(k))
			return -ENOMEM;
	}
	e = &k->keys[k->nkeys];
	memset(e, 0, sizeof(*e));
	e->key = *key;
	if (k->by == TT_BY_CGROUP)
		cgroup_path(k, key->id, e->name, sizeof(e->name));
	else
		snprintf(e->name, sizeof(e->name), "%.*s", TT_COMM_LEN,
			 key->comm);
	e->last_active_ns = now_ns();
	index_put(k, k->nkeys);
	return k->nkeys++;
}

/* Give @slot back to BPF through the free ring. */
static int ring_push(struct keytab *k, __u32 slot)
{
	struct tt_serve_ctl *ctl = tracer__serve_ctl(k->tr);
	int fd = tracer__map_fd(k->tr, TRACER_MAP_SERVE_FREE);
	__u32 idx = ctl->tail & RING_MASK;
	int err = bpf_map_update_elem(fd, &idx, &slot, BPF_ANY);

	if (err)
		return err;
	__atomic_store_n(&ctl->tail, ctl->tail + 1, __ATOMIC_RELEASE);
	k->slots[slot] = (struct slot_state){ .st = SLOT_RING, .key = -1,
					      .prev = k->slots[slot].prev };
	return 0;
}

int keytab_init(struct keytab *k, struct tracer *tr, int by, int max_labels)
{
	__u32 s;
	int err;

	memset(k, 0, sizeof(*k));
	k->tr = tr;
	k->by = by;
	k->max_labels = max_labels;
	k->ncpus = tracer__ncpus(tr);
	k->cap = 64;
	k->keys = calloc(k->cap, sizeof(*k->keys));
	k->slots = calloc(TT_SERVE_SLOTS, sizeof(*k->slots));
	k->buf = calloc(k->ncpus, sizeof(struct tt_serve_slot));
	cgroup2_root(k->cgroot, sizeof(k->cgroot));
	k->cgroot_fd = open(k->cgroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (!k->keys || !k->slots || !k->buf || index_build(k))
		return -ENOMEM;
	k->last_ns = now_ns();
	for (s = 1; s < TT_SERVE_SLOTS; s++) {
		err = ring_push(k, s);
		if (err)
			return err;
	}
	return 0;
}

void keytab_free(struct keytab *k)
{
	free(k->keys);
	free(k->index);
	free(k->slots);
	free(k->buf);
	if (k->cgroot_fd >= 0)
		close(k->cgroot_fd);
	memset(k, 0, sizeof(*k));
	k->cgroot_fd = -1;
}

static void counts_add(struct key_counts *a, const struct key_counts *b)
{
	unsigned long long *x = (void *)a;
	const unsigned long long *y = (const void *)b;
	size_t i;

	for (i = 0; i < sizeof(*a) / sizeof(*x); i++)
		x[i] += y[i];
}

static bool counts_zero(const struct key_counts *c)
{
	const unsigned long long *x = (const void *)c;
	size_t i;

	for (i = 0; i < sizeof(*c) / sizeof(*x); i++)
		if (x[i])
			return false;
	return true;
}

/* The slot's growth since it was last read, into @d. */
static int slot_delta(struct keytab *k, __u32 slot, struct key_counts *d)
{
	int fd = tracer__map_fd(k->tr, TRACER_MAP_SERVE_SLOTS);
	struct key_counts *prev = &k->slots[slot].prev, sum = {};
	const unsigned long long *v = k->buf;
	unsigned long long *s = (void *)&sum, *p = (void *)prev;
	unsigned long long *o = (void *)d;
	size_t words = sizeof(sum) / sizeof(*s), i;
	int c;

	if (bpf_map_lookup_elem(fd, &slot, k->buf))
		return -errno;
	for (c = 0; c < k->ncpus; c++)
		for (i = 0; i < words; i++)
			s[i] += v[c * words + i];
	for (i = 0; i < words; i++)
		o[i] = s[i] - p[i];
	*prev = sum;
	return 0;
}

/* Which key each popped slot went to: the keys map says. */
static int scan_keys(struct keytab *k)
{
	int fd = tracer__map_fd(k->tr, TRACER_MAP_SERVE_KEYS), i;
	struct tt_serve_key key, next, *prevk = NULL;
	__u32 slot;

	while (!bpf_map_get_next_key(fd, prevk, &next)) {
		key = next;
		prevk = &key;
		if (bpf_map_lookup_elem(fd, &key, &slot) || !slot ||
		    slot >= TT_SERVE_SLOTS ||
		    k->slots[slot].st != SLOT_POPPED)
			continue;
		i = index_find(k, &key);
		if (i < 0)
			i = key_add(k, &key);
		if (i < 0)
			return i;
		k->slots[slot].st = SLOT_OWNED;
		k->slots[slot].key = i;
	}
	return 0;
}

/* Slots BPF took from the ring since the last collection. */
static void note_popped(struct keytab *k, unsigned long long *seen)
{
	struct tt_serve_ctl *ctl = tracer__serve_ctl(k->tr);
	unsigned long long head = __atomic_load_n(&ctl->head, __ATOMIC_ACQUIRE);
	int fd = tracer__map_fd(k->tr, TRACER_MAP_SERVE_FREE);
	__u32 idx, slot;

	for (; *seen < head; (*seen)++) {
		idx = *seen & RING_MASK;
		if (bpf_map_lookup_elem(fd, &idx, &slot) || !slot ||
		    slot >= TT_SERVE_SLOTS)
			continue;
		k->slots[slot].st = SLOT_POPPED;
		k->slots[slot].key = -1;
		k->slots[slot].since_ns = now_ns();
	}
}

/* A slot's growth to its key, or to `other` without one. */
static void attribute(struct keytab *k, int key, const struct key_counts *d,
		      unsigned long long now)
{
	struct key_entry *e;

	if (key < 0) {
		counts_add(&k->other, d);
		return;
	}
	e = &k->keys[key];
	counts_add(&e->total, d);
	counts_add(&e->delta, d);
	if (!counts_zero(d))
		e->last_active_ns = now;
}

/* After the labels are set: each key's growth to its series or other. */
static void attribute_labels(struct keytab *k)
{
	struct key_entry *e;
	int i;

	for (i = 0; i < k->nkeys; i++) {
		e = &k->keys[i];
		counts_add(e->labelled ? &e->shown : &k->other, &e->delta);
	}
}

static bool key_idle(const struct keytab *k, const struct key_entry *e,
		     unsigned long long now)
{
	if (k->by == TT_BY_PID && kill(e->key.id, 0) && errno == ESRCH)
		return true;
	return now - e->last_active_ns >= IDLE_NS;
}

/* Read one slot and move it along its states. */
static int collect_slot(struct keytab *k, __u32 s, unsigned long long now,
			bool *gen)
{
	struct slot_state *st = &k->slots[s];
	struct key_counts d;
	int fd = tracer__map_fd(k->tr, TRACER_MAP_SERVE_KEYS), err;

	/* Popped, key not seen yet: wait, unless it was lost (a race
	 * between two CPUs adding the same key) */
	if (st->st == SLOT_RING ||
	    (st->st == SLOT_POPPED && now - st->since_ns < DRAIN_NS))
		return 0;
	err = slot_delta(k, s, &d);
	if (err)
		return err;
	attribute(k, st->key, &d, now);
	if (st->st == SLOT_POPPED ||
	    (st->st == SLOT_DRAIN && now - st->since_ns >= DRAIN_NS))
		return ring_push(k, s);
	if (st->st == SLOT_OWNED && key_idle(k, &k->keys[st->key], now) &&
	    !bpf_map_delete_elem(fd, &k->keys[st->key].key)) {
		st->st = SLOT_DRAIN;
		st->since_ns = now;
		*gen = true;
	}
	return 0;
}

static void update_labels(struct keytab *k, unsigned long long now)
{
	struct key_entry *e, *best;
	int i;

	for (i = 0; i < k->nkeys; i++) {
		e = &k->keys[i];
		if (e->labelled && now - e->last_active_ns >= LABEL_IDLE_NS) {
			e->labelled = false;
			k->nlabelled--;
		}
	}
	while (k->nlabelled < k->max_labels) {
		best = NULL;
		for (i = 0; i < k->nkeys; i++) {
			e = &k->keys[i];
			if (!e->labelled && counts_faults(&e->delta) &&
			    (!best || counts_faults(&e->delta) >
				      counts_faults(&best->delta)))
				best = e;
		}
		if (!best)
			break;
		best->labelled = true;
		k->nlabelled++;
	}
}

/* Forget idle keys without a slot or label, past KEEP_KEYS. */
static int forget_keys(struct keytab *k, unsigned long long now)
{
	int *map, i, n = 0;
	__u32 s;

	if (k->nkeys <= KEEP_KEYS)
		return 0;
	map = malloc(k->nkeys * sizeof(*map));
	if (!map)
		return -ENOMEM;
	for (i = 0; i < k->nkeys; i++)
		map[i] = -2;
	for (s = 0; s < TT_SERVE_SLOTS; s++)
		if (k->slots[s].key >= 0)
			map[k->slots[s].key] = -1;	/* keep */
	for (i = 0; i < k->nkeys; i++) {
		if (map[i] == -2 && !k->keys[i].labelled &&
		    now - k->keys[i].last_active_ns >= LABEL_IDLE_NS)
			continue;
		map[i] = n;
		k->keys[n++] = k->keys[i];
	}
	k->nkeys = n;
	for (s = 0; s < TT_SERVE_SLOTS; s++)
		if (k->slots[s].key >= 0)
			k->slots[s].key = map[k->slots[s].key];
	free(map);
	return index_build(k);
}

int keytab_collect(struct keytab *k)
{
	unsigned long long now = now_ns();
	struct key_counts d;
	bool gen = false;
	int i, err;
	__u32 s;

	note_popped(k, &k->seen_head);
	err = scan_keys(k);
	for (i = 0; i < k->nkeys; i++)
		memset(&k->keys[i].delta, 0, sizeof(k->keys[i].delta));
	err = err ?: slot_delta(k, 0, &d);
	if (!err) {
		attribute(k, -1, &d, now);
		k->unowned += counts_faults(&d);
	}
	for (s = 1; s < TT_SERVE_SLOTS && !err; s++)
		err = collect_slot(k, s, now, &gen);
	if (gen)
		__atomic_add_fetch(&tracer__serve_ctl(k->tr)->gen, 1,
				   __ATOMIC_RELEASE);
	k->interval_s = (now - k->last_ns) / 1e9;
	k->last_ns = now;
	update_labels(k, now);
	attribute_labels(k);
	return err ?: forget_keys(k, now);
}

unsigned long long counts_class(const struct key_counts *c, int cls)
{
	unsigned long long n = 0;
	int o, a;

	for (o = 0; o < TT_ORIGIN_COUNT; o++)
		for (a = 0; a < TT_ACC_COUNT; a++)
			n += c->n[o][a][cls];
	return n;
}

unsigned long long counts_faults(const struct key_counts *c)
{
	unsigned long long n = 0;
	int cls;

	for (cls = 0; cls < TT_CLASS_COUNT; cls++)
		if (cls != TT_CLASS_ERROR)
			n += counts_class(c, cls);
	return n;
}

const char *keytab_name(const struct keytab *k, const struct key_entry *e,
			char *buf, size_t len)
{
	if (k->by == TT_BY_PID)
		snprintf(buf, len, "%llu", (unsigned long long)e->key.id);
	else
		snprintf(buf, len, "%s", e->name);
	return buf;
}

static void mem_add(struct key_mem *m, int pid)
{
	struct proc_row r;

	if (procstats_get(pid, &r))
		return;
	m->reserved_kb += r.reserved_kb;
	m->used_kb += r.used_kb;
	if (!m->nprocs++ || r.oom_score > m->oom_score)
		m->oom_score = r.oom_score;
}

/* One /proc scan for every wanted comm key: each process to its key. */
static void mem_comms(const struct keytab *k, const bool *want,
		      struct key_mem *out)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	char c[17];
	int pid, i;

	while (d && (de = readdir(d))) {
		pid = atoi(de->d_name);
		if (pid <= 0)
			continue;
		proc_comm(pid, c, sizeof(c));
		for (i = 0; i < k->nkeys; i++)
			if (want[i] && !strcmp(c, k->keys[i].name)) {
				mem_add(&out[i], pid);
				break;
			}
	}
	if (d)
		closedir(d);
}

/* The processes of the cgroup itself (cgroup.procs), not its children. */
static void mem_cgroup(const struct keytab *k, struct key_mem *m,
		       const char *path)
{
	char file[PATH_MAX];
	FILE *f;
	int pid;

	snprintf(file, sizeof(file), "%s%s/cgroup.procs", k->cgroot,
		 strcmp(path, "/") ? path : "");
	f = fopen(file, "r");
	while (f && fscanf(f, "%d", &pid) == 1)
		mem_add(m, pid);
	if (f)
		fclose(f);
}

void keytab_memory(const struct keytab *k, const bool *want,
		   struct key_mem *out)
{
	int i;

	memset(out, 0, k->nkeys * sizeof(*out));
	if (k->by == TT_BY_COMM) {
		mem_comms(k, want, out);
		return;
	}
	for (i = 0; i < k->nkeys; i++) {
		if (!want[i])
			continue;
		if (k->by == TT_BY_PID)
			mem_add(&out[i], k->keys[i].key.id);
		else if (k->keys[i].name[0] == '/')
			mem_cgroup(k, &out[i], k->keys[i].name);
	}
}
