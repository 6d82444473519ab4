// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include "launch.h"

static void child_run(int go_fd, int err_fd, char **argv)
{
	char c;
	int err;

	/* Parent closed without a byte: tracing failed, do not run. */
	if (read(go_fd, &c, 1) != 1)
		_exit(127);
	close(go_fd);
	signal(SIGPIPE, SIG_DFL);
	execvp(argv[0], argv);
	err = errno;
	if (write(err_fd, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
}

/* Fork @argv, parked before exec. Returns 0 or a negative errno. */
int launch__new(struct launch *l, char **argv)
{
	int go[2], er[2];

	if (pipe2(go, O_CLOEXEC))
		return -errno;
	if (pipe2(er, O_CLOEXEC)) {
		int err = -errno;

		close(go[0]);
		close(go[1]);
		return err;
	}
	l->pid = fork();
	if (l->pid < 0) {
		int err = -errno;

		close(go[0]);
		close(go[1]);
		close(er[0]);
		close(er[1]);
		return err;
	}
	if (l->pid == 0) {
		close(go[1]);
		close(er[0]);
		child_run(go[0], er[1], argv);
	}
	close(go[0]);
	close(er[1]);
	l->go_fd = go[1];
	l->err_fd = er[0];
	return 0;
}

/* Release the child. Returns 0 once exec succeeded, or -errno of exec. */
int launch__go(struct launch *l)
{
	ssize_t n;
	int err;

	if (write(l->go_fd, "g", 1) != 1)
		return -errno;
	close(l->go_fd);
	l->go_fd = -1;
	n = read(l->err_fd, &err, sizeof(err));
	close(l->err_fd);
	l->err_fd = -1;
	if (n == sizeof(err)) {
		waitpid(l->pid, NULL, 0);
		return -err;
	}
	return 0;
}

/* Tracing could not start: let the parked child exit unrun and reap it. */
void launch__abort(struct launch *l)
{
	if (l->go_fd < 0)
		return;	/* already released: the command runs on its own */
	close(l->go_fd);
	close(l->err_fd);
	l->go_fd = -1;
	l->err_fd = -1;
	waitpid(l->pid, NULL, 0);
}
