/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ELF files by build id: the files traced processes ran or mapped, the
 * libraries they need, and separate debug files. Stack frames recorded as
 * (build id, file offset) are symbolised with them after the processes
 * have gone.
 */
#ifndef __TT_DSOS_H
#define __TT_DSOS_H

#include <stdbool.h>
#include <stddef.h>
#include "symbols.h"

#define DSO_DEBUG_DIR "/usr/lib/debug/.build-id"

struct dso {
	char *path;		/* NULL: a build id no file here has */
	const char *base;	/* path's base name, or "" */
	struct elf_ident id;
	struct symtab tab;
	int loaded;		/* symbols: 0 not yet, 1 loaded, -1 failed */
	bool deps;		/* its libraries were added */
};

struct dsos {
	struct dso *v;
	size_t n, cap;
};

/* Add an ELF file (once per path) and, transitively, its interpreter and
 * the DT_NEEDED libraries found in its run path or the standard
 * directories. Files that are not ELF are skipped. 0 or -errno. */
int dsos_add(struct dsos *s, const char *path);
/* The file with this build id (zero-padded to ELF_BUILD_ID_MAX bytes),
 * else its debug file under DSO_DEBUG_DIR; NULL if neither exists. */
struct dso *dsos_by_build_id(struct dsos *s, const unsigned char *id);
/* The file at @path, added if needed; NULL if it is not ELF. */
struct dso *dsos_by_path(struct dsos *s, const char *path);
/* The file's symbols, loaded on first use (with its debug file's). */
const struct symtab *dso_symtab(struct dso *d);
void dsos_free(struct dsos *s);

#endif /* __TT_DSOS_H */
