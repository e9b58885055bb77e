-- Before bulk loading contacts (bench_contacts.sh): the plain indexes of
-- wa.contacts and wa.contact_label_members are dropped and kept in
-- public.bench_contact_indexes, so that contacts_derive.sql builds them
-- once over all rows instead of row by row, from the migration's own
-- definitions.
\set ON_ERROR_STOP 1
CREATE TABLE public.bench_contact_indexes AS
SELECT i.indexrelid::regclass::text AS name,
    pg_get_indexdef(i.indexrelid) AS def
FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
WHERE c.relnamespace = 'wa'::regnamespace
    AND c.relname IN ('contacts', 'contact_label_members')
    AND NOT EXISTS (SELECT 1 FROM pg_constraint k
	WHERE k.conindid = i.indexrelid);
DO $$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT name FROM public.bench_contact_indexes LOOP
		EXECUTE 'DROP INDEX ' || r.name;
	END LOOP;
END
$$;
