#!/usr/bin/env bash
# Installs ECharts (Apache-2.0) for the dashboard from the npm registry: the package tarball, checked against
# its pinned SHA-256, of which only dist/echarts.min.js is kept. The dashboard's pages load this local copy;
# nothing is fetched from a CDN when they are viewed. Skipped when the file is already there.
set -euo pipefail

VERSION=6.1.0
SHA256=681aff88cc1038c3fa941a3a53d1b177a52250b05335efc607d6105ae13be481
DEST=${1:-omniwh/dashboard/static/vendor/echarts.min.js}
STAMP="$DEST.$VERSION"

if [ -f "$DEST" ] && [ -f "$STAMP" ]; then
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "echarts@$VERSION" --silent >/dev/null)
echo "$SHA256  $tmp/echarts-$VERSION.tgz" | sha256sum --check --quiet
tar -xzf "$tmp/echarts-$VERSION.tgz" -C "$tmp" package/dist/echarts.min.js
mkdir -p "$(dirname "$DEST")"
rm -f "$DEST".*
cp "$tmp/package/dist/echarts.min.js" "$DEST"
touch "$STAMP"
echo "installed echarts $VERSION into $DEST"
