// SPDX-License-Identifier: GPL-2.0
/*
 * The pprof writer on made-up stacks, for what the host's kernel cannot
 * give (latency: the host traces in exceptions mode): pprof_test FILE
 * writes a profile that tests/formats.sh reads with go tool pprof.
 * stacks_walk() here stands in for stacks.c's.
 */
#include <stdio.h>
#include <string.h>
#include "pprof.h"

static void frame(struct stack_sample *st, const char *name, const char *path,
		  unsigned long long ip, bool kernel)
{
	static const unsigned char id[] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3,
					    4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
					    14, 15, 16 };
	struct stack_frame *fr = &st->fr[st->n++];

	memset(fr, 0, sizeof(*fr));
	fr->name = name;
	fr->path = path;
	fr->base = path ? strrchr(path, '/') + 1 : NULL;
	fr->ip = ip;
	fr->kernel = kernel;
	if (path) {
		memcpy(fr->build_id, id, sizeof(id));
		fr->build_id_len = sizeof(id);
		fr->off = ip & 0xffffff;	/* mapped at 16 MiB */
		fr->has_off = true;
	}
}

/* Two stacks of process 4242 "unit": main -> leaf_fn -> kernel, 7
 * zero_fill faults taking 7000 ns; main -> an address of libx.so no
 * symbol covers -> an address kallsyms does not name, 3 minor, 900 ns. */
int stacks_walk(struct stacks_ctx *c,
		int (*fn)(const struct stack_sample *st, void *arg), void *arg)
{
	static struct stack_sample st;
	int err;

	(void)c;
	st = (struct stack_sample){ .tgid = 4242, .comm = "unit",
				    .class = TT_CLASS_ZERO_FILL, .count = 7,
				    .lat_ns = 7000 };
	frame(&st, "main", "/opt/unit/prog", 0x555500001100ULL, false);
	frame(&st, "leaf_fn", "/opt/unit/prog", 0x555500001234ULL, false);
	frame(&st, "handle_mm_fault", NULL, 0xffffffff81234567ULL, true);
	err = fn(&st, arg);
	st = (struct stack_sample){ .tgid = 4242, .comm = "unit",
				    .class = TT_CLASS_MINOR, .count = 3,
				    .lat_ns = 900 };
	frame(&st, "main", "/opt/unit/prog", 0x555500001108ULL, false);
	frame(&st, NULL, "/usr/lib/libx.so", 0x7f0000002000ULL, false);
	frame(&st, NULL, NULL, 0xffffffff81000010ULL, true);
	return err ?: fn(&st, arg);
}

int main(int argc, char **argv)
{
	struct pprof_ctx p = { .mode = "patched", .latency = true,
			       .duration_ns = 1000000000ULL };
	FILE *f = argc == 2 ? fopen(argv[1], "w") : NULL;
	int err;

	if (!f) {
		fprintf(stderr, "usage: pprof_test FILE\n");
		return 2;
	}
	err = pprof_write(f, &p);
	return fclose(f) || err ? 1 : 0;
}
