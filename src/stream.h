/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __TT_STREAM_H
#define __TT_STREAM_H

/* `tamtrace [OPTIONS] -p PID | -- CMD`: returns an enum tt_exit. */
int stream_main(int argc, char **argv);

#endif /* __TT_STREAM_H */
