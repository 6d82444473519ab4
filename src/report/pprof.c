// SPDX-License-Identifier: GPL-2.0
/*
 * The profile.proto fields written (number): Profile: sample_type 1,
 * sample 2, mapping 3, location 4, function 5, string_table 6,
 * time_nanos 9, duration_nanos 10, period_type 11, period 12, comment 13,
 * default_sample_type 14. ValueType: type 1, unit 2. Sample: location_id
 * 1 (packed, leaf first), value 2 (packed), label 3. Label: key 1, str
 * 2, num 3. Mapping: id 1, memory_start 2, memory_limit 3, file_offset
 * 4, filename 5, build_id 6, has_functions 7. Location: id 1, mapping_id
 * 2, address 3, line 4. Line: function_id 1. Function: id 1, name 2,
 * system_name 3, filename 4. Strings are indexes into string_table,
 * whose first entry is "".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include "names.h"
#include "pprof.h"

/* A message being encoded. */
struct pbuf {
	unsigned char *p;
	size_t len, cap;
	bool oom;
};

static void pb_raw(struct pbuf *b, const void *d, size_t n)
{
	size_t cap = b->cap ? b->cap : 4096;
	unsigned char *p;

	if (b->oom || !n)
		return;
	while (cap < b->len + n)
		cap *= 2;
	if (cap != b->cap) {
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void pb_varint(struct pbuf *b, uint64_t v)
{
	unsigned char x[10];
	size_t n = 0;

	do {
		x[n++] = (v & 0x7f) | (v > 0x7f ? 0x80 : 0);
		v >>= 7;
	} while (v);
	pb_raw(b, x, n);
}

/* A varint field; zero is the default, left out. */
static void pb_uint(struct pbuf *b, int field, uint64_t v)
{
	if (!v)
		return;
	pb_varint(b, (uint64_t)field << 3);
	pb_varint(b, v);
}

static void pb_bytes(struct pbuf *b, int field, const void *d, size_t n)
{
	pb_varint(b, (uint64_t)field << 3 | 2);
	pb_varint(b, n);
	pb_raw(b, d, n);
}

/* An embedded message (or packed field) from @m, which is emptied. */
static void pb_msg(struct pbuf *b, int field, struct pbuf *m)
{
	b->oom |= m->oom;
	pb_bytes(b, field, m->p, m->len);
	m->len = 0;
}

/* Keys in order of first sight, id 1, 2, ...; a hash finds them. */
struct itab {
	struct ikey {
		char *key;
		size_t len;
	} *v;
	size_t n;
	uint32_t *slots;	/* index + 1, 0: empty */
	size_t nslots;
	bool oom;
};

static uint64_t fnv(const void *k, size_t n)
{
	const unsigned char *p = k;
	uint64_t h = 14695981039346656037ULL;

	while (n--)
		h = (h ^ *p++) * 1099511628211ULL;
	return h;
}

static int itab_grow(struct itab *t)
{
	size_t n = t->nslots ? t->nslots * 2 : 1024, i, j;
	uint32_t *s = calloc(n, sizeof(*s));
	struct ikey *v = realloc(t->v, n / 2 * sizeof(*v));

	if (!s || !v) {
		free(s);
		t->v = v ?: t->v;
		return -ENOMEM;
	}
	t->v = v;
	for (i = 0; i < t->n; i++) {
		j = fnv(v[i].key, v[i].len) & (n - 1);
		while (s[j])
			j = (j + 1) & (n - 1);
		s[j] = i + 1;
	}
	free(t->slots);
	t->slots = s;
	t->nslots = n;
	return 0;
}

/* The id of @key, added if new (*added says so); 0: out of memory. */
static uint64_t itab_id(struct itab *t, const void *key, size_t len,
			bool *added)
{
	size_t j;
	char *k;

	*added = false;
	if (2 * (t->n + 1) > t->nslots && itab_grow(t)) {
		t->oom = true;
		return 0;
	}
	j = fnv(key, len) & (t->nslots - 1);
	for (; t->slots[j]; j = (j + 1) & (t->nslots - 1)) {
		struct ikey *e = &t->v[t->slots[j] - 1];

		if (e->len == len && !memcmp(e->key, key, len))
			return t->slots[j];
	}
	k = malloc(len + 1);
	if (!k) {
		t->oom = true;
		return 0;
	}
	memcpy(k, key, len);
	k[len] = 0;
	t->v[t->n] = (struct ikey){ k, len };
	t->slots[j] = ++t->n;
	*added = true;
	return t->n;
}

static void itab_free(struct itab *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i].key);
	free(t->v);
	free(t->slots);
}

