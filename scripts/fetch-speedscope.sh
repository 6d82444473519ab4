#!/bin/sh
# Install speedscope (the flame graph viewer the folded-stacks test opens
# in headless Chromium) from the npm registry into a cache directory, once
# per version, and print the directory of its static build (index.html).
# Usage: scripts/fetch-speedscope.sh [CACHE_DIR]
set -eu

VERSION=1.25.0
CACHE=${1:-/var/cache/tamtrace}/speedscope-$VERSION
DIST=$CACHE/node_modules/speedscope/dist/release

if [ ! -f "$DIST/index.html" ]; then
	command -v npm > /dev/null || {
		echo "fetch-speedscope: npm not found" >&2
		exit 1
	}
	mkdir -p "$CACHE"
	# --ignore-scripts: a viewer's files are all we need, nothing runs.
	npm install --silent --no-audit --no-fund --ignore-scripts \
		--prefix "$CACHE" "speedscope@$VERSION" >&2
fi
[ -f "$DIST/index.html" ] || {
	echo "fetch-speedscope: no $DIST/index.html after npm install" >&2
	exit 1
}
echo "$DIST"
