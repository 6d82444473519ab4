// SPDX-License-Identifier: GPL-2.0
/*
 * faulter: touch a known set of pages in a known order, so that tests
 * can compare what the tracer saw with what happened. Page i of the
 * region is read-first (i % 3 == 0), write-first (1), or read then
 * written (2). THP is disabled on the region so each page faults alone.
 * The region is anonymous, or with --file PATH a shared mapping of PATH,
 * so that tests can give the tracer a file name of their choosing.
 *
 * The region's kind, address and size go to --info FILE, before any
 * page is touched. With --rounds R the region is unmapped and mapped
 * again R - 1 times, each round touched anew (after its own SIGUSR1
 * with --wait), so benchmarks can compare rounds of one process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define NR_TAMALLOC 551

static volatile sig_atomic_t go;

static void on_usr1(int sig)
{
	(void)sig;
	go = 1;
}

static void usage(void)
{
	fprintf(stderr,
		"Usage: faulter [--tamalloc|--mmap|--file PATH] [--pages N]\n"
		"               [--threads T] [--spare N] [--info FILE]\n"
		"               [--wait] [--rounds R] [--done FILE] [--uffd US]\n"
		"  --spare N   reserve N more pages that are never touched\n"
		"  --done FILE create FILE once every page was touched\n"
		"  --uffd US   resolve each first touch via userfaultfd after US us\n"
		"  --tamalloc  allocate with syscall 551 (fails if absent)\n"
		"  --mmap      allocate with mmap (default: tamalloc if present)\n"
		"  --file PATH map PATH shared, created anew and sized to the\n"
		"              region (kind file), emptied again each round\n"
		"  --wait      write the info file, then wait for SIGUSR1\n"
		"  --rounds R  map and touch the region R times (with --wait:\n"
		"              one SIGUSR1 per round); one elapsed_ns line each\n");
	exit(2);
}

static char *alloc_region(size_t len, const char **kind, int want)
{
	long r;
	char *p;

	if (want != 'm') {
		r = syscall(NR_TAMALLOC, len);
		if (r >= 0 || r < -4095) {
			*kind = "tamalloc";
			return (char *)r;
		}
		if (want == 't') {
			fprintf(stderr, "faulter: tamalloc: %s\n", strerror(errno));
			exit(1);
		}
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("faulter: mmap");
		exit(1);
	}
	*kind = "mmap";
	return p;
}

/* --file: PATH mapped shared, emptied and sized to @len so pages are new. */
static char *map_file(const char *path, size_t len, const char **kind)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	char *p;

	/* Not the path in the message: it may hold any byte. */
	if (fd < 0 || ftruncate(fd, len)) {
		fprintf(stderr, "faulter: --file: %s\n", strerror(errno));
		exit(1);
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("faulter: mmap --file");
		exit(1);
	}
	close(fd);
	*kind = "file";
	return p;
}

/* A region of @len bytes, without THP so that each page faults alone. */
static char *new_region(size_t len, const char **kind, int want,
			const char *file)
{
	char *p = file ? map_file(file, len, kind) :
			 alloc_region(len, kind, want);

	madvise(p, len, MADV_NOHUGEPAGE);
	return p;
}

struct slice {
	volatile char *p;
	long pages;
	long ps;
	int oracle;	/* note which accesses faulted, in oracle_seq */
};

/*
 * --oracle: the kernel's own count of this thread's minor and major
 * faults around each access says which ones faulted, so tests compare
 * the tracer with the kernel, not with what we expect of it (a kernel
 * may, for instance, map a real page on a read instead of the zero page).
 */
static char oracle_seq[1 << 16];

static long thread_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_minflt + ru.ru_majflt;
}

static void note(struct slice *sl, long before, long i, const char *what)
{
	size_t n = strlen(oracle_seq);

	if (sl->oracle && thread_faults() > before)
		snprintf(oracle_seq + n, sizeof(oracle_seq) - n, "%ld:%s ", i,
			 what);
}

static __attribute__((noinline)) void *touch(void *arg)
{
	struct slice *sl = arg;
	char sink = 0;
	long i, before;

	thread_faults();	/* its own first-call faults happen now */
	for (i = 0; i < sl->pages; i++) {
		volatile char *page = sl->p + i * sl->ps;

		before = sl->oracle ? thread_faults() : 0;
		if (i % 3 != 1) {
			sink += *page;
			note(sl, before, i, "read");
			before = sl->oracle ? thread_faults() : 0;
		}
		if (i % 3 != 0) {
			*page = 1;
			note(sl, before, i, "write");
		}
	}
	return (void *)(long)sink;
}

/* The main thread touches slice 0 (so -t PID sees it), threads the rest. */
static void run_threads(char *p, long pages, long ps, int threads,
			int oracle)
{
	struct slice sl[64];
	pthread_t tid[64];
	int k;

	for (k = 0; k < threads; k++)
		sl[k] = (struct slice){ p + k * pages * ps, pages, ps,
					oracle && !k };
	for (k = 1; k < threads; k++)
		if (pthread_create(&tid[k], NULL, touch, &sl[k]))
			exit(1);
	touch(&sl[0]);
	for (k = 1; k < threads; k++)
		pthread_join(tid[k], NULL);
}

