#!/bin/sh
# End-to-end tests: a private stack (own PostgreSQL cluster in a temp
# dir, own sockets, nginx with TLS on free loopback ports) running the
# sanitizer build of every family, driven over HTTPS by node's test
# runner; torn down afterwards.  Fails if a family logged a sanitizer
# report, even when every test passed.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

# A port free on 127.0.0.1 and, where there is IPv6, on ::1 too (the
# stack listens on both: stack.sh).
free_port() {
	node -e '
const net = require("net");
const on = (host, port) => new Promise((ok, no) => {
	const s = net.createServer().once("error", no);
	s.listen(port, host, () => { const p = s.address().port; s.close(() => ok(p)); });
});
(async () => {
	for (;;) {
		const p = await on("127.0.0.1", 0);
		try {
			await on("::1", p);
		} catch (e) {
			if (e.code === "EADDRINUSE") continue;
		}
		console.log(p);
		return;
	}
})();'
}

DIR=$(mktemp -d /tmp/wagate-e2e.XXXXXX)
chmod 755 "$DIR"
cleanup() {
	sh scripts/stack.sh down "$DIR" >/dev/null 2>&1
	[ -n "${SMTP_PID:-}" ] && kill "$SMTP_PID" 2>/dev/null
	if [ "${WA_E2E_KEEP:-0}" = 1 ]; then
		echo "e2e: kept $DIR" >&2
	else
		rm -rf "$DIR" "/var/tmp/wagate-$(printf '%s' "$DIR" | sha256sum | cut -c1-16)"
	fi
}
trap cleanup EXIT INT TERM

WA_TLS_PORT=$(free_port)
WA_HTTP_PORT=$(free_port)
WA_METASIM_PORT=$(free_port)
WA_S3SIM_PORT=$(free_port)
export WA_TLS_PORT WA_HTTP_PORT WA_METASIM_PORT WA_S3SIM_PORT
# the sandbox (Meta simulator, docs/meta.md): a short Graph timeout keeps
# the timeout cases quick; its control URL is $DIR/metasim.env
export WA_GRAPH_TIMEOUT_MS=3000
# every job is written for several workers: run two of each, so that the
# tests see two sending workers share the lanes and start a scheduled
# broadcast once (docs/sending.md)
export WA_JOB_WORKERS=2
# (the hostile-input run, make test-hostile, raises the rate limit)
export WA_LISTEN=127.0.0.1 WA_DEMO=0 WA_PG_FAST=1
# bots' http_request steps may call the tests' own servers on 127.0.0.1
# (any port), and nothing else private (docs/flows.md, "Live")
export WA_BOT_HTTP_ALLOW=127.0.0.1
# Web Push may reach the tests' push endpoint on 127.0.0.1
export WA_PUSH_ALLOW=127.0.0.1
export WA_RATE=${WA_E2E_RATE:-300} WA_BURST=${WA_E2E_BURST:-600}
export WA_PG_SHARED_BUFFERS=${WA_PG_SHARED_BUFFERS:-256MB}
export WA_BIN_DIR=${WA_E2E_BIN_DIR:-$ROOT/build/asan/bin}
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:log_path=$DIR/log/asan
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$DIR/log/ubsan

# a real SMTP server for the web chat's one-time codes (Debian's
# python3-aiosmtpd, hence /usr/bin/python3): each message lands as a
# file in the maildir $DIR/mail (new/), which the handler makes
WA_SMTP_PORT=$(free_port)
/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$WA_SMTP_PORT" \
    -c aiosmtpd.handlers.Mailbox "$DIR/mail" >"$DIR/smtp.log" 2>&1 &
SMTP_PID=$!
export WA_SMTP_URL=smtp://127.0.0.1:$WA_SMTP_PORT
export WA_SMTP_FROM=no-reply@wagate.test

if ! sh scripts/stack.sh up "$DIR"; then
	echo "e2e: the stack did not start" >&2
	tail -n 20 "$DIR"/log/*.log >&2
	exit 1
fi

export WA_E2E_DIR=$DIR
export WA_BASE_URL=https://localhost:$WA_TLS_PORT
export NODE_EXTRA_CA_CERTS=$DIR/tls/cert.pem
node --test --test-concurrency=1 ${WA_E2E_ONLY:-tests/e2e/*.test.mjs}
rc=$?

if ls "$DIR"/log/asan.* "$DIR"/log/ubsan.* >/dev/null 2>&1 ||
    grep -l -e "AddressSanitizer" -e "runtime error:" "$DIR"/log/*.log \
    >/dev/null 2>&1; then
	echo "e2e: sanitizer reports:" >&2
	cat "$DIR"/log/asan.* "$DIR"/log/ubsan.* 2>/dev/null | head -n 80 >&2
	grep -h -A 20 -e "AddressSanitizer" -e "runtime error:" \
	    "$DIR"/log/*.log 2>/dev/null | head -n 80 >&2
	rc=1
fi
exit $rc
