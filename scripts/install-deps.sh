#!/bin/sh
# install-deps.sh: installs what a fresh Debian 12 machine lacks to build,
# run and test wagate, and the pinned npm packages of the tests.  Does
# nothing when everything is there.  Needs root for apt.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)

# libclang-rt-14-dev holds libFuzzer and clang's sanitizer runtimes
# (make test-fuzz); clang only recommends it, and recommends are off.
PKGS="build-essential pkg-config libfcgi-dev libcjson-dev
libcurl4-openssl-dev libmicrohttpd-dev libpq-dev libssl-dev libcmocka-dev
nginx postgresql postgresql-client openssl ca-certificates curl nodejs npm wrk
procps iproute2
util-linux clang libclang-rt-14-dev"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
# node and npm may come from elsewhere than Debian (nodesource, nvm)
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
	missing=$(printf '%s\n' $missing | grep -v -x -e nodejs -e npm | tr '\n' ' ')
fi
missing=$(echo $missing)

if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "install-deps: missing packages: $missing (run as root)" >&2
		exit 1
	fi
	echo "install-deps: installing $missing" >&2
	# Keep package scripts from starting the distribution's own nginx
	# and PostgreSQL: wagate runs its own instances.
	policy=""
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		policy=1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing >/dev/null
	[ -n "$policy" ] && rm -f /usr/sbin/policy-rc.d
fi

# The SDKs the end-to-end tests drive, exactly as the lockfile pins them.
if [ ! -d "$ROOT/tests/e2e/node_modules" ] ||
    [ "$ROOT/tests/e2e/package-lock.json" -nt "$ROOT/tests/e2e/node_modules" ]; then
	echo "install-deps: npm ci (tests/e2e)" >&2
	(cd "$ROOT/tests/e2e" && npm ci --no-audit --no-fund --loglevel=error)
	touch "$ROOT/tests/e2e/node_modules"
fi
