#!/usr/bin/env bash
# MariaDB Connector/C as a static library with the authentication plugins
# that matter built in (caching_sha2_password, client_ed25519,
# sha256_password, mysql_native_password), OpenSSL and zlib, for the
# statically linked release binary (`make static`).
#   scripts/connector-c.sh build     fetch, verify, build (cached); prints
#                                    the install prefix on stdout
#   scripts/connector-c.sh prefix    the install prefix (exit 1: not built)
#
# Debian 12 has no mariadb-connector-c source package: Connector/C is the
# libmariadb/ directory of source package `mariadb`. It is fetched from
# the Debian mirror with a private apt configuration (the system's
# /etc/apt is not touched), pinned by version and by the sha256 of both
# tarballs. Debian's patches are checked: none of the pinned version's
# touch libmariadb/, and the build stops if a moved pin brings one that
# does (apply it here then).
#
# Moving the pin (e.g. after a Debian point release removed this version
# from the mirror): set PIN_VERSION to a version that
#   apt-cache showsrc mariadb   (with a deb-src entry for bookworm)
# lists, fetch it once, and set PIN_ORIG_SHA256 and PIN_DEBIAN_SHA256 to
# the sha256sum of its .orig.tar.gz and .debian.tar.xz (the Checksums-
# Sha256 lines of its .dsc say the same).
#
# Everything lives outside the checkout, in $CALLS_API_CACHE (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/calls-api): downloads, the build, the
# installed library. A second run with the same pin and flags does nothing.
# Build output goes to a log file that a failure names.
set -euo pipefail

PIN_VERSION='1:10.11.18-0+deb12u1'
PIN_ORIG_SHA256='a46852c68075be7c31c7b33fee233c5b5a00c8c28117f5204d124e4f2fd56fa8'
PIN_DEBIAN_SHA256='b5e013be56bb9ff2d2bc3e18920686370e65fbfe38c040185f9044a09ed9ea76'
MIRROR='http://deb.debian.org/debian'
SUITE='bookworm'

# The Connector/C build: only the static library, plugins static or off.
CMAKE_FLAGS=(
	-DCMAKE_BUILD_TYPE=Release
	-DCMAKE_C_FLAGS='-O2 -fPIE -fstack-protector-strong -D_FORTIFY_SOURCE=2'
	# As in the server tree (a subproject there): a new compiler warning
	# is not a failed release build.
	-DCMAKE_COMPILE_WARNING_AS_ERROR=OFF
	-DWITH_SSL=OPENSSL
	-DWITH_EXTERNAL_ZLIB=ON
	-DWITH_UNIT_TESTS=OFF
	-DWITH_CURL=OFF
	-DWITH_DOCS=OFF
	-DWITH_MYSQLCOMPAT=OFF
	-DCLIENT_PLUGIN_CACHING_SHA2_PASSWORD=STATIC
	-DCLIENT_PLUGIN_CLIENT_ED25519=STATIC
	-DCLIENT_PLUGIN_SHA256_PASSWORD=STATIC
	-DCLIENT_PLUGIN_MYSQL_NATIVE_PASSWORD=STATIC
	-DCLIENT_PLUGIN_MYSQL_CLEAR_PASSWORD=STATIC
	-DCLIENT_PLUGIN_DIALOG=OFF
	-DCLIENT_PLUGIN_AUTH_GSSAPI_CLIENT=OFF
	-DCLIENT_PLUGIN_ZSTD=OFF
	-DCLIENT_PLUGIN_REMOTE_IO=OFF
	-DCLIENT_PLUGIN_PVIO_SHMEM=OFF
	-DCLIENT_PLUGIN_PVIO_NPIPE=OFF
)

die() {
	echo "connector-c: $*" >&2
	exit 1
}

