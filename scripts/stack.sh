#!/bin/sh
# stack.sh: start and stop a whole wagate stack in one directory.
#
#   sh scripts/stack.sh up DIR      (re)start PostgreSQL, the families,
#                                   nginx; create the demo tenant if
#                                   WA_DEMO=1 (the default)
#   sh scripts/stack.sh down DIR    stop everything started in DIR
#   sh scripts/stack.sh stop-family DIR NAME / start-family DIR NAME
#                                   one family binary (tests use these)
#
# `make run` uses DIR=var; the end-to-end tests use a temporary DIR with
# their own ports.  Everything a stack owns lives under DIR: its
# PostgreSQL cluster, sockets, logs, TLS certificate and secrets.  Only
# when DIR is not reachable by the postgres and www-data users (a checkout
# under /root, say) do the cluster and sockets move to /var/tmp, in a
# folder named after DIR.
#
# Settings (environment): WA_TLS_PORT (8443), WA_HTTP_PORT (8080),
# WA_LISTEN (0.0.0.0; nginx also listens on [::] for 0.0.0.0 and on
# [::1] for 127.0.0.1 when the host has IPv6), WA_WORKERS (each family its own: 2,
# broadcasts 8), WA_JOB_WORKERS (1), WA_BIN_DIR (build/bin), WA_RATE (50 r/s per
# client), WA_BURST (100), WA_DEMO (1), WA_PG_FAST (0: 1 turns fsync
# off, for throwaway test clusters), WA_PG_SHARED_BUFFERS (a quarter of
# the memory, 128 MB to 8 GB), WA_BENCH (0: 1 adds nginx/bench.conf, the
# fixed responses benchmarks compare against), WA_BODY_DEADLINE (30s: a
# request's body is in within it, or the connection is closed),
# WA_NGINX_MODULES (build/nginx: where ngx_http_wa_deadline_module.so
# is), WA_NCHAN_MODULE (Debian's /usr/lib/nginx/modules/
# ngx_nchan_module.so).
#
# Meta (docs/meta.md): unless WA_GRAPH_URL is set, the stack runs the
# bundled simulator (build/bin/metasim, the "sandbox") on 127.0.0.1 and
# ::1, port WA_METASIM_PORT (8444), and points the families at it; its
# webhooks come back to this stack's /webhooks/meta.  Setting
# WA_GRAPH_URL (and WA_META_APP_ID, WA_META_APP_SECRET,
# WA_META_VERIFY_TOKEN from the Meta app) goes live: no simulator.
# Families that have background work (`<binary> --has-worker`) also run
# as `<binary> --worker`.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:-}
[ $# -ge 2 ] || { echo "usage: $0 up|down DIR" >&2; exit 2; }
mkdir -p "$2"
DIR=$(cd "$2" && pwd)

TLS_PORT=${WA_TLS_PORT:-8443}
HTTP_PORT=${WA_HTTP_PORT:-8080}
LISTEN=${WA_LISTEN:-0.0.0.0}
BIN_DIR=${WA_BIN_DIR:-$ROOT/build/bin}
RATE=${WA_RATE:-50}
BURST=${WA_BURST:-100}
NGINX_USER=${WA_NGINX_USER:-www-data}
NGINX_MODULES=${WA_NGINX_MODULES:-$ROOT/build/nginx}
NCHAN_MODULE=${WA_NCHAN_MODULE:-/usr/lib/nginx/modules/ngx_nchan_module.so}
BODY_DEADLINE=${WA_BODY_DEADLINE:-30s}
SIM_PORT=${WA_METASIM_PORT:-8444}
GRAPH_LIVE=${WA_GRAPH_URL:-}
MEDIA_BACKEND=${WA_MEDIA_BACKEND:-file}
S3_ENDPOINT=${WA_S3_ENDPOINT:-}
S3_BUCKET=${WA_S3_BUCKET:-}
S3_ACCESS_KEY=${WA_S3_ACCESS_KEY:-}
S3_SECRET_KEY=${WA_S3_SECRET_KEY:-}
S3_PORT=${WA_S3SIM_PORT:-8445}

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$PGBIN" ] || { echo "stack: PostgreSQL is not installed (make deps)" >&2; exit 1; }

log() { printf 'stack: %s\n' "$*" >&2; }

# IPv6: "localhost" may resolve to ::1 first (Debian's /etc/hosts), and
# not every client falls back to 127.0.0.1 (node 18 does not), so what
# listens on 127.0.0.1 listens on ::1 too, and nginx on [::] next to
# 0.0.0.0 -- when the host has IPv6 at all (with it disabled, ::1 is not
# on lo and a listen there would fail).
has_ipv6_loopback() {
	grep -q '^0\{31\}1 ' /proc/net/if_inet6 2>/dev/null
}
has_ipv6() {
	grep -q . /proc/net/if_inet6 2>/dev/null
}
LISTEN6=
case $LISTEN in
127.0.0.1)	has_ipv6_loopback && LISTEN6='[::1]' ;;
0.0.0.0)	has_ipv6 && LISTEN6='[::]' ;;
esac

