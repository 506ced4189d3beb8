#!/usr/bin/env bash
# Check that the Debian packages calls-api needs are installed; install the
# missing ones when run as root, else print the command to run.
#   scripts/deps.sh            everything: build, run, the test toolchain
#   scripts/deps.sh build      what `make` needs
#   scripts/deps.sh runtime    what an installed calls-api needs on a server
#                              (README, "Installing on a Debian server")
#   scripts/deps.sh grammar    node, npm and the npm packages of
#                              tests/mysql-grammar (tests/15-schema-portable.t)
#                              and tests/openapi (the OpenAPI validator every
#                              integration test runs; tests/12-openapi.t)
#   scripts/deps.sh --list build|runtime   print that list, install nothing
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)

# Build: compiler, make, libraries with headers. The static release build
# (make static, scripts/connector-c.sh) also needs cmake, zlib's headers
# and static library, xz for Debian's source tarball, and file(1), which
# checks that the binary is statically linked.
build=(gcc make pkg-config libfcgi-dev libmariadb-dev libssl-dev
	cmake zlib1g-dev xz-utils file)
# Runtime of an installed binary: the shared libraries it links (FastCGI,
# MariaDB Connector/C, libcrypto); the mariadb client, for calls-api-setup
# and loading the schema; openssl, for the README's key and secret recipes.
# The web server (apache2 + libapache2-mod-fcgid, or lighttpd) and the
# database server are the operator's choice.
runtime=(libfcgi0ldbl libmariadb3 libssl3 mariadb-client openssl)
# Test toolchain: database, web servers (nginx and spawn-fcgi for the other
# FastCGI clients; Apache's mod_proxy_fcgi is in apache2), HTTP client,
# Perl (prove), load generator, memory checker, cgi-fcgi for poking a
# responder by hand, JSON checks in the unit tests; openssl (certificates
# for tests/47-database-tls.t); suEXEC configurable per Apache user for the
# shared-host test (tests/96-shared-host.t); man(1) and groff, which render
# the man pages with warnings on (tests/90-install.t; a minimal Debian
# image has neither); systemd for systemd-analyze and
# systemd-socket-activate (the pool's units, tests/65-pool.t); iproute2:
# ip(8) brings up loopback in the network namespace of 47-database-tls's
# silent DNS server, and ss lets bench/pool.sh wait until a front has no
# connection left.
run=(mariadb-server mariadb-client apache2 libapache2-mod-fcgid lighttpd curl
	nginx spawn-fcgi perl wrk valgrind libfcgi-bin libjansson-dev openssl
	apache2-suexec-custom man-db groff-base systemd iproute2)
# Fuzzing: clang with libFuzzer and the sanitizer runtimes.
fuzz=(clang libclang-rt-14-dev)

mode=all
if [ "${1:-}" = --list ]; then
	case "${2:-}" in
	build) echo "${build[*]}" ;;
	runtime) echo "${runtime[*]}" ;;
	*) echo "usage: scripts/deps.sh --list build|runtime" >&2; exit 2 ;;
	esac
	exit 0
fi
case "${1:-all}" in
all) wanted=("${build[@]}" "${runtime[@]}" "${run[@]}" "${fuzz[@]}") ;;
build) wanted=("${build[@]}"); mode=build ;;
runtime) wanted=("${runtime[@]}"); mode=runtime ;;
grammar) wanted=(); mode=grammar ;;
*) echo "usage: scripts/deps.sh [all|build|runtime|grammar|--list build|runtime]" >&2
	exit 2 ;;
esac
# MySQL's grammar for tests/15-schema-portable.t and the OpenAPI validator
# (tests/openapi) come from npm: node and npm themselves (Debian's, unless a
# node with npm is there already).
if [ "$mode" = grammar ] &&
    ! { command -v node && command -v npm; } >/dev/null; then
	wanted+=(nodejs npm)
fi

missing=()
for pkg in ${wanted[@]+"${wanted[@]}"}; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
	if [ "$status" != installed ]; then
		missing+=("$pkg")
	fi
done
# The npm packages of tests/mysql-grammar and tests/openapi, each pinned by
# its package-lock.json (versions and checksums), into its node_modules.
npm_deps() {
	local dir
	[ "$mode" = grammar ] || return 0
	for dir in "$top/tests/mysql-grammar" "$top/tests/openapi"; do
		if [ -d "$dir/node_modules" ] && [ "$dir/node_modules/.package-lock.json" \
		    -nt "$dir/package-lock.json" ]; then
			continue
		fi
		echo "deps: npm ci in ${dir#"$top"/}" >&2
		(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2) || {
			echo "deps: npm ci failed in $dir" >&2
			exit 1
		}
	done
}

if [ ${#missing[@]} -eq 0 ]; then
	npm_deps
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing Debian packages: ${missing[*]}" >&2
	echo "deps: install them with:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
fi

# Installing mariadb-server, apache2, lighttpd or nginx would start the system's
# services: a policy-rc.d that answers 101 ("action forbidden") keeps them
# down. An existing policy-rc.d is the administrator's and is left alone.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
	trap 'rm -f "$policy"' EXIT
	printf '#!/bin/sh\n# calls-api deps.sh: no service starts during install\nexit 101\n' \
	    >"$policy"
	chmod 0755 "$policy"
fi

echo "deps: installing ${missing[*]}" >&2
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    "${missing[@]}"
npm_deps
