#!/bin/bash
# Boot the patched kernel under qemu (TCG) with an initramfs holding
# busybox, the selftests, tamtrace and the test scripts; print the
# guest's PASS/FAIL/SKIP lines, and fail on any kernel splat.
#
# Usage: tests/vm/run.sh [patched|stock]
#   patched: the tamalloc kernel (scripts/build-kernel.sh), results "vm:"
#   stock:   Debian's 6.1 (scripts/fetch-stock-kernel.sh), results "vm-6.1:"
# Env: VM_TIMEOUT (seconds, default 2700), OUTPUT (default build).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SUITE=${1:-patched}
OUT=$ROOT/${OUTPUT:-build}/vm-$SUITE
TIMEOUT=${VM_TIMEOUT:-2700}
case $SUITE in
patched)
	KDIR=$("$ROOT"/scripts/build-kernel.sh)
	BZIMAGE=$KDIR/bzImage
	LABEL=vm ;;
stock)
	KDIR=
	BZIMAGE=$("$ROOT"/scripts/fetch-stock-kernel.sh)
	LABEL=vm-6.1 ;;
*)
	echo "usage: $0 [patched|stock]" >&2
	exit 2 ;;
esac

# Lines of a kernel log that mean the kernel misbehaved.
SPLAT='WARNING:|BUG:|Oops|Kernel panic|possible recursive locking|possible circular locking|inconsistent lock state|sleeping function called from invalid context|INFO: task .* blocked|lockdep is turned off|detected stall|UBSAN|KASAN'

# Real programs from Debian for tests/realprog.sh, with their libraries
# at the same paths; the test skips what is missing.
copy_programs() {
	local b f
	for b in /usr/bin/sort /usr/bin/dd /usr/bin/xz /usr/bin/seq /usr/bin/tail; do
		[ -x "$b" ] || continue
		for f in "$b" $(ldd "$b" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }
					  $1 ~ /^\// { print $1 }'); do
			mkdir -p "$1$(dirname "$f")"
			cp -L "$f" "$1$f"
		done
	done
}

make_initramfs() {
	local dir=$OUT/root
	rm -rf "$dir"
	mkdir -p "$dir"/{bin,dev,proc,sys,tmp,etc} "$dir/tt/bin"
	cp /bin/busybox "$dir/bin/busybox"
	cp "$ROOT/tests/vm/init.sh" "$dir/init"
	chmod +x "$dir/init"
	[ -z "$KDIR" ] || cp "$KDIR/tamalloc_test" "$dir/tt/bin/"
	find "$ROOT/${OUTPUT:-build}" -maxdepth 1 -type f -perm -u+x \
		-exec cp {} "$dir/tt/bin/" \;
	mkdir -p "$dir/tt/tests"
	cp -r "$ROOT/tests/." "$dir/tt/tests/"
	copy_programs "$dir"
	(cd "$dir" && find . | cpio -o -H newc --quiet) | gzip -1 > "$OUT/initramfs.gz"
}

# thread=single runs both vCPUs in one host thread. With one thread per
# vCPU (MTTCG), the kernel's live patching of fentry call sites raced with
# the other vCPU's translated code here: "Oops: int3" at
# handle_mm_fault+5 on 6.12, a hang at handle_mm_fault+0 on 6.1.
# no5lvl: "-cpu max" offers 5-level paging, and with it the KASAN kernel
# took an early timer interrupt during identify_cpu() as a wild access
# in do_raw_spin_lock() (once in three boots of 6.12.118 here, before
# any test ran); 4-level paging is what the tests are about anyway.
run_qemu() {
	local start=$(date +%s)
	rm -f "$OUT/console.log" "$OUT/results.log"
	timeout "$TIMEOUT" qemu-system-x86_64 -accel tcg,thread=single -cpu max -smp 2 \
		-m 2048 -nographic -no-reboot -monitor none \
		-kernel "$BZIMAGE" -initrd "$OUT/initramfs.gz" \
		-append "console=ttyS0 panic=-1 oops=panic loglevel=7 no5lvl transparent_hugepage=madvise tt.suite=$SUITE" \
		-serial "file:$OUT/console.log" -serial "file:$OUT/results.log" \
		> "$OUT/qemu.log" 2>&1 || echo "vm: qemu exited with $?" >&2
	echo "# vm: ran in $(($(date +%s) - start)) s" >&2
}

mkdir -p "$OUT"
make_initramfs
run_qemu
tr -d '\r' < "$OUT/results.log" | grep -E '^(PASS|FAIL|SKIP|#) ' |
	sed "s/^\(PASS\|FAIL\|SKIP\) /\1 $LABEL:/" || true
if ! tr -d '\r' < "$OUT/results.log" | grep -q '^TT-DONE'; then
	echo "FAIL $LABEL:completed: the VM did not finish (see $OUT/console.log)"
	tail -20 "$OUT/console.log" >&2
fi
if grep -Eq "$SPLAT" "$OUT/console.log"; then
	echo "FAIL $LABEL:kernel-log-clean: kernel splat, see $OUT/console.log"
	grep -E -A5 "$SPLAT" "$OUT/console.log" | head -40 >&2
else
	echo "PASS $LABEL:kernel-log-clean"
fi