/* What a mapping's message needs once every frame was seen. */
struct pmap {
	uint64_t start, limit;	/* the lowest and highest IP + 1 seen */
	uint64_t bias;		/* IP - file offset, with has_bias */
	bool has_bias;
	uint64_t file, build_id;	/* string indexes */
};

struct pprof {
	const struct pprof_ctx *c;
	struct itab strs, maps, funcs, locs;
	struct pmap *pmaps;
	struct pbuf out;		/* the profile */
	struct pbuf samples, locs_pb, funcs_pb;	/* its fields 2, 4, 5 */
	struct pbuf smsg, spacked;	/* a sample being encoded */
	struct pbuf lmsg, lline;	/* a location or function */
	char kernel_id[2 * ELF_BUILD_ID_MAX + 1];
};

static uint64_t str_id(struct pprof *p, const char *s)
{
	bool added;
	uint64_t id = itab_id(&p->strs, s ? s : "", s ? strlen(s) : 0,
			      &added);

	return id ? id - 1 : 0;
}

/* Hex, as pprof shows build ids. */
static void hex(char *dst, const unsigned char *id, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(dst + 2 * i, "%02x", id[i]);
	dst[2 * n] = 0;
}

/* The running kernel's build id (NT_GNU_BUILD_ID in its notes), or "". */
static void kernel_build_id(char *dst)
{
	unsigned char buf[4096];
	uint32_t h[3];	/* namesz, descsz, type */
	size_t i = 0, name, desc;
	int fd = open("/sys/kernel/notes", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf));

	dst[0] = 0;
	if (fd >= 0)
		close(fd);
	while (n > 0 && i + sizeof(h) <= (size_t)n) {
		memcpy(h, buf + i, sizeof(h));
		name = i + sizeof(h);
		desc = name + ((h[0] + 3ULL) & ~3ULL);
		if (desc + h[1] > (size_t)n)
			return;
		if (h[2] == 3 && h[0] == 4 && !memcmp(buf + name, "GNU", 4) &&
		    h[1] <= ELF_BUILD_ID_MAX) {
			hex(dst, buf + desc, h[1]);
			return;
		}
		i = desc + ((h[1] + 3ULL) & ~3ULL);
	}
}

static struct pmap *new_pmap(struct pprof *p, const char *file,
			     const char *build_id)
{
	struct pmap *m = realloc(p->pmaps, p->maps.n * sizeof(*m));

	if (!m) {
		p->out.oom = true;
		return NULL;
	}
	p->pmaps = m;
	m = &m[p->maps.n - 1];
	*m = (struct pmap){ .start = UINT64_MAX, .file = str_id(p, file),
			    .build_id = str_id(p, build_id) };
	return m;
}

/* A frame's mapping (0: neither file nor build id known), grown to
 * hold its IP. User files are mapped per process, the kernel once. */
static uint64_t map_id(struct pprof *p, const struct stack_sample *st,
		       const struct stack_frame *fr)
{
	char key[PATH_MAX + 64], bid[2 * ELF_BUILD_ID_MAX + 1];
	const char *file = fr->path ?: "";
	struct pmap *m;
	bool added;
	uint64_t id;

	if (!fr->kernel && !fr->path && !fr->build_id_len)
		return 0;
	hex(bid, fr->build_id, fr->build_id_len);
	if (fr->kernel) {
		file = "[kernel.kallsyms]";
		snprintf(bid, sizeof(bid), "%s", p->kernel_id);
	}
	snprintf(key, sizeof(key), "%d %s %s", fr->kernel ? -1 : st->tgid,
		 bid, file);
	id = itab_id(&p->maps, key, strlen(key), &added);
	m = !id ? NULL : added ? new_pmap(p, file, bid) : &p->pmaps[id - 1];
	if (!m)
		return 0;
	if (fr->ip && fr->ip < m->start)
		m->start = fr->ip;
	if (fr->ip && fr->ip >= m->limit)
		m->limit = fr->ip + 1;
	if (fr->has_off && !m->has_bias && fr->ip >= fr->off) {
		m->bias = fr->ip - fr->off;
		m->has_bias = true;
	}
	return id;
}

