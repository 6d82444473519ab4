/* SPDX-License-Identifier: GPL-2.0 */
/* Names of fault classes, access types, origins and errors: the one
 * table of each. */
#ifndef __TT_NAMES_H
#define __TT_NAMES_H

#include "tamtrace.h"

/* "zero_fill", as in NDJSON, CSV and JSON; "unknown" if out of range. */
const char *class_name(unsigned int class);
/* "zfill", for the terminal summary's narrow columns. */
const char *class_short(unsigned int class);
/* "read", "write", "exec". */
const char *access_name(unsigned int access);
/* "user", "kernel", "gup". */
const char *origin_name(unsigned int origin);
/* Why a fault failed: "no_vma", "access", "sigbus", ... */
const char *error_name(unsigned int error);

#endif /* __TT_NAMES_H */
