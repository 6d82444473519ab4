// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dsos.h"

/* Where ld.so looks after the run path (Debian's multiarch first). */
static const char *const lib_dirs[] = {
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64",
	"/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib", NULL,
};

static bool same_id(const struct dso *d, const unsigned char *id)
{
	size_t i;

	if (!d->id.build_id_len ||
	    memcmp(d->id.build_id, id, d->id.build_id_len))
		return false;
	/* The kernel pads shorter build ids with zeroes. */
	for (i = d->id.build_id_len; i < ELF_BUILD_ID_MAX; i++)
		if (id[i])
			return false;
	return true;
}

/* Append a file (or, with a NULL path, a build id without a file);
 * takes @id over. Returns the index or -ENOMEM. */
static int push(struct dsos *s, const char *path, struct elf_ident *id)
{
	struct dso *d;

	if (s->n == s->cap) {
		d = realloc(s->v, (s->cap = s->cap ? s->cap * 2 : 32) *
			    sizeof(*d));
		if (!d)
			return -ENOMEM;
		s->v = d;
	}
	d = &s->v[s->n];
	memset(d, 0, sizeof(*d));
	if (path && !(d->path = strdup(path)))
		return -ENOMEM;
	d->base = path ? (strrchr(d->path, '/') ?: d->path - 1) + 1 : "";
	d->id = *id;
	memset(id, 0, sizeof(*id));
	return s->n++;
}

/* Index of the ELF file at @path, added alone; -EINVAL if it is none. */
static int add_one(struct dsos *s, const char *path)
{
	char real[PATH_MAX];
	struct elf_ident id;
	size_t i;
	int ret;

	if (!realpath(path, real))
		return -EINVAL;
	for (i = 0; i < s->n; i++)
		if (s->v[i].path && !strcmp(s->v[i].path, real))
			return i;
	ret = elf_ident_read(&id, real);
	if (ret)
		return ret == -ENOMEM ? ret : -EINVAL;
	ret = push(s, real, &id);
	if (ret < 0)
		elf_ident_free(&id);
	return ret;
}

/* One run path entry, with $ORIGIN the object's directory; false if
 * the path does not fit. */
static bool runpath_entry(char *out, size_t len, const char *p, int n,
			  const char *origin, const char *name)
{
	int r;

	if (n >= 7 && !strncmp(p, "$ORIGIN", 7))
		r = snprintf(out, len, "%s%.*s/%s", origin, n - 7, p + 7, name);
	else if (n >= 9 && !strncmp(p, "${ORIGIN}", 9))
		r = snprintf(out, len, "%s%.*s/%s", origin, n - 9, p + 9, name);
	else
		r = snprintf(out, len, "%.*s/%s", n, p, name);
	return r > 0 && (size_t)r < len;
}

/* Where ld.so would find library @name of an object in @origin. */
static bool find_lib(const char *name, const char *runpath,
		     const char *origin, char *out, size_t len)
{
	const char *p, *end;
	size_t i;

	if (strchr(name, '/'))
		return (size_t)snprintf(out, len, "%s", name) < len &&
		       !access(out, R_OK);
	for (p = runpath; p && *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ':');
		if (runpath_entry(out, len, p, end - p, origin, name) &&
		    !access(out, R_OK))
			return true;
	}
	for (i = 0; lib_dirs[i]; i++)
		if ((size_t)snprintf(out, len, "%s/%s", lib_dirs[i], name) < len &&
		    !access(out, R_OK))
			return true;
	return false;
}

/* The interpreter and libraries of file @i. s->v moves as files are
 * added: index it afresh each time. */
static int add_deps(struct dsos *s, size_t i)
{
	char origin[PATH_MAX], lib[PATH_MAX], *slash;
	size_t k;
	int ret = 0;

	s->v[i].deps = true;
	snprintf(origin, sizeof(origin), "%s", s->v[i].path);
	slash = strrchr(origin, '/');
	if (slash)
		*slash = 0;
	if (s->v[i].id.interp) {
		snprintf(lib, sizeof(lib), "%s", s->v[i].id.interp);
		ret = add_one(s, lib);
	}
	for (k = 0; ret != -ENOMEM && k < s->v[i].id.nneeded; k++)
		if (find_lib(s->v[i].id.needed[k], s->v[i].id.runpath, origin,
			     lib, sizeof(lib)))
			ret = add_one(s, lib);
	return ret == -ENOMEM ? ret : 0;
}

int dsos_add(struct dsos *s, const char *path)
{
	int ret = add_one(s, path);
	size_t k;

	if (ret < 0)
		return ret == -ENOMEM ? ret : 0;
	/* Breadth first: the libraries' libraries are appended too. */
	for (k = ret; k < s->n; k++)
		if (s->v[k].path && !s->v[k].deps) {
			ret = add_deps(s, k);
			if (ret)
				return ret;
		}
	return 0;
}

/* DSO_DEBUG_DIR/xx/yyyy.debug for a build id of @len bytes. */
static void debug_path(char *out, size_t len, const unsigned char *id,
		       size_t idlen)
{
	size_t i, n;

	n = snprintf(out, len, "%s/%02x/", DSO_DEBUG_DIR, id[0]);
	for (i = 1; i < idlen && n + 3 < len; i++)
		n += snprintf(out + n, len - n, "%02x", id[i]);
	snprintf(out + n, len - n, ".debug");
}

/* The debug file of a build id, with its length unknown: the full 20
 * bytes (SHA-1), else without the kernel's zero padding (e.g. MD5). */
static bool find_debug(const unsigned char *id, char *out, size_t len)
{
	size_t n = ELF_BUILD_ID_MAX;

	debug_path(out, len, id, n);
	if (!access(out, R_OK))
		return true;
	while (n > 1 && !id[n - 1])
		n--;
	if (n == ELF_BUILD_ID_MAX)
		return false;
	debug_path(out, len, id, n);
	return !access(out, R_OK);
}

struct dso *dsos_by_build_id(struct dsos *s, const unsigned char *id)
{
	struct elf_ident none = { .build_id_len = ELF_BUILD_ID_MAX };
	char path[PATH_MAX];
	size_t i;
	int k;

	for (i = 0; i < s->n; i++)
		if (same_id(&s->v[i], id))
			return s->v[i].path ? &s->v[i] : NULL;
	if (find_debug(id, path, sizeof(path))) {
		k = add_one(s, path);
		if (k >= 0 && same_id(&s->v[k], id))
			return &s->v[k];
	}
	/* Remember the miss, not to look again for every frame. */
	memcpy(none.build_id, id, ELF_BUILD_ID_MAX);
	push(s, NULL, &none);
	return NULL;
}

struct dso *dsos_by_path(struct dsos *s, const char *path)
{
	int k = add_one(s, path);

	return k >= 0 ? &s->v[k] : NULL;
}

const struct symtab *dso_symtab(struct dso *d)
{
	char dbg[PATH_MAX];

	if (!d->loaded) {
		d->loaded = d->path && !symtab_load_elf(&d->tab, d->path) ?
			    1 : -1;
		/* A stripped file's symbols are in its debug file. */
		if (d->loaded > 0 && d->id.build_id_len == ELF_BUILD_ID_MAX &&
		    find_debug(d->id.build_id, dbg, sizeof(dbg)) &&
		    strcmp(dbg, d->path))
			symtab_add_symbols(&d->tab, dbg);
	}
	return d->loaded > 0 ? &d->tab : NULL;
}

void dsos_free(struct dsos *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].path);
		elf_ident_free(&s->v[i].id);
		symtab_free(&s->v[i].tab);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}