# Can user $1 reach directory $2 (search permission on every parent)?
reachable() {
	(cd / && runuser -u "$1" -- test -x "$2") 2>/dev/null
}

# Commands as the postgres user start in /, which it can always enter.
as_postgres() {
	(cd / && runuser -u postgres -- "$@")
}

# Where the cluster and the sockets live (see the header).
locate() {
	STATE=$DIR
	if ! reachable postgres "$DIR" || ! reachable "$NGINX_USER" "$DIR"; then
		STATE=/var/tmp/wagate-$(printf '%s' "$DIR" | sha256sum | cut -c1-16)
		mkdir -p "$STATE"
		chmod 755 "$STATE"
	fi
	PGBASE=$STATE/pg
	PGDATA=$PGBASE/data
	PGSOCK=$PGBASE/sock
	RUN=$STATE/run
	MEDIA_DIR=${WA_MEDIA_DIR:-$STATE/media}
	# PostgreSQL writes its log itself, so the logs live with the state;
	# DIR/log points there when the two differ.
	LOG=$STATE/log
}

make_log_dir() {
	mkdir -p "$LOG"
	if [ "$STATE" != "$DIR" ] && [ ! -L "$DIR/log" ]; then
		rm -rf "$DIR/log"
		ln -s "$LOG" "$DIR/log"
	fi
}

pg_running() {
	[ -f "$PGDATA/postmaster.pid" ] &&
	    as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1
}

psql_super() {
	as_postgres "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 \
	    -h "$PGSOCK" -U postgres "$@"
}

