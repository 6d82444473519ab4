// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "procstats.h"
#include "regions.h"

#define DELETED " (deleted)"
#define MAX_SEEN (1 << 16)	/* mappings the snapshots keep, ~20 MB */
#define MAX_FILES (1 << 16)	/* files named, a few MB with their paths */

/* ---- labels ---- */

/* @path without " (deleted)", in @buf. */
static const char *undeleted(const char *path, char *buf, size_t len)
{
	size_t n = strlen(path), d = strlen(DELETED);

	if (n > d && !strcmp(path + n - d, DELETED))
		n -= d;
	snprintf(buf, len, "%.*s", (int)n, path);
	return buf;
}

/* Shared memory without a file of its own, by what maps or BPF say. */
static bool shm_text(const char *name, const char *path, char *buf,
		     size_t len)
{
	char tmp[REGION_PATH_LEN];
	const char *p = path ? undeleted(path, tmp, sizeof(tmp)) : name;
	unsigned int key;
	char c;

	if (p[0] == '/' && (!path || strstr(path, DELETED)))
		p++;
	else if (path && strncmp(p, "[anon_shmem:", 12))
		return false;	/* a real file, whatever its name */
	if (!strcmp(p, "dev/zero")) {
		snprintf(buf, len, "shared-anon");
	} else if (!strncmp(p, "[anon_shmem:", 12)) {
		snprintf(buf, len, "shared-anon:%.*s",
			 (int)strcspn(p + 12, "]"), p + 12);
	} else if (sscanf(p, "SYSV%8x%c", &key, &c) == 1 &&
		   strlen(p) == 12) {
		snprintf(buf, len, "sysv-shm:%s", p + 4);
	} else if (!strncmp(p, "memfd:", 6)) {
		snprintf(buf, len, "%s", p);
	} else {
		return false;
	}
	return true;
}

const char *region_text(__u8 kind, const char *name, const char *path,
			char *buf, size_t len)
{
	switch (kind) {
	case TT_REG_TAMALLOC:
		return "tamalloc";
	case TT_REG_HEAP:
		return "heap";
	case TT_REG_STACK:
		return "stack";
	case TT_REG_ANON:
		return "anon";
	case TT_REG_FILE:
		if (!shm_text(name, path, buf, len))
			snprintf(buf, len, "file:%s", path ?: name);
		return buf;
	case TT_REG_NAMED:
		snprintf(buf, len, "%.*s", TT_NAME_LEN, name);
		return buf;
	default:
		return "unknown";
	}
}

/* ---- /proc/PID/maps ---- */

bool maps_parse(const char *line, struct maps_entry *m)
{
	unsigned long long s, e, o, ino;
	unsigned int maj, min;
	char perms[8];
	const char *p;
	int off = 0;

	if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu%n", &s, &e, perms, &o,
		   &maj, &min, &ino, &off) != 7 ||
	    !off)
		return false;
	p = line + off + strspn(line + off, " ");
	memset(m, 0, sizeof(*m));
	m->start = s;
	m->end = e;
	m->offset = o;
	m->dev = maj << 20 | min;	/* the kernel's dev_t, as BPF reads it */
	m->ino = ino;
	m->exec = strchr(perms, 'x') != NULL;
	snprintf(m->name, sizeof(m->name), "%.*s", (int)strcspn(p, "\n"), p);
	if (m->name[0] == '/' || !strncmp(m->name, "[anon_shmem:", 12)) {
		m->kind = TT_REG_FILE;
	} else if (!strcmp(m->name, "[heap]")) {
		m->kind = TT_REG_HEAP;
	} else if (!strncmp(m->name, "[stack", 6)) {
		m->kind = TT_REG_STACK;
	} else if (!strncmp(m->name, "[anon:", 6)) {
		m->kind = strcmp(m->name, "[anon:tamalloc]") ? TT_REG_NAMED :
			  TT_REG_TAMALLOC;
		memmove(m->name, m->name + 6, strlen(m->name + 6) + 1);
		m->name[strcspn(m->name, "]")] = 0;
	} else {
		m->kind = TT_REG_ANON;	/* also [vdso] and the like */
	}
	if (m->kind != TT_REG_FILE && m->kind != TT_REG_NAMED)
		m->name[0] = 0;
	return true;
}

