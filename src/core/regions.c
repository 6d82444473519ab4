// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "regions.h"

#define CACHE_SLOTS 1024
#define PATH_MAX_LEN 256

struct path_slot {
	__u32 pid;
	__u64 vm_start;
	char path[PATH_MAX_LEN];
};

static struct path_slot cache[CACHE_SLOTS];

static struct path_slot *slot_of(__u32 pid, __u64 vm_start)
{
	__u64 h = (vm_start >> 12) * 0x9E3779B97F4A7C15ULL ^ pid;

	return &cache[h % CACHE_SLOTS];
}

/* Path of the mapping that starts at @vm_start, from /proc/PID/maps. */
static bool maps_path(__u32 pid, __u64 vm_start, char *out, size_t len)
{
	char fn[64], line[512 + PATH_MAX_LEN];
	unsigned long long start;
	bool found = false;
	char *p;
	FILE *f;

	snprintf(fn, sizeof(fn), "/proc/%u/maps", pid);
	f = fopen(fn, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-", &start) != 1 || start != vm_start)
			continue;
		p = strchr(line, '/');
		if (p) {
			p[strcspn(p, "\n")] = 0;
			snprintf(out, len, "%s", p);
			found = true;
		}
		break;
	}
	fclose(f);
	return found;
}

static const char *file_path(__u32 pid, __u64 vm_start, const char *name)
{
	struct path_slot *s = slot_of(pid, vm_start);

	if (s->pid != pid || s->vm_start != vm_start || !s->path[0]) {
		s->pid = pid;
		s->vm_start = vm_start;
		if (!maps_path(pid, vm_start, s->path, sizeof(s->path)))
			snprintf(s->path, sizeof(s->path), "%.*s",
				 TT_NAME_LEN, name);
	}
	return s->path;
}

const char *region_name(const struct tt_fault_event *e, char *buf,
			size_t len)
{
	return region_label(e->region, e->name, e->pid, e->vm_start, buf, len);
}

const char *region_label(__u8 region, const char *name, __u32 pid,
			 __u64 vm_start, char *buf, size_t len)
{
	switch (region) {
	case TT_REG_TAMALLOC:
		return "tamalloc";
	case TT_REG_HEAP:
		return "heap";
	case TT_REG_STACK:
		return "stack";
	case TT_REG_ANON:
		return "anon";
	case TT_REG_FILE:
		snprintf(buf, len, "file:%s", file_path(pid, vm_start, name));
		return buf;
	case TT_REG_NAMED:
		snprintf(buf, len, "%.*s", TT_NAME_LEN, name);
		return buf;
	default:
		return "unknown";
	}
}
