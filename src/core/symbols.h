/* SPDX-License-Identifier: GPL-2.0 */
/* Function symbols of ELF files (libelf) and of the kernel (kallsyms). */
#ifndef __TT_SYMBOLS_H
#define __TT_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>

struct sym {
	unsigned long long addr, size;
	char *name;
};

struct symtab {
	struct sym *syms;
	size_t n;
	/* ELF: file offset -> virtual address, per PT_LOAD */
	unsigned long long (*segs)[3];	/* offset, vaddr, filesz */
	size_t nsegs;
};

/* What identifies an ELF file, and what it loads with it. */
#define ELF_BUILD_ID_MAX 20
struct elf_ident {
	unsigned char build_id[ELF_BUILD_ID_MAX];
	size_t build_id_len;	/* 0: none */
	bool fixed;		/* ET_EXEC: addresses are link-time ones */
	char **needed;		/* DT_NEEDED */
	size_t nneeded;
	char *interp;		/* PT_INTERP, or NULL */
	char *runpath;		/* DT_RUNPATH, else DT_RPATH, or NULL */
};

int elf_ident_read(struct elf_ident *id, const char *path);
void elf_ident_free(struct elf_ident *id);

int symtab_load_elf(struct symtab *t, const char *path);
/* Add the function symbols of another file, e.g. a separate debug file,
 * keeping @t's segments. */
int symtab_add_symbols(struct symtab *t, const char *path);
int symtab_load_kallsyms(struct symtab *t);
/* Name of the function holding @addr, or NULL: within st_size of its
 * start, or exactly at it for symbols without a size. */
const char *symtab_find(const struct symtab *t, unsigned long long addr);
/* Virtual address in the ELF of a file offset, or 0. */
unsigned long long symtab_vaddr(const struct symtab *t,
				unsigned long long file_off);
/* Is @vaddr in one of the file's PT_LOAD segments? */
bool symtab_has_vaddr(const struct symtab *t, unsigned long long vaddr);
void symtab_free(struct symtab *t);

#endif /* __TT_SYMBOLS_H */
