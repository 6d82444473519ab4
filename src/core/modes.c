// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/btf.h>
#include "kbtf.h"
#include "modes.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static bool has_type(const struct kbtf_name *btf, const char *name, int kind)
{
	return kbtf_id(btf, name, kind) >= 0;
}

static bool has_tracepoint(const struct kbtf_name *btf, const char *tp)
{
	char name[128];

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	return has_type(btf, name, BTF_KIND_TYPEDEF);
}

static bool probe_patched(const struct kbtf_name *btf, const char **why)
{
	*why = "no mm_fault tracepoints (kernel without the tamalloc patch)";
	return has_tracepoint(btf, "handle_mm_fault_enter") &&
	       has_tracepoint(btf, "anon_zero_fill");
}

/*
 * A two-instruction fentry program on handle_mm_fault(): a kernel that
 * refuses it (no ftrace direct calls, lockdown, a hypervisor that
 * forbids patching call sites) is known without loading the whole
 * object, which costs a second parse of the kernel BTF and verifying
 * every program before the refusal.
 */
static bool probe_fentry(const struct kbtf_name *btf, const char **why)
{
	static char buf[96];
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int id = kbtf_id(btf, "handle_mm_fault", BTF_KIND_FUNC);
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = id);
	int fd;

	*why = "handle_mm_fault() is not in the BTF";
	if (id < 0)
		return false;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "tt_probe", "GPL", insns,
			   ARRAY_SIZE(insns), &opts);
	if (fd < 0) {
		snprintf(buf, sizeof(buf), "this kernel refuses fentry/fexit "
			 "programs (%s)", strerror(errno));
		*why = buf;
		return false;
	}
	close(fd);
	return true;
}

static bool probe_exceptions(const struct kbtf_name *btf, const char **why)
{
	*why = "no exceptions:page_fault_user tracepoint (x86 only)";
	return has_tracepoint(btf, "page_fault_user") &&
	       has_tracepoint(btf, "page_fault_kernel");
}

static const char *hint_verifier(int err)
{
	if (err == -EACCES || err == -EINVAL)
		return "rejected by the verifier";
	return "";
}

static const char *hint_fentry(int err)
{
	/* Lockdown, or a hypervisor that forbids live-patching call sites. */
	if (err == -EPERM)
		return "this kernel refuses fentry/fexit programs";
	return hint_verifier(err);
}

/*
 * page_fault_user and page_fault_kernel give every mode the x86 error
 * code, the ip and the origin; signal_generate the reason of a fault
 * refused before handle_mm_fault().
 */
static const char *const patched_progs[] = {
	"page_fault_user", "page_fault_kernel", "signal_generate",
	"mm_fault_enter", "mm_fault_exit", "anon_zero_fill", "mm_page_alloc",
	"thread_exit", NULL,
};
static const char *const fentry_progs[] = {
	"page_fault_user", "page_fault_kernel", "signal_generate",
	"fentry_fault", "fexit_fault", "mm_page_alloc", "thread_exit", NULL,
};
static const char *const exceptions_progs[] = {
	"page_fault_user", "page_fault_kernel", "mm_page_alloc",
	"page_cache_add", "thread_exit", "say_held_at_end", NULL,
};

const struct tt_mode_desc tt_modes[TT_MODE_COUNT] = {
	[TT_MODE_PATCHED] = {
		.name = "patched",
		.exact = "address, access, origin, latency, errors, major, "
			 "zero-fill classes (mm_fault tracepoints), cow and "
			 "page reuse (the fault's page allocation)",
		.inferred = "other minor faults",
		.has_latency = true,
		.progs = patched_progs,
		.probe = probe_patched,
		.hint = hint_verifier,
	},
	[TT_MODE_FENTRY] = {
		.name = "fentry",
		.exact = "address, access, origin, latency, errors, major, "
			 "zero_fill, cow_zero, cow and page reuse (the "
			 "fault's page allocation)",
		.inferred = "zero_page and other minor faults from the x86 "
			    "error code and the VMA",
		.has_latency = true,
		.progs = fentry_progs,
		.probe = probe_fentry,
		.hint = hint_fentry,
	},
	[TT_MODE_EXCEPTIONS] = {
		.name = "exceptions",
		.exact = "address, ip, access, origin; cow_zero, cow and "
			 "page reuse of user-mode writes (the page allocation "
			 "that follows), major (the page cache insertion)",
		.inferred = "other classes and errors from the x86 error "
			    "code and the VMA; no latency, no get_user_pages() "
			    "faults",
		.has_latency = false,
		.progs = exceptions_progs,
		.probe = probe_exceptions,
		.hint = hint_verifier,
	},
};

const struct tt_mode_desc *mode_desc(int mode)
{
	return mode >= 0 && mode < TT_MODE_COUNT ? &tt_modes[mode] : NULL;
}

const char *mode_name(int mode)
{
	return mode_desc(mode) ? tt_modes[mode].name : "none";
}

int mode_parse(const char *name)
{
	int m;

	for (m = 0; m < TT_MODE_COUNT; m++)
		if (!strcmp(name, tt_modes[m].name))
			return m;
	return -1;
}

const char *mode_list(void)
{
	static char buf[128];
	size_t off = 0;
	int m;

	if (buf[0])
		return buf;
	for (m = 0; m < TT_MODE_COUNT && off < sizeof(buf); m++)
		off += snprintf(buf + off, sizeof(buf) - off, "%s%s",
				m ? ", " : "", tt_modes[m].name);
	return buf;
}

bool mode_has_prog(int mode, const char *prog)
{
	const char *const *p;

	for (p = tt_modes[mode].progs; *p; p++)
		if (!strcmp(*p, prog))
			return true;
	return false;
}

bool mode_owns_prog(const char *prog)
{
	int m;

	for (m = 0; m < TT_MODE_COUNT; m++)
		if (mode_has_prog(m, prog))
			return true;
	return false;
}