/* ---- one name per file ---- */

/*
 * The name the run gives each file, by (dev, ino): the first path maps
 * showed for it. maps names a file by the path it was opened by, and
 * hard links or bind mounts give one file several.
 */
struct file_name {
	__u32 dev;
	__u64 ino;		/* 0: a free slot */
	char *path;
};

static struct file_name *names;
static size_t names_cap, names_used;

static struct file_name *name_slot(struct file_name *t, size_t cap,
				   __u32 dev, __u64 ino)
{
	__u64 h = (ino ^ (__u64)dev << 40) * 0x9E3779B97F4A7C15ULL;
	size_t i = (h >> 32) & (cap - 1);

	while (t[i].ino && (t[i].ino != ino || t[i].dev != dev))
		i = (i + 1) & (cap - 1);
	return &t[i];
}

/* Room for one more name: the table doubles past half full. */
static bool names_room(void)
{
	size_t cap = names_cap ? names_cap * 2 : 256, i;
	struct file_name *t;

	if (2 * (names_used + 1) <= names_cap)
		return true;
	if (names_used >= MAX_FILES)
		return false;
	t = calloc(cap, sizeof(*t));
	if (!t)
		return false;
	for (i = 0; i < names_cap; i++) {
		struct file_name *n = &names[i];

		if (n->ino)
			*name_slot(t, cap, n->dev, n->ino) = *n;
	}
	free(names);
	names = t;
	names_cap = cap;
	return true;
}

const char *region_file_name(__u32 dev, __u64 ino, const char *path)
{
	struct file_name *s = NULL;

	if (!ino)
		return path;
	if (names_cap) {
		s = name_slot(names, names_cap, dev, ino);
		if (s->ino)
			return s->path;
	}
	if (!path || !names_room())
		return path;	/* no room: named as maps says */
	s = name_slot(names, names_cap, dev, ino);
	s->path = strdup(path);
	if (!s->path)
		return path;
	s->dev = dev;
	s->ino = ino;
	names_used++;
	return s->path;
}

bool region_file_alias(const struct maps_entry *m, char *buf, size_t len)
{
	char a[REGION_PATH_LEN], b[REGION_PATH_LEN];
	const char *name;

	if (m->kind != TT_REG_FILE)
		return false;
	name = region_file_name(m->dev, m->ino, m->name);
	if (!name || !strcmp(undeleted(name, a, sizeof(a)),
			     undeleted(m->name, b, sizeof(b))))
		return false;
	/* Deleted or not, as this mapping's file is now */
	snprintf(buf, len, "%s%s", a, strcmp(b, m->name) ? DELETED : "");
	return true;
}

