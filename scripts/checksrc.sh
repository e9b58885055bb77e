#!/bin/sh
# checksrc.sh: house rules the compiler does not check (DESIGN.md,
# spec/style-anchors.md §3.14).  Prints each violation as file:line and
# exits 1 if there is any.
#   - banned: sprintf strcpy strcat atoi strtok gets system, memcmp on
#     secrets (use wa_crypto_eq)
#   - no // comments; lines of at most 80 columns (tab = 8)
#   - fcgi/ code does not call malloc/free/PQclear/cJSON_Delete (the
#     request arena owns everything)
#   - SQL is never assembled at run time: no printf-family call builds a
#     string containing SELECT/INSERT/UPDATE/DELETE
set -u
cd "$(dirname "$0")/.."
mkdir -p build
files=$(ls lib/*.[ch] fcgi/*/*.[ch] scripts/admin/*.c scripts/metasim/*.[ch] \
    tests/unit/*.c tests/fuzz/*.c 2>/dev/null)

for f in $files; do
	grep -nE '\b(sprintf|vsprintf|strcpy|strcat|atoi|atol|strtok|gets|system)\s*\(' "$f" |
	    grep -vE '\b(snprintf|vsnprintf)\b' | while IFS= read -r l; do
		echo "$f:$l: banned function"; done
	grep -nE '(^|[^:"])//' "$f" | grep -vE '"[^"]*//[^"]*"' | while IFS= read -r l; do
		echo "$f:$l: // comment"; done
	expand -t 8 "$f" | awk -v f="$f" 'length > 80 { printf "%s:%d: longer than 80 columns\n", f, NR }'
	grep -nE 'memcmp\s*\(.*(hash|secret|key|token|sig)' "$f" | while IFS= read -r l; do
		echo "$f:$l: memcmp on a secret (use wa_crypto_eq)"; done
	grep -nE 'printf\s*\(.*"\s*(SELECT|INSERT|UPDATE|DELETE) ' "$f" | while IFS= read -r l; do
		echo "$f:$l: SQL built with printf"; done
done > build/checksrc.out 2>/dev/null || true
for f in fcgi/*/*.c; do
	[ -f "$f" ] || continue
	grep -nE '\b(malloc|calloc|realloc|free|PQclear|cJSON_Delete)\s*\(' "$f" |
	    while IFS= read -r l; do echo "$f:$l: manual memory management in a family"; done
done >> build/checksrc.out
if [ -s build/checksrc.out ]; then
	cat build/checksrc.out
	exit 1
fi
echo "checksrc: ok"
