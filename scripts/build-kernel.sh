#!/bin/bash
# Build the patched 6.12 test kernel from Debian's linux-source-6.12, plus
# its uapi headers and the tamalloc selftests, into a cache outside the
# clone. The cache key hashes the source version, the patch series and the
# config fragment, so a second run with the same inputs builds nothing.
#
# Prints the cache directory on stdout. Env: TAMTRACE_CACHE, JOBS.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARBALL=/usr/src/linux-source-6.12.tar.xz
CACHE=${TAMTRACE_CACHE:-/var/cache/tamtrace}
JOBS=${JOBS:-$(($(nproc) + 1))}
FRAG=$ROOT/kernel-patch/vm.config

die() { echo "build-kernel: $*" >&2; exit 1; }

[ -r "$TARBALL" ] || die "$TARBALL missing: run scripts/install-deps.sh"

# The series, without its cover letter (0000-cover-letter.patch, no diff).
patches() {
	local p
	for p in "$ROOT"/kernel-patch/*.patch; do
		case $p in *-cover-letter.patch) ;; *) echo "$p" ;; esac
	done
}

key() {
	dpkg-query -W -f='${Version}\n' linux-source-6.12
	patches | xargs cat
	cat "$FRAG"
}
KEY=$(key | sha256sum | cut -c1-16)
OUT=$CACHE/kernel-$KEY

if [ -f "$OUT/bzImage" ]; then
	echo "build-kernel: cached kernel $OUT" >&2
	echo "$OUT"
	exit 0
fi

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9

WORK=$CACHE/work-$KEY
rm -rf "$WORK"
mkdir -p "$WORK"
echo "build-kernel: extracting $TARBALL" >&2
tar -xf "$TARBALL" -C "$WORK"
SRC=$WORK/linux-source-6.12
OBJ=$WORK/obj

for p in $(patches); do
	patch -d "$SRC" -p1 -s --forward < "$p" || die "patch failed: $p"
done

make -s -C "$SRC" O="$OBJ" tinyconfig >/dev/null
"$SRC"/scripts/kconfig/merge_config.sh -m -O "$OBJ" "$OBJ/.config" "$FRAG" >/dev/null
make -s -C "$SRC" O="$OBJ" olddefconfig >/dev/null
# A fragment option that kconfig dropped (unmet dependency) is a bug here.
grep -o '^CONFIG_[A-Z0-9_]*=[^ ]*' "$FRAG" | while read -r opt; do
	grep -qx "$opt" "$OBJ/.config" || die "config option not applied: $opt"
done

echo "build-kernel: building bzImage with $JOBS jobs" >&2
start=$(date +%s)
make -s -C "$SRC" O="$OBJ" -j"$JOBS" bzImage headers >&2
echo "build-kernel: kernel built in $(($(date +%s) - start)) s" >&2

ST=$SRC/tools/testing/selftests
gcc -static -Wall -O2 -isystem "$OBJ/usr/include" -I "$ST" \
	-o "$WORK/tamalloc_test" "$ST/tamalloc/tamalloc_test.c"

mkdir -p "$OUT.tmp"
cp "$OBJ/arch/x86/boot/bzImage" "$OBJ/vmlinux" "$OBJ/.config" \
	"$WORK/tamalloc_test" "$OUT.tmp/"
cp -r "$OBJ/usr/include" "$OUT.tmp/include"
rm -rf "$OUT" "$WORK"
mv "$OUT.tmp" "$OUT"
echo "$OUT"
