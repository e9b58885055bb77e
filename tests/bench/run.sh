#!/bin/sh
# make bench: requests per second and latency of GET /v3/profiles/{id}
# through nginx (TLS, keep-alive), next to nginx's fixed `return 200` on
# the same stack in the same run.  Not a test: it prints a table.
#
# WA_BENCH_DURATION (10s), WA_BENCH_CONNECTIONS (32), WA_BENCH_THREADS (2)
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
DUR=${WA_BENCH_DURATION:-10s}
CONN=${WA_BENCH_CONNECTIONS:-32}
THREADS=${WA_BENCH_THREADS:-2}

command -v wrk >/dev/null || { echo "bench: wrk is missing (make deps)" >&2; exit 1; }
free_port() {
	node -e 'const s=require("net").createServer();
s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}
DIR=$(mktemp -d /tmp/wagate-bench.XXXXXX)
chmod 755 "$DIR"
trap 'sh scripts/stack.sh down "$DIR" >/dev/null 2>&1; rm -rf "$DIR"' EXIT INT TERM
WA_TLS_PORT=$(free_port)
WA_HTTP_PORT=$(free_port)
export WA_TLS_PORT WA_HTTP_PORT WA_LISTEN=127.0.0.1 WA_DEMO=1 WA_BENCH=1
export WA_RATE=1000000 WA_BURST=1000000
export WA_BIN_DIR=$ROOT/build/bin
sh scripts/stack.sh up "$DIR" >/dev/null 2>&1
# shellcheck disable=SC1091
. "$DIR/demo.env"
BASE=https://127.0.0.1:$WA_TLS_PORT

run() {	# name url [header]
	name=$1; url=$2; shift 2
	# warm up (TLS sessions, prepared statements, caches)
	wrk -t "$THREADS" -c "$CONN" -d 2s "$@" "$url" >/dev/null 2>&1
	out=$DIR/$(printf '%s' "$name" | tr -c 'A-Za-z0-9' _).wrk
	wrk -t "$THREADS" -c "$CONN" -d "$DUR" --latency "$@" "$url" > "$out"
	awk -v name="$name" '
		/Requests\/sec/ { rps = $2 }
		/^ +50%/ { p50 = $2 }
		/^ +99%/ { p99 = $2 }
		/Non-2xx/ { bad = $NF }
		END { printf "%-30s %12s %10s %10s %8s\n", name, rps, p50, p99, bad ? bad : 0 }
	' "$out"
}

code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$DIR/tls/cert.pem" \
    -H "x-api-key: $WA_API_KEY" "https://localhost:$WA_TLS_PORT/v3/profiles/$WA_PROFILE_ID")
[ "$code" = 200 ] || { echo "bench: GET profile answered $code" >&2; exit 1; }

table() {
	echo "wrk -t$THREADS -c$CONN -d$DUR --latency, TLS keep-alive, $(nproc) cores"
	printf "%-30s %12s %10s %10s %8s\n" "endpoint" "requests/s" "p50" "p99" "non-2xx"
	run "nginx return 200 (baseline)" "$BASE/__bench/return200"
	run "GET /v3/profiles/{id}" "$BASE/v3/profiles/$WA_PROFILE_ID" \
	    -H "x-api-key: $WA_API_KEY"
	run "GET /v3/profiles (list of 1)" "$BASE/v3/profiles" \
	    -H "x-api-key: $WA_API_KEY"
}

# Saturated: throughput with requests queued on every worker.
table
echo
# One connection: the latency of one request on an idle stack, i.e.
# what the FastCGI path and the database add to nginx's own answer.
THREADS=1 CONN=1 table
