#!/bin/sh
# Contacts and groups at a million contacts (issue 3).  On a private
# stack from the optimized build:
#   1. 1,000,000 contacts in the demo account and 1,000,000 in a second
#      organization, generated in SQL (contacts_*.sql: realistic names,
#      5 tags and 2 groups of 200 each, 10% opted out) in a few minutes;
#   2. each endpoint measured through nginx with wrk and contacts.lua
#      (requests cycle through several tags, pages, search terms), one
#      connection at a time: the latency of a request on an idle stack;
#   3. GET /contacts/{id} next to nginx's fixed `return 200`, saturated.
# Prints one table: requests/s, p50, p95, p99 (ms), non-2xx, target.
# WA_BENCH_CONTACTS (1000000) sets the size, WA_BENCH_DURATION (10s)
# each measurement.
set -eu
. "$(dirname "$0")/lib.sh"
N=${WA_BENCH_CONTACTS:-1000000}
DUR=${WA_BENCH_DURATION:-10s}
HERE=$ROOT/tests/bench

bench_up
if [ "${WA_BENCH_KEEP:-0}" = 1 ]; then
	# keep the stack and its data for a look afterwards
	trap - EXIT INT TERM
	echo "bench: keeping $DIR (sh scripts/stack.sh down $DIR)" >&2
fi
# shellcheck disable=SC1091
. "$DIR/db.env"
# shellcheck disable=SC1091
. "$DIR/secrets.env"
psql_super() {
	(cd / && $WA_SUPER_PSQL -X -q -v ON_ERROR_STOP=1 "$@")
}
# shellcheck disable=SC1091
. "$DIR/graph.env"
admin() {
	WA_ADMIN_DATABASE_URL=$WA_ADMIN_DATABASE_URL \
	WA_SECRET_KEY=$WA_SECRET_KEY WA_GRAPH_URL=$WA_GRAPH_URL \
	WA_GRAPH_CA_FILE=$WA_GRAPH_CA_FILE "$ROOT/build/bin/wa-admin" "$@"
}
ORG_A=$WA_ORG_ID ACC_A=$WA_ACCOUNT_ID KEY_A=$WA_API_KEY
eval "$(admin org create "Bench Other Org")"
eval "$(admin account add --org "$WA_ORG_ID" --waba 300000000000001 \
    --phone-number-id 300000000000002 --display +15550100002 \
    --token bench-other-token)"
ORG_B=$WA_ORG_ID ACC_B=$WA_ACCOUNT_ID

# ---- data ----------------------------------------------------------------
echo "== contacts: generating $N + $N contacts"
t0=$(date +%s)
# A throwaway cluster: room for the load's WAL between checkpoints.
psql_super -c "ALTER SYSTEM SET max_wal_size = '8GB'" \
    -c "SELECT pg_reload_conf()" >/dev/null
psql_super -f "$HERE/contacts_prepare.sql"
psql_super -v org="$ORG_A" -v acc="$ACC_A" -v n="$N" -v cc=+1 -v seed=0 \
    -f "$HERE/contacts_data.sql" &
pa=$!
psql_super -v org="$ORG_B" -v acc="$ACC_B" -v n="$N" -v cc=+44 -v seed=7 \
    -f "$HERE/contacts_data.sql"
wait $pa
psql_super -f "$HERE/contacts_derive.sql"
psql_super -c "CHECKPOINT"
echo "generated in $(($(date +%s) - t0)) s"

# The counts the API reports are those of the data.
got=$(curl -s --cacert "$DIR/tls/cert.pem" -H "x-api-key: $KEY_A" \
    "https://localhost:$WA_TLS_PORT/v1/whatsapp/groups?accountId=$ACC_A" |
    sed -n 's/.*"totalContacts":\([0-9]*\).*/\1/p')
[ "$got" = "$N" ] || { echo "bench: totalContacts is '$got'" >&2; exit 1; }
check=$(psql_super -tA -c "SELECT count(*) FROM (SELECT l.id FROM
    wa.contact_labels l LEFT JOIN (SELECT label_id, count(*) AS n,
    count(*) FILTER (WHERE opted_in) AS o FROM wa.contact_label_members
    GROUP BY label_id) m ON m.label_id = l.id WHERE l.kind <> 'all'
    AND (l.total, l.opted_in) IS DISTINCT FROM (m.n, m.o)) x")
[ "$check" = 0 ] || { echo "bench: $check label counts differ" >&2; exit 1; }

