// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "escape.h"
#include "regions.h"
#include "streamtab.h"

#define PRUNE_AT (1 << 16)	/* entries before dead ones are dropped */

void streamtab_init(struct streamtab *t, bool json)
{
	*t = (struct streamtab){ .json = json };
}

void streamtab_free(struct streamtab *t)
{
	size_t i;

	for (i = 0; i < t->id_cap; i++)
		if (t->by_id[i]) {
			free(t->by_id[i]->label);
			free(t->by_id[i]);
		}
	free(t->by_id);
	free(t->regions);
	free(t->tasks);
	memset(t, 0, sizeof(*t));
}

/* @s escaped for the output, into @buf of @len bytes. */
static const char *escaped(const struct streamtab *t, const char *s,
			   size_t max, char *buf, size_t len)
{
	FILE *f;

	if (!t->json)
		return esc_text(buf, len, s, max);
	f = fmemopen(buf, len, "w");
	if (!f)
		return strcpy(buf, "\"\"");
	esc_json(f, s, max);
	if (fclose(f) || !memchr(buf, 0, len))
		strcpy(buf, "\"\"");
	return buf;
}

/* ---- threads ---- */

static struct st_task *task_slot(const struct streamtab *t, __u32 tid)
{
	size_t mask = t->task_cap - 1, i = (tid * 2654435761U) & mask;

	while (t->tasks[i].tid && t->tasks[i].tid != tid)
		i = (i + 1) & mask;
	return &t->tasks[i];
}

static int task_grow(struct streamtab *t, size_t cap)
{
	struct streamtab n = { .task_cap = cap };
	size_t i;

	n.tasks = calloc(cap, sizeof(*n.tasks));
	if (!n.tasks)
		return -ENOMEM;
	for (i = 0; i < t->task_cap; i++)
		if (t->tasks[i].tid)
			*task_slot(&n, t->tasks[i].tid) = t->tasks[i];
	free(t->tasks);
	t->tasks = n.tasks;
	t->task_cap = cap;
	return 0;
}

int streamtab_task(struct streamtab *t, const struct tt_task_event *e)
{
	struct st_task *s;

	if (!e->tid)
		return 0;
	if ((t->ntasks + 1) * 2 > t->task_cap &&
	    task_grow(t, t->task_cap ? t->task_cap * 2 : 256))
		return -ENOMEM;
	s = task_slot(t, e->tid);
	if (!s->tid)
		t->ntasks++;
	s->tid = e->tid;
	s->pid = e->pid;
	escaped(t, e->comm, TT_COMM_LEN, s->comm, sizeof(s->comm));
	return 0;
}

const char *streamtab_comm(const struct streamtab *t, __u32 tid)
{
	const struct st_task *s;

	if (!t->task_cap || !tid)
		return t->json ? "\"?\"" : "?";
	s = task_slot(t, tid);
	return s->tid ? s->comm : t->json ? "\"?\"" : "?";
}

/* ---- regions ---- */

/*
 * Regions are found by the id a fault record carries: the records of
 * other CPUs are read after the ring buffer, so a fault can come after
 * the region that replaced its own at that address. Replaced regions
 * stay findable by id for two ticks; by address there is the newest.
 */
static struct st_region **id_slot(const struct streamtab *t, __u32 id)
{
	size_t mask = t->id_cap - 1, i = (id * 2654435761U) & mask;

	while (t->by_id[i] && t->by_id[i]->id != id)
		i = (i + 1) & mask;
	return &t->by_id[i];
}

static int id_rehash(struct streamtab *t, size_t cap)
{
	struct st_region **old = t->by_id;
	size_t i, n = t->id_cap;

	t->by_id = calloc(cap, sizeof(*t->by_id));
	if (!t->by_id) {
		t->by_id = old;
		return -ENOMEM;
	}
	t->id_cap = cap;
	t->nids = 0;
	for (i = 0; i < n; i++)
		if (old[i] && (old[i]->live || old[i]->tick + 2 > t->tick)) {
			*id_slot(t, old[i]->id) = old[i];
			t->nids++;
		} else if (old[i]) {
			free(old[i]->label);
			free(old[i]);
		}
	free(old);
	return 0;
}

