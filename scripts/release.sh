#!/usr/bin/env bash
# The release tarball (`make release`):
#   scripts/release.sh STATIC_BINARY OUT_DIR
# writes OUT_DIR/calls-api-VERSION-linux-x86_64.tar.gz, VERSION being what
# the binary's --version says, unpacking to calls-api-VERSION/ with:
#   calls-api              the static binary (stripped)
#   htaccess-cgi           .htaccess for plain CGI (apache/htaccess-cgi)
#   htaccess-fcgid         .htaccess for mod_fcgid (apache/htaccess-fcgid)
#   calls-api.cnf.example  the option file to fill in
#   schema.sql             the tables (schema/10-tables.sql)
#   upgrade-filter-indexes.sql  the filter indexes and the one-call key
#                          calls_by_call_sid for tables made by an earlier
#                          release (schema/30-filter-indexes.sql)
#   openapi.yaml           the API's OpenAPI 3.1 document (doc/openapi.yaml)
#   SHARED-HOSTING.md      the README's "## Shared hosting in five minutes"
#                          section, up to the next "## " heading
# Files are owned by 0:0, dated by the last commit (or SOURCE_DATE_EPOCH),
# in name order, so that the same tree gives the same tarball.
set -euo pipefail

die() {
	echo "release: $*" >&2
	exit 1
}

[ $# -eq 2 ] || { sed -n '3s/^#   /usage: /p' "$0" >&2; exit 2; }
bin=$1
out=$2
top=$(cd "$(dirname "$0")/.." && pwd)
heading='## Shared hosting in five minutes'
readme=${CALLS_API_README:-$top/README.md}	# another README: for tests

[ -x "$bin" ] || die "no binary at $bin (make static)"
file "$bin" | grep -q 'statically linked' || die "$bin is not statically linked"
version=$("$bin" --version | sed -n '1s/^calls-api \([^ ]*\) .*/\1/p')
[ -n "$version" ] || die "$bin --version did not say its version"
name=calls-api-$version
tarball=$out/$name-linux-x86_64.tar.gz

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
dir=$stage/$name
mkdir "$dir"

strip -o "$dir/calls-api" "$bin"
install -m 0644 "$top/apache/htaccess-cgi" "$dir/htaccess-cgi"
install -m 0644 "$top/apache/htaccess-fcgid" "$dir/htaccess-fcgid"
install -m 0644 "$top/calls-api.cnf.example" "$dir/calls-api.cnf.example"
install -m 0644 "$top/schema/10-tables.sql" "$dir/schema.sql"
install -m 0644 "$top/schema/30-filter-indexes.sql" \
    "$dir/upgrade-filter-indexes.sql"
install -m 0644 "$top/doc/openapi.yaml" "$dir/openapi.yaml"
chmod 0755 "$dir/calls-api"

# The guide: the README section, without its own heading line's "#"s
# changed; missing or empty is an error, not an empty file.
awk -v h="$heading" '
	$0 == h { on = 1; print; next }
	on && /^## / { exit }
	on { print }
' "$readme" >"$dir/SHARED-HOSTING.md"
grep -qxF "$heading" "$dir/SHARED-HOSTING.md" ||
    die "$readme has no line '$heading': the release's SHARED-HOSTING.md comes from it"
[ "$(grep -c . "$dir/SHARED-HOSTING.md")" -gt 1 ] ||
    die "$readme: the section '$heading' is empty"
chmod 0644 "$dir/SHARED-HOSTING.md"

epoch=${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)}
mkdir -p "$out"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
    -C "$stage" -cf - "$name" | gzip -9n >"$tarball.tmp"
mv "$tarball.tmp" "$tarball"
echo "release: $tarball"
