#!/bin/sh
# The Meta simulator (build/bin/metasim, docs/meta.md) on its own: what
# it sustains over TLS with keep-alive, so that it is never what limits
# a benchmark of wagate.  Reads (business profile, a template page),
# message sends (status webhooks off: only the simulator is measured),
# and its health endpoint as the baseline.
set -eu
. "$(dirname "$0")/lib.sh"
bench_up

SIM=https://localhost:$WA_METASIM_PORT
PHONE=100000000000002
WABA=100000000000001
AUTH="Authorization: Bearer sandbox-demo-token"
simcurl() {
	curl -sf --cacert "$DIR/tls/cert.pem" -H 'content-type: application/json' "$@"
}

# no status webhooks, no limits: the simulator's own cost only
simcurl -X POST -d '{"statuses":false,"limits":false}' "$SIM/_sim/config" >/dev/null
i=0
while [ $i -lt 30 ]; do
	simcurl -H "$AUTH" -X POST -d "{\"name\":\"bench_$i\",\"language\":\"en_US\",\
\"category\":\"UTILITY\",\"components\":[{\"type\":\"BODY\",\"text\":\"Order {{1}}\",\
\"example\":{\"body_text\":[[\"A1\"]]}}]}" "$SIM/v23.0/$WABA/message_templates" >/dev/null
	i=$((i + 1))
done
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$DIR/tls/cert.pem" \
    -H "$AUTH" "$SIM/v23.0/$PHONE/whatsapp_business_profile")
[ "$code" = 200 ] || { echo "bench: the simulator answered $code" >&2; exit 1; }

cat > "$DIR/send.lua" <<-EOF
wrk.method = "POST"
wrk.body = '{"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234","type":"text","text":{"body":"bench"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer sandbox-demo-token"
EOF

table() {
	bench_header
	bench_wrk "GET /_sim/health (baseline)" "$SIM/_sim/health"
	bench_wrk "GET business profile" \
	    "$SIM/v23.0/$PHONE/whatsapp_business_profile" -H "$AUTH"
	bench_wrk "GET message_templates (25 of 30)" \
	    "$SIM/v23.0/$WABA/message_templates" -H "$AUTH"
	bench_wrk "POST messages (text)" \
	    "$SIM/v23.0/$PHONE/messages" -s "$DIR/send.lua"
}

echo "== metasim ($(nproc) cores shared with the stack)"
DUR=${WA_BENCH_DURATION:-10s} CONN=${WA_BENCH_CONNECTIONS:-32} \
    THREADS=${WA_BENCH_THREADS:-2} table
