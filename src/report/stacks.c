// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "escape.h"
#include "names.h"
#include "procstats.h"
#include "session.h"
#include "stacks.h"
#include "symbols.h"

#define MAX_FRAMES TT_STACK_DEPTH
#define MAX_FILES 64

/* ELF symbol tables, loaded once per file. */
struct file_syms {
	char path[256];
	struct symtab tab;
	int loaded;	/* 1 ok, -1 failed */
};

struct symbolizer {
	const char *exe;	/* the target's executable, as a fallback */
	struct file_syms files[MAX_FILES];
	int nfiles;
	struct symtab kernel;
	bool kernel_ok;
};

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
}

void stacks_set_exe(struct stacks_ctx *c, const char *argv0)
{
	const char *path = getenv("PATH"), *end;
	char cand[256];

	if (strchr(argv0, '/')) {
		if (!realpath(argv0, c->exe))
			c->exe[0] = 0;
		return;
	}
	for (; path && *path; path = *end ? end + 1 : end) {
		end = strchrnul(path, ':');
		snprintf(cand, sizeof(cand), "%.*s/%s", (int)(end - path), path,
			 argv0);
		if (!access(cand, X_OK)) {
			snprintf(c->exe, sizeof(c->exe), "%s", cand);
			return;
		}
	}
}

static int read_exec_maps(pid_t pid, struct exec_map **out, size_t *n)
{
	char path[64], line[512], perms[8];
	struct exec_map m, *maps = NULL, *tmp;
	size_t cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	*n = 0;
	while (fgets(line, sizeof(line), f)) {
		memset(&m, 0, sizeof(m));
		if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %255s", &m.start,
			   &m.end, perms, &m.offset, m.path) != 5 ||
		    perms[2] != 'x' || m.path[0] != '/')
			continue;
		if (*n == cap) {
			tmp = realloc(maps, (cap = cap ? cap * 2 : 32) * sizeof(m));
			if (!tmp)
				break;
			maps = tmp;
		}
		maps[(*n)++] = m;
	}
	fclose(f);
	*out = maps;
	return 0;
}

void stacks_snapshot_maps(struct stacks_ctx *c)
{
	struct exec_map *maps;
	size_t n;

	if (now_ns() - c->last_ns < 100000000ULL)
		return;
	c->last_ns = now_ns();
	if (!c->comm[0])
		proc_comm(c->pid, c->comm, sizeof(c->comm));
	if (read_exec_maps(c->pid, &maps, &n) || !n)
		return;	/* gone: keep the last snapshot */
	free(c->maps);
	c->maps = maps;
	c->nmaps = n;
}

static struct symtab *file_symtab(struct symbolizer *s, const char *path)
{
	int i;

	for (i = 0; i < s->nfiles; i++)
		if (!strcmp(s->files[i].path, path))
			return s->files[i].loaded > 0 ? &s->files[i].tab : NULL;
	if (s->nfiles == MAX_FILES)
		return NULL;
	i = s->nfiles++;
	snprintf(s->files[i].path, sizeof(s->files[i].path), "%s", path);
	s->files[i].loaded = symtab_load_elf(&s->files[i].tab, path) ? -1 : 1;
	return s->files[i].loaded > 0 ? &s->files[i].tab : NULL;
}

static void user_frame(FILE *f, struct symbolizer *s,
		       const struct stacks_ctx *c, unsigned long long ip)
{
	const struct exec_map *m = NULL;
	const struct symtab *t;
	const char *name = NULL, *base;
	size_t i;

	for (i = 0; i < c->nmaps && !m; i++)
		if (ip >= c->maps[i].start && ip < c->maps[i].end)
			m = &c->maps[i];
	if (!m) {
		/* Exited before a snapshot: a non-PIE executable still
		 * resolves, its addresses are link-time addresses. */
		t = s->exe ? file_symtab(s, s->exe) : NULL;
		name = t ? symtab_find(t, ip) : NULL;
		fputc(';', f);
		esc_folded(f, name ?: "[unknown]", SIZE_MAX);
		return;
	}
	t = file_symtab(s, m->path);
	if (t)
		name = symtab_find(t, symtab_vaddr(t, ip - m->start + m->offset));
	base = strrchr(m->path, '/') ? strrchr(m->path, '/') + 1 : m->path;
	fputc(';', f);
	if (name) {
		esc_folded(f, name, SIZE_MAX);
	} else {
		fputc('[', f);
		esc_folded(f, base, SIZE_MAX);
		fputc(']', f);
	}
}

/* Frames of the tracing machinery itself, where the kernel stack ends. */
static bool tracing_frame(const char *name)
{
	return !strncmp(name, "bpf_", 4) || !strncmp(name, "__bpf_", 6) ||
	       !strncmp(name, "__traceiter_", 12) ||
	       !strncmp(name, "__probestub_", 12);
}

static bool kernel_frame(FILE *f, struct symbolizer *s,
			 unsigned long long ip)
{
	const char *name = s->kernel_ok ? symtab_find(&s->kernel, ip) : NULL;

	if (name && tracing_frame(name))
		return false;
	fputc(';', f);
	esc_folded(f, name ?: "[kernel]", SIZE_MAX);
	fputs("_[k]", f);
	return true;
}

/* Frames of one stack id, outermost first. */
static void frames(FILE *f, int fd, int id, bool kernel,
		   struct symbolizer *s, const struct stacks_ctx *c)
{
	unsigned long long ips[MAX_FRAMES] = {};
	int i, n;

	if (id < 0 || bpf_map_lookup_elem(fd, &id, ips))
		return;
	for (n = 0; n < MAX_FRAMES && ips[n]; n++)
		;
	for (i = n - 1; i >= 0; i--) {
		if (!kernel)
			user_frame(f, s, c, ips[i]);
		else if (!kernel_frame(f, s, ips[i]))
			break;
	}
}

int stacks_write(FILE *f, void *ctx)
{
	struct stacks_ctx *c = ctx;
	int fd = tracer__map_fd(c->tr, TRACER_MAP_STACK_TRACES), i;
	struct symbolizer *s = calloc(1, sizeof(*s));
	size_t k;

	if (!s)
		return -ENOMEM;
	s->kernel_ok = !symtab_load_kallsyms(&s->kernel);
	s->exe = c->exe[0] ? c->exe : NULL;
	for (k = 0; k < c->d->nstacks; k++) {
		const struct stack_row *r = &c->d->stacks[k];

		if ((pid_t)r->key.tgid == c->pid && c->comm[0])
			esc_folded(f, c->comm, sizeof(c->comm));
		else
			fprintf(f, "pid-%u", r->key.tgid);
		frames(f, fd, r->key.user_stack, false, s, c);
		frames(f, fd, r->key.kern_stack, true, s, c);
		fprintf(f, ";%s %llu\n", class_name(r->key.class), r->count);
	}
	for (i = 0; i < s->nfiles; i++)
		symtab_free(&s->files[i].tab);
	symtab_free(&s->kernel);
	free(s);
	return 0;
}

void stacks_free(struct stacks_ctx *c)
{
	free(c->maps);
	c->maps = NULL;
	c->nmaps = 0;
}