static void write_info(const char *path, const char *kind, char *p,
		       size_t len, long pages)
{
	FILE *f = path ? fopen(path, "w") : stderr;

	if (!f) {
		perror("faulter: info file");
		exit(1);
	}
	fprintf(f, "pid %d\nkind %s\naddr %lu\nlen %zu\npages %ld\n",
		getpid(), kind, (unsigned long)p, len, pages);
	if (f != stderr)
		fclose(f);
}

/*
 * --uffd US: a userfaultfd handler thread resolves every missing page of
 * the region after US microseconds, so each first touch is a fault that
 * the kernel retries (VM_FAULT_RETRY, then FAULT_FLAG_TRIED).
 */
struct uffd_ctx {
	int fd;
	long delay_us;
	long ps;
};

static void *uffd_handler(void *arg)
{
	struct uffd_ctx *u = arg;
	struct uffd_msg msg;
	struct uffdio_copy copy;
	static char zero[1 << 16];

	for (;;) {
		if (read(u->fd, &msg, sizeof(msg)) != sizeof(msg))
			return NULL;
		if (msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		usleep(u->delay_us);
		copy = (struct uffdio_copy){
			.dst = msg.arg.pagefault.address & ~(u->ps - 1),
			.src = (unsigned long)zero,
			.len = u->ps,
		};
		if (ioctl(u->fd, UFFDIO_COPY, &copy) && errno != EEXIST)
			exit(5);
	}
}

static void start_uffd(void *p, size_t len, long delay_us, long ps)
{
	static struct uffd_ctx u;
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.range = { .start = (unsigned long)p, .len = len },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	pthread_t t;

	u.fd = syscall(SYS_userfaultfd, O_CLOEXEC);
	u.delay_us = delay_us;
	u.ps = ps;
	if (u.fd < 0 || ioctl(u.fd, UFFDIO_API, &api) ||
	    ioctl(u.fd, UFFDIO_REGISTER, &reg) ||
	    pthread_create(&t, NULL, uffd_handler, &u)) {
		perror("faulter: userfaultfd");
		exit(4);
	}
}

/* The touch loop's own duration, for benchmarks: "elapsed_ns N". */
/* One "KEY VALUE" line more in the info file. */
static void append_line(const char *path, const char *key, const char *val)
{
	FILE *f = path ? fopen(path, "a") : NULL;

	if (!f)
		return;
	fprintf(f, "%s %s\n", key, val);
	fclose(f);
}

static void append_elapsed(const char *path, long long ns)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", ns);
	append_line(path, "elapsed_ns", buf);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tamalloc", no_argument, NULL, 't' },
		{ "mmap", no_argument, NULL, 'm' },
		{ "pages", required_argument, NULL, 'n' },
		{ "info", required_argument, NULL, 'i' },
		{ "wait", no_argument, NULL, 'w' },
		{ "threads", required_argument, NULL, 'T' },
		{ "spare", required_argument, NULL, 's' },
		{ "done", required_argument, NULL, 'D' },
		{ "uffd", required_argument, NULL, 'U' },
		{ "rounds", required_argument, NULL, 'R' },
		{ "file", required_argument, NULL, 'F' },
		{ "oracle", no_argument, NULL, 'O' },
		{},
	};
	long pages = 30, ps = sysconf(_SC_PAGESIZE);
	const char *info = NULL, *kind;
	int c, want = 0, wait_sig = 0, threads = 1, oracle = 0;
	long spare = 0;
	const char *done = NULL, *file = NULL;
	long uffd_us = -1, rounds = 1, r;
	struct timespec t0, t1;
	sigset_t usr1, old;
	volatile char *p;
	size_t len;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't': case 'm': want = c; break;
		case 'n': pages = atol(optarg); break;
		case 'i': info = optarg; break;
		case 'w': wait_sig = 1; break;
		case 'T': threads = atoi(optarg); break;
		case 's': spare = atol(optarg); break;
		case 'D': done = optarg; break;
		case 'U': uffd_us = atol(optarg); break;
		case 'R': rounds = atol(optarg); break;
		case 'F': file = optarg; break;
		case 'O': oracle = 1; break;
		default: usage();
		}
	}
	if (pages <= 0 || threads < 1 || threads > 64 || spare < 0 ||
	    rounds < 1 || (rounds > 1 && uffd_us >= 0) || (file && want))
		usage();
	len = (pages * threads + spare) * ps;
	signal(SIGUSR1, on_usr1);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	p = new_region(len, &kind, want, file);
	if (uffd_us >= 0)
		start_uffd((void *)p, len, uffd_us, ps);
	write_info(info, kind, (char *)p, len, pages);
	for (r = 0; r < rounds; r++) {
		if (r) {
			munmap((void *)p, len);
			p = new_region(len, &kind, want, file);
		}
		while (wait_sig && !go)
			sigsuspend(&old);
		go = 0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		run_threads((char *)p, pages, ps, threads, oracle && !r);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		append_elapsed(info, (t1.tv_sec - t0.tv_sec) * 1000000000LL +
				     (t1.tv_nsec - t0.tv_nsec));
	}
	if (oracle)
		append_line(info, "faulted", oracle_seq);
	if (done)
		fclose(fopen(done, "w"));
	return 0;
}
