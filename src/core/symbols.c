// SPDX-License-Identifier: GPL-2.0
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

int symtab_load_elf(struct symtab *t, const char *path)
{
	size_t cap = 0;
	int fd, err;
	Elf *elf;

	memset(t, 0, sizeof(*t));
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	err = elf ? read_segments(t, elf) : -EINVAL;
	err = err ?: read_symbols(t, elf, &cap);
	if (elf)
		elf_end(elf);
	close(fd);
	qsort(t->syms, t->n, sizeof(*t->syms), cmp_sym);
	return err;
}

int symtab_load_kallsyms(struct symtab *t)
{
	char line[512], name[256], type;
	unsigned long long addr;
	size_t cap = 0;
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
	return err;
}

const char *symtab_find(const struct symtab *t, unsigned long long addr)
{
	size_t lo = 0, hi = t->n;

	/* Last symbol starting at or below addr. */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (t->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	lo--;
	if (t->syms[lo].size && addr >= t->syms[lo].addr + t->syms[lo].size)
		return NULL;
	return t->syms[lo].name;
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

void symtab_free(struct symtab *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->syms[i].name);
	free(t->syms);
	free(t->segs);
	memset(t, 0, sizeof(*t));
}
