// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/btf.h>
#include "kbtf.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

/* Bytes that follow struct btf_type for its kind and vlen; -1 unknown. */
static long extra_len(unsigned int kind, unsigned int vlen)
{
	switch (kind) {
	case BTF_KIND_INT: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_PTR: case BTF_KIND_FWD: case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE: case BTF_KIND_CONST: case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC: case BTF_KIND_FLOAT: case BTF_KIND_TYPE_TAG:
		return 0;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_DATASEC:
	case BTF_KIND_ENUM64:
		return 12L * vlen;
	case BTF_KIND_ENUM: case BTF_KIND_FUNC_PROTO:
		return 8L * vlen;
	}
	return -1;
}

static char *read_all(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 8 << 20, n = 0;
	char *buf = NULL, *tmp;
	ssize_t r = 0;

	if (fd < 0)
		return NULL;
	/* sysfs says 4096 bytes for its size: read until the end */
	do {
		if (n == cap || !buf) {
			tmp = realloc(buf, cap = buf ? cap * 2 : cap);
			if (!tmp)
				break;
			buf = tmp;
		}
		r = read(fd, buf + n, cap - n);
		n += r > 0 ? r : 0;
	} while (r > 0);
	close(fd);
	*len = n;
	return buf;
}

static void match(struct kbtf_name *names, const char *strs, size_t str_len,
		  const struct btf_type *t, int id)
{
	unsigned int kind = BTF_INFO_KIND(t->info);
	struct kbtf_name *n;

	if ((kind != BTF_KIND_FUNC && kind != BTF_KIND_TYPEDEF) ||
	    t->name_off >= str_len)
		return;
	for (n = names; n->name; n++)
		if (n->id < 0 && n->kind == (int)kind &&
		    !strcmp(strs + t->name_off, n->name))
			n->id = id;
}

int kbtf_lookup(struct kbtf_name *names)
{
	const struct btf_header *h;
	const char *p, *end, *strs;
	struct kbtf_name *n;
	size_t len = 0;
	char *buf;
	int id = 1;

	for (n = names; n->name; n++)
		n->id = -1;
	buf = read_all(VMLINUX_BTF, &len);
	if (!buf)
		return -errno ?: -ENOMEM;
	h = (const void *)buf;
	if (len < sizeof(*h) || h->magic != BTF_MAGIC ||
	    (size_t)h->hdr_len + h->str_off + h->str_len > len ||
	    (size_t)h->hdr_len + h->type_off + h->type_len > len) {
		free(buf);
		return -EINVAL;
	}
	p = buf + h->hdr_len + h->type_off;
	end = p + h->type_len;
	strs = buf + h->hdr_len + h->str_off;
	while (p + sizeof(struct btf_type) <= end) {
		const struct btf_type *t = (const void *)p;
		long extra = extra_len(BTF_INFO_KIND(t->info),
				       BTF_INFO_VLEN(t->info));

		if (extra < 0)
			break;	/* a kind newer than this code: stop here */
		match(names, strs, h->str_len, t, id++);
		p += sizeof(*t) + extra;
	}
	free(buf);
	return 0;
}

int kbtf_id(const struct kbtf_name *names, const char *name, int kind)
{
	for (; names->name; names++)
		if (names->kind == kind && !strcmp(names->name, name))
			return names->id;
	return -1;
}
