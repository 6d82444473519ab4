#!/bin/bash
# Fetch Debian's stock 6.1 kernel (newest linux-image-6.1.0-N-amd64) and
# print the path of its bzImage. Cached like the patched kernel.
set -euo pipefail

CACHE=${TAMTRACE_CACHE:-/var/cache/tamtrace}
die() { echo "fetch-stock-kernel: $*" >&2; exit 1; }

pkg=$(apt-cache pkgnames linux-image-6.1.0- 2>/dev/null |
	grep -E '^linux-image-6\.1\.0-[0-9]+-amd64$' | sort -V | tail -1)
if [ -z "$pkg" ]; then
	apt-get update -qq >&2
	pkg=$(apt-cache pkgnames linux-image-6.1.0- |
		grep -E '^linux-image-6\.1\.0-[0-9]+-amd64$' | sort -V | tail -1)
fi
[ -n "$pkg" ] || die "no linux-image-6.1.0-*-amd64 package in the apt lists"
# The signed package only depends on the unsigned one, which has the image.
real=$pkg
apt-cache show "$pkg-unsigned" > /dev/null 2>&1 && real=$pkg-unsigned
dir=$CACHE/$real
if [ ! -f "$dir/bzImage" ]; then
	mkdir -p "$dir.tmp"
	(cd "$dir.tmp" && apt-get download -q "$real" >&2)
	dpkg -x "$dir.tmp"/*.deb "$dir.tmp/x"
	cp "$dir.tmp"/x/boot/vmlinuz-* "$dir.tmp/bzImage"
	rm -rf "$dir.tmp/x" "$dir.tmp"/*.deb "$dir"
	mv "$dir.tmp" "$dir"
	echo "fetch-stock-kernel: $real" >&2
fi
echo "$dir/bzImage"
