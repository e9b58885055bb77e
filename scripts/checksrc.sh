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
#   - lib/ is layered (docs/architecture.md): the bot-flow engine in
#     lib/flow/ knows nothing of the request, the database or FastCGI;
#     no lib/ folder includes a family's header
#   - the object files of lib/ go into one archive by their base name:
#     no two lib/ sources share one
set -u
cd "$(dirname "$0")/.."
mkdir -p build
files=$(ls lib/*.[ch] lib/*/*.[ch] fcgi/*/*.[ch] scripts/admin/*.c scripts/metasim/*.[ch] \
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
# The boundary of lib/flow/: what its files include, directly or
# through another header, as the preprocessor sees it.
for f in lib/flow/*.[ch]; do
	${CC:-cc} -MM -MG -Ilib $(pkg-config --cflags libcjson 2>/dev/null) \
	    "$f" 2>/dev/null | tr ' \\' '\n\n' |
	    grep -E '(^|/)(req|db|fcgi|dispatch|route|resp|auth|idem|accounts|graph)\.h$' |
	    while IFS= read -r h; do
		echo "$f: includes $h (lib/flow/ must not know the request, the database or FastCGI)"
	done
done >> build/checksrc.out
ls lib/*.c lib/*/*.c | xargs -n1 basename | sort | uniq -d | while IFS= read -r b; do
	echo "lib/: more than one $b (libwa.a keeps members by base name)"
done >> build/checksrc.out
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
