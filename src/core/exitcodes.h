/* SPDX-License-Identifier: GPL-2.0 */
/* Exit codes of tamtrace; the README documents each one. */
#ifndef __TT_EXITCODES_H
#define __TT_EXITCODES_H

enum tt_exit {
	TT_EXIT_OK = 0,
	TT_EXIT_ERROR = 1,	/* runtime failure: load, attach, I/O */
	TT_EXIT_USAGE = 2,	/* bad arguments */
	TT_EXIT_PERM = 3,	/* not root, no CAP_BPF + CAP_PERFMON */
	TT_EXIT_NO_BTF = 4,	/* kernel without /sys/kernel/btf/vmlinux */
	TT_EXIT_NO_PID = 5,	/* no such process, thread or cgroup */
	TT_EXIT_EXEC = 6,	/* the command could not be executed */
	TT_EXIT_MODE = 7,	/* forced --mode not available here */
	TT_EXIT_LOST = 9,	/* events lost: any loss counter above 0 */
	TT_EXIT_PIPE = 10,	/* output closed early (EPIPE) */
	TT_EXIT_ACCESS = 11,	/* permission denied on the target process */
	TT_EXIT_LISTEN = 12,	/* serve: cannot listen on --listen */
	TT_EXIT_TEXTFILE = 13,	/* serve: cannot write in --textfile DIR */
};

#endif /* __TT_EXITCODES_H */
