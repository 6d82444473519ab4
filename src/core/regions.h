/* SPDX-License-Identifier: GPL-2.0 */
/* Names of the memory region a fault hit, as the stream prints them. */
#ifndef __TT_REGIONS_H
#define __TT_REGIONS_H

#include <stddef.h>
#include "tamtrace.h"

/* "tamalloc", "heap", "stack", "anon", "file:<path>" or the anon name.
 * File paths come from /proc/PID/maps (cached), else the base name. */
const char *region_name(const struct tt_fault_event *e, char *buf,
			size_t len);
/* The same, from the parts a histogram keeps. */
const char *region_label(__u8 region, const char *name, __u32 pid,
			 __u64 vm_start, char *buf, size_t len);

#endif /* __TT_REGIONS_H */
