# Sourced by the benchmark scripts: starts a private stack from the
# optimized build with the rate limit out of the way, and stops it on
# exit.  After bench_up: $DIR, $BASE (https://127.0.0.1:PORT) and the
# demo tenant's WA_* variables from $DIR/demo.env.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

command -v wrk >/dev/null || { echo "bench: wrk is missing (make deps)" >&2; exit 1; }

bench_free_port() {
	node -e 'const s=require("net").createServer();
s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}

bench_up() {
	DIR=$(mktemp -d /tmp/wagate-bench.XXXXXX)
	chmod 755 "$DIR"
	trap 'sh scripts/stack.sh down "$DIR" >/dev/null 2>&1; rm -rf "$DIR"' EXIT INT TERM
	WA_TLS_PORT=$(bench_free_port)
	WA_HTTP_PORT=$(bench_free_port)
	WA_METASIM_PORT=$(bench_free_port)
	export WA_TLS_PORT WA_HTTP_PORT WA_METASIM_PORT WA_LISTEN=127.0.0.1 \
	    WA_DEMO=1 WA_BENCH=1
	export WA_RATE=1000000 WA_BURST=1000000
	export WA_BIN_DIR=$ROOT/build/bin
	sh scripts/stack.sh up "$DIR" >/dev/null 2>&1 ||
	    { echo "bench: the stack did not start" >&2; exit 1; }
	# shellcheck disable=SC1091
	. "$DIR/demo.env"
	BASE=https://127.0.0.1:$WA_TLS_PORT
}

# bench_wrk NAME URL [wrk options]: one row "name rps p50 p99 non-2xx",
# after a 2-second warm-up.  THREADS, CONN, DUR from the environment.
bench_wrk() {
	name=$1; url=$2; shift 2
	wrk -t "${THREADS:-2}" -c "${CONN:-32}" -d 2s "$@" "$url" >/dev/null 2>&1
	out=$DIR/$(printf '%s' "$name" | tr -c 'A-Za-z0-9' _).wrk
	wrk -t "${THREADS:-2}" -c "${CONN:-32}" -d "${DUR:-10s}" --latency "$@" \
	    "$url" > "$out"
	awk -v name="$name" '
		/Requests\/sec/ { rps = $2 }
		/^ +50%/ { p50 = $2 }
		/^ +99%/ { p99 = $2 }
		/Non-2xx/ { bad = $NF }
		END { printf "%-34s %12s %10s %10s %8s\n", name, rps, p50, p99, bad ? bad : 0 }
	' "$out"
}

bench_header() {
	echo "wrk -t${THREADS:-2} -c${CONN:-32} -d${DUR:-10s} --latency, TLS keep-alive, $(nproc) cores"
	printf "%-34s %12s %10s %10s %8s\n" "endpoint" "requests/s" "p50" "p99" "non-2xx"
}
