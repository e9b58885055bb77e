#!/bin/sh
# A profile picture uploaded end to end (nginx -> business_profiles ->
# spool file -> Meta's resumable upload in the simulator), 1 MB and 5 MB
# side by side, with the family's peak memory: the file streams through
# a spool file and libcurl's read callback, so a worker's peak RSS must
# not grow with the file (docs/profiles.md, "The picture").
set -eu
. "$(dirname "$0")/lib.sh"
export WA_WORKERS=1
bench_up

N=${WA_BENCH_UPLOADS:-20}
URL="$BASE/organizations/$WA_ORG_ID/phone-numbers/$WA_ACCOUNT_ID/profile/picture"
master=$(cat "$DIR/run/business_profiles.pid")

# the family's request workers' largest VmHWM, in kB
peak() {
	for p in $(pgrep -P "$master"); do
		awk '/^VmHWM/ { print $2 }' "/proc/$p/status" 2>/dev/null
	done | sort -n | tail -1
}

for mb in 1 5; do
	node --input-type=module -e "
import fs from 'node:fs';
import { pngOfSize } from '$ROOT/tests/e2e/lib/images.mjs';
fs.writeFileSync('$DIR/pic$mb.png', pngOfSize($mb * 1000 * 1000 - 70000));"
done

echo "== POST .../profile/picture (multipart, $N uploads each, 1 request worker)"
printf "%-10s %10s %12s %12s %14s\n" "file" "bytes" "ms/upload" "MB/s" "peak RSS kB"
printf "%-10s %10s %12s %12s %14s\n" "(idle)" "-" "-" "-" "$(peak)"
for mb in 1 5; do
	f=$DIR/pic$mb.png
	bytes=$(wc -c < "$f")
	start=$(date +%s%N)
	i=0
	while [ $i -lt "$N" ]; do
		code=$(curl -s -o "$DIR/out.json" -w '%{http_code}' \
		    --cacert "$DIR/tls/cert.pem" -H "x-api-key: $WA_API_KEY" \
		    -F "file=@$f;type=image/png" "$URL")
		[ "$code" = 201 ] || { echo "bench: upload answered $code:" \
		    "$(cat "$DIR/out.json")" >&2; exit 1; }
		i=$((i + 1))
	done
	end=$(date +%s%N)
	awk -v n="$N" -v b="$bytes" -v ns=$((end - start)) -v rss="$(peak)" \
	    -v name="${mb} MB" 'BEGIN {
		ms = ns / 1e6 / n
		printf "%-10s %10d %12.1f %12.1f %14s\n", name, b, ms,
		    b / 1e6 / (ms / 1000), rss }'
done
