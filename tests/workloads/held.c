// SPDX-License-Identifier: GPL-2.0
/*
 * held: the kernel's own fault count of a command, as an oracle for
 * tamtrace. Forks the command's process and holds it before exec; writes
 * "pid N" to the info file; on SIGUSR1 lets it run; when it is done,
 * appends "minflt N", "majflt N" and "status N": what wait4() says the
 * process and the children it waited for took, less what the process had
 * taken before it was let go.
 *
 * Usage: held INFO CMD [ARG...]
 * Trace it with: tamtrace -f -p $(pid from INFO), then kill -USR1 held.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "held: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* The child: note the faults so far, wait for the go byte, exec. */
static void child(int go, int report, char **argv)
{
	struct rusage before;
	char c;

	/* Before the wait: what follows, tamtrace sees too */
	getrusage(RUSAGE_SELF, &before);
	if (read(go, &c, 1) != 1)
		_exit(126);
	if (write(report, &before, sizeof(before)) != sizeof(before))
		_exit(126);
	execvp(argv[0], argv);
	fprintf(stderr, "held: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static void write_info(const char *path, const char *mode, const char *line)
{
	FILE *f = fopen(path, mode);

	if (!f || fputs(line, f) == EOF || fclose(f))
		die(path);
}

int main(int argc, char **argv)
{
	int go[2], report[2], status, sig;
	struct rusage before, after;
	char line[160];
	sigset_t set;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: held INFO CMD [ARG...]\n");
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (pipe2(go, O_CLOEXEC) || pipe2(report, O_CLOEXEC))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		child(go[0], report[1], argv + 2);
	}
	close(go[0]);
	close(report[1]);
	snprintf(line, sizeof(line), "pid %d\n", pid);
	write_info(argv[1], "w", line);
	if (sigwait(&set, &sig))
		die("sigwait");
	if (write(go[1], "x", 1) != 1)
		die("write");
	if (read(report[0], &before, sizeof(before)) != sizeof(before))
		memset(&before, 0, sizeof(before));	/* died before exec */
	if (wait4(pid, &status, 0, &after) < 0)
		die("wait4");
	snprintf(line, sizeof(line), "minflt %ld\nmajflt %ld\nstatus %d\n",
		 after.ru_minflt - before.ru_minflt,
		 after.ru_majflt - before.ru_majflt,
		 WIFEXITED(status) ? WEXITSTATUS(status) :
				     128 + WTERMSIG(status));
	write_info(argv[1], "a", line);
	return 0;
}
