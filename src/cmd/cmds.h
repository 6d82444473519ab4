/* SPDX-License-Identifier: GPL-2.0 */
/* The subcommands; each returns an enum tt_exit. */
#ifndef __TT_CMDS_H
#define __TT_CMDS_H

/* `tamtrace [OPTIONS] (-p PID | -t TID | -c CGROUP | -a | -- CMD)` */
int stream_main(int argc, char **argv);
/* `tamtrace hist ...` */
int hist_main(int argc, char **argv);
/* `tamtrace stats ...` */
int stats_main(int argc, char **argv);
/* `tamtrace serve ...`: the Prometheus exporter */
int serve_main(int argc, char **argv);
/* `tamtrace top ...`: the live view */
int top_main(int argc, char **argv);

#endif /* __TT_CMDS_H */
