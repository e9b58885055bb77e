#!/bin/sh
# The agents' reads at scale (issue 13; docs/conversations.md): one
# organization with 100,000 conversations and 2,000,000 messages
# (conversations_data.sql: long threads for 1% of the customers, short
# ones for the rest), then through nginx with wrk and contacts.lua, one
# connection at a time (the latency of a request on an idle stack):
# the conversation list (first page, filters, pages deep in it) and a
# conversation's latest 50 messages (long and short threads, and a page
# further back).  Targets: list p95 <= 20 ms, messages p95 <= 10 ms.
# WA_BENCH_CONVERSATIONS (100000), WA_BENCH_MESSAGES (2000000) and
# WA_BENCH_DURATION (10s) change the run.
set -eu
. "$(dirname "$0")/lib.sh"
N=${WA_BENCH_CONVERSATIONS:-100000}
M=${WA_BENCH_MESSAGES:-2000000}
DUR=${WA_BENCH_DURATION:-10s}
HERE=$ROOT/tests/bench

bench_up
# shellcheck disable=SC1091
. "$DIR/db.env"
psql_super() {
	(cd / && $WA_SUPER_PSQL -X -q -v ON_ERROR_STOP=1 "$@")
}
ORG=$WA_ORG_ID ACC=$WA_ACCOUNT_ID KEY=$WA_API_KEY

echo "== conversations: generating $N conversations, $M messages"
t0=$(date +%s)
psql_super -c "ALTER SYSTEM SET max_wal_size = '8GB'" \
    -c "SELECT pg_reload_conf()" >/dev/null
psql_super -v org="$ORG" -v acc="$ACC" -v n="$N" -v m="$M" \
    -f "$HERE/conversations_data.sql"
psql_super -c "CHECKPOINT"
echo "generated in $(($(date +%s) - t0)) s:" \
    "$(psql_super -tA -c "SELECT (SELECT count(*) FROM wa.conversations)
    || ' conversations, ' || (SELECT count(*) FROM wa.messages) +
    (SELECT count(*) FROM wa.inbound_messages) || ' messages'")"

R=$DIR/reqs
mkdir -p "$R"
L=/organizations/$ORG/conversations
H=$((N / 100))	# the long threads are the first H
lines() {	# lines NAME: stdin into $R/NAME
	cat > "$R/$1"
}
# the cursor of the conversation at offset $1 of the list
cursor() {
	psql_super -tA -c "SELECT to_char(last_message_at AT TIME ZONE 'UTC',
	    'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') || '_' || id
	    FROM wa.conversations WHERE org_id = '$ORG'
	    ORDER BY last_message_at DESC, id DESC OFFSET $1 LIMIT 1"
}
# conversation ids: long threads (the first 1%) and short ones
conv() {
	psql_super -tA -c "SELECT id FROM wa.conversations
	    WHERE peer = '+1555' || lpad('$1', 7, '0')"
}
echo "GET $L" | lines list_first
for s in open pending closed; do echo "GET $L?status=$s"; done |
    lines list_status
echo "GET $L?unread=true" | lines list_unread
for a in 1 7 13 19; do echo "GET $L?assigneeId=agent-$a&status=open"; done |
    lines list_assignee
for o in $H $((N / 4)) $((N / 2)) $((3 * N / 4)) $((N - H)); do
	echo "GET $L?cursor=$(cursor "$o")"; done | lines list_deep
LONG="1 $((H / 4)) $((H / 2)) $((3 * H / 4)) $H"
for i in $LONG; do
	echo "GET $L/$(conv "$i")/messages"; done | lines messages_long
for i in $((2 * H)) $((N / 3)) $((N / 2)) $((9 * N / 10)) $N; do
	echo "GET $L/$(conv "$i")/messages"; done | lines messages_short
for i in $LONG; do
	c=$(conv "$i")
	b=$(psql_super -tA -c "SELECT to_char(created_at AT TIME ZONE 'UTC',
	    'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') || '_' || id
	    FROM wa.messages WHERE to_phone = '+1555' || lpad('$i', 7, '0')
	    ORDER BY created_at DESC OFFSET 100 LIMIT 1")
	echo "GET $L/$c/messages?before=$b"
done | lines messages_older

# every request answers 200 before it is measured
for f in "$R"/*; do
	while read -r _ path; do
		code=$(curl -s -o "$DIR/answer" -w '%{http_code}' \
		    --cacert "$DIR/tls/cert.pem" -H "x-api-key: $KEY" \
		    "https://localhost:$WA_TLS_PORT$path")
		[ "$code" = 200 ] || { echo "bench: $path: $code" \
		    "$(head -c 300 "$DIR/answer")" >&2; exit 1; }
	done < "$f"
done

# run NAME TARGET_MS: one row; TARGET_MS is checked against p95.
run() {
	name=$1 target=$2
	WA_BENCH_REQS=$R/$name WA_BENCH_KEY=$KEY WA_BENCH_NAME=$name \
	    wrk -t1 -c1 -d2s --timeout 30s -s "$HERE/contacts.lua" \
	    "$BASE" >/dev/null 2>&1
	row=$(WA_BENCH_REQS=$R/$name WA_BENCH_KEY=$KEY WA_BENCH_NAME=$name \
	    wrk -t1 -c1 -d"$DUR" --timeout 30s -s "$HERE/contacts.lua" \
	    "$BASE" | tail -n 1)
	verdict=$(echo "$row" | awk -v t="$target" '
	    { print ($4 <= t && $6 == 0) ? "ok (<= " t ")" : "MISSED (" t ")" }')
	printf '%s  %s\n' "$row" "$verdict"
}

echo
echo "== conversations: one connection, $DUR each, $(nproc) cores;" \
    "$N conversations, $M messages in one organization"
printf '%-36s %10s %9s %9s %9s %8s  %s\n' endpoint requests/s \
    p50_ms p95_ms p99_ms non-2xx "p95 target"
run list_first 20
run list_status 20
run list_unread 20
run list_assignee 20
run list_deep 20
run messages_long 10
run messages_short 10
run messages_older 10
