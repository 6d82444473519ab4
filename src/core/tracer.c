// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tamtrace.h"
#include "tamtrace.skel.h"
#include "cpurings.h"
#include "modes.h"
#include "tracer.h"

struct tracer {
	struct tamtrace_bpf *skel;
	struct ring_buffer *rb;
	struct cpu_rings rings;	/* stream mode's fault records */
	tracer_event_fn on_event;
	void *ctx;
	int ncpus;
};

/* enum tt_thp: huge pages for every anonymous VMA, MADV_HUGEPAGE ones, or
 * none (then exceptions mode never holds a fault back to learn its size). */
static __u32 thp_enabled(void)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	char buf[128] = "";
	__u32 thp = TT_THP_NEVER;

	if (!f)
		return thp;	/* no CONFIG_TRANSPARENT_HUGEPAGE */
	if (fgets(buf, sizeof(buf), f))
		thp = strstr(buf, "[always]") ? TT_THP_ALWAYS :
		      strstr(buf, "[madvise]") ? TT_THP_MADVISE : TT_THP_NEVER;
	fclose(f);
	return thp;
}

/* Programs the mode needs; the other modes' programs are not loaded. */
static void set_autoload(struct tamtrace_bpf *s, const struct tracer_cfg *c)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, s->obj) {
		const char *name = bpf_program__name(p);

		if (mode_owns_prog(name))
			bpf_program__set_autoload(p,
						  mode_has_prog(c->mode, name));
	}
	/* Run once at the end (tracer__say_held), not attached at start */
	bpf_program__set_autoattach(s->progs.say_held_at_end, false);
	/* The tamalloc syscall exists only on the patched kernel. */
	bpf_program__set_autoload(s->progs.tamalloc_enter, c->with_tamalloc);
	bpf_program__set_autoload(s->progs.tamalloc_exit, c->with_tamalloc);
	bpf_program__set_autoload(s->progs.process_fork,
				  c->with_sched && c->follow);
	bpf_program__set_autoload(s->progs.process_exit,
				  c->with_sched && c->follow);
	bpf_program__set_autoload(s->progs.process_exec,
				  c->with_sched && c->exec_pid);
	bpf_program__set_autoload(s->progs.stack_exec,
				  c->with_sched && c->hist && c->stacks);
}

/* CLOCK_MONOTONIC, which fault times use: hist counts from here. */
static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Histogram maps are created with one entry unless hist mode uses them. */
static int size_hist_maps(struct tamtrace_bpf *s, const struct tracer_cfg *c)
{
	unsigned int stacks = c->hist && c->stacks ? TT_MAX_STACKS : 1;
	bool lat = mode_desc(c->mode) && mode_desc(c->mode)->has_latency;
	/* Heatmap cells are preallocated: capped whatever --max-pages */
	unsigned int heat =
		c->max_pages < TT_HEAT_PAGES ? c->max_pages : TT_HEAT_PAGES;
	int err = 0;

	s->rodata->hist_mode = c->hist;
	s->rodata->want_stacks = c->hist && c->stacks;
	s->rodata->want_heat = c->hist && c->heat;
	if (!c->hist)
		return 0;
	s->rodata->hist_base_ns = mono_ns();
	s->rodata->hist_max_pages = c->max_pages;
	s->rodata->hist_lat = lat;
	err = err ?: bpf_map__set_max_entries(s->maps.pages,
					      TT_HIST_ELEMS(c->max_pages, lat));
	err = err ?: bpf_map__set_max_entries(s->maps.chunks,
					      TT_HIST_BLOCKS(c->max_pages));
	err = err ?: bpf_map__set_max_entries(s->maps.vmas, TT_MAX_VMAS);
	err = err ?: bpf_map__set_max_entries(s->maps.heat,
					      c->heat ? heat * 2 : 1);
	err = err ?: bpf_map__set_max_entries(s->maps.stack_traces, stacks);
	err = err ?: bpf_map__set_max_entries(s->maps.user_ips, stacks);
	/* At most one per IP stack, and a miss only costs a lookup later */
	err = err ?: bpf_map__set_max_entries(s->maps.user_stacks,
					      stacks > 1 ? stacks / 4 : 1);
	err = err ?: bpf_map__set_max_entries(s->maps.ustack_ids, stacks);
	err = err ?: bpf_map__set_max_entries(s->maps.stack_counts, stacks);
	return err;
}

/* serve and top: per-key slots, and the ring of free ones. */
static int size_serve_maps(struct tamtrace_bpf *s, const struct tracer_cfg *c)
{
	int err = 0;

	s->rodata->serve_mode = c->serve;
	s->rodata->serve_by = c->serve_by;
	if (!c->serve)
		return 0;
	err = err ?: bpf_map__set_max_entries(s->maps.serve_slots,
					      TT_SERVE_SLOTS);
	err = err ?: bpf_map__set_max_entries(s->maps.serve_keys,
					      TT_SERVE_KEYS);
	return err ?: bpf_map__set_max_entries(s->maps.serve_free,
					       TT_SERVE_RING);
}

