-- After contacts_data.sql: what the triggers of sql/0003_contacts.sql
-- keep, computed in one pass over all contacts with the migration's own
-- functions (counts per tag, group and account; the members of each
-- label), then the indexes dropped by contacts_prepare.sql, and fresh
-- statistics.
\set ON_ERROR_STOP 1
SET session_replication_role = replica;
SET synchronous_commit = off;
SET maintenance_work_mem = '1GB';
SET max_parallel_maintenance_workers = 2;
INSERT INTO wa.contact_labels (org_id, account_id, kind, label, total,
    opted_in)
SELECT k.org_id, k.account_id, k.kind, k.label, count(*),
    count(*) FILTER (WHERE k.opted_in)
FROM wa.contacts c, wa.contact_pairs(ARRAY[c], 1) k
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4;
ANALYZE wa.contacts, wa.contact_labels;
INSERT INTO wa.contact_label_members (org_id, label_id, sort_name,
    contact_id, opted_in)
SELECT k.org_id, l.id, k.sort_name, k.contact_id, k.opted_in
FROM wa.contacts c
CROSS JOIN LATERAL wa.contact_pairs(ARRAY[c], 1) k
JOIN wa.contact_labels l ON l.org_id = k.org_id
    AND l.account_id = k.account_id AND l.kind = k.kind
    AND l.label = k.label
WHERE k.kind <> 'all';
DO $$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT def FROM public.bench_contact_indexes LOOP
		EXECUTE r.def;
	END LOOP;
END
$$;
DROP TABLE public.bench_contact_indexes;
VACUUM ANALYZE wa.contacts, wa.contact_labels, wa.contact_label_members;
