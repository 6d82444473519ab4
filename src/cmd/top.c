// SPDX-License-Identifier: GPL-2.0
/*
 * `tamtrace top`: a live view of the keys (processes, comms or cgroups)
 * that fault, from the same per-key counts as serve. Plain terminal
 * control: the screen is redrawn each -d seconds; keys change the sort.
 * Colour only on a terminal and without NO_COLOR; the terminal is put
 * back on exit, whatever ends the session (q, a signal, -n).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include "cmds.h"
#include "escape.h"
#include "exitcodes.h"
#include "keytab.h"
#include "modes.h"
#include "names.h"
#include "session.h"

/* A screen line: one key's rates in the last interval. */
struct top_row {
	const struct key_entry *e;
	double fps, by_class[TT_CLASS_COUNT], zero_mib;
	double p50_us, p99_us;	/* < 0: not measured */
	struct key_mem mem;
	bool has_mem;
};

struct top {
	struct sink sink;
	const struct tt_opts *o;
	struct session *s;
	struct keytab k;
	bool ready;
	bool tty;		/* draw: clear, colour, keys */
	bool colour;
	bool raw;		/* the terminal's modes were changed */
	struct termios saved;
	const char *sort;
	struct top_row *rows;
	int nrows;
	long frames;
	unsigned long long next_frame;
};

static struct top *live;	/* for the exit handler */

static void term_restore(void)
{
	if (!live || !live->raw)
		return;
	fputs("\033[?25h\033[?1049l", stdout);
	fflush(stdout);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &live->saved);
	live->raw = false;
}

/* Keys without Enter, no echo, the alternate screen, no cursor. */
static void term_setup(struct top *t)
{
	struct termios raw;

	if (!t->tty || !isatty(STDIN_FILENO) ||
	    tcgetattr(STDIN_FILENO, &t->saved))
		return;
	raw = t->saved;
	raw.c_lflag &= ~(ICANON | ECHO);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw))
		return;
	t->raw = true;
	live = t;
	atexit(term_restore);
	fputs("\033[?1049h\033[?25l", stdout);
}

/* The upper bound of the bucket holding quantile @q, in us; -1 if none. */
static double quantile_us(const struct key_counts *c, double q)
{
	unsigned long long total = 0, cum = 0;
	int s;

	for (s = 0; s < TT_LAT_SLOTS; s++)
		total += c->lat[s];
	if (!total)
		return -1;
	for (s = 0; s < TT_LAT_SLOTS; s++) {
		cum += c->lat[s];
		if (cum >= q * total)
			break;
	}
	return (double)(2ULL << s) / 1000;
}

static void fill_row(struct top *t, struct top_row *r,
		     const struct key_entry *e)
{
	double dt = t->k.interval_s > 0 ? t->k.interval_s : 1;
	int c;

	memset(r, 0, sizeof(*r));
	r->e = e;
	r->fps = counts_faults(&e->delta) / dt;
	for (c = 0; c < TT_CLASS_COUNT; c++)
		r->by_class[c] = counts_class(&e->delta, c) / dt;
	r->zero_mib = (e->delta.zero_pages << TT_PAGE_SHIFT) / dt / 1048576;
	r->p50_us = quantile_us(&e->delta, 0.5);
	r->p99_us = quantile_us(&e->delta, 0.99);
}

static double sort_value(const struct top *t, const struct top_row *r)
{
	const char *s = t->sort;

	return !strcmp(s, "zero") ? r->zero_mib :
	       !strcmp(s, "major") ? r->by_class[TT_CLASS_MAJOR] :
	       !strcmp(s, "lat") ? r->p99_us :
	       !strcmp(s, "used") ? (double)r->mem.used_kb :
	       !strcmp(s, "reserved") ? (double)r->mem.reserved_kb :
	       !strcmp(s, "oom") ? (r->has_mem ? r->mem.oom_score : -1) :
	       r->fps;
}

static const struct top *sorting;

