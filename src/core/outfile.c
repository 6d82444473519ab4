// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include "exitcodes.h"
#include "outfile.h"

int outfile_open(struct outfile *o, const char *path)
{
	*o = (struct outfile){ .f = stdout, .path = path };
	if (!path || !strcmp(path, "-")) {
		o->path = NULL;
		return 0;
	}
	o->f = fopen(path, "we");	/* not inherited by the command */
	if (!o->f) {
		o->f = NULL;
		return -errno;
	}
	return 0;
}

const char *outfile_name(const struct outfile *o)
{
	return o->path ?: "standard output";
}

/* ferror() says that a write failed, fflush() says why. */
static void note_error(struct outfile *o, int err)
{
	if (!o->err)
		o->err = err ? -err : -EIO;
}

int outfile_flush(struct outfile *o)
{
	if (o->f && fflush(o->f))
		note_error(o, errno);
	return o->err;
}

bool outfile_failed(struct outfile *o)
{
	/*
	 * Called right after writing, errno still says why the write failed:
	 * a later fflush() may not fail again (glibc can drop the buffer),
	 * and EPIPE would turn into EIO.
	 */
	if (o->f && !o->err && ferror_unlocked(o->f))
		note_error(o, errno);
	return o->err;
}

int outfile_close(struct outfile *o, const char *prog)
{
	if (!o->f)
		return TT_EXIT_OK;
	outfile_flush(o);
	/* A write failed earlier without being noted: errno is stale now. */
	if (!o->err && ferror(o->f))
		note_error(o, 0);
	if (o->f != stdout && fclose(o->f))
		note_error(o, errno);
	o->f = NULL;
	if (o->err == -EPIPE) {
		fprintf(stderr, "%s: output closed early (%s)\n", prog,
			outfile_name(o));
		return TT_EXIT_PIPE;
	}
	if (o->err) {
		fprintf(stderr, "%s: cannot write %s: %s\n", prog,
			outfile_name(o), strerror(-o->err));
		return TT_EXIT_ERROR;
	}
	return TT_EXIT_OK;
}

int outfile_write(const char *prog, const char *what, const char *path,
		  int (*write)(FILE *f, void *ctx), void *ctx)
{
	struct outfile o;
	int err = outfile_open(&o, path), ret;

	if (err) {
		fprintf(stderr, "%s: cannot create %s %s: %s\n", prog, what,
			path, strerror(-err));
		return TT_EXIT_ERROR;
	}
	err = write(o.f, ctx);
	if (err && !o.err)
		o.err = err;
	ret = outfile_close(&o, prog);
	if (!ret)
		fprintf(stderr, "%s: wrote %s %s\n", prog, what, path);
	return ret;
}
