#!/bin/sh
# build-deb.sh ROOT OUTDIR: turn ROOT (make install DESTDIR=ROOT
# PREFIX=/usr) into OUTDIR/tamtrace_VERSION_ARCH.deb with dpkg-deb, the
# way debhelper would: stripped binary, compressed man page and
# changelog, md5sums, root-owned files. `make deb` runs it.
set -eu
ROOT=$1
OUT=$2
TOP=$(cd "$(dirname "$0")/.." && pwd)
PKG=tamtrace
DOC=$ROOT/usr/share/doc/$PKG

# The Debian version from pkg/changelog; its upstream part must be the
# VERSION file's, the one source of the tool's version.
ver=$(dpkg-parsechangelog -l "$TOP/pkg/changelog" -S Version)
if [ "${ver%-*}" != "$(cat "$TOP/VERSION")" ]; then
	echo "build-deb: pkg/changelog is at $ver, VERSION at" \
		"$(cat "$TOP/VERSION"): add a changelog entry" >&2
	exit 1
fi
arch=$(dpkg --print-architecture)

# What debhelper does: strip (dh_strip), compress (dh_compress).
strip --remove-section=.comment --remove-section=.note \
	"$ROOT/usr/sbin/$PKG"
gzip -9n "$ROOT/usr/share/man/man8/$PKG.8" "$DOC/README.md"
gzip -9nc "$TOP/pkg/changelog" > "$DOC/changelog.Debian.gz"
install -D -m 0644 "$TOP/pkg/lintian-overrides" \
	"$ROOT/usr/share/lintian/overrides/$PKG"

# The binary is static: no shared library to depend on. Built-Using
# names the sources of what it links statically (Policy 7.8).
built_using=$(dpkg-query -W -f='${source:Package} (= ${source:Version}), ' \
	libbpf-dev libelf-dev zlib1g-dev libzstd-dev libc6-dev)
built_using=${built_using%, }
# Installed-Size as dpkg-gencontrol counts it: KiB per file, rounded up.
size=$(find "$ROOT" -path "$ROOT/DEBIAN" -prune -o \( -type f -o -type l \) \
	-printf '%s\n' | awk '{ k += int(($1 + 1023) / 1024) } END { print k }')

mkdir -p "$ROOT/DEBIAN"
sed -e "s/@VERSION@/$ver/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" \
	-e "s/@BUILT_USING@/$built_using/" "$TOP/pkg/control.in" \
	> "$ROOT/DEBIAN/control"
(cd "$ROOT" && find usr -type f | LC_ALL=C sort | xargs md5sum) \
	> "$ROOT/DEBIAN/md5sums"

# Permissions whatever the umask was; owner root via --root-owner-group.
find "$ROOT" -type d -exec chmod 0755 {} +
find "$ROOT" -type f -exec chmod 0644 {} +
chmod 0755 "$ROOT/usr/sbin/$PKG"

deb=$OUT/${PKG}_${ver}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$ROOT" "$deb" >/dev/null
echo "$deb"
