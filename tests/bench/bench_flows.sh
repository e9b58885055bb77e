#!/bin/sh
# Bot flows: POST .../test-run of a 200-step flow answering 50 scripted
# messages, next to requests through the same binary that do next to
# nothing (the list of flows, a flow that does not exist), all through
# nginx; saturated, then one connection at a time.  After each table,
# the server time per request from the family's own access log (the
# time from reading the request to the response, database included).
set -eu
. "$(dirname "$0")/lib.sh"
bench_up

API=$BASE/organizations/$WA_ORG_ID/bot/flows
LOGF=$DIR/log/bot_flows.log
curl_api() {
	curl -s --cacert "$DIR/tls/cert.pem" -H "x-api-key: $WA_API_KEY" \
	    -H 'content-type: application/json' "$@"
}

# The flow: 50 blocks of message, question (saved), set_variable and
# condition = 200 steps; the last condition is replaced by the end.
# The test-run answers each question once.
node - "$DIR" <<'EOF'
const fs = require('fs');
const dir = process.argv[2];
const steps = [];
for (let i = 0; i < 50; i++) {
	steps.push({ id: `m${i}`, type: 'message', text: `Question ${i + 1} of 50 for {{contact.name|you}}` });
	steps.push({ id: `q${i}`, type: 'question', prompt: `Answer ${i + 1}?`, input: 'text',
		save_to: `a${i}`, on_invalid: 'end' });
	steps.push({ id: `s${i}`, type: 'set_variable',
		assignments: [{ var: 'count', expr: i === 0 ? '1' : 'count + 1' }] });
	steps.push({ id: `c${i}`, type: 'condition', branches: [{ when: { any: [
		{ var: `a${i}`, op: 'eq', value: 'stop' }, { var: `a${i}`, op: 'matches', value: '^quit' }] },
		next: 'end' }] });
}
steps[199] = { id: 'end', type: 'end', message: 'Answered {{count}} of 50' };
fs.writeFileSync(`${dir}/flow.json`, JSON.stringify({ name: 'Bench: 200 steps', steps }));
fs.writeFileSync(`${dir}/run.json`, JSON.stringify({
	messages: Array.from({ length: 50 }, (_, i) => `answer number ${i + 1}`),
	contact: { name: 'Ana', phone: '+34612345678' },
	now: '2026-05-01T09:00:00Z',
}));
EOF
ID=$(curl_api --data-binary @"$DIR/flow.json" "$API" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).data.id))')
curl_api --data-binary @"$DIR/run.json" "$API/$ID/test-run" > "$DIR/run.out"
node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1])).data;
if (r.status!=="completed"||r.stepsRun!==200||r.messagesConsumed!==50) {
console.error("bench: the test-run did not complete: "+JSON.stringify({status:r.status,stepsRun:r.stepsRun,error:r.error}));process.exit(1);}' \
    "$DIR/run.out"

cat > "$DIR/testrun.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$DIR/run.json", "rb")
wrk.body = f:read("*a")
f:close()
EOF

# server_time NAME FROM PATTERN: mean and median duration_ms of the
# requests logged since byte FROM whose path matches PATTERN.
server_time() {
	tail -c +"$(($2 + 1))" "$LOGF" | grep '"msg":"request"' | grep -E "$3" |
	    sed -n 's/.*"duration_ms":\([0-9.]*\).*/\1/p' | sort -n | awk -v name="$1" '
		{ v[NR] = $1; sum += $1 }
		END {
			if (NR == 0) { printf "  %-32s no requests logged\n", name; exit }
			printf "  %-32s %8.3f ms mean %8.3f ms median (%d requests)\n",
			    name, sum / NR, v[int((NR + 1) / 2)], NR
		}'
}

row() {
	name=$1; pattern=$2; shift 2
	from=$(wc -c < "$LOGF")
	bench_wrk "$name" "$@"
	TIMES="$TIMES$(server_time "$name" "$from" "$pattern")
"
}

table() {
	TIMES=""
	bench_header
	bench_wrk "nginx return 200 (baseline)" "$BASE/__bench/return200"
	row "GET bot/flows (list of 1)" '"path":"[^"]*/bot/flows"' "$API" \
	    -H "x-api-key: $WA_API_KEY"
	row "GET bot/flows/{missing} (404)" '"path":"[^"]*/bot/flows/0000' \
	    "$API/00000000-0000-4000-8000-000000000000" \
	    -H "x-api-key: $WA_API_KEY"
	row "POST test-run (200 steps, 50 msgs)" '/test-run"' \
	    "$API/$ID/test-run" -H "x-api-key: $WA_API_KEY" \
	    -s "$DIR/testrun.lua"
	echo "server time per request (bot_flows access log):"
	printf '%s' "$TIMES"
}

echo "== /organizations/{orgId}/bot/flows"
echo "test-run: $(wc -c < "$DIR/run.json") byte request, $(wc -c < "$DIR/run.out") byte response, 200 steps run"
DUR=${WA_BENCH_DURATION:-10s} CONN=${WA_BENCH_CONNECTIONS:-32} \
    THREADS=${WA_BENCH_THREADS:-2} table
echo
DUR=${WA_BENCH_DURATION:-10s} THREADS=1 CONN=1 table
