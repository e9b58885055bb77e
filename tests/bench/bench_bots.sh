#!/bin/sh
# Bots live (issue 13): 200 conversations a second of customers' first
# messages, each answered by a one-step AUTO_REPLY flow; p99 from the
# webhook's arrival at nginx to the reply's request at the simulator
# (target 100 ms), and no backlog.  WA_BENCH_BOT_RATE (200) and
# WA_BENCH_BOT_SECONDS (30) change the run.
set -eu
. "$(dirname "$0")/lib.sh"
bench_up
export WA_BIN_DIR
echo "== bots: one account, the simulator as Meta, $(nproc) cores"
NODE_EXTRA_CA_CERTS=$DIR/tls/cert.pem node tests/bench/bots.mjs "$DIR" \
    "${WA_BENCH_BOT_RATE:-200}" "${WA_BENCH_BOT_SECONDS:-30}"