upstream=${PIN_VERSION#*:}		# 10.11.18-0+deb12u1
upstream=${upstream%-*}			# 10.11.18
debver=${PIN_VERSION#*:}
cache=${CALLS_API_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/calls-api}
base=$cache/connector-c-$debver
dl=$base/dl
src=$base/src
build=$base/build
prefix=$base/prefix
log=$base/build.log
orig=$dl/mariadb_$upstream.orig.tar.gz
debian=$dl/mariadb_$debver.debian.tar.xz
# The stamp names what the prefix was built from: a change of pin or flags
# rebuilds.
stamp_text="$PIN_VERSION $PIN_ORIG_SHA256 $PIN_DEBIAN_SHA256 ${CMAKE_FLAGS[*]}"

built() {
	[ -f "$prefix/.stamp" ] && [ "$(cat "$prefix/.stamp")" = "$stamp_text" ] &&
	    [ -f "$prefix/lib/libmariadbclient.a" ]
}

sha_ok() {	# FILE SHA256
	[ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]
}

# Fetch the source package's tarballs with apt-get source, from a private
# apt state under $base/apt.
fetch() {
	local apt=$base/apt o
	if sha_ok "$orig" "$PIN_ORIG_SHA256" && sha_ok "$debian" "$PIN_DEBIAN_SHA256"; then
		return 0
	fi
	rm -rf "$apt" "$dl"
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$dl"
	{
		echo "deb-src $MIRROR $SUITE main"
		echo "deb-src $MIRROR $SUITE-updates main"
		echo "deb-src $MIRROR-security $SUITE-security main"
	} >"$apt/src.list"
	o=(-o "Dir::Etc::SourceList=$apt/src.list" -o Dir::Etc::SourceParts=/dev/null
	    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
	    -o APT::Sandbox::User="$(id -un)" -q)
	echo "connector-c: fetching mariadb=$PIN_VERSION from $MIRROR" >&2
	apt-get "${o[@]}" update >"$apt/update.log" 2>&1 ||
	    die "apt-get update of the private source list failed (see $apt/update.log)"
	if ! (cd "$dl" && apt-get "${o[@]}" source --download-only \
	    "mariadb=$PIN_VERSION") >"$apt/source.log" 2>&1; then
		echo "connector-c: mariadb=$PIN_VERSION could not be fetched from $MIRROR" \
		    "(see $apt/source.log)." >&2
		echo "connector-c: versions its indexes list now (a listed one may" \
		    "still be missing from the mirror):" >&2
		apt-cache "${o[@]}" showsrc mariadb 2>/dev/null |
		    sed -n 's/^Version: /connector-c:   /p' >&2 || true
		die "move the pin: set PIN_VERSION, PIN_ORIG_SHA256 and PIN_DEBIAN_SHA256 in $0 (its header says how)"
	fi
	sha_ok "$orig" "$PIN_ORIG_SHA256" ||
	    die "$orig: sha256 is not the pinned $PIN_ORIG_SHA256"
	sha_ok "$debian" "$PIN_DEBIAN_SHA256" ||
	    die "$debian: sha256 is not the pinned $PIN_DEBIAN_SHA256"
}

# Only libmariadb/ of the server's source; stop on a Debian patch to it.
extract() {
	local touching
	rm -rf "$src"
	mkdir -p "$src"
	tar -xzf "$orig" -C "$src" --strip-components=1 \
	    "mariadb-$upstream/libmariadb"
	tar -xJf "$debian" -C "$src" debian/patches
	touching=$(grep -l '^+++ [^ ]*libmariadb/' "$src"/debian/patches/* 2>/dev/null || true)
	[ -z "$touching" ] ||
	    die "Debian patches touch libmariadb/ (apply them in extract()): $touching"
}

compile() {
	local jobs=${CONNECTOR_C_JOBS:-2}
	rm -rf "$build" "$prefix"
	mkdir -p "$build"
	echo "connector-c: building Connector/C $upstream (log: $log)" >&2
	{
		cmake -S "$src/libmariadb" -B "$build" \
		    -DCMAKE_INSTALL_PREFIX="$prefix" "${CMAKE_FLAGS[@]}" &&
		cmake --build "$build" --target mariadbclient -j "$jobs" &&
		cmake --install "$build/include"
	} >"$log" 2>&1 || die "the build failed: see $log"
	# The headers came from include/'s install rules (the whole install
	# would want the shared library, not built); the library by hand.
	mkdir -p "$prefix/lib"
	cp "$build/libmariadb/libmariadbclient.a" "$prefix/lib/" ||
	    die "no libmariadbclient.a in $build (see $log)"
	printf '%s' "$stamp_text" >"$prefix/.stamp"
}

case ${1:-} in
build)
	command -v cmake >/dev/null || die "cmake is missing (make deps)"
	if ! built; then
		fetch
		extract
		compile
	fi
	echo "$prefix"
	;;
prefix)
	built || exit 1
	echo "$prefix"
	;;
*)
	sed -n '6,9s/^#  //p' "$0" >&2
	exit 2
	;;
esac
