// SPDX-License-Identifier: GPL-2.0
/*
 * The Perfetto writer fed made-up events, for what the host's kernel
 * cannot give (tamalloc() calls, latency, the patched mode):
 * perfetto_test FILE writes a trace that tests/formats.sh reads with
 * python's json. Process 100 "unit-main" (threads 100, and 101
 * "unit-worker"); a tamalloc region; at 1000.1 ms a zero_fill of 2500 ns
 * on thread 100, at 1000.2 ms a cow on 101, at 1003 ms a failed fault
 * (no_vma); tamalloc(5000) at 999 ms taking 1500 ns, and one failing
 * with ENOMEM.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "perfetto.h"

static void task(struct sink *k, __u32 pid, __u32 tid, const char *comm)
{
	struct tt_task_event e = { .type = TT_EV_TASK, .pid = pid, .tid = tid };

	memcpy(e.comm, comm, strlen(comm) < TT_COMM_LEN ? strlen(comm) :
						    TT_COMM_LEN);
	k->ops->on_event(k, &e, sizeof(e));
}

static void fault(struct sink *k, __u32 tid, __u64 ts, __u8 class,
		  __u64 lat)
{
	struct tt_fault_event e = { .type = TT_EV_FAULT, .pid = 100,
				    .tid = tid, .ts_ns = ts, .class = class,
				    .addr = 0x7f0000001000ULL, .region_id = 7,
				    .region = TT_REG_TAMALLOC };

	if (lat) {
		e.flags = TT_F_HAS_LATENCY | TT_F_EXACT_CLASS;
		e.latency = tt_lat_encode(lat);
	}
	if (class == TT_CLASS_ERROR)
		e.error = TT_ERR_NO_VMA;
	k->ops->on_event(k, &e, sizeof(e));
}

static void alloc(struct sink *k, __u64 ts, __u64 size, __s64 ret, __u64 lat)
{
	struct tt_alloc_event e = { .type = TT_EV_ALLOC, .pid = 100, .tid = 100,
				    .ts_ns = ts, .size = size, .ret = ret,
				    .latency_ns = lat };

	k->ops->on_event(k, &e, sizeof(e));
}

int main(int argc, char **argv)
{
	struct tt_opts o = { .cmd = TT_CMD_STREAM };
	struct session s = { .mode = TT_MODE_PATCHED };
	struct tt_region_event r = { .type = TT_EV_REGION, .id = 7,
				     .pid = 100, .kind = TT_REG_TAMALLOC,
				     .vm_start = 0x7f0000000000ULL,
				     .vm_end = 0x7f0000002000ULL };
	struct tt_losses l = {};
	struct perfetto_sink p;

	if (argc != 2) {
		fprintf(stderr, "usage: perfetto_test FILE\n");
		return 2;
	}
	o.perfetto = argv[1];
	perfetto_sink_init(&p, &o);
	task(&p.sink, 100, 100, "unit-main");
	task(&p.sink, 100, 101, "unit-worker");
	p.sink.ops->on_event(&p.sink, &r, sizeof(r));
	alloc(&p.sink, 999000000ULL, 5000, 0x7f0000000000LL, 1500);
	alloc(&p.sink, 999500000ULL, 1ULL << 40, -ENOMEM, 300);
	fault(&p.sink, 100, 1000100000ULL, TT_CLASS_ZERO_FILL, 2500);
	fault(&p.sink, 101, 1000200000ULL, TT_CLASS_COW, 0);
	fault(&p.sink, 100, 1003000000ULL, TT_CLASS_ERROR, 0);
	l.n[TT_CNT_FAULTS] = 2;
	l.n[TT_CNT_ERRORS] = 1;
	l.n[TT_CNT_ALLOCS] = 2;
	return p.sink.ops->finish(&p.sink, &s, &l);
}
