#!/usr/bin/env bash
# Check that the Debian packages calls-api needs are installed; install the
# missing ones when run as root, else print the command to run.
#   scripts/deps.sh
set -euo pipefail

# Build: compiler, make, libraries with headers. The static release build
# (make static, scripts/connector-c.sh) also needs cmake, zlib's headers
# and static library, xz for Debian's source tarball, and file(1), which
# checks that the binary is statically linked.
build=(gcc make pkg-config libfcgi-dev libmariadb-dev libjansson-dev libssl-dev
	cmake zlib1g-dev xz-utils file)
# Run and test: database, web servers (nginx and spawn-fcgi for the other
# FastCGI clients; Apache's mod_proxy_fcgi is in apache2), HTTP client,
# Perl (prove), load generator, memory checker, cgi-fcgi for poking a
# responder by hand.
run=(mariadb-server mariadb-client apache2 libapache2-mod-fcgid lighttpd curl
	nginx spawn-fcgi perl wrk valgrind libfcgi-bin)
# Fuzzing: clang with libFuzzer and the sanitizer runtimes.
fuzz=(clang libclang-rt-14-dev)

missing=()
for pkg in "${build[@]}" "${run[@]}" "${fuzz[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
	if [ "$status" != installed ]; then
		missing+=("$pkg")
	fi
done
if [ ${#missing[@]} -eq 0 ]; then
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
