/* SPDX-License-Identifier: GPL-2.0 */
/*
 * serve and top: each fault adds one to its key's per-CPU slot; nothing
 * is streamed. The key's slot is cached per CPU: a thread's faults come
 * in runs, so most faults cost a compare, not a hash lookup. Included
 * by tamtrace.bpf.c after the in-flight state it reads.
 */
#ifndef __SERVE_BPF_H
#define __SERVE_BPF_H

const volatile bool serve_mode = false;
const volatile __u32 serve_by = TT_BY_CGROUP;	/* enum tt_by */

struct tt_serve_ctl serve_ctl = {};

/* The loader sizes these (1 entry when serve is off). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tt_serve_slot);
} serve_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, struct tt_serve_key);
	__type(value, __u32);
} serve_keys SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} serve_free SEC(".maps");

/* Each CPU's last key and its slot, valid while serve_ctl.gen holds. */
struct serve_cache {
	struct tt_serve_key key;
	__u64 gen;
	__u32 slot;
	__u32 valid;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct serve_cache);
} serve_cache SEC(".maps");

/* The cgroup path to a task's default-hierarchy id, as flavours: a
 * kernel without CONFIG_CGROUPS (the test VM's) has none of it. */
struct kernfs_node___tt {
	__u64 id;
} __attribute__((preserve_access_index));
struct cgroup___tt {
	struct kernfs_node___tt *kn;
} __attribute__((preserve_access_index));
struct css_set___tt {
	struct cgroup___tt *dfl_cgrp;
} __attribute__((preserve_access_index));
struct task_struct___cg {
	struct css_set___tt *cgroups;
} __attribute__((preserve_access_index));

/* @task's cgroup v2 id, by direct loads (no helper: the held-fault
 * iterator runs in the reader, and 6.12 refuses it the helper); 0
 * without cgroups. */
static __always_inline __u64 task_cgroup_id(struct task_struct *task)
{
	struct task_struct___cg *t = (void *)task;

	if (!bpf_core_field_exists(t->cgroups))
		return 0;
	return t->cgroups->dfl_cgrp->kn->id;
}

static __always_inline void serve_key(struct tt_serve_key *k, __u64 id,
				      struct task_struct *task)
{
	/* A process's key has its name too: top shows processes that
	 * exited before it looked them up, and an exec starts a new row */
	if (serve_by != TT_BY_CGROUP) {
		/* Direct loads from the BTF pointer, as send_task() */
		*(__u64 *)&k->comm[0] = *(__u64 *)&task->comm[0];
		*(__u64 *)&k->comm[8] = *(__u64 *)&task->comm[8];
	}
	if (serve_by == TT_BY_PID)
		k->id = id >> 32;
	else if (serve_by == TT_BY_CGROUP)
		k->id = task_cgroup_id(task);
}

/* A free slot for the new key @k, or 0 (no slot left: counted apart). */
static __always_inline __u32 serve_new_slot(const struct tt_serve_key *k)
{
	__u64 h = serve_ctl.head;
	__u32 idx, slot, *v;

	if (h >= *(volatile __u64 *)&serve_ctl.tail ||
	    __sync_val_compare_and_swap(&serve_ctl.head, h, h + 1) != h)
		return 0;
	idx = h & (TT_SERVE_RING - 1);
	v = bpf_map_lookup_elem(&serve_free, &idx);
	slot = v ? *v : 0;
	/* Another CPU may have added the key meanwhile: its slot wins, and
	 * the loader takes this one back (popped but not in the map). */
	if (slot && bpf_map_update_elem(&serve_keys, k, &slot, BPF_NOEXIST)) {
		v = bpf_map_lookup_elem(&serve_keys, k);
		slot = v ? *v : 0;
	}
	return slot;
}

static __always_inline __u32 serve_slot(__u64 id, struct task_struct *task)
{
	struct tt_serve_key k = {};
	struct serve_cache *c;
	__u32 zero = 0, *v;

	serve_key(&k, id, task);
	c = bpf_map_lookup_elem(&serve_cache, &zero);
	if (!c)
		return 0;
	if (c->valid && c->gen == serve_ctl.gen && c->key.id == k.id &&
	    *(__u64 *)&c->key.comm[0] == *(__u64 *)&k.comm[0] &&
	    *(__u64 *)&c->key.comm[8] == *(__u64 *)&k.comm[8])
		return c->slot;
	c->gen = serve_ctl.gen;
	v = bpf_map_lookup_elem(&serve_keys, &k);
	c->slot = v ? *v : serve_new_slot(&k);
	c->key = k;
	/* Keys without a slot look again: one may have been freed */
	c->valid = c->slot != 0;
	return c->slot;
}

static __always_inline void serve_count(const struct inflight *f, __u64 id,
					struct task_struct *task, __u8 access,
					__u8 class, __u32 flags, __u64 latency)
{
	__u32 slot = serve_slot(id, task);
	struct tt_serve_slot *s = bpf_map_lookup_elem(&serve_slots, &slot);
	__u32 i = ((__u32)f->origin * TT_ACC_COUNT + access) * TT_CLASS_COUNT +
		  class;
	__u64 *v;

	/* One bounded index: the verifier loses the bounds of three */
	asm volatile("" : "+r"(i));
	if (!s || i >= TT_ORIGIN_COUNT * TT_ACC_COUNT * TT_CLASS_COUNT)
		return;
	(&s->n[0][0][0])[i]++;
	if (class == TT_CLASS_ZERO_FILL || class == TT_CLASS_COW_ZERO ||
	    class == TT_CLASS_HUGE_ZERO_FILL)
		s->zero_pages += 1ULL << (f->order & 15);
	if (flags & TT_F_HAS_LATENCY) {
		/* per key for top, per class for the exporter's histogram */
		slot = log2_slot(latency);
		s->lat[slot]++;
		slot += class * TT_LAT_SLOTS;
		v = bpf_map_lookup_elem(&lat_hist, &slot);
		if (v)
			(*v)++;
	}
}

#endif /* __SERVE_BPF_H */
