// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "symbols.h"

static int cmp_sym(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int add_sym(struct symtab *t, size_t *cap, unsigned long long addr,
		   unsigned long long size, const char *name)
{
	if (t->n == *cap) {
		struct sym *s = realloc(t->syms, (*cap = *cap ? *cap * 2 : 1024) *
					sizeof(*s));
		if (!s)
			return -ENOMEM;
		t->syms = s;
	}
	t->syms[t->n].name = strdup(name);
	if (!t->syms[t->n].name)
		return -ENOMEM;
	t->syms[t->n].addr = addr;
	t->syms[t->n++].size = size;
	return 0;
}

static int read_symbols(struct symtab *t, Elf *elf, size_t *cap)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	GElf_Sym sym;
	Elf_Data *data;
	size_t i;
	int err = 0;

	while (!err && (scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) ||
		    (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM))
			continue;
		data = elf_getdata(scn, NULL);
		for (i = 0; data && !err && i < sh.sh_size / sh.sh_entsize; i++) {
			if (!gelf_getsym(data, i, &sym) ||
			    GELF_ST_TYPE(sym.st_info) != STT_FUNC || !sym.st_value)
				continue;
			err = add_sym(t, cap, sym.st_value, sym.st_size,
				      elf_strptr(elf, sh.sh_link, sym.st_name));
		}
	}
	return err;
}

static int read_segments(struct symtab *t, Elf *elf)
{
	size_t n, i;
	GElf_Phdr ph;

	if (elf_getphdrnum(elf, &n))
		return -EINVAL;
	t->segs = calloc(n + 1, sizeof(*t->segs));
	if (!t->segs)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		t->segs[t->nsegs][0] = ph.p_offset;
		t->segs[t->nsegs][1] = ph.p_vaddr;
		t->segs[t->nsegs++][2] = ph.p_filesz;
	}
	return 0;
}

static Elf *elf_open(const char *path, int *fd)
{
	Elf *elf;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return NULL;
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return NULL;
	elf = elf_begin(*fd, ELF_C_READ, NULL);
	if (elf && elf_kind(elf) == ELF_K_ELF)
		return elf;
	if (elf)
		elf_end(elf);
	close(*fd);
	return NULL;
}

int symtab_load_elf(struct symtab *t, const char *path)
{
	size_t cap = 0;
	int fd, err;
	Elf *elf;

	memset(t, 0, sizeof(*t));
	elf = elf_open(path, &fd);
	if (!elf)
		return -EINVAL;
	err = read_segments(t, elf);
	err = err ?: read_symbols(t, elf, &cap);
	elf_end(elf);
	close(fd);
	qsort(t->syms, t->n, sizeof(*t->syms), cmp_sym);
	return err;
}

int symtab_add_symbols(struct symtab *t, const char *path)
{
	size_t cap = t->n;	/* add_sym() grows from here */
	int fd, err;
	Elf *elf;

	elf = elf_open(path, &fd);
	if (!elf)
		return -EINVAL;
	err = read_symbols(t, elf, &cap);
	elf_end(elf);
	close(fd);
	qsort(t->syms, t->n, sizeof(*t->syms), cmp_sym);
	return err;
}

static void read_build_id(struct elf_ident *id, Elf *elf, const GElf_Phdr *ph)
{
	Elf_Data *d = elf_getdata_rawchunk(elf, ph->p_offset, ph->p_filesz,
					   ELF_T_NHDR);
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nh;

	while (d && (off = gelf_getnote(d, off, &nh, &name_off, &desc_off))) {
		if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
		    memcmp((char *)d->d_buf + name_off, "GNU", 4) ||
		    nh.n_descsz > ELF_BUILD_ID_MAX)
			continue;
		memcpy(id->build_id, (char *)d->d_buf + desc_off, nh.n_descsz);
		id->build_id_len = nh.n_descsz;
		return;
	}
}

static int read_phdrs(struct elf_ident *id, Elf *elf)
{
	size_t n, i, size;
	char *raw = elf_rawfile(elf, &size);
	GElf_Phdr ph;

	if (elf_getphdrnum(elf, &n))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (!gelf_getphdr(elf, i, &ph))
			continue;
		if (ph.p_type == PT_NOTE && !id->build_id_len)
			read_build_id(id, elf, &ph);
		if (ph.p_type == PT_INTERP && raw && ph.p_offset < size &&
		    !id->interp) {
			id->interp = strndup(raw + ph.p_offset,
					     size - ph.p_offset);
			if (!id->interp)
				return -ENOMEM;
		}
	}
	return 0;
}

