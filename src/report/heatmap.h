/* SPDX-License-Identifier: GPL-2.0 */
/* Address x time heatmap of faults, as a self-contained SVG. */
#ifndef __TT_HEATMAP_H
#define __TT_HEATMAP_H

#include "hist_maps.h"

int heatmap_write(const char *path, const struct histdata *d);

#endif /* __TT_HEATMAP_H */