static int cmp_rows(const void *a, const void *b)
{
	double x = sort_value(sorting, a), y = sort_value(sorting, b);

	return x < y ? 1 : x > y ? -1 : 0;
}

/* Rows for the keys that faulted in the interval, with their memory. */
static int build_rows(struct top *t)
{
	struct key_mem *mem = calloc(t->k.nkeys + 1, sizeof(*mem));
	bool *want = calloc(t->k.nkeys + 1, sizeof(*want));
	int i, n = 0;

	free(t->rows);
	t->rows = calloc(t->k.nkeys + 1, sizeof(*t->rows));
	if (!t->rows || !mem || !want) {
		free(mem);
		free(want);
		return -ENOMEM;
	}
	for (i = 0; i < t->k.nkeys; i++)
		want[i] = counts_faults(&t->k.keys[i].delta) ||
			  counts_class(&t->k.keys[i].delta, TT_CLASS_ERROR);
	keytab_memory(&t->k, want, mem);
	for (i = 0; i < t->k.nkeys; i++) {
		if (!want[i])
			continue;
		fill_row(t, &t->rows[n], &t->k.keys[i]);
		t->rows[n].mem = mem[i];
		t->rows[n++].has_mem = mem[i].nprocs > 0;
	}
	t->nrows = n;
	free(mem);
	free(want);
	return 0;
}

/* The dominant class of the row's faults, or "-". */
static const char *top_class(const struct top_row *r)
{
	int c, best = -1;

	for (c = 0; c < TT_CLASS_COUNT; c++)
		if (r->by_class[c] > 0 && (best < 0 ||
					   r->by_class[c] > r->by_class[best]))
			best = c;
	return best < 0 ? "-" : class_name(best);
}

static void put_lat(FILE *f, double us)
{
	if (us < 0)
		fprintf(f, " %7s", "-");
	else if (us < 1000)
		fprintf(f, " %5.0fus", us);
	else
		fprintf(f, " %5.1fms", us / 1000);
}

static void header(struct top *t, FILE *f)
{
	static const char *const by[TT_BY_COUNT] = {
		[TT_BY_CGROUP] = "cgroups", [TT_BY_COMM] = "comms",
		[TT_BY_PID] = "processes",
	};

	fprintf(f, "tamtrace top - mode %s - %d %s faulting - sort: %s - "
		"every %.1f s\n", mode_name(t->s->mode), t->nrows,
		by[t->k.by], t->sort, t->o->delay);
	if (t->colour)
		fputs("\033[7m", f);
	fprintf(f, "%7s %9s %8s %8s %8s %8s %8s %7s %7s %7s %7s %9s %9s %5s "
		"%-14s %s", t->k.by == TT_BY_PID ? "PID" : "", "FLT/s",
		"ZFILL/s", "ZPAGE/s", "COWZ/s", "COW/s", "MINOR/s", "MAJ/s",
		"ZMiB/s", "P50", "P99", "RSV_MiB", "USED_MiB", "OOM", "CLASS",
		t->k.by == TT_BY_CGROUP ? "CGROUP" : "COMM");
	if (t->colour)
		fputs("\033[0m", f);
	fputc('\n', f);
}

static void row(struct top *t, FILE *f, const struct top_row *r)
{
	char name[ESC_MAX(256)], buf[256];

	if (t->k.by == TT_BY_PID)
		fprintf(f, "%7llu", (unsigned long long)r->e->key.id);
	else
		fprintf(f, "%7s", "");
	fprintf(f, " %9.0f %8.0f %8.0f %8.0f %8.0f %8.0f %7.0f %7.1f", r->fps,
		r->by_class[TT_CLASS_ZERO_FILL] +
		r->by_class[TT_CLASS_HUGE_ZERO_FILL],
		r->by_class[TT_CLASS_ZERO_PAGE] +
		r->by_class[TT_CLASS_HUGE_ZERO_PAGE],
		r->by_class[TT_CLASS_COW_ZERO], r->by_class[TT_CLASS_COW],
		r->by_class[TT_CLASS_MINOR], r->by_class[TT_CLASS_MAJOR],
		r->zero_mib);
	put_lat(f, r->p50_us);
	put_lat(f, r->p99_us);
	if (r->has_mem)
		fprintf(f, " %9llu %9llu %5d", r->mem.reserved_kb >> 10,
			r->mem.used_kb >> 10, r->mem.oom_score);
	else
		fprintf(f, " %9s %9s %5s", "-", "-", "-");
	esc_text(name, sizeof(name), keytab_name(&t->k, r->e, buf,
						 sizeof(buf)), sizeof(buf));
	if (t->k.by == TT_BY_PID)
		esc_text(name, sizeof(name), r->e->name, sizeof(r->e->name));
	fprintf(f, " %-14s %s\n", top_class(r), name);
}

