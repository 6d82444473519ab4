#!/bin/sh
# Regenerate vmlinux/vmlinux.h from the BTF of the patched test kernel
# (x86_64), or, with --check, verify that the committed file matches it.
# CO-RE relocates every access at load time, so one header built from
# the patched kernel serves every kernel tamtrace runs on.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
KDIR=$("$ROOT"/scripts/build-kernel.sh)
TMP=$(mktemp)
trap 'rm -f "$TMP"' EXIT

bpftool btf dump file "$KDIR/vmlinux" format c > "$TMP"
if [ "${1:-}" = "--check" ]; then
	if cmp -s "$TMP" "$ROOT/vmlinux/vmlinux.h"; then
		echo "vmlinux.h matches the patched kernel's BTF"
		exit 0
	fi
	echo "vmlinux.h is stale: run vmlinux/gen-vmlinux-h.sh" >&2
	exit 1
fi
mv "$TMP" "$ROOT/vmlinux/vmlinux.h"
trap - EXIT
echo "wrote vmlinux/vmlinux.h"