# ---- requests ------------------------------------------------------------
R=$DIR/reqs
mkdir -p "$R"
C=/v1/whatsapp/contacts
Q="accountId=$ACC_A"
ids() {	# ids of contacts of account A, $1 from row $2
	psql_super -tA -c "SELECT string_agg('\"' || id || '\"', ',')
	    FROM (SELECT id FROM wa.contacts WHERE account_id = '$ACC_A'
	    ORDER BY id OFFSET $2 LIMIT $1) x"
}
lines() {	# lines NAME: stdin into $R/NAME
	cat > "$R/$1"
}
ONE=$(psql_super -tA -c "SELECT id FROM wa.contacts
    WHERE account_id = '$ACC_A' ORDER BY id LIMIT 1 OFFSET 123456")

for t in 7 42 99 150 188; do echo "GET $C?$Q&tag=tag$t"; done |
    lines tag_first
for t in 7 42 99 150 188; do echo "GET $C?$Q&tag=tag$t&skip=24000"; done |
    lines tag_deep
for t in 7 42 99 150 188; do echo "GET $C?$Q&tag=tag$t&skip=12500"; done |
    lines tag_middle
for g in 3 64 120 171 199; do echo "GET $C?$Q&group=group$g"; done |
    lines group_first
for g in 3 64 120 171 199; do echo "GET $C?$Q&group=group$g&skip=9500"; done |
    lines group_deep
for g in 3 64 120 171 199; do echo "GET $C?$Q&group=group$g&skip=5000"; done |
    lines group_middle
echo "GET $C?$Q" | lines all_first
echo "GET $C?$Q&skip=500000" | lines all_middle
for s in Garcia Patterson Nguyen Hamilton Sullivan; do
	echo "GET $C?$Q&search=$s"; done | lines search_surname
for s in Patricia%20Garcia James%20Smith Linda%20Nguyen Emma%20Hall \
    Kevin%20Ross; do
	echo "GET $C?$Q&search=$s"; done | lines search_name
for s in patricia.ga john.smith mary.jones42 linda.hall jose.mendez; do
	echo "GET $C?$Q&search=$s"; done | lines search_email
for s in 5551234 7368 2018 99871 4012345; do
	echo "GET $C?$Q&search=$s"; done | lines search_phone
echo "GET $C?$Q&limit=1" | lines filters
echo "GET /v1/whatsapp/groups?$Q" | lines groups
echo "GET $C/$ONE" | lines get_one
echo "GET /__bench/return200" | lines return200
echo "POST $C/import @IMPORT" | lines import
i=0
for k in 0 1 2 3; do
	printf '{"action":"addTags","contactIds":[%s],"tags":["bench-%d"]}' \
	    "$(ids 500 $((k * 500)))" "$k" > "$R/bulk_add_$k.json"
	sed 's/"addTags"/"removeTags"/' "$R/bulk_add_$k.json" \
	    > "$R/bulk_remove_$k.json"
done
for k in 0 1 2 3; do
	echo "POST $C/bulk @$R/bulk_add_$k.json"
	echo "POST $C/bulk @$R/bulk_remove_$k.json"
done | lines bulk

# run NAME TARGET_MS [wrk options]: one row; TARGET_MS is checked
# against p95 ("-" = none).
run() {
	name=$1 target=$2
	shift 2
	WA_BENCH_REQS=$R/$name WA_BENCH_KEY=$KEY_A WA_BENCH_ACCOUNT=$ACC_A \
	WA_BENCH_NAME=$name wrk -t1 -c1 -d2s --timeout 30s \
	    -s "$HERE/contacts.lua" \
	    "$BASE" >/dev/null 2>&1
	row=$(WA_BENCH_REQS=$R/$name WA_BENCH_KEY=$KEY_A \
	    WA_BENCH_ACCOUNT=$ACC_A WA_BENCH_NAME=$name \
	    wrk -t"${THREADS:-1}" -c"${CONN:-1}" -d"$DUR" --timeout 30s "$@" \
	    -s "$HERE/contacts.lua" "$BASE" | tail -n 1)
	verdict=$(echo "$row" | awk -v t="$target" '
	    t == "-" { print "-"; exit }
	    { print ($4 <= t && $6 == 0) ? "ok (<= " t ")" : "MISSED (" t ")" }')
	printf '%s  %s\n' "$row" "$verdict"
}
header() {
	printf '%-36s %10s %9s %9s %9s %8s  %s\n' endpoint requests/s \
	    p50_ms p95_ms p99_ms non-2xx "p95 target"
}

echo
echo "== contacts: one connection, $DUR each, $(nproc) cores; account of" \
    "$N contacts next to another organization's $N"
header
run return200 -
run get_one -
run all_first -
run all_middle -
run tag_first 20
run tag_middle 20
run tag_deep 20
run group_first 20
run group_middle 20
run group_deep 20
run search_name 50
run search_surname 50
run search_email 50
run search_phone 50
run filters 50
run groups 50
run import 150
run bulk 100
echo
# how many contacts each search term finds (the account's total)
for f in search_name search_surname search_email search_phone; do
	printf '%-36s' "$f matches:"
	while read -r _ path; do
		curl -s --cacert "$DIR/tls/cert.pem" -H "x-api-key: $KEY_A" \
		    "https://localhost:$WA_TLS_PORT$path" |
		    sed -n 's/.*"total":\([0-9]*\).*/ \1/p' | tr -d '\n'
	done < "$R/$f"
	echo
done
echo
echo "== GET /contacts/{id} next to nginx, saturated (32 connections)"
header
THREADS=2 CONN=32 run return200 -
THREADS=2 CONN=32 run get_one -