static int add_needed(struct elf_ident *id, const char *name)
{
	char **v = realloc(id->needed, (id->nneeded + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	id->needed = v;
	v[id->nneeded] = strdup(name);
	return v[id->nneeded++] ? 0 : -ENOMEM;
}

static int dyn_entry(struct elf_ident *id, const GElf_Dyn *dyn,
		     const char *str)
{
	if (!str)
		return 0;
	if (dyn->d_tag == DT_NEEDED)
		return add_needed(id, str);
	/* DT_RUNPATH wins over DT_RPATH, as in ld.so */
	if (dyn->d_tag == DT_RUNPATH ||
	    (dyn->d_tag == DT_RPATH && !id->runpath)) {
		free(id->runpath);
		id->runpath = strdup(str);
		return id->runpath ? 0 : -ENOMEM;
	}
	return 0;
}

static int read_dynamic(struct elf_ident *id, Elf *elf)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	GElf_Dyn dyn;
	Elf_Data *data;
	size_t i;
	int err = 0;

	while (!err && (scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC ||
		    !sh.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		for (i = 0; data && !err && i < sh.sh_size / sh.sh_entsize; i++) {
			if (!gelf_getdyn(data, i, &dyn) || dyn.d_tag == DT_NULL)
				break;
			if (dyn.d_tag == DT_NEEDED || dyn.d_tag == DT_RUNPATH ||
			    dyn.d_tag == DT_RPATH)
				err = dyn_entry(id, &dyn, elf_strptr(elf,
						sh.sh_link, dyn.d_un.d_val));
		}
	}
	return err;
}

int elf_ident_read(struct elf_ident *id, const char *path)
{
	GElf_Ehdr eh;
	int fd, err;
	Elf *elf;

	memset(id, 0, sizeof(*id));
	elf = elf_open(path, &fd);
	if (!elf)
		return -EINVAL;
	err = gelf_getehdr(elf, &eh) ? 0 : -EINVAL;
	id->fixed = !err && eh.e_type == ET_EXEC;
	err = err ?: read_phdrs(id, elf);
	err = err ?: read_dynamic(id, elf);
	elf_end(elf);
	close(fd);
	if (err)
		elf_ident_free(id);
	return err;
}

void elf_ident_free(struct elf_ident *id)
{
	size_t i;

	for (i = 0; i < id->nneeded; i++)
		free(id->needed[i]);
	free(id->needed);
	free(id->interp);
	free(id->runpath);
	memset(id, 0, sizeof(*id));
}

int symtab_load_kallsyms(struct symtab *t)
{
	char line[512], name[256], type;
	unsigned long long addr;
	size_t cap = 0, i;
	FILE *f = fopen("/proc/kallsyms", "r");
	int err = 0;

	memset(t, 0, sizeof(*t));
	if (!f)
		return -errno;
	while (!err && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) == 3 &&
		    addr && (type == 't' || type == 'T'))
			err = add_sym(t, &cap, addr, 0, name);
	fclose(f);
	qsort(t->syms, t->n, sizeof(*t->syms), cmp_sym);
	/* kallsyms has no sizes: a function ends where the next begins. */
	for (i = 0; i + 1 < t->n; i++)
		t->syms[i].size = t->syms[i + 1].addr - t->syms[i].addr;
	return err;
}

const char *symtab_find(const struct symtab *t, unsigned long long addr)
{
	size_t lo = 0, hi = t->n, k;

	/* lo: past the last symbol starting at or below addr. */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (t->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* A label or alias may start inside a sized function: look a few
	 * symbols back for one that covers addr. */
	for (k = 0; k < 8 && lo > 0; k++, lo--) {
		const struct sym *s = &t->syms[lo - 1];

		if (addr == s->addr || addr - s->addr < s->size)
			return s->name;
	}
	return NULL;
}

unsigned long long symtab_vaddr(const struct symtab *t,
				unsigned long long off)
{
	size_t i;

	for (i = 0; i < t->nsegs; i++)
		if (off >= t->segs[i][0] && off < t->segs[i][0] + t->segs[i][2])
			return off - t->segs[i][0] + t->segs[i][1];
	return 0;
}

bool symtab_has_vaddr(const struct symtab *t, unsigned long long vaddr)
{
	size_t i;

	for (i = 0; i < t->nsegs; i++)
		if (vaddr >= t->segs[i][1] &&
		    vaddr < t->segs[i][1] + t->segs[i][2])
			return true;
	return false;
}

void symtab_free(struct symtab *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->syms[i].name);
	free(t->syms);
	free(t->segs);
	memset(t, 0, sizeof(*t));
}
