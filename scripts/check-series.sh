#!/bin/bash
# Check that every patch of kernel-patch/ builds on its own: apply them
# one at a time to a fresh linux-source-6.12 tree and build bzImage after
# each (incrementally, with the VM config). Slow: about 25 minutes on
# 2 cores, so it is not part of `make test`. Env: TAMTRACE_CACHE, JOBS;
# FROM=NNNN applies the patches before NNNN without building them (a
# check resumed where an earlier one stopped).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${TAMTRACE_CACHE:-/var/cache/tamtrace}/series-check
JOBS=${JOBS:-$(($(nproc) + 1))}

rm -rf "$WORK"
mkdir -p "$WORK"
tar -xf /usr/src/linux-source-6.12.tar.xz -C "$WORK"
SRC=$WORK/linux-source-6.12
make -s -C "$SRC" O="$WORK/obj" tinyconfig > /dev/null
"$SRC"/scripts/kconfig/merge_config.sh -m -O "$WORK/obj" "$WORK/obj/.config" \
	"$ROOT/kernel-patch/vm.config" > /dev/null
failed=0
for p in "$ROOT"/kernel-patch/*.patch; do
	case $p in *-cover-letter.patch) continue ;; esac
	patch -d "$SRC" -p1 -s --forward < "$p"
	if [ -n "${FROM:-}" ] && [[ $(basename "$p") < $FROM ]]; then
		echo "--   $(basename "$p") (applied, not built: FROM=$FROM)"
		continue
	fi
	make -s -C "$SRC" O="$WORK/obj" olddefconfig > /dev/null
	start=$(date +%s)
	if make -s -C "$SRC" O="$WORK/obj" -j"$JOBS" bzImage > "$WORK/log" 2>&1; then
		echo "OK   $(basename "$p") ($(($(date +%s) - start)) s)"
	else
		echo "FAIL $(basename "$p")"
		tail -20 "$WORK/log"
		failed=1
	fi
done
rm -rf "$WORK"
exit $failed
