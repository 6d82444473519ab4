/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __TT_HIST_H
#define __TT_HIST_H

/* `tamtrace hist ...`: returns an enum tt_exit. */
int hist_main(int argc, char **argv);

#endif /* __TT_HIST_H */
