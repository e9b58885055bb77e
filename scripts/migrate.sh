#!/bin/sh
# migrate.sh PGBIN PGSOCK: applies the migrations in sql/ that the
# database `wagate` has not seen, in file-name order, each in one
# transaction together with its entry in public.wa_schema_migrations.
set -eu
# File names in byte order whatever the caller's locale (0002_tenancy
# before 0002a_tenant_table, as '_' < 'a').
LC_ALL=C
export LC_ALL
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PGBIN=$1
PGSOCK=$2

psql() {
	(cd / && runuser -u postgres -- "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 \
	    -h "$PGSOCK" -U postgres -d wagate "$@")
}

psql -c "CREATE TABLE IF NOT EXISTS public.wa_schema_migrations (
	version text PRIMARY KEY,
	applied_at timestamptz NOT NULL DEFAULT now())" 2>/dev/null
for f in "$ROOT"/sql/*.sql; do
	v=$(basename "$f" .sql)
	if psql -tAc "SELECT 1 FROM public.wa_schema_migrations
	    WHERE version = '$v'" | grep -q 1; then
		continue
	fi
	printf 'migrate: applying %s\n' "$v" >&2
	# psql reads the file as postgres: pass it on standard input.
	psql --single-transaction -f - \
	    -c "INSERT INTO public.wa_schema_migrations (version) VALUES ('$v')" \
	    < "$f"
done
