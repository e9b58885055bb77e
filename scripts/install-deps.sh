#!/bin/sh
# install-deps.sh: installs what a fresh Debian 12 machine lacks.
#
#   sh scripts/install-deps.sh run    what building and running the
#                                     stack needs (make run, make deps)
#   sh scripts/install-deps.sh test   that, and what only the tests
#                                     need: cmocka, clang and its fuzzing
#                                     runtime, node and npm, wrk; then
#                                     the pinned npm packages of
#                                     tests/e2e (make test, make
#                                     deps-test; the default)
#
# Says nothing when everything is there.  Installing needs root, says
# what it installs and shows apt's progress.  Debian's nginx and
# postgresql packages come with services of their own (nginx on port 80,
# PostgreSQL's "main" cluster on 5432) that wagate does not use: they
# are kept from starting and disabled for the next boots.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-test}

RUN_PKGS="build-essential pkg-config libfcgi-dev libcjson-dev
libcurl4-openssl-dev libmicrohttpd-dev libpq-dev libssl-dev libjwt-dev
libmagic-dev libmagic-mgc libpng-dev libjpeg62-turbo-dev libwebp-dev
nginx nginx-dev libnginx-mod-nchan postgresql postgresql-client openssl ca-certificates curl
util-linux"
# libclang-rt-14-dev holds libFuzzer and clang's sanitizer runtimes
# (make test-fuzz); clang only recommends it, and recommends are off.
# chromium: the web chat widget's browser test (playwright-core drives it)
TEST_PKGS="libcmocka-dev clang libclang-rt-14-dev nodejs npm wrk procps
iproute2 python3-aiosmtpd chromium"

case $mode in
run)	pkgs=$RUN_PKGS ;;
test)	pkgs="$RUN_PKGS $TEST_PKGS" ;;
*)	echo "usage: $0 run|test" >&2; exit 2 ;;
esac

say() { printf 'install-deps: %s\n' "$*" >&2; }

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null |
	    grep -q "install ok installed"
}

# apt-get install with its progress as a few lines a human can follow:
# the download every 10 %, then the unpacking and setting up every 5 %
# (apt's status lines: dlstatus:ID:PERCENT:TEXT,
# pmstatus:PACKAGE:PERCENT:TEXT).  apt's own output goes to a log that
# is shown if it fails.
apt_install() {
	aptlog=$(mktemp)
	rcfile=$(mktemp)
	{
		rc=0
		apt-get install -y -q --no-install-recommends \
		    -o APT::Status-Fd=3 -o Dpkg::Use-Pty=0 "$@" \
		    3>&1 >"$aptlog" 2>&1 || rc=$?
		echo "$rc" > "$rcfile"
	} | awk -F: '
	# the first number from the third field on (a pmstatus package
	# name may carry its architecture: PACKAGE:ARCH:PERCENT)
	function pct(   i) {
		for (i = 3; i <= NF; i++)
			if ($i ~ /^[0-9]+(\.[0-9]+)?$/) {
				at = i
				return int($i)
			}
		return -1
	}
	$1 == "dlstatus" && (p = pct()) >= dl + 10 {
		dl = p - p % 10
		printf "install-deps: downloading %3d %%\n", dl
		fflush()
	}
	$1 == "pmstatus" && (p = pct()) >= pm + 5 {
		pm = p - p % 5
		text = $(at + 1)
		for (i = at + 2; i <= NF; i++)
			text = text ":" $i
		printf "install-deps: installing  %3d %%  %s\n", pm, text
		fflush()
	}' >&2
	rc=$(cat "$rcfile")
	if [ "$rc" != 0 ]; then
		tail -n 25 "$aptlog" >&2
		say "apt-get install failed (exit $rc)"
	fi
	rm -f "$aptlog" "$rcfile"
	return "$rc"
}

# Debian's own nginx and PostgreSQL services: wagate runs its own
# instances, so the distribution's must not start at the next boot.
# systemctl when it exists (offline in a chroot too), and the SysV links
# for a system without systemd.
disable_services() {
	for s in "$@"; do
		if command -v systemctl >/dev/null 2>&1; then
			systemctl disable --quiet "$s.service" \
			    >/dev/null 2>&1 || true
		elif command -v deb-systemd-helper >/dev/null 2>&1; then
			deb-systemd-helper disable "$s.service" \
			    >/dev/null 2>&1 || true
		fi
		if [ -x "/etc/init.d/$s" ] &&
		    command -v update-rc.d >/dev/null 2>&1; then
			update-rc.d "$s" disable >/dev/null 2>&1 || true
		fi
	done
}

missing=""
for p in $pkgs; do
	installed "$p" || missing="$missing $p"
done
# node and npm may come from elsewhere than Debian (nodesource, nvm)
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
	missing=$(printf '%s\n' $missing | grep -v -x -e nodejs -e npm |
	    tr '\n' ' ')
fi
missing=$(echo $missing)

if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		say "missing packages: $missing (run as root)"
		exit 1
	fi
	t0=$(date +%s)
	say "installing what \`make $mode\` needs: $missing"
	# Keep package scripts from starting the distribution's own nginx
	# and PostgreSQL: wagate runs its own instances.
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		trap 'rm -f /usr/sbin/policy-rc.d' EXIT
	fi
	export DEBIAN_FRONTEND=noninteractive
	say "updating the package lists (apt-get update)"
	apt-get update -q >/dev/null
	# shellcheck disable=SC2086
	uris=$(apt-get install -qq --print-uris --no-install-recommends \
	    $missing)
	# shellcheck disable=SC2086
	n=$(apt-get install -s --no-install-recommends $missing |
	    grep -c '^Inst ' || true)
	mb=$(printf '%s\n' "$uris" | awk '$3 ~ /^[0-9]+$/ { s += $3 }
	    END { printf "%.0f", s / 1e6 }')
	say "$n packages with their dependencies, $mb MB to download"
	# shellcheck disable=SC2086
	apt_install $missing
	disabled=""
	for s in nginx postgresql; do
		case " $missing " in
		*" $s "*) disabled="$disabled $s" ;;
		esac
	done
	if [ -n "$disabled" ]; then
		# shellcheck disable=SC2086
		disable_services $disabled
		# "nginx postgresql" -> "nginx and postgresql"
		names=$(echo $disabled | sed 's/ / and /')
		say "Debian's own $names services are disabled (not" \
		    "started now nor at boot): wagate runs its own instances"
	fi
	say "installed in $(($(date +%s) - t0)) s"
fi

[ "$mode" = test ] || exit 0

# The SDKs the end-to-end tests drive, exactly as the lockfile pins them.
if [ ! -d "$ROOT/tests/e2e/node_modules" ] ||
    [ "$ROOT/tests/e2e/package-lock.json" -nt "$ROOT/tests/e2e/node_modules" ]; then
	say "npm ci (tests/e2e: the SDKs the end-to-end tests drive)"
	(cd "$ROOT/tests/e2e" && npm ci --no-audit --no-fund --loglevel=error)
	touch "$ROOT/tests/e2e/node_modules"
fi