/* The index of the first region of @pid ending after @addr. */
static size_t region_index(const struct streamtab *t, __u32 pid, __u64 addr)
{
	size_t lo = 0, hi = t->nregions, mid;

	while (lo < hi) {
		const struct st_region *r = t->regions[(mid = (lo + hi) / 2)];

		if (r->pid < pid || (r->pid == pid && r->end <= addr))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const char *streamtab_label(struct streamtab *t, __u32 pid, __u64 addr,
			    __u32 id)
{
	struct st_region *r = NULL;
	size_t i;

	if (id && t->id_cap)
		r = *id_slot(t, id);
	if (r && r->pid == pid && addr >= r->start && addr < r->end) {
		r->tick = t->tick;
		return r->label;
	}
	i = region_index(t, pid, addr);
	if (i < t->nregions && t->regions[i]->pid == pid &&
	    addr >= t->regions[i]->start)
		return t->regions[i]->label;
	return NULL;
}

static char *region_label_of(const struct streamtab *t,
			     const struct tt_region_event *e)
{
	char nm[TT_NAME_LEN + 1], path[REGION_PATH_LEN], buf[ST_LABEL_MAX];
	char out[ESC_MAX(ST_LABEL_MAX)];
	const char *p = NULL, *label;

	snprintf(nm, sizeof(nm), "%.*s", TT_NAME_LEN, e->name);
	if (e->kind == TT_REG_FILE)
		p = region_file_path(e->pid, e->dev, e->ino, path,
				     sizeof(path));
	label = region_text(e->kind, nm, p, buf, sizeof(buf));
	return strdup(escaped(t, label, ST_LABEL_MAX, out, sizeof(out)));
}

static struct st_region *region_new(struct streamtab *t,
				    const struct tt_region_event *e)
{
	struct st_region *r = calloc(1, sizeof(*r));

	if ((t->nids + 1) * 2 > t->id_cap &&
	    id_rehash(t, t->id_cap ? t->id_cap * 2 : 256))
		goto fail;
	if (!r || !(r->label = region_label_of(t, e)))
		goto fail;
	r->pid = e->pid;
	r->id = e->id;
	r->start = e->vm_start;
	r->end = e->vm_end;
	r->tick = t->tick;
	r->live = true;
	if (!*id_slot(t, r->id))
		t->nids++;
	else	/* the same id again: its CPU's sequence wrapped */
		(*id_slot(t, r->id))->id = 0;
	*id_slot(t, r->id) = r;
	return r;
fail:
	free(r);
	return NULL;
}

/* A region replaces the ones it overlaps: the VMAs there changed. */
int streamtab_region(struct streamtab *t, const struct tt_region_event *e)
{
	size_t i = region_index(t, e->pid, e->vm_start), j = i, k;
	struct st_region *r;

	if (e->vm_end <= e->vm_start)
		return 0;
	r = region_new(t, e);
	if (!r)
		return -ENOMEM;
	while (j < t->nregions && t->regions[j]->pid == e->pid &&
	       t->regions[j]->start < e->vm_end)
		j++;
	for (k = i; k < j; k++) {
		t->regions[k]->live = false;
		t->regions[k]->tick = t->tick;
	}
	if (j == i && t->nregions == t->region_cap) {
		size_t cap = t->region_cap ? t->region_cap * 2 : 256;
		struct st_region **n = realloc(t->regions, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;	/* r stays findable by id */
		t->regions = n;
		t->region_cap = cap;
	}
	/* Replace [i, j) with r. */
	memmove(&t->regions[i + 1], &t->regions[j],
		(t->nregions - j) * sizeof(r));
	t->regions[i] = r;
	t->nregions += 1 - (j - i);
	return 0;
}

/* ---- forgetting the dead ---- */

static bool alive(__u32 pid, __u32 tid)
{
	if (syscall(SYS_tgkill, pid, tid ?: pid, 0) == 0)
		return true;
	return errno == EPERM;
}

void streamtab_prune(struct streamtab *t)
{
	size_t i, n = 0;

	if (t->ntasks >= PRUNE_AT) {
		for (i = 0; i < t->task_cap; i++)
			if (t->tasks[i].tid &&
			    !alive(t->tasks[i].pid, t->tasks[i].tid)) {
				t->tasks[i].tid = 0;
				t->ntasks--;
			}
		task_grow(t, t->task_cap);	/* rehash without the holes */
	}
	t->tick++;
	/* Replaced regions: gone two ticks after their last use */
	if (t->nids > t->nregions && id_rehash(t, t->id_cap))
		return;
	if (t->nregions < PRUNE_AT)
		return;
	for (i = 0; i < t->nregions; i++) {
		if (alive(t->regions[i]->pid, 0))
			t->regions[n++] = t->regions[i];
		else
			t->regions[i]->live = false;
	}
	t->nregions = n;
}
