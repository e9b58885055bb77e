#!/bin/sh
# The sending engine (docs/sending.md): a 10,000-recipient broadcast at
# 1,000 messages a second, pacing at 80 and 250 a second for a minute,
# the ingest of 30,000 status items, and crash safety under kill -9 of
# the sending worker.  Measured from the simulator's send ledger (what
# Meta would have received, and when) and wagate's tables.  WA_SEND_BENCH
# picks scenarios (default: all of "rate pace80 pace250 ingest crash").
set -eu
. "$(dirname "$0")/lib.sh"
# a worker killed mid-send: its messages' lease, then `unknown`
export WA_SEND_LEASE_S=20
bench_up
export WA_BIN_DIR
echo "== sending: one account, the simulator as Meta, $(nproc) cores"
for s in ${WA_SEND_BENCH:-rate pace80 pace250 ingest crash}; do
	NODE_EXTRA_CA_CERTS=$DIR/tls/cert.pem node tests/bench/send.mjs "$DIR" "$s"
done