/* The function of a frame: its symbol, else "[unknown] in FILE" (not
 * the folded file's "[unknown] (FILE)": pprof cuts what is in
 * parentheses from names, as C++ parameters). */
static uint64_t func_id(struct pprof *p, const struct stack_frame *fr,
			uint64_t file)
{
	char unknown[PATH_MAX + 16];
	const char *name = fr->name;
	uint64_t k[2], id;
	bool added;

	if (!name && fr->kernel)
		name = "[kernel]";
	else if (!name && fr->base)
		name = (snprintf(unknown, sizeof(unknown), "[unknown] in %s",
				 fr->base), unknown);
	else if (!name)
		name = "[unknown]";
	k[0] = str_id(p, name);
	k[1] = file;
	id = itab_id(&p->funcs, k, sizeof(k), &added);
	if (!added)
		return id;
	pb_uint(&p->lmsg, 1, id);
	pb_uint(&p->lmsg, 2, k[0]);
	pb_uint(&p->lmsg, 3, k[0]);
	pb_uint(&p->lmsg, 4, file);
	pb_msg(&p->funcs_pb, 5, &p->lmsg);
	return id;
}

static uint64_t loc_id(struct pprof *p, const struct stack_sample *st,
		       const struct stack_frame *fr)
{
	uint64_t k[3], id;
	bool added;

	k[0] = map_id(p, st, fr);
	k[1] = fr->ip;
	k[2] = func_id(p, fr, k[0] ? p->pmaps[k[0] - 1].file : 0);
	id = itab_id(&p->locs, k, sizeof(k), &added);
	if (!added)
		return id;
	pb_uint(&p->lline, 1, k[2]);
	pb_uint(&p->lmsg, 1, id);
	pb_uint(&p->lmsg, 2, k[0]);
	pb_uint(&p->lmsg, 3, k[1]);
	pb_msg(&p->lmsg, 4, &p->lline);
	pb_msg(&p->locs_pb, 4, &p->lmsg);
	return id;
}

static void label(struct pprof *p, const char *key, const char *str,
		  uint64_t num)
{
	pb_uint(&p->spacked, 1, str_id(p, key));
	if (str)
		pb_uint(&p->spacked, 2, str_id(p, str));
	else
		pb_uint(&p->spacked, 3, num);
	pb_msg(&p->smsg, 3, &p->spacked);
}

/* stacks_walk() callback: one sample, with the class, the process's
 * name and pid as labels (pprof -tagfocus class=zero_fill). */
static int add_sample(const struct stack_sample *st, void *arg)
{
	uint64_t locs[STACK_MAX_FRAMES];
	struct pprof *p = arg;
	size_t i;

	/* Outermost first: the first mapping is that of a program's
	 * outermost frame, which pprof takes for the main binary. */
	for (i = 0; i < st->n; i++)
		locs[i] = loc_id(p, st, &st->fr[i]);
	for (i = st->n; i > 0; i--)	/* the leaf first */
		pb_varint(&p->spacked, locs[i - 1]);
	pb_msg(&p->smsg, 1, &p->spacked);
	pb_varint(&p->spacked, st->count);
	if (p->c->latency)
		pb_varint(&p->spacked, st->lat_ns);
	pb_msg(&p->smsg, 2, &p->spacked);
	label(p, "class", class_name(st->class), 0);
	label(p, "comm", st->comm, 0);
	label(p, "pid", NULL, st->tgid);
	pb_msg(&p->samples, 2, &p->smsg);
	return 0;
}

static void value_type(struct pprof *p, int field, const char *type,
		       const char *unit)
{
	pb_uint(&p->lmsg, 1, str_id(p, type));
	pb_uint(&p->lmsg, 2, str_id(p, unit));
	pb_msg(&p->out, field, &p->lmsg);
}

