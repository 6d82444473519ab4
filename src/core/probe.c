// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/btf.h>
#include "tamtrace.h"
#include "exitcodes.h"
#include "kbtf.h"
#include "modes.h"
#include "probe.h"

#define TRACEFS "/sys/kernel/tracing"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static bool has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return d[cap / 32].effective & (1U << (cap % 32));
}

/* CAP_BPF + CAP_PERFMON (5.8+), or CAP_SYS_ADMIN on older kernels. */
int probe_privileges(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2] = {};

	if (syscall(SYS_capget, &h, d))
		return -errno;
	if (has_cap(d, CAP_SYS_ADMIN) ||
	    (has_cap(d, CAP_BPF) && has_cap(d, CAP_PERFMON)))
		return 0;
	return -EPERM;
}

int probe_btf(void)
{
	return access("/sys/kernel/btf/vmlinux", R_OK) ? -ENOENT : 0;
}

/* libbpf finds tracepoint ids in tracefs: mount it when nobody did. */
int probe_tracefs(void)
{
	if (!access(TRACEFS "/events", F_OK))
		return 0;
	if (mount("nodev", TRACEFS, "tracefs", 0, NULL) && errno != EBUSY)
		return -errno;
	return 0;
}

static bool tracefs_has(const char *event)
{
	char path[256];

	snprintf(path, sizeof(path), TRACEFS "/events/%s/id", event);
	return !access(path, R_OK);
}

/* The kernel's BTF names the probes ask about, found in one pass. */
static struct kbtf_name btf_names[] = {
	{ "handle_mm_fault", BTF_KIND_FUNC },
	{ "btf_trace_handle_mm_fault_enter", BTF_KIND_TYPEDEF },
	{ "btf_trace_anon_zero_fill", BTF_KIND_TYPEDEF },
	{ "btf_trace_page_fault_user", BTF_KIND_TYPEDEF },
	{ "btf_trace_page_fault_kernel", BTF_KIND_TYPEDEF },
	{ "btf_trace_sched_process_fork", BTF_KIND_TYPEDEF },
	{ "btf_trace_sched_process_exec", BTF_KIND_TYPEDEF },
	{ "btf_trace_sched_process_exit", BTF_KIND_TYPEDEF },
	{ NULL },
};

void probe_describe(FILE *f)
{
	const struct kbtf_name *n;

	for (n = btf_names; n->name; n++)
		fprintf(f, "tamtrace: kernel BTF: %s %s\n", n->name,
			n->id < 0 ? "absent" : "present");
}

int probe_features(struct tt_features *f)
{
	int k = BTF_KIND_TYPEDEF, m, err;

	memset(f, 0, sizeof(*f));
	err = kbtf_lookup(btf_names);
	if (err)
		return err;
	for (m = 0; m < TT_MODE_COUNT; m++)
		f->mode_ok[m] = tt_modes[m].probe(btf_names, &f->why_not[m]);
	f->sched_tp =
		kbtf_id(btf_names, "btf_trace_sched_process_fork", k) >= 0 &&
		kbtf_id(btf_names, "btf_trace_sched_process_exec", k) >= 0 &&
		kbtf_id(btf_names, "btf_trace_sched_process_exit", k) >= 0;
	f->tamalloc_tp = tracefs_has("syscalls/sys_enter_tamalloc") &&
			 tracefs_has("syscalls/sys_exit_tamalloc");
	return 0;
}
