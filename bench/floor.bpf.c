// SPDX-License-Identifier: GPL-2.0
/*
 * The floor of tracing a page fault: programs that do nothing, on the
 * hook tamtrace uses (tp_btf) and on the classic tracepoint that
 * bpftrace uses. Whatever a fault costs more under one of them is what
 * any program there costs; bench/run.sh times tamtrace against them.
 * bench/floor.c loads one of the two.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/page_fault_user")
int floor_btf(u64 *ctx)
{
	return 0;
}

SEC("tracepoint/exceptions/page_fault_user")
int floor_tp(void *ctx)
{
	return 0;
}
