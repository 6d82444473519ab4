/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A few names looked up in the kernel's BTF in one pass over its raw
 * file: what the probes need before loading, without a second full parse
 * next to libbpf's own at load.
 */
#ifndef __TT_KBTF_H
#define __TT_KBTF_H

struct kbtf_name {
	const char *name;
	int kind;		/* BTF_KIND_* */
	int id;			/* found: its type id, else -1 */
};

/* Set ->id of each entry of @names, up to a NULL name; 0 or -errno. */
int kbtf_lookup(struct kbtf_name *names);
/* The id of @name of @kind in @names, looked up before, or -1. */
int kbtf_id(const struct kbtf_name *names, const char *name, int kind);

#endif /* __TT_KBTF_H */
