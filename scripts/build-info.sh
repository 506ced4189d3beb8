#!/usr/bin/env bash
# The build's facts as a C header: the version (`git describe --tags
# --always --dirty`; without git, the first line of a VERSION file at the
# top of the tree; else "unknown") and libfcgi's Debian package version
# (libfcgi has no version API). The file is rewritten only when its text
# changes, so that make rebuilds only then.
#   scripts/build-info.sh OUT_HEADER
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: scripts/build-info.sh OUT_HEADER" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
out=$1

version=$(git -C "$top" describe --tags --always --dirty 2>/dev/null || true)
if [ -z "$version" ] && [ -f "$top/VERSION" ]; then
	version=$(head -n 1 "$top/VERSION")
fi
fcgi=$(dpkg-query -W -f='${Version}' libfcgi-dev 2>/dev/null || true)
# The strings go into C literals and a file name: keep them plain.
version=$(printf '%s' "${version:-unknown}" | tr -c 'A-Za-z0-9._+~-' '_')
fcgi=$(printf '%s' "${fcgi:-unknown}" | tr -c 'A-Za-z0-9._+~:-' '_')

text="/* Written by scripts/build-info.sh; do not edit. */
#define CALLS_API_VERSION \"$version\"
#define CALLS_API_FCGI_VERSION \"$fcgi\""
if [ ! -f "$out" ] || [ "$(cat "$out")" != "$text" ]; then
	printf '%s\n' "$text" >"$out.tmp"
	mv "$out.tmp" "$out"
fi
