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

$(OUTPUT)/escape_test: tests/unit/escape_test.c src/report/escape.c \
		src/report/escape.h | $(OUTPUT)
	$(CC) $(CPPFLAGS) $(CFLAGS) -static $(filter %.c,$^) -o $@

all: $(OUTPUT)/maps_test

$(OUTPUT)/maps_test: tests/unit/maps_test.c src/core/regions.c \
		src/core/procstats.c src/core/regions.h | $(OUTPUT)
	$(CC) $(CPPFLAGS) $(CFLAGS) -static $(filter %.c,$^) -o $@

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
