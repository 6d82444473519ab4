/* SPDX-License-Identifier: GPL-2.0 */
/* Address x time heatmap of faults, as a self-contained SVG. */
#ifndef __TT_HEATMAP_H
#define __TT_HEATMAP_H

#include <stdio.h>

/* outfile_write() callback: @report is a struct hist_report. */
int heatmap_write(FILE *f, void *report);

#endif /* __TT_HEATMAP_H */