const char *region_file_path(__u32 pid, __u32 dev, __u64 ino,
			     char *buf, size_t len)
{
	const char *p = region_file_name(dev, ino, NULL);
	struct maps_entry *m;
	size_t i, n;

	if (!ino)
		return NULL;
	if (p)
		return snprintf(buf, len, "%s", p), buf;
	if (maps_read(pid, &m, &n)) {
		free(m);
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (m[i].kind == TT_REG_FILE && m[i].dev == dev &&
		    m[i].ino == ino)
			break;
	if (i < n)
		snprintf(buf, len, "%s", region_file_name(dev, ino, m[i].name));
	free(m);
	return i < n ? buf : NULL;
}

/* ---- snapshots ---- */

const struct maps_proc *maps_log_proc(const struct maps_log *l, __u32 tgid)
{
	size_t i;

	for (i = 0; i < l->nprocs; i++)
		if (l->procs[i].tgid == tgid)
			return &l->procs[i];
	return NULL;
}

static struct maps_proc *proc_of(struct maps_log *l, __u32 tgid)
{
	struct maps_proc *p = (struct maps_proc *)maps_log_proc(l, tgid);

	if (p)
		return p;
	p = realloc(l->procs, (l->nprocs + 1) * sizeof(*p));
	if (!p)
		return NULL;
	l->procs = p;
	p = &l->procs[l->nprocs++];
	memset(p, 0, sizeof(*p));
	p->tgid = tgid;
	return p;
}

/* Still tamtrace's own image: the launched command before its exec. */
static bool is_us(__u32 tgid)
{
	struct stat a, b;
	char fn[64];

	snprintf(fn, sizeof(fn), "/proc/%u/exe", tgid);
	return !stat(fn, &a) && !stat("/proc/self/exe", &b) &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * Did the process still have its memory after maps was read? The kernel
 * writes maps a page at a time, and a process that exits between two
 * reads ends the file early with no error; statm is all zeros once its
 * memory is gone.
 */
static bool mm_alive(__u32 tgid)
{
	unsigned long long size = 0;
	char fn[64];
	FILE *f;

	snprintf(fn, sizeof(fn), "/proc/%u/statm", tgid);
	f = fopen(fn, "r");
	if (!f)
		return false;
	if (fscanf(f, "%llu", &size) != 1)
		size = 0;
	fclose(f);
	return size > 0;
}

int maps_read(__u32 tgid, struct maps_entry **out, size_t *n)
{
	char fn[64], line[512 + REGION_PATH_LEN];
	struct maps_entry *m = NULL, *tmp;
	size_t cap = 0;
	bool cut;
	FILE *f;

	*n = 0;
	*out = NULL;
	snprintf(fn, sizeof(fn), "/proc/%u/maps", tgid);
	f = fopen(fn, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (*n == cap) {
			tmp = realloc(m, (cap = cap ? cap * 2 : 64) * sizeof(*m));
			if (!tmp)
				break;
			m = tmp;
		}
		if (maps_parse(line, &m[*n]))
			(*n)++;
	}
	cut = ferror(f) || !mm_alive(tgid);
	fclose(f);
	if (cut || !*n) {	/* cut short by exit; a zombie's is empty */
		free(m);
		*n = 0;
		return -ESRCH;
	}
	*out = m;
	return 0;
}

/* The index of @m in the log: the same one as in the last snapshot if
 * it did not change, else a new one; -1 when the log is full. */
static long seen_index(struct maps_log *l, struct maps_proc *p,
		       const struct maps_entry *m, size_t *j,
		       unsigned long long now)
{
	struct maps_seen *s;

	while (*j < p->ncur && l->seen[p->cur[*j]].m.start < m->start)
		(*j)++;
	if (*j < p->ncur) {
		s = &l->seen[p->cur[*j]];
		if (s->m.start == m->start && s->m.end == m->end &&
		    s->m.kind == m->kind && !strcmp(s->m.name, m->name)) {
			s->last_ns = now;
			return p->cur[*j];
		}
	}
	if (l->nseen == l->cap) {
		if (l->cap == MAX_SEEN)
			return -1;
		s = realloc(l->seen, (l->cap = l->cap ? l->cap * 2 : 256) *
			    sizeof(*s));
		if (!s)
			return -1;
		l->seen = s;
	}
	l->seen[l->nseen] = (struct maps_seen){ .tgid = p->tgid, .m = *m,
						.first_ns = now, .last_ns = now };
	return l->nseen++;
}

int maps_log_snapshot(struct maps_log *l, __u32 tgid,
		      unsigned long long now_ns)
{
	struct maps_entry *m;
	struct maps_proc *p;
	size_t n, i, j = 0, k = 0, *cur;
	long idx;
	int err;

	if (is_us(tgid))
		return -EAGAIN;
	err = maps_read(tgid, &m, &n);
	p = err ? NULL : proc_of(l, tgid);
	cur = p ? calloc(n, sizeof(*cur)) : NULL;
	if (!cur) {
		free(m);
		return err ?: -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		idx = seen_index(l, p, &m[i], &j, now_ns);
		if (idx >= 0)
			cur[k++] = idx;
	}
	free(m);
	free(p->cur);
	p->cur = cur;
	p->ncur = k;
	p->last_ns = now_ns;
	proc_comm(tgid, p->comm, sizeof(p->comm));
	return 0;
}

void maps_log_free(struct maps_log *l)
{
	size_t i;

	for (i = 0; i < l->nprocs; i++)
		free(l->procs[i].cur);
	free(l->procs);
	free(l->seen);
	memset(l, 0, sizeof(*l));
}