/* Streaming: the per-CPU rings of fault records share -b MiB. */
static int size_rings(struct tracer *t, const struct tracer_cfg *c)
{
	struct tamtrace_bpf *s = t->skel;
	unsigned int shift;
	int err;

	if (c->hist || c->serve)
		return 0;
	shift = cpu_rings_shift(c->buf_mb, t->ncpus);
	s->rodata->ring_shift = shift;
	err = bpf_map__set_max_entries(s->maps.rings, t->ncpus);
	return err ?: bpf_map__set_max_entries(s->maps.records,
					       t->ncpus << shift);
}

static int configure(struct tracer *t, const struct tracer_cfg *c)
{
	struct tamtrace_bpf *s = t->skel;
	/* Side events only: the fault records have the per-CPU rings. The
	 * kernel maps all of it into the reader, twice: its RSS. */
	size_t buf = TT_SIDE_BUF_MB << 20;
	int err;

	s->rodata->follow = c->follow;
	s->rodata->filter = c->filter;
	s->rodata->target_tid = c->tid;
	s->rodata->self_tgid = getpid();
	s->rodata->exec_tgid = c->exec_pid;
	s->rodata->mode = c->mode;
	s->rodata->thp_enabled = thp_enabled();
	/* make bench's profile by part only; see bench/run.sh */
	if (getenv("TT_PROFILE_STOP"))
		s->rodata->prof_stop = atoi(getenv("TT_PROFILE_STOP"));
	/* Wake the reader when an eighth of the buffer waits. */
	s->rodata->wakeup_bytes = buf / 8;
	err = bpf_map__set_max_entries(s->maps.events, buf);
	/* Only -c needs a cgroup array; kernels without cgroups lack them. */
	if (!err && c->filter != TT_FILTER_CGROUP)
		err = bpf_map__set_type(s->maps.cgroups, BPF_MAP_TYPE_ARRAY);
	if (err)
		return err;
	set_autoload(s, c);
	return size_rings(t, c) ?: size_hist_maps(s, c) ?:
	       size_serve_maps(s, c);
}

/* The processes to trace (-p), and the cgroup of -c. */
static int seed(struct tracer *t, const struct tracer_cfg *c)
{
	__u32 key = 0, fd = c->cgroup_fd;
	__u8 one = 1;
	int i, err = 0;

	if (c->filter == TT_FILTER_CGROUP)
		return bpf_map__update_elem(t->skel->maps.cgroups, &key,
					    sizeof(key), &fd, sizeof(fd),
					    BPF_ANY);
	if (c->npids)
		t->skel->bss->active_tgid = c->pids[0];
	if (!c->follow && c->filter != TT_FILTER_TGIDS)
		return 0;
	for (i = 0; i < c->npids && !err; i++) {
		key = c->pids[i];
		err = bpf_map__update_elem(t->skel->maps.tgids, &key,
					   sizeof(key), &one, sizeof(one),
					   BPF_ANY);
	}
	return err;
}

#define FAIL(step) do { snprintf(why, why_len, "%s", step); goto fail; } while (0)

int tracer__new(const struct tracer_cfg *cfg, struct tracer **out,
		char *why, size_t why_len)
{
	struct tracer *t = calloc(1, sizeof(*t));
	int err = -ENOMEM;

	if (!t)
		return err;
	t->ncpus = libbpf_num_possible_cpus();
	t->skel = tamtrace_bpf__open();
	if (!t->skel) {
		err = -errno;
		FAIL("open BPF object");
	}
	err = configure(t, cfg);
	if (err)
		FAIL("configure BPF object");
	err = tamtrace_bpf__load(t->skel);
	if (err)
		FAIL("load BPF programs");
	/* libbpf's parse of the kernel BTF left ~10 MiB of free heap */
	malloc_trim(0);
	err = seed(t, cfg);
	if (err)
		FAIL("set the process filter");
	err = tamtrace_bpf__attach(t->skel);
	if (err)
		FAIL("attach BPF programs");
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events),
				 cfg->on_event, cfg->ctx, NULL);
	if (!t->rb) {
		err = -errno;
		FAIL("create ring buffer reader");
	}
	t->on_event = cfg->on_event;
	t->ctx = cfg->ctx;
	if (t->skel->rodata->ring_shift) {
		err = cpu_rings_map(&t->rings,
				    bpf_map__fd(t->skel->maps.rings),
				    bpf_map__fd(t->skel->maps.records),
				    t->ncpus, t->skel->rodata->ring_shift);
		if (err)
			FAIL("map the per-CPU rings");
	}
	*out = t;
	return 0;
fail:
	tracer__free(t);
	return err < 0 ? err : -EINVAL;
}

int tracer__epoll_fd(struct tracer *t)
{
	return ring_buffer__epoll_fd(t->rb);
}

int tracer__consume(struct tracer *t)
{
	int n, m;

	/*
	 * What a fault record refers to (region, thread name) is in the
	 * ring buffer before it: take the rings' heads first, then the ring
	 * buffer, then the rings up to those heads. Wakeups are batched:
	 * read whatever waits, woken or not.
	 */
	cpu_rings_snapshot(&t->rings);
	n = ring_buffer__consume(t->rb);
	if (n < 0)
		return n;
	m = cpu_rings_drain(&t->rings, t->on_event, t->ctx);
	return m < 0 ? m : n + m;
}