static void put_mappings(struct pprof *p)
{
	const struct pmap *m;
	size_t i;

	for (i = 0; i < p->maps.n; i++) {
		m = &p->pmaps[i];
		pb_uint(&p->lmsg, 1, i + 1);
		if (m->limit) {
			pb_uint(&p->lmsg, 2, m->start);
			pb_uint(&p->lmsg, 3, m->limit);
		}
		if (m->limit && m->has_bias && m->start >= m->bias)
			pb_uint(&p->lmsg, 4, m->start - m->bias);
		pb_uint(&p->lmsg, 5, m->file);
		pb_uint(&p->lmsg, 6, m->build_id);
		pb_uint(&p->lmsg, 7, 1);	/* has_functions */
		pb_msg(&p->out, 3, &p->lmsg);
	}
}

static void put_rest(struct pprof *p)
{
	char comment[128];
	struct timespec now;
	size_t i;

	clock_gettime(CLOCK_REALTIME, &now);
	pb_uint(&p->out, 9, now.tv_sec * 1000000000ULL + now.tv_nsec -
		p->c->duration_ns);
	pb_uint(&p->out, 10, p->c->duration_ns);
	value_type(p, 11, "faults", "count");
	pb_uint(&p->out, 12, 1);
	snprintf(comment, sizeof(comment), "tamtrace hist, mode %s%s",
		 p->c->mode, p->c->latency ? "" : ", latency not measured");
	pb_uint(&p->out, 13, str_id(p, comment));
	pb_uint(&p->out, 14, str_id(p, "faults"));
	/* Last: every string is known. */
	for (i = 0; i < p->strs.n; i++)
		pb_bytes(&p->out, 6, p->strs.v[i].key, p->strs.v[i].len);
}

static int gzip_out(FILE *f, const struct pbuf *b)
{
	z_stream z = {};
	unsigned char *buf;
	uLong n;
	int err;

	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	n = deflateBound(&z, b->len);
	buf = malloc(n);
	z.next_in = b->p;
	z.avail_in = b->len;
	z.next_out = buf;
	z.avail_out = n;
	err = buf && deflate(&z, Z_FINISH) == Z_STREAM_END ? 0 : -ENOMEM;
	if (!err)
		fwrite(buf, 1, z.total_out, f);
	deflateEnd(&z);
	free(buf);
	return err;
}

static bool pprof_oom(const struct pprof *p)
{
	return p->out.oom || p->samples.oom || p->locs_pb.oom ||
	       p->funcs_pb.oom || p->strs.oom || p->maps.oom ||
	       p->funcs.oom || p->locs.oom;
}

static void pprof_free(struct pprof *p)
{
	struct pbuf *b[] = { &p->out, &p->samples, &p->locs_pb, &p->funcs_pb,
			     &p->smsg, &p->spacked, &p->lmsg, &p->lline };
	size_t i;

	for (i = 0; i < sizeof(b) / sizeof(b[0]); i++)
		free(b[i]->p);
	itab_free(&p->strs);
	itab_free(&p->maps);
	itab_free(&p->funcs);
	itab_free(&p->locs);
	free(p->pmaps);
}

int pprof_write(FILE *f, void *ctx)
{
	struct pprof p = { .c = ctx };
	int err;

	str_id(&p, "");		/* string 0 */
	kernel_build_id(p.kernel_id);
	value_type(&p, 1, "faults", "count");
	if (p.c->latency)
		value_type(&p, 1, "latency", "nanoseconds");
	err = stacks_walk(p.c->stk, add_sample, &p);
	if (!err) {
		pb_raw(&p.out, p.samples.p, p.samples.len);
		put_mappings(&p);
		pb_raw(&p.out, p.locs_pb.p, p.locs_pb.len);
		pb_raw(&p.out, p.funcs_pb.p, p.funcs_pb.len);
		put_rest(&p);
		err = pprof_oom(&p) ? -ENOMEM : gzip_out(f, &p.out);
	}
	pprof_free(&p);
	return err;
}
