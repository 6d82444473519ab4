/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __TT_STATS_H
#define __TT_STATS_H

/* `tamtrace stats ...`: returns an enum tt_exit. */
int stats_main(int argc, char **argv);

#endif /* __TT_STATS_H */
