/* SPDX-License-Identifier: GPL-2.0 */
/* Function symbols of ELF files (libelf) and of the kernel (kallsyms). */
#ifndef __TT_SYMBOLS_H
#define __TT_SYMBOLS_H

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

int symtab_load_elf(struct symtab *t, const char *path);
int symtab_load_kallsyms(struct symtab *t);
/* Name of the function holding @addr, or NULL. */
const char *symtab_find(const struct symtab *t, unsigned long long addr);
/* Virtual address in the ELF of a file offset, or 0. */
unsigned long long symtab_vaddr(const struct symtab *t,
				unsigned long long file_off);
void symtab_free(struct symtab *t);

#endif /* __TT_SYMBOLS_H */
