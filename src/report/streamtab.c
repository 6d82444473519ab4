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

#define LABEL_MAX 512
#define PRUNE_AT (1 << 16)	/* entries before dead ones are dropped */

void streamtab_init(struct streamtab *t, bool json)
{
	*t = (struct streamtab){ .json = json };
}

void streamtab_free(struct streamtab *t)
{
	size_t i;

	for (i = 0; i < t->nregions; i++)
		free(t->regions[i].label);
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

static int cmp_at(__u32 pid, __u64 addr, const struct st_region *r)
{
	if (pid != r->pid)
		return pid < r->pid ? -1 : 1;
	return addr < r->start ? -1 : addr >= r->end;
}

/* The index of the first region of @pid ending after @addr. */
static size_t region_index(const struct streamtab *t, __u32 pid, __u64 addr)
{
	size_t lo = 0, hi = t->nregions, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (t->regions[mid].pid < pid ||
		    (t->regions[mid].pid == pid && t->regions[mid].end <= addr))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const char *streamtab_label(const struct streamtab *t, __u32 pid,
			    __u64 addr)
{
	size_t i = region_index(t, pid, addr);

	if (i < t->nregions && !cmp_at(pid, addr, &t->regions[i]))
		return t->regions[i].label;
	return NULL;
}

static char *region_label_of(const struct streamtab *t,
			     const struct tt_region_event *e)
{
	char nm[TT_NAME_LEN + 1], path[REGION_PATH_LEN], buf[LABEL_MAX];
	char out[4 * LABEL_MAX + 3];
	const char *p = NULL, *label;

	snprintf(nm, sizeof(nm), "%.*s", TT_NAME_LEN, e->name);
	if (e->kind == TT_REG_FILE)
		p = region_file_path(e->pid, e->dev, e->ino, path,
				     sizeof(path));
	label = region_text(e->kind, nm, p, buf, sizeof(buf));
	return strdup(escaped(t, label, LABEL_MAX, out, sizeof(out)));
}

/* A region replaces the ones it overlaps: the VMAs there changed. */
int streamtab_region(struct streamtab *t, const struct tt_region_event *e)
{
	size_t i = region_index(t, e->pid, e->vm_start), j = i;
	struct st_region r = { .pid = e->pid, .id = e->id,
			       .start = e->vm_start, .end = e->vm_end };

	if (e->vm_end <= e->vm_start)
		return 0;
	r.label = region_label_of(t, e);
	if (!r.label)
		return -ENOMEM;
	while (j < t->nregions && t->regions[j].pid == e->pid &&
	       t->regions[j].start < e->vm_end)
		free(t->regions[j++].label);
	if (j == i && t->nregions == t->region_cap) {
		size_t cap = t->region_cap ? t->region_cap * 2 : 256;
		struct st_region *n = realloc(t->regions, cap * sizeof(*n));

		if (!n) {
			free(r.label);
			return -ENOMEM;
		}
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
	if (t->nregions < PRUNE_AT)
		return;
	for (i = 0; i < t->nregions; i++) {
		if (alive(t->regions[i].pid, 0))
			t->regions[n++] = t->regions[i];
		else
			free(t->regions[i].label);
	}
	t->nregions = n;
}