/* Run the say_held_at_end task iterator once over every task. */
static int run_say_held(struct bpf_program *p)
{
	struct bpf_link *link = bpf_program__attach_iter(p, NULL);
	char buf[64];
	int fd, n;

	if (!link)
		return -errno;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		n = -errno;
		goto out;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	n = n < 0 ? -errno : 0;
	close(fd);
out:
	bpf_link__destroy(link);
	return n;
}

/*
 * exceptions mode, at the end: no more exceptions, then the faults still
 * held are said (the BPF task iterator say_held_at_end), so none is left
 * owed; thread_exit stays for threads that end meanwhile. Detaching does
 * not wait for a program already running on another CPU, which may still
 * hold a fault: wait for an RCU grace period (membarrier()'s global
 * command is synchronize_rcu()), and look again while one is owed: a
 * thread preempted while it says its own (mm_page_alloc, thread_exit)
 * keeps the iterator from it until it runs again, up to a second on a
 * busy or emulated machine (the test VMs: 1 run in 5 of `-a` gave up
 * after 100 ms).
 */
int tracer__say_held(struct tracer *t)
{
	struct bpf_program *p = t->skel->progs.say_held_at_end;
	int tries, n = 0;

	if (!bpf_program__autoload(p))
		return 0;
	/* First no new exception, so that none is held after the check */
	bpf_link__destroy(t->skel->links.page_fault_user);
	t->skel->links.page_fault_user = NULL;
	bpf_link__destroy(t->skel->links.page_fault_kernel);
	t->skel->links.page_fault_kernel = NULL;
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		usleep(10000);
	for (tries = 0; tries < 500 && !n && t->skel->bss->held_faults;
	     tries++) {
		if (tries)
			usleep(2000);
		n = run_say_held(p);
	}
	return n;
}

int tracer__drain_ms(struct tracer *t)
{
	/* Nothing wakes the reader for the rings: 1 << shift records per
	 * CPU, a few ms of faults at full rate. */
	return t->rings.heads ? 10 : 0;
}

bool tracer__has_followed(struct tracer *t)
{
	__u32 key;

	return !bpf_map__get_next_key(t->skel->maps.tgids, NULL, &key,
				      sizeof(key));
}

int tracer__counters(struct tracer *t, unsigned long long out[TT_CNT_COUNT])
{
	__u64 *vals = calloc(t->ncpus, sizeof(*vals));
	__u32 i;
	int c, err = 0;

	if (!vals)
		return -ENOMEM;
	for (i = 0; i < TT_CNT_COUNT && !err; i++) {
		out[i] = 0;
		err = bpf_map__lookup_elem(t->skel->maps.counters, &i,
					   sizeof(i), vals,
					   sizeof(*vals) * t->ncpus, 0);
		for (c = 0; !err && c < t->ncpus; c++)
			out[i] += vals[c];
	}
	free(vals);
	/* Not a per-CPU counter: the held faults the BPF side still owes */
	out[TT_CNT_HELD] = t->skel->bss->held_faults;
	return err;
}

void tracer__free(struct tracer *t)
{
	if (!t)
		return;
	ring_buffer__free(t->rb);
	cpu_rings_unmap(&t->rings);
	tamtrace_bpf__destroy(t->skel);
	free(t);
}

int tracer__map_fd(struct tracer *t, enum tracer_map which)
{
	struct tamtrace_bpf *s = t->skel;

	switch (which) {
	case TRACER_MAP_PAGES: return bpf_map__fd(s->maps.pages);
	case TRACER_MAP_VMAS: return bpf_map__fd(s->maps.vmas);
	case TRACER_MAP_HEAT: return bpf_map__fd(s->maps.heat);
	case TRACER_MAP_LAT_HIST: return bpf_map__fd(s->maps.lat_hist);
	case TRACER_MAP_STACK_TRACES: return bpf_map__fd(s->maps.stack_traces);
	case TRACER_MAP_USER_IPS: return bpf_map__fd(s->maps.user_ips);
	case TRACER_MAP_USER_STACKS: return bpf_map__fd(s->maps.user_stacks);
	case TRACER_MAP_USTACK_IDS: return bpf_map__fd(s->maps.ustack_ids);
	case TRACER_MAP_STACK_COUNTS: return bpf_map__fd(s->maps.stack_counts);
	case TRACER_MAP_SERVE_SLOTS: return bpf_map__fd(s->maps.serve_slots);
	case TRACER_MAP_SERVE_KEYS: return bpf_map__fd(s->maps.serve_keys);
	case TRACER_MAP_SERVE_FREE: return bpf_map__fd(s->maps.serve_free);
	}
	return -EINVAL;
}

struct tt_serve_ctl *tracer__serve_ctl(struct tracer *t)
{
	return &t->skel->bss->serve_ctl;
}

int tracer__ncpus(struct tracer *t)
{
	return t->ncpus;
}