secrets() {
	if [ ! -f "$DIR/secrets.env" ]; then
		umask 077
		{
			echo "WA_SECRET_KEY=$(openssl rand -hex 32)"
			echo "WA_APP_DB_PASSWORD=$(openssl rand -hex 24)"
			echo "WA_ADMIN_DB_PASSWORD=$(openssl rand -hex 24)"
		} > "$DIR/secrets.env"
		umask 022
	fi
	# The sandbox's Meta app secret and verify token (a stack made
	# before they existed gets them added).
	if ! grep -q '^WA_SANDBOX_APP_SECRET=' "$DIR/secrets.env"; then
		{
			echo "WA_SANDBOX_APP_SECRET=$(openssl rand -hex 32)"
			echo "WA_SANDBOX_VERIFY_TOKEN=$(openssl rand -hex 16)"
		} >> "$DIR/secrets.env"
	fi
	# The media store's link secret, shared with nginx (docs/media.md)
	if ! grep -q '^WA_MEDIA_LINK_SECRET=' "$DIR/secrets.env"; then
		echo "WA_MEDIA_LINK_SECRET=$(openssl rand -hex 32)" \
		    >> "$DIR/secrets.env"
	fi
	# Web Push's VAPID key pair, made once (docs/web-chat.md)
	if ! grep -q '^WA_VAPID_PRIVATE_KEY=' "$DIR/secrets.env"; then
		"$BIN_DIR/web_chat" --vapid-keys >> "$DIR/secrets.env" ||
		    { log "cannot make the VAPID keys"; exit 1; }
	fi
	# shellcheck disable=SC1091
	. "$DIR/secrets.env"
	# Live: the Meta app's own, from the environment.  Sandbox: ours.
	if [ -n "$GRAPH_LIVE" ]; then
		META_APP_ID=${WA_META_APP_ID:-}
		META_APP_SECRET=${WA_META_APP_SECRET:-}
		META_VERIFY_TOKEN=${WA_META_VERIFY_TOKEN:-}
		GRAPH_URL=$GRAPH_LIVE
		GRAPH_CA=${WA_GRAPH_CA_FILE:-}
	else
		META_APP_ID=100000000000000
		META_APP_SECRET=$WA_SANDBOX_APP_SECRET
		META_VERIFY_TOKEN=$WA_SANDBOX_VERIFY_TOKEN
		GRAPH_URL=https://localhost:$SIM_PORT/v23.0
		GRAPH_CA=$STATE/tls/cert.pem
	fi
	# The carrier (docs/phone-numbers.md): Telnyx when WA_TELNYX_URL is
	# set (with WA_TELNYX_API_KEY), else the sandbox's, in the simulator.
	if [ -n "${WA_TELNYX_URL:-}" ]; then
		TELNYX_URL=$WA_TELNYX_URL
		TELNYX_KEY=${WA_TELNYX_API_KEY:-}
		TELNYX_CA=${WA_TELNYX_CA_FILE:-}
	elif [ -n "$GRAPH_LIVE" ]; then
		TELNYX_URL= TELNYX_KEY= TELNYX_CA=
	else
		TELNYX_URL=https://localhost:$SIM_PORT/telnyx
		TELNYX_KEY=KEY_SANDBOX
		TELNYX_CA=$STATE/tls/cert.pem
	fi
	# where wa-admin proves the numbers it attaches (scripts/wa-admin,
	# docs/operations.md)
	{
		echo "WA_GRAPH_URL='$GRAPH_URL'"
		echo "WA_GRAPH_CA_FILE='$GRAPH_CA'"
	} > "$DIR/graph.env"
}

# Execs a command with the environment every family process gets
# (exec: started with &, the process is $!, not a subshell around it).
family_env() {
	exec env WA_SECRET_KEY="$WA_SECRET_KEY" \
	    WA_DATABASE_URL="host=$PGSOCK dbname=wagate user=wa_app passfile=$DIR/pgpass" \
	    WA_GRAPH_URL="$GRAPH_URL" WA_GRAPH_CA_FILE="$GRAPH_CA" \
	    WA_META_APP_ID="$META_APP_ID" WA_META_APP_SECRET="$META_APP_SECRET" \
	    WA_META_VERIFY_TOKEN="$META_VERIFY_TOKEN" \
	    WA_BOT_HTTP_ALLOW="${WA_BOT_HTTP_ALLOW:-}" \
	    WA_PUBLIC_URL="${WA_PUBLIC_URL:-}" \
	    WA_MEDIA_BACKEND="$MEDIA_BACKEND" WA_MEDIA_DIR="$MEDIA_DIR" \
	    WA_MEDIA_LINK_SECRET="$WA_MEDIA_LINK_SECRET" \
	    WA_S3_ENDPOINT="$S3_ENDPOINT" WA_S3_BUCKET="$S3_BUCKET" \
	    WA_S3_REGION="${WA_S3_REGION:-us-east-1}" \
	    WA_S3_ACCESS_KEY="$S3_ACCESS_KEY" WA_S3_SECRET_KEY="$S3_SECRET_KEY" \
	    WA_S3_CA_FILE="${WA_S3_CA_FILE:-}" \
	    WA_SMTP_URL="${WA_SMTP_URL:-}" WA_SMTP_FROM="${WA_SMTP_FROM:-}" \
	    WA_SMTP_USER="${WA_SMTP_USER:-}" \
	    WA_SMTP_PASSWORD="${WA_SMTP_PASSWORD:-}" \
	    WA_VAPID_PRIVATE_KEY="$WA_VAPID_PRIVATE_KEY" \
	    WA_VAPID_PUBLIC_KEY="$WA_VAPID_PUBLIC_KEY" \
	    WA_VAPID_SUBJECT="${WA_VAPID_SUBJECT:-mailto:operator@localhost}" \
	    WA_PUSH_ALLOW="${WA_PUSH_ALLOW:-}" \
	    WA_LIVE_SOCKET="$RUN/live.sock" \
	    WA_TELNYX_URL="$TELNYX_URL" WA_TELNYX_API_KEY="$TELNYX_KEY" \
	    WA_TELNYX_CA_FILE="$TELNYX_CA" "$@"
}

