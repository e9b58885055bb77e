#!/bin/sh
# GET /v3/profiles/{id} through nginx next to nginx's fixed `return 200`,
# in the same run: saturated, then one connection at a time.
set -eu
. "$(dirname "$0")/lib.sh"
bench_up

code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$DIR/tls/cert.pem" \
    -H "x-api-key: $WA_API_KEY" \
    "https://localhost:$WA_TLS_PORT/v3/profiles/$WA_PROFILE_ID")
[ "$code" = 200 ] || { echo "bench: GET profile answered $code" >&2; exit 1; }

table() {
	bench_header
	bench_wrk "nginx return 200 (baseline)" "$BASE/__bench/return200"
	bench_wrk "GET /v3/profiles/{id}" "$BASE/v3/profiles/$WA_PROFILE_ID" \
	    -H "x-api-key: $WA_API_KEY"
	bench_wrk "GET /v3/profiles (list of 1)" "$BASE/v3/profiles" \
	    -H "x-api-key: $WA_API_KEY"
}

echo "== /v3/profiles"
# Saturated: throughput with requests queued on every worker.
DUR=${WA_BENCH_DURATION:-10s} CONN=${WA_BENCH_CONNECTIONS:-32} \
    THREADS=${WA_BENCH_THREADS:-2} table
echo
# One connection: the latency of one request on an idle stack, i.e.
# what the FastCGI path and the database add to nginx's own answer.
DUR=${WA_BENCH_DURATION:-10s} THREADS=1 CONN=1 table
