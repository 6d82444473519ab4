// SPDX-License-Identifier: GPL-2.0
/*
 * User frames come from the kernel as (build id, file offset): the file
 * with that build id is looked for among those the traced processes ran
 * (exec events, the launched command), mapped (snapshots of
 * /proc/PID/maps) or need (DT_NEEDED), and separate debug files, so that
 * a process that exited before any snapshot still symbolises. A frame
 * whose build id the kernel could not read is resolved through the
 * process's last snapshot, if any.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include "dsos.h"
#include "escape.h"
#include "names.h"
#include "procstats.h"
#include "regions.h"
#include "session.h"
#include "stacks.h"
#include "symbols.h"

/* Where a mapping with a build id lies in a process: IP - file offset,
 * learnt from the stacks the kernel gave build ids for. */
struct bias {
	pid_t tgid;
	unsigned char build_id[ELF_BUILD_ID_MAX];
	unsigned long long bias;
};

struct symbolizer {
	const struct stacks_ctx *c;
	struct dsos dsos;
	struct symtab kernel;
	bool kernel_ok;
	int ips_fd, ids_fd, bid_fd;	/* user_ips, ustack_ids, user_stacks */
	struct bias *biases;
	size_t nbiases;
};

static int add_file(struct stacks_ctx *c, const char *path)
{
	char **v;
	size_t i;

	for (i = 0; i < c->nfiles; i++)
		if (!strcmp(c->files[i], path))
			return 0;
	if (c->nfiles == STACKS_MAX_FILES || !path[0])
		return 0;
	v = realloc(c->files, (c->nfiles + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	c->files = v;
	v[c->nfiles] = strdup(path);
	return v[c->nfiles] ? (c->nfiles++, 0) : -ENOMEM;
}

/* The process's entry, added if there is room; NULL otherwise. */
static struct stack_proc *proc_get(struct stacks_ctx *c, pid_t pid, bool add)
{
	struct stack_proc *p;
	size_t i;

	for (i = 0; i < c->nprocs; i++)
		if (c->procs[i].pid == pid)
			return &c->procs[i];
	if (!add || c->nprocs == STACKS_MAX_PROCS)
		return NULL;
	p = realloc(c->procs, (c->nprocs + 1) * sizeof(*p));
	if (!p)
		return NULL;
	c->procs = p;
	p = &c->procs[c->nprocs++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	return p;
}

void stacks_init(struct stacks_ctx *c, pid_t pid)
{
	char path[64];
	ssize_t n;

	memset(c, 0, sizeof(*c));
	c->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	n = readlink(path, c->exe, sizeof(c->exe) - 1);
	c->exe[n > 0 ? n : 0] = 0;
	proc_comm(pid, c->comm, sizeof(c->comm));
	proc_get(c, pid, true);
	add_file(c, c->exe);
}

void stacks_set_exe(struct stacks_ctx *c, const char *argv0)
{
	const char *path = getenv("PATH"), *end;
	char cand[256];

	c->exe[0] = 0;
	if (strchr(argv0, '/')) {
		if (!realpath(argv0, c->exe))
			c->exe[0] = 0;
	}
	for (; !c->exe[0] && path && *path; path = *end ? end + 1 : end) {
		end = strchrnul(path, ':');
		snprintf(cand, sizeof(cand), "%.*s/%s", (int)(end - path), path,
			 argv0);
		if (!access(cand, X_OK))
			snprintf(c->exe, sizeof(c->exe), "%s", cand);
	}
	add_file(c, c->exe);
}

/* The executable file mappings of /proc/@pid/maps: 0, or -errno as
 * maps_read() says it (-ESRCH: none, the process is exiting). */
static int read_exec_maps(pid_t pid, struct maps_entry **out, size_t *n)
{
	struct maps_entry *tmp;
	size_t i, all;
	int err = maps_read(pid, out, &all);

	*n = 0;
	for (i = 0; !err && i < all; i++)
		if ((*out)[i].exec && (*out)[i].name[0] == '/')
			(*out)[(*n)++] = (*out)[i];
	if (!*n) {
		free(*out);
		*out = NULL;
		return err ?: -ESRCH;
	}
	/* Kept until the next snapshot: no room for the other mappings. */
	tmp = realloc(*out, *n * sizeof(*tmp));
	*out = tmp ?: *out;
	return 0;
}

static void snapshot_proc(struct stacks_ctx *c, struct stack_proc *p)
{
	struct maps_entry *maps;
	size_t i, n;
	int err = read_exec_maps(p->pid, &maps, &n);

	/* Either way the last snapshot stays: -ESRCH, the process is exiting
	 * (or a kernel thread); another error, it is gone. */
	if (err) {
		p->gone = err != -ESRCH;
		return;
	}
	free(p->maps);
	p->maps = maps;
	p->nmaps = n;
	for (i = 0; i < n; i++)
		add_file(c, maps[i].name);
}

void stacks_snapshot_maps(struct stacks_ctx *c)
{
	size_t i;

	if (now_ns() - c->last_ns < 100000000ULL)
		return;
	c->last_ns = now_ns();
	if (!c->comm[0])
		proc_comm(c->pid, c->comm, sizeof(c->comm));
	for (i = 0; i < c->nprocs; i++)
		if (!c->procs[i].gone)
			snapshot_proc(c, &c->procs[i]);
}

int stacks_note_exec(struct stacks_ctx *c, const struct tt_exec_event *e)
{
	char name[TT_PATH_LEN + 1], path[TT_PATH_LEN + 64], real[PATH_MAX];
	struct stack_proc *p = proc_get(c, e->pid, true);

	if (p) {
		memcpy(p->comm, e->comm, TT_COMM_LEN);
		p->gone = false;
	}
	memcpy(name, e->filename, TT_PATH_LEN);
	name[TT_PATH_LEN] = 0;
	/* A relative name is relative to the process's working directory,
	 * gone with it: then to ours, which a launched command inherits. */
	snprintf(path, sizeof(path), "/proc/%u/cwd/%s", e->pid, name);
	if (name[0] == '/' || !realpath(path, real))
		if (!realpath(name, real))
			return 0;
	return add_file(c, real);
}

/* The next frame of @st; frames past the last are written over it
 * (there is room for the deepest stacks the maps hold). */
static struct stack_frame *new_frame(struct stack_sample *st, bool kernel)
{
	struct stack_frame *fr = &st->fr[st->n];

	if (st->n < STACK_MAX_FRAMES - 1)
		st->n++;
	memset(fr, 0, sizeof(*fr));
	fr->kernel = kernel;
	return fr;
}

/* A user frame: its function (NULL: none covers it) in file @d. */
static struct stack_frame *add_user(struct stack_sample *st, const char *name,
				    const struct dso *d, unsigned long long ip)
{
	struct stack_frame *fr = new_frame(st, false);

	fr->name = name;
	fr->ip = ip;
	if (!d)
		return fr;
	fr->path = d->path;
	fr->base = d->base[0] ? d->base : NULL;
	memcpy(fr->build_id, d->id.build_id, ELF_BUILD_ID_MAX);
	fr->build_id_len = d->id.build_id_len;
	return fr;
}

/* A user frame of a file offset in a file. */
static struct stack_frame *offset_frame(struct stack_sample *st,
					struct dso *d, unsigned long long ip,
					unsigned long long off)
{
	const struct symtab *t = d ? dso_symtab(d) : NULL;
	unsigned long long vaddr = t ? symtab_vaddr(t, off) : 0;
	struct stack_frame *fr;

	fr = add_user(st, vaddr ? symtab_find(t, vaddr) : NULL, d, ip);
	fr->off = off;
	fr->has_off = true;
	return fr;
}

/* A user stack's IPs, innermost first, and its build id frames if the
 * kernel gave them (zeroes otherwise). Returns the number of frames. */
static int read_user(struct symbolizer *s, int id, __u64 *ips,
		     struct bpf_stack_build_id *fr)
{
	__u32 key = id, bid;
	int n;

	memset(fr, 0, TT_USTACK_DEPTH * sizeof(*fr));
	if (id < 0 || bpf_map_lookup_elem(s->ips_fd, &key, ips))
		return 0;
	if (!bpf_map_lookup_elem(s->ids_fd, &key, &bid) &&
	    bpf_map_lookup_elem(s->bid_fd, &bid, fr))
		memset(fr, 0, TT_USTACK_DEPTH * sizeof(*fr));
	for (n = 0; n < TT_USTACK_DEPTH && ips[n]; n++)
		;
	return n;
}

/* A build id frame: not where the kernel fell back to the IP, nor below
 * its VMA (a bogus return address makes the kernel's offset negative). */
static bool has_build_id(const struct bpf_stack_build_id *fr)
{
	return fr->status == BPF_STACK_BUILD_ID_VALID &&
	       fr->offset < 1ULL << 56;
}

static int learn_biases(struct symbolizer *s, const struct stack_row *r)
{
	struct bpf_stack_build_id fr[TT_USTACK_DEPTH];
	__u64 ips[TT_USTACK_DEPTH] = {};
	int i, n = read_user(s, r->key.user_stack, ips, fr);
	struct bias b = { .tgid = r->key.tgid }, *v;
	size_t k;

	for (i = 0; i < n; i++) {
		if (!has_build_id(&fr[i]))
			continue;
		memcpy(b.build_id, fr[i].build_id, ELF_BUILD_ID_MAX);
		b.bias = ips[i] - fr[i].offset;
		for (k = 0; k < s->nbiases; k++)
			if (!memcmp(&s->biases[k], &b, sizeof(b)))
				break;
		if (k < s->nbiases)
			continue;
		v = realloc(s->biases, (s->nbiases + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->biases = v;
		v[s->nbiases++] = b;
	}
	return 0;
}

/* An IP in a file the process mapped where other stacks placed it. */
static bool learnt_frame(struct stack_sample *st, struct symbolizer *s,
			 pid_t tgid, unsigned long long ip)
{
	const struct symtab *t;
	struct dso *d;
	size_t k;

	for (k = 0; k < s->nbiases; k++) {
		if (s->biases[k].tgid != tgid || ip < s->biases[k].bias)
			continue;
		d = dsos_by_build_id(&s->dsos, s->biases[k].build_id);
		t = d ? dso_symtab(d) : NULL;
		if (t && symtab_vaddr(t, ip - s->biases[k].bias)) {
			offset_frame(st, d, ip, ip - s->biases[k].bias);
			return true;
		}
	}
	return false;
}

/*
 * A frame without build id: placed by the process's other stacks, else
 * through its last maps snapshot, else, for a non-PIE executable of the
 * launched command, its link-time address.
 */
static void ip_frame(struct stack_sample *st, struct symbolizer *s,
		     pid_t tgid, unsigned long long ip)
{
	const struct stack_proc *p = proc_get((struct stacks_ctx *)s->c,
					      tgid, false);
	const struct symtab *t;
	struct dso *d;
	size_t i;

	if (learnt_frame(st, s, tgid, ip))
		return;
	for (i = 0; p && i < p->nmaps; i++) {
		if (ip < p->maps[i].start || ip >= p->maps[i].end)
			continue;
		d = dsos_by_path(&s->dsos, p->maps[i].name);
		offset_frame(st, d, ip,
			     ip - p->maps[i].start + p->maps[i].offset);
		return;
	}
	d = tgid == s->c->pid && s->c->exe[0] ?
	    dsos_by_path(&s->dsos, s->c->exe) : NULL;
	t = d && d->id.fixed ? dso_symtab(d) : NULL;
	if (t && symtab_has_vaddr(t, ip))
		add_user(st, symtab_find(t, ip), d, ip);
	else
		add_user(st, NULL, NULL, ip);
}

/* User frames of one stack id, outermost first. */
static void user_frames(struct stack_sample *st, struct symbolizer *s, int id)
{
	struct bpf_stack_build_id fr[TT_USTACK_DEPTH];
	__u64 ips[TT_USTACK_DEPTH] = {};
	int i = read_user(s, id, ips, fr);
	struct stack_frame *sf;

	if (id < 0 && id != -EFAULT)
		add_user(st, NULL, NULL, 0);	/* collided in the map */
	while (i-- > 0) {
		if (!has_build_id(&fr[i])) {
			ip_frame(st, s, st->tgid, ips[i]);
			continue;
		}
		sf = offset_frame(st, dsos_by_build_id(&s->dsos,
						       fr[i].build_id),
				  ips[i], fr[i].offset);
		if (!sf->build_id_len) {	/* no file here has it */
			memcpy(sf->build_id, fr[i].build_id, ELF_BUILD_ID_MAX);
			sf->build_id_len = ELF_BUILD_ID_MAX;
		}
	}
}

/* Frames of the tracing machinery itself, where the kernel stack ends. */
static bool tracing_frame(const char *name)
{
	return !strncmp(name, "bpf_", 4) || !strncmp(name, "__bpf_", 6) ||
	       !strncmp(name, "__traceiter_", 12) ||
	       !strncmp(name, "__probestub_", 12);
}

/* Kernel frames of one stack id, outermost first. */
static void kernel_frames(struct stack_sample *st, int fd, int id,
			  struct symbolizer *s)
{
	unsigned long long ips[TT_STACK_DEPTH] = {};
	struct stack_frame *fr;
	const char *name;
	int i, n;

	if (id < 0 && id != -EFAULT)	/* collided in the map */
		new_frame(st, true)->name = "[unknown]";
	if (id < 0 || bpf_map_lookup_elem(fd, &id, ips))
		return;
	for (n = 0; n < TT_STACK_DEPTH && ips[n]; n++)
		;
	for (i = n - 1; i >= 0; i--) {
		name = s->kernel_ok ? symtab_find(&s->kernel, ips[i]) : NULL;
		if (name && tracing_frame(name))
			break;
		fr = new_frame(st, true);
		fr->name = name;
		fr->ip = ips[i];
	}
}

/* The process's name after its last exec, else the target's. */
static const char *comm_of(struct symbolizer *s, pid_t tgid, char *buf,
			   size_t len)
{
	const struct stack_proc *p = proc_get((struct stacks_ctx *)s->c,
					      tgid, false);

	if (p && p->comm[0])
		snprintf(buf, len, "%.*s", TT_COMM_LEN, p->comm);
	else if (tgid == s->c->pid && s->c->comm[0])
		snprintf(buf, len, "%s", s->c->comm);
	else
		snprintf(buf, len, "pid-%d", tgid);
	return buf;
}

static int symbolizer_init(struct symbolizer *s, const struct stacks_ctx *c)
{
	size_t i;
	int err = 0;

	memset(s, 0, sizeof(*s));
	s->c = c;
	s->kernel_ok = !symtab_load_kallsyms(&s->kernel);
	s->ips_fd = tracer__map_fd(c->tr, TRACER_MAP_USER_IPS);
	s->ids_fd = tracer__map_fd(c->tr, TRACER_MAP_USTACK_IDS);
	s->bid_fd = tracer__map_fd(c->tr, TRACER_MAP_USER_STACKS);
	for (i = 0; !err && i < c->nfiles; i++)
		err = dsos_add(&s->dsos, c->files[i]);
	return err;
}

int stacks_walk(struct stacks_ctx *c,
		int (*fn)(const struct stack_sample *st, void *arg), void *arg)
{
	int kfd = tracer__map_fd(c->tr, TRACER_MAP_STACK_TRACES);
	struct stack_sample *st = malloc(sizeof(*st));
	char comm[TT_COMM_LEN + 16];
	struct symbolizer s;
	size_t k;
	int err;

	err = st ? symbolizer_init(&s, c) : -ENOMEM;
	for (k = 0; !err && k < c->d->nstacks; k++)
		err = learn_biases(&s, &c->d->stacks[k]);
	for (k = 0; !err && k < c->d->nstacks; k++) {
		const struct stack_row *r = &c->d->stacks[k];

		st->tgid = r->key.tgid;
		st->comm = comm_of(&s, r->key.tgid, comm, sizeof(comm));
		st->class = r->key.class;
		st->count = r->count;
		st->lat_ns = r->lat_ns;
		st->n = 0;
		user_frames(st, &s, r->key.user_stack);
		kernel_frames(st, kfd, r->key.kern_stack, &s);
		err = fn(st, arg);
	}
	if (st) {
		dsos_free(&s.dsos);
		symtab_free(&s.kernel);
		free(s.biases);
	}
	free(st);
	return err;
}

/* One line: comm;user frames;kernel frames_[k];class count, where a
 * user frame without symbol is "[unknown] (file)". */
static int folded_line(const struct stack_sample *st, void *arg)
{
	const struct stack_frame *fr;
	FILE *f = arg;
	size_t i;

	esc_folded(f, st->comm, SIZE_MAX);
	for (i = 0; i < st->n; i++) {
		fr = &st->fr[i];
		fputc(';', f);
		if (fr->kernel) {
			esc_folded(f, fr->name ?: "[kernel]", SIZE_MAX);
			fputs("_[k]", f);
		} else if (fr->name) {
			esc_folded(f, fr->name, SIZE_MAX);
		} else {
			fputs("[unknown]", f);
			if (fr->base) {
				esc_folded(f, " (", SIZE_MAX);
				esc_folded(f, fr->base, SIZE_MAX);
				fputc(')', f);
			}
		}
	}
	fprintf(f, ";%s %llu\n", class_name(st->class), st->count);
	return 0;
}

int stacks_write(FILE *f, void *ctx)
{
	return stacks_walk(ctx, folded_line, f);
}

void stacks_free(struct stacks_ctx *c)
{
	size_t i;

	for (i = 0; i < c->nprocs; i++)
		free(c->procs[i].maps);
	for (i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->procs);
	free(c->files);
	memset(c, 0, sizeof(*c));
}
