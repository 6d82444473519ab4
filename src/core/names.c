// SPDX-License-Identifier: GPL-2.0
#include "names.h"

static const struct {
	const char *name, *short_name;
} classes[TT_CLASS_COUNT] = {
	[TT_CLASS_UNKNOWN] = { "unknown", "unk" },
	[TT_CLASS_ZERO_PAGE] = { "zero_page", "zpage" },
	[TT_CLASS_ZERO_FILL] = { "zero_fill", "zfill" },
	[TT_CLASS_COW_ZERO] = { "cow_zero", "cowz" },
	[TT_CLASS_COW] = { "cow", "cow" },
	[TT_CLASS_MINOR] = { "minor", "minor" },
	[TT_CLASS_MAJOR] = { "major", "major" },
	[TT_CLASS_HUGE_ZERO_FILL] = { "huge_zero_fill", "hzfill" },
	[TT_CLASS_HUGE_ZERO_PAGE] = { "huge_zero_page", "hzpage" },
	[TT_CLASS_ERROR] = { "error", "err" },
};

static const char *const origins[TT_ORIGIN_COUNT] = {
	[TT_ORIGIN_USER] = "user",
	[TT_ORIGIN_KERNEL] = "kernel",
	[TT_ORIGIN_GUP] = "gup",
};

static const char *const errors[TT_ERR_COUNT] = {
	[TT_ERR_NONE] = "none",
	[TT_ERR_NO_VMA] = "no_vma",
	[TT_ERR_ACCESS] = "access",
	[TT_ERR_SIGSEGV] = "sigsegv",
	[TT_ERR_SIGBUS] = "sigbus",
	[TT_ERR_OOM] = "oom",
	[TT_ERR_HWPOISON] = "hwpoison",
};

static const char *const accesses[TT_ACC_COUNT] = {
	[TT_ACC_READ] = "read",
	[TT_ACC_WRITE] = "write",
	[TT_ACC_EXEC] = "exec",
};

const char *class_name(unsigned int class)
{
	return class < TT_CLASS_COUNT ? classes[class].name : "unknown";
}

const char *class_short(unsigned int class)
{
	return class < TT_CLASS_COUNT ? classes[class].short_name : "unk";
}

const char *access_name(unsigned int access)
{
	return access < TT_ACC_COUNT ? accesses[access] : "unknown";
}

const char *origin_name(unsigned int origin)
{
	return origin < TT_ORIGIN_COUNT ? origins[origin] : "unknown";
}

const char *error_name(unsigned int error)
{
	return error < TT_ERR_COUNT ? errors[error] : "unknown";
}
