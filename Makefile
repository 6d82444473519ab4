# tamtrace: build the tracer, the test workloads, the patched kernel, and
# run the tests. `make help` lists the targets.

OUTPUT ?= build
CLANG ?= clang-19
LLVM_STRIP ?= llvm-strip-19
BPFTOOL ?= bpftool
CC ?= gcc
ARCH := x86

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wno-missing-field-initializers
CPPFLAGS += -I$(OUTPUT) -Ibpf -Isrc/core -Isrc/report -Isrc/cmd
# Static, so the same binary runs on the host and inside the test VMs.
LDFLAGS += -static
LDLIBS += -lbpf -lelf -lz -lzstd -lm
# serve: libmicrohttpd, static, without TLS (src/core/notls.c).
LDLIBS += -lmicrohttpd -lpthread

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	-Ivmlinux -Ibpf

# src/core: session, modes, tracer, launch, probe; src/cmd: subcommands;
# src/report: writers of events, histograms, heatmap, stacks.
TOOL_SRCS := $(wildcard src/*.c src/*/*.c)
TOOL_OBJS := $(patsubst src/%.c,$(OUTPUT)/obj/%.o,$(TOOL_SRCS))
TOOL_HDRS := $(wildcard src/*/*.h) bpf/tamtrace.h bpf/hist.h bpf/serve.h
WORKLOADS := $(patsubst tests/workloads/%.c,$(OUTPUT)/%,$(wildcard tests/workloads/*.c))

.SECONDARY:
.PHONY: all clean deps kernel vm-test test host-test demo bench bench-smoke help check-vmlinux
.PHONY: install uninstall deb FORCE

all: $(OUTPUT)/tamtrace $(WORKLOADS)

help:
	@echo "make            build tamtrace and the test workloads into $(OUTPUT)/"
	@echo "make kernel     build (or reuse from cache) the patched 6.12 kernel"
	@echo "make vm-test    boot the patched kernel in qemu and run the VM tests"
	@echo "make host-test  run the tracer tests on the running kernel (root)"
	@echo "make test       host-test + vm-test, ends with 'N passed, N failed'"
	@echo "make demo       trace the demo workload on the running kernel"
	@echo "make bench      benchmarks on the running kernel -> bench/results.md"
	@echo "make clean      remove $(OUTPUT)/"
	@echo "make install    install to \$$DESTDIR\$$PREFIX (default /usr/local)"
	@echo "make deb        build $(OUTPUT)/tamtrace_VERSION_ARCH.deb"

$(OUTPUT):
	mkdir -p $@

$(OUTPUT)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) vmlinux/vmlinux.h | $(OUTPUT)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(LLVM_STRIP) -g $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $*_bpf > $@

$(TOOL_OBJS): $(OUTPUT)/obj/%.o: src/%.c $(TOOL_HDRS) $(OUTPUT)/tamtrace.skel.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(OUTPUT)/tamtrace: $(TOOL_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

# The version: the VERSION file is the one source; in a checkout, git
# describe adds the commit. Rewritten only when it changes.
VERSION := $(shell cat VERSION)
GIT_DESC := $(shell git describe --always --dirty 2>/dev/null)

$(OUTPUT)/build_version.h: FORCE | $(OUTPUT)
	@printf '#define TT_VERSION "%s"\n#define TT_GIT "%s"\n' \
		'$(VERSION)' '$(GIT_DESC)' > $@.tmp
	@cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@

$(OUTPUT)/obj/core/version.o: $(OUTPUT)/build_version.h

$(OUTPUT)/%: tests/workloads/%.c | $(OUTPUT)
	$(CC) $(CFLAGS) -fno-omit-frame-pointer -static -pthread -Isrc $< -o $@

# The stacks tests' short-lived program: a dynamic PIE with frame
# pointers and a build id, as most distribution binaries are.
all: $(OUTPUT)/stackpie

$(OUTPUT)/stackpie: tests/workloads/pie/stackpie.c | $(OUTPUT)
	$(CC) -g -O0 -fno-omit-frame-pointer -fPIE -pie -Wl,--build-id \
		-Wall -Werror $< -o $@

# Unit tests: static like the workloads, each linked with what it tests.
all: $(OUTPUT)/escape_test

$(OUTPUT)/escape_test: tests/unit/escape_test.c src/report/escape.c src/report/fmt.h \
		src/report/escape.h | $(OUTPUT)
	$(CC) $(CPPFLAGS) $(CFLAGS) -static $(filter %.c,$^) -o $@

all: $(OUTPUT)/maps_test

$(OUTPUT)/maps_test: tests/unit/maps_test.c src/core/regions.c \
		src/core/procstats.c src/core/regions.h | $(OUTPUT)
	$(CC) $(CPPFLAGS) $(CFLAGS) -static $(filter %.c,$^) -o $@

all: $(OUTPUT)/pprof_test

$(OUTPUT)/pprof_test: tests/unit/pprof_test.c src/report/pprof.c \
		src/core/names.c src/report/pprof.h src/report/stacks.h | $(OUTPUT)
	$(CC) $(CPPFLAGS) $(CFLAGS) -static $(filter %.c,$^) -lz -o $@

# Linked with the tool's objects (the sink needs the session's helpers).
all: $(OUTPUT)/perfetto_test

$(OUTPUT)/perfetto_test: tests/unit/perfetto_test.c \
		$(filter-out $(OUTPUT)/obj/main.o,$(TOOL_OBJS))
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

deps:
	scripts/install-deps.sh

kernel: deps
	scripts/build-kernel.sh

check-vmlinux:
	vmlinux/gen-vmlinux-h.sh --check

host-test: deps
	$(MAKE) all
	tests/run-host.sh

vm-test: deps
	$(MAKE) all
	tests/vm/run.sh

# The README's test command: installs, builds, runs everything.
test: deps
	$(MAKE) all
	tests/run.sh

# The bench's own binaries: the floor (empty programs on the fault hook,
# with their loader) and a workload that read-faults 16 GiB for no memory.
BENCH_BINS := $(OUTPUT)/bench-floor $(OUTPUT)/bench-bigtouch

$(OUTPUT)/floor.bpf.o: bench/floor.bpf.c vmlinux/vmlinux.h | $(OUTPUT)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(LLVM_STRIP) -g $@

$(OUTPUT)/bench-floor: bench/floor.c $(OUTPUT)/floor.skel.h
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< $(LDLIBS) -o $@

$(OUTPUT)/bench-bigtouch: bench/bigtouch.c | $(OUTPUT)
	$(CC) $(CFLAGS) -static $< -o $@

# make bench RUNS=N SOAK=SEC: turns of the timed rounds (default 21) and
# the soak's seconds (default 600); the smoke run's are fixed and short.
bench: deps
	$(MAKE) all $(BENCH_BINS)
	bench/run.sh

bench-smoke: all $(BENCH_BINS)
	bench/run.sh --smoke

# The README's main command: trace the demo workload on this machine.
demo: deps
	$(MAKE) all
	scripts/demo.sh

clean:
	rm -rf $(OUTPUT)

# The man page, from one scdoc source (doc/tidy.awk drops the no-op
# paragraph macros mandoc -T lint warns about), dated by the release's
# pkg/changelog entry rather than the build.
all: $(OUTPUT)/tamtrace.8

$(OUTPUT)/tamtrace.8: doc/tamtrace.8.scd doc/tidy.awk pkg/changelog | $(OUTPUT)
	t=$$(dpkg-parsechangelog -l pkg/changelog -S Timestamp); \
	SOURCE_DATE_EPOCH=$${t:-$$(date +%s)} scdoc < $< > $@.tmp
	awk -f doc/tidy.awk $@.tmp > $@ || { rm -f $@; exit 1; }
	rm -f $@.tmp

# make install PREFIX=/usr/local DESTDIR=: the binary in sbin (it needs
# CAP_BPF + CAP_PERFMON), the man page, bash completion and the docs.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/tamtrace
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
INSTALLED := $(SBINDIR)/tamtrace $(MANDIR)/man8/tamtrace.8 \
	$(BASHCOMPDIR)/tamtrace $(DOCDIR)/README.md $(DOCDIR)/copyright

install: $(OUTPUT)/tamtrace $(OUTPUT)/tamtrace.8
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(DOCDIR)
	install -m 0755 $(OUTPUT)/tamtrace $(DESTDIR)$(SBINDIR)/tamtrace
	install -m 0644 $(OUTPUT)/tamtrace.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 completion/tamtrace.bash \
		$(DESTDIR)$(BASHCOMPDIR)/tamtrace
	install -m 0644 README.md pkg/copyright $(DESTDIR)$(DOCDIR)/

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(DOCDIR)

# make deb: make install into a staging root, then the package's own
# files (pkg/) and dpkg-deb.
DEB_ROOT := $(abspath $(OUTPUT))/deb-root

deb: $(OUTPUT)/tamtrace $(OUTPUT)/tamtrace.8
	rm -rf $(DEB_ROOT)
	$(MAKE) install DESTDIR=$(DEB_ROOT) PREFIX=/usr
	scripts/build-deb.sh $(DEB_ROOT) $(OUTPUT)
