/* SPDX-License-Identifier: GPL-2.0 */
/* Output files whose every write error is caught and reported. */
#ifndef __TT_OUTFILE_H
#define __TT_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

struct outfile {
	FILE *f;
	const char *path;	/* NULL: standard output */
	int err;		/* first write error, -errno */
};

/* Open @path for writing, or stdout when NULL; returns 0 or -errno. */
int outfile_open(struct outfile *o, const char *path);
/* "standard output" or the path, for messages. */
const char *outfile_name(const struct outfile *o);
/* Flush; returns the first error so far (-EPIPE: the reader left). */
int outfile_flush(struct outfile *o);
/* True once a write failed; call it right after writing, while errno
 * still says why. */
bool outfile_failed(struct outfile *o);
/*
 * Flush and close, then say on stderr what went wrong, prefixed with
 * @prog and naming the file. Returns 0, TT_EXIT_PIPE or TT_EXIT_ERROR.
 */
int outfile_close(struct outfile *o, const char *prog);

/*
 * A report file (--csv, --json, ...): create it, let @write fill it,
 * close it, and say "wrote WHAT PATH" or why not. Returns an enum tt_exit.
 */
int outfile_write(const char *prog, const char *what, const char *path,
		  int (*write)(FILE *f, void *ctx), void *ctx);

#endif /* __TT_OUTFILE_H */
