/* SPDX-License-Identifier: GPL-2.0 */
/* `tamtrace --version`: this build, libbpf, the kernel, and the mode. */
#ifndef __TT_VERSION_H
#define __TT_VERSION_H

#include <stdio.h>

/* Print the four version lines to @f. Probes, but loads nothing else.
 * 0, or -EIO when they could not be written (said on stderr). */
int version_print(FILE *f);

#endif /* __TT_VERSION_H */
