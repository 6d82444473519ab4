#!/bin/sh
# Install the Debian 12 packages tamtrace needs to build, test and bench.
# Idempotent: skips apt when every package is already present.
set -eu

PKGS="build-essential make gcc git bc bison flex cpio zstd xz-utils kmod
libelf-dev zlib1g-dev libzstd-dev libssl-dev libbpf-dev linux-libc-dev
clang-19 llvm-19 bpftool pahole linux-source-6.12
qemu-system-x86 busybox-static bpftrace python3 chromium time linux-perf
scdoc mandoc man-db lintian bash-completion dpkg-dev libcap2-bin
golang-go
libmicrohttpd-dev prometheus prometheus-node-exporter tmux"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
# npm (speedscope for tests/formats.sh): Debian's, unless a nodejs that
# bundles its own (and conflicts with Debian's) is installed.
command -v npm > /dev/null || missing="$missing npm"
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