start_postgres() {
	mkdir -p "$PGBASE" "$PGSOCK" "$LOG"
	chown postgres:postgres "$PGBASE" "$PGSOCK"
	chmod 755 "$PGBASE" "$PGSOCK"
	if [ ! -f "$PGDATA/PG_VERSION" ]; then
		log "creating PostgreSQL cluster in $PGDATA"
		as_postgres "$PGBIN/initdb" -D "$PGDATA" -U postgres \
		    -E UTF8 --locale=C.UTF-8 --auth-local=peer \
		    --auth-host=scram-sha-256 >"$LOG/initdb.log" 2>&1 ||
		    { cat "$LOG/initdb.log" >&2; exit 1; }
		echo "include_if_exists 'wagate.conf'" >> "$PGDATA/postgresql.conf"
	fi
	# A throwaway test cluster does not need to survive a power cut.
	durable=on
	[ "${WA_PG_FAST:-0}" = 1 ] && durable=off
	# PostgreSQL's usual sizing: a quarter of the memory for its own
	# cache, from 128 MB to 8 GB (the memory is touched only as used).
	buffers=${WA_PG_SHARED_BUFFERS:-$(awk '/^MemTotal:/ {
	    mb = int($2 / 1024 / 4); if (mb < 128) mb = 128
	    if (mb > 8192) mb = 8192; print mb "MB" }' /proc/meminfo)}
	cat > "$PGDATA/wagate.conf" <<-EOF
	listen_addresses = ''
	unix_socket_directories = '$PGSOCK'
	max_connections = 200
	shared_buffers = $buffers
	log_min_duration_statement = 1000
	fsync = $durable
	synchronous_commit = $durable
	full_page_writes = $durable
	EOF
	cat > "$PGDATA/pg_hba.conf" <<-EOF
	# generated by scripts/stack.sh
	local all postgres peer
	local all all scram-sha-256
	EOF
	chown postgres:postgres "$PGDATA/wagate.conf" "$PGDATA/pg_hba.conf"
	touch "$LOG/postgres.log"
	chown postgres "$LOG/postgres.log"
	as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -l "$LOG/postgres.log" \
	    -w -t 60 start >/dev/null
	if ! psql_super -d postgres -tAc \
	    "SELECT 1 FROM pg_database WHERE datname = 'wagate'" | grep -q 1; then
		psql_super -d postgres -c "CREATE DATABASE wagate"
	fi
	sh "$ROOT/scripts/migrate.sh" "$PGBIN" "$PGSOCK"
	# Passwords are hex: safe to place in SQL text.
	psql_super -d wagate -c "ALTER ROLE wa_app PASSWORD '$WA_APP_DB_PASSWORD'" \
	    -c "ALTER ROLE wa_admin PASSWORD '$WA_ADMIN_DB_PASSWORD'"
	umask 077
	{
		echo "*:*:wagate:wa_app:$WA_APP_DB_PASSWORD"
		echo "*:*:wagate:wa_admin:$WA_ADMIN_DB_PASSWORD"
	} > "$DIR/pgpass"
	umask 022
	{
		echo "WA_ADMIN_DATABASE_URL='host=$PGSOCK dbname=wagate user=wa_admin passfile=$DIR/pgpass'"
		echo "WA_APP_DATABASE_URL='host=$PGSOCK dbname=wagate user=wa_app passfile=$DIR/pgpass'"
		echo "WA_SUPER_PSQL='runuser -u postgres -- $PGBIN/psql -h $PGSOCK -U postgres wagate'"
		echo "WA_PGBIN='$PGBIN'"
		echo "WA_PGDATA='$PGDATA'"
	} > "$DIR/db.env"
}

tls_cert() {
	mkdir -p "$STATE/tls"
	[ -f "$STATE/tls/cert.pem" ] && return 0
	log "generating a self-signed certificate for localhost"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -days 3650 -subj "/CN=localhost" \
	    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
	    -keyout "$STATE/tls/key.pem" -out "$STATE/tls/cert.pem" 2>/dev/null
	chmod 600 "$STATE/tls/key.pem"
	[ "$STATE" = "$DIR" ] || ln -sf "$STATE/tls" "$DIR/tls"
}

families() {
	for b in "$BIN_DIR"/*; do
		n=$(basename "$b")
		[ -x "$b" ] && [ -f "$ROOT/nginx/families/$n.conf" ] && echo "$n"
	done
}

start_family() {
	f=$1
	rm -f "$RUN/$f.sock"
	WA_SOCKET=$RUN/$f.sock \
	WA_SOCKET_GROUP=$NGINX_USER \
	WA_SOCKET_MODE=0660 \
	    family_env setsid "$BIN_DIR/$f" >>"$LOG/$f.log" 2>&1 &
	echo $! > "$RUN/$f.pid"
}

# The background half of a family (`<binary> --worker`), if it has one;
# WA_JOB_WORKERS job workers, else the family's own number (1 for most:
# their queues need no more on one machine; 4 bot workers; every job is
# written for several, on one host or many).
start_job() {
	f=$1
	"$BIN_DIR/$f" --has-worker >/dev/null 2>&1 || return 0
	family_env setsid "$BIN_DIR/$f" --worker \
	    ${WA_JOB_WORKERS:+--workers "$WA_JOB_WORKERS"} \
	    >>"$LOG/$f-worker.log" 2>&1 &
	echo $! > "$RUN/$f-worker.pid"
}

# The Meta simulator (sandbox only): HTTPS with the stack's certificate,
# loopback only; its webhooks go to this stack's nginx.
start_metasim() {
	if [ -n "$GRAPH_LIVE" ]; then
		rm -f "$DIR/metasim.env"
		return 0
	fi
	[ -x "$BIN_DIR/metasim" ] || { log "no $BIN_DIR/metasim: make all"; exit 1; }
	mkdir -p "$RUN"
	sim_v6=
	has_ipv6_loopback && sim_v6="--listen [::1]:$SIM_PORT"
	# shellcheck disable=SC2086
	WA_META_APP_SECRET=$META_APP_SECRET WA_META_VERIFY_TOKEN=$META_VERIFY_TOKEN \
	    setsid "$BIN_DIR/metasim" --listen "127.0.0.1:$SIM_PORT" $sim_v6 \
	    --cert "$STATE/tls/cert.pem" --key "$STATE/tls/key.pem" \
	    --app-id "$META_APP_ID" \
	    --webhook-url "https://localhost:$TLS_PORT/webhooks/meta" \
	    --webhook-ca "$STATE/tls/cert.pem" ${WA_METASIM_ARGS:-} \
	    >>"$LOG/metasim.log" 2>&1 &
	echo $! > "$RUN/metasim.pid"
	i=0
	until curl -sf --cacert "$STATE/tls/cert.pem" \
	    "https://localhost:$SIM_PORT/_sim/health" >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			log "metasim did not start; see $LOG/metasim.log"
			tail -n 5 "$LOG/metasim.log" >&2
			exit 1
		fi
		sleep 0.1
	done
	echo "WA_METASIM_URL=https://localhost:$SIM_PORT" > "$DIR/metasim.env"
}

# The media store (docs/media.md).  file: the directory nginx serves.
# s3 without WA_S3_ENDPOINT: the sandbox's S3-compatible server (S3rver
# from the test packages, with a SigV4 check of its own), on 127.0.0.1,
# port WA_S3SIM_PORT (8445).
start_media() {
	mkdir -p "$MEDIA_DIR"
	chmod 755 "$MEDIA_DIR"
	[ "$MEDIA_BACKEND" = s3 ] && [ -z "$S3_ENDPOINT" ] || return 0
	[ -d "$ROOT/tests/e2e/node_modules/s3rver" ] || {
		log "WA_MEDIA_BACKEND=s3 needs WA_S3_ENDPOINT, or the sandbox's" \
		    "S3 from the test packages (make deps-test)"
		exit 1
	}
	mkdir -p "$RUN"
	WA_S3SIM_DAEMON=1 setsid node "$ROOT/scripts/s3sim.mjs" "$S3_PORT" \
	    </dev/null >>"$LOG/s3sim.log" 2>&1 &
	echo $! > "$RUN/s3sim.pid"
	i=0
	until curl -s -o /dev/null "http://127.0.0.1:$S3_PORT/" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			log "the sandbox's S3 did not start; see $LOG/s3sim.log"
			exit 1
		fi
		sleep 0.1
	done
	{
		echo "S3_ENDPOINT=http://127.0.0.1:$S3_PORT"
		echo "S3_BUCKET=wagate-test"
		echo "S3_ACCESS_KEY=S3RVER"
		echo "S3_SECRET_KEY=S3RVER"
	} > "$DIR/s3sim.env"
	s3sim_env
}

# A family restarted alone finds the sandbox's S3 where start_media put
# it.
s3sim_env() {
	if [ "$MEDIA_BACKEND" = s3 ] && [ -z "${WA_S3_ENDPOINT:-}" ] &&
	    [ -f "$DIR/s3sim.env" ]; then
		# shellcheck disable=SC1091
		. "$DIR/s3sim.env"
	fi
}

# The sandbox knows the demo account, before wa-admin attaches it (a
# restarted simulator has forgotten it: registered on every start).
sandbox_demo() {
	[ -z "$GRAPH_LIVE" ] && [ "${WA_DEMO:-1}" = 1 ] || return 0
	curl -sf --cacert "$STATE/tls/cert.pem" -X POST \
	    -H 'content-type: application/json' \
	    -d '{"waba_id":"100000000000001","phone_number_id":"100000000000002","display_phone_number":"+15550100001","verified_name":"Demo Organization","token":"sandbox-demo-token"}' \
	    "https://localhost:$SIM_PORT/_sim/accounts" >/dev/null
}

wait_family() {
	i=0
	while [ ! -S "$RUN/$1.sock" ]; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			log "$1 did not start; see $LOG/$1.log"
			tail -n 5 "$LOG/$1.log" >&2
			exit 1
		fi
		sleep 0.1
	done
}

start_families() {
	mkdir -p "$RUN"
	chmod 755 "$RUN"
	for f in $(families); do
		start_family "$f"
	done
	for f in $(families); do
		wait_family "$f"
	done
	for f in $(families); do
		start_job "$f"
	done
}

start_nginx() {
	mkdir -p "$STATE/nginx/body" "$STATE/nginx/fastcgi" "$STATE/nginx/proxy" \
	    "$STATE/nginx/uwsgi" "$STATE/nginx/scgi"
	sub="s|@ROOT@|$ROOT|g; s|@STATE@|$STATE|g; s|@RUN@|$RUN|g; s|@LOG@|$LOG|g;
	    s|@TLS_PORT@|$TLS_PORT|g; s|@HTTP_PORT@|$HTTP_PORT|g;
	    s|@LISTEN@|$LISTEN|g; s|@RATE@|$RATE|g; s|@BURST@|$BURST|g;
	    s|@NGINX_USER@|$NGINX_USER|g; s|@NGINX_MODULES@|$NGINX_MODULES|g;
	    s|@BODY_DEADLINE@|$BODY_DEADLINE|g; s|@MEDIA_DIR@|$MEDIA_DIR|g;
	    s|@MEDIA_LINK_SECRET@|$WA_MEDIA_LINK_SECRET|g;
	    s|@NCHAN_MODULE@|$NCHAN_MODULE|g"
	# the widget's script, where nginx's user reads it
	mkdir -p "$STATE/nginx/web"
	install -m 644 "$ROOT/web/widget.js" "$STATE/nginx/web/widget.js"
	# the IPv6 twin of each listen, or no such line
	if [ -n "$LISTEN6" ]; then
		sub="$sub; s|@LISTEN6@|$LISTEN6|g"
	else
		sub="$sub; /@LISTEN6@/d"
	fi
	: > "$STATE/nginx/families.conf"
	# @BODY_MAX@: the family's own body limit (struct wa_family), so
	# nginx refuses what the family would, with the same 413;
	# @UPLOAD_MAX@: the largest upload of its routes (lib/route.h)
	for f in $(families); do
		bm=$("$BIN_DIR/$f" --body-max) || exit 1
		um=$("$BIN_DIR/$f" --upload-max) || exit 1
		sed "$sub; s|@BODY_MAX@|$bm|g; s|@UPLOAD_MAX@|$um|g" \
		    "$ROOT/nginx/families/$f.conf" \
		    >> "$STATE/nginx/families.conf"
	done
	: > "$STATE/nginx/extra.conf"
	[ "${WA_BENCH:-0}" = 1 ] && sed "$sub" "$ROOT/nginx/bench.conf" > "$STATE/nginx/extra.conf"
	sed "$sub" "$ROOT/nginx/nginx.conf.in" > "$STATE/nginx/nginx.conf"
	TZ=UTC nginx -q -t -p "$STATE/nginx" -e "$LOG/nginx-error.log" \
	    -c "$STATE/nginx/nginx.conf" || exit 1
	TZ=UTC nginx -p "$STATE/nginx" -e "$LOG/nginx-error.log" \
	    -c "$STATE/nginx/nginx.conf"
}

# Is process $1 still there?  A zombie has exited: it only waits for
# init to collect it, which some inits do only every few seconds.
alive() {
	kill -0 "$1" 2>/dev/null || return 1
	case $(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) in
	Z*)	return 1 ;;
	esac
}

# Stops the processes of the pid files given, all at once: TERM to each,
# then one wait for all of them (a family finishes the requests in
# flight), KILL to the process group of any still there after 30 s.
# Sets STOPPED to the names (pid file without .pid) of those that ran.
stop_pidfiles() {
	STOPPED=
	live=
	for f in "$@"; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		if [ -n "$pid" ] && alive "$pid" &&
		    kill -TERM "$pid" 2>/dev/null; then
			live="$live $pid"
			STOPPED="$STOPPED $(basename "$f" .pid)"
		fi
	done
	i=0
	while [ -n "$live" ] && [ $i -lt 300 ]; do
		still=
		for pid in $live; do
			alive "$pid" && still="$still $pid"
		done
		live=$still
		[ -n "$live" ] || break
		sleep 0.1
		i=$((i + 1))
	done
	for pid in $live; do
		log "pid $pid did not stop in 30 s: killed"
		kill -KILL "-$pid" 2>/dev/null ||
		    kill -KILL "$pid" 2>/dev/null || true
	done
	rm -f "$@"
}

# Stops everything of the stack and says what it stopped; says nothing
# when nothing ran and $1 is "quiet".
down() {
	quiet=${1:-}
	locate
	t0=$(date +%s%N)
	# nginx first: it takes no new request while the families finish
	set -- "$RUN/nginx.pid"
	for p in "$RUN"/*.pid; do
		[ -e "$p" ] && [ "$p" != "$RUN/nginx.pid" ] && set -- "$@" "$p"
	done
	stop_pidfiles "$@"
	# last, once no family holds a connection
	if pg_running; then
		as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -m fast \
		    -w stop >/dev/null 2>&1 || true
		STOPPED="$STOPPED PostgreSQL"
	fi
	ms=$((($(date +%s%N) - t0) / 1000000))
	if [ -n "$STOPPED" ]; then
		log "stopped$STOPPED ($((ms / 1000)).$((ms % 1000 / 100)) s)"
	elif [ "$quiet" != quiet ]; then
		log "nothing was running in $DIR"
	fi
}

demo() {
	[ "${WA_DEMO:-1}" = 1 ] || return 0
	admin() {
		WA_ADMIN_DATABASE_URL="host=$PGSOCK dbname=wagate user=wa_admin passfile=$DIR/pgpass" \
		WA_SECRET_KEY=$WA_SECRET_KEY WA_GRAPH_URL=$GRAPH_URL \
		WA_GRAPH_CA_FILE=$GRAPH_CA "$BIN_DIR/wa-admin" "$@"
	}
	if [ -f "$DIR/demo.env" ]; then
		# shellcheck disable=SC1091
		. "$DIR/demo.env"
		if psql_super -d wagate -tAc "SELECT 1 FROM wa.organizations \
		    WHERE id = '$WA_ORG_ID'" | grep -q 1; then
			return 0
		fi
	fi
	log "creating the demo tenant"
	# the sandbox knows the demo number (sandbox_demo), and wa-admin
	# proves it there like any other; live, Meta has never heard of it
	verify=
	[ -z "$GRAPH_LIVE" ] || verify=--no-verify
	eval "$(admin org create "Demo Organization" --email demo@example.com)"
	eval "$(admin account add --org "$WA_ORG_ID" --waba 100000000000001 \
	    --phone-number-id 100000000000002 --display +15550100001 \
	    --token sandbox-demo-token $verify)"
	eval "$(admin profile create --org "$WA_ORG_ID" --name "Demo Sender")"
	eval "$(admin key create --org "$WA_ORG_ID" --role admin --name demo)"
	# the sandbox's demo may buy numbers at once (docs/phone-numbers.md)
	[ -n "$GRAPH_LIVE" ] || admin org plan --org "$WA_ORG_ID" --plan paid \
	    --numbers 5 >/dev/null
	host=localhost
	{
		echo "WA_BASE_URL=https://$host:$TLS_PORT"
		echo "WA_API_KEY=$WA_API_KEY"
		echo "WA_ORG_ID=$WA_ORG_ID"
		echo "WA_PROFILE_ID=$WA_PROFILE_ID"
		echo "WA_ACCOUNT_ID=$WA_ACCOUNT_ID"
	} > "$DIR/demo.env"
	chmod 600 "$DIR/demo.env"
}

# What `make run` prints last: a request that works as printed.
announce() {
	[ "${WA_DEMO:-1}" = 1 ] || return 0
	# shellcheck disable=SC1091
	. "$DIR/demo.env"
	cat <<-EOF

	wagate is running: $WA_BASE_URL (families: $(families | tr '\n' ' '))
	  demo tenant:  $DIR/demo.env
	  logs:         $LOG/
	  stop:         make stop

	Try it:
	  curl -s --cacert $DIR/tls/cert.pem -H "x-api-key: $WA_API_KEY" $WA_BASE_URL/v3/profiles
	  curl -s --cacert $DIR/tls/cert.pem -H "x-api-key: $WA_API_KEY" "$WA_BASE_URL/v1/whatsapp/templates?accountId=$WA_ACCOUNT_ID"

	EOF
	if [ -z "$GRAPH_LIVE" ]; then
		cat <<-EOF
		Meta: the sandbox (simulator) at https://localhost:$SIM_PORT/_sim/health
		  answers as Meta's Graph API; set WA_GRAPH_URL to go live (docs/meta.md).

		EOF
	fi
}

up() {
	down quiet
	locate
	make_log_dir
	secrets
	start_postgres
	tls_cert
	start_metasim
	start_media
	start_families
	start_nginx
	sandbox_demo
	demo
	announce
}

case $cmd in
up)	up ;;
down)	down ;;
stop-family)
	locate
	stop_pidfiles "$RUN/$3.pid" "$RUN/$3-worker.pid"
	;;
start-family)
	locate
	secrets
	s3sim_env
	start_family "$3"
	start_job "$3"
	wait_family "$3"
	;;
*)	echo "usage: $0 up|down DIR" >&2; exit 2 ;;
esac