static void draw(struct top *t)
{
	struct winsize ws = { .ws_row = 0 };
	int i, max = t->nrows;

	sorting = t;
	qsort(t->rows, t->nrows, sizeof(*t->rows), cmp_rows);
	if (t->tty) {
		fputs("\033[H\033[2J", stdout);
		if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row > 3 &&
		    max > ws.ws_row - 3)
			max = ws.ws_row - 3;
	}
	header(t, stdout);
	for (i = 0; i < max; i++)
		row(t, stdout, &t->rows[i]);
	if (!t->tty)
		fputc('\n', stdout);
	fflush(stdout);
}

/* A key pressed: a new sort (redrawn now), or q. */
static int on_key(struct top *t)
{
	static const char keys[] = "fzmluro";
	static const char *const sorts[] = { "faults", "zero", "major", "lat",
					     "used", "reserved", "oom" };
	const char *p;
	char c;

	if (!t->raw || read(STDIN_FILENO, &c, 1) != 1)
		return 0;
	if (c == 'q')
		return SINK_DONE;
	p = c ? strchr(keys, c) : NULL;
	if (p) {
		t->sort = sorts[p - keys];
		draw(t);
	}
	return 0;
}

static int top_start(struct sink *k, struct session *s)
{
	struct top *t = (struct top *)k;
	int err = keytab_init(&t->k, s->tr, t->o->by, 0);

	t->s = s;
	t->ready = !err;
	t->next_frame = now_ns() + t->o->delay * 1e9;
	if (err)
		fprintf(stderr, "tamtrace top: %s\n", strerror(-err));
	else
		term_setup(t);
	return err;
}

static int top_tick(struct sink *k, struct session *s)
{
	struct top *t = (struct top *)k;
	int err;

	(void)s;
	if (!t->ready)
		return 0;
	if (on_key(t) == SINK_DONE)
		return SINK_DONE;
	if (now_ns() < t->next_frame)
		return 0;
	t->next_frame += t->o->delay * 1e9;
	err = keytab_collect(&t->k) ?: build_rows(t);
	if (err)
		return err;
	draw(t);
	return t->o->iterations && ++t->frames >= t->o->iterations ?
	       SINK_DONE : 0;
}

static int top_finish(struct sink *k, struct session *s,
		      const struct tt_losses *l)
{
	(void)k; (void)s; (void)l;
	term_restore();
	return TT_EXIT_OK;
}

static const struct sink_ops top_ops = {
	.start = top_start,
	.tick = top_tick,
	.finish = top_finish,
};

int top_main(int argc, char **argv)
{
	struct session s = {};
	struct top t = { .sink.ops = &top_ops };
	const char *nc = getenv("NO_COLOR");
	struct tt_opts o;
	int code;

	if (!cli_parse(TT_CMD_TOP, argc, argv, &o, &code))
		return code;
	t.o = &o;
	t.sort = o.top_sort;
	t.tty = !o.batch && isatty(STDOUT_FILENO);
	t.colour = t.tty && !(nc && *nc);
	s.cfg.serve = true;
	s.cfg.serve_by = o.by;
	code = session_run(&s, &o, &t.sink);
	term_restore();
	keytab_free(&t.k);
	free(t.rows);
	return code;
}
