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
