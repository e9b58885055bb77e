/*
 * wa-admin: the operator's tool (DESIGN.md, "Operating it").
 *
 * Connects with WA_ADMIN_DATABASE_URL (a role that bypasses row-level
 * security), seals access tokens with WA_SECRET_KEY and proves numbers
 * at WA_GRAPH_URL (WA_GRAPH_CA_FILE); scripts/wa-admin fills them in
 * from the stack that `make run` started.  Results are
 * NAME=value lines on stdout, so scripts can eval them; errors go to
 * stderr with exit status 1 (2 for usage).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "arena.h"
#include "auth.h"
#include "cfg.h"
#include "clock.h"
#include "crypto.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "req.h"
#include "valid.h"

static struct wa_req	 R;
static struct wa_cfg	 cfg;

static void
usage(void)
{
	fputs("usage: wa-admin org create NAME [--email EMAIL]\n"
	    "       wa-admin profile create --org ID --name NAME\n"
	    "       wa-admin key create --org ID [--profile ID] "
	    "[--role admin|member] [--test] [--name LABEL]\n"
	    "       wa-admin key list --org ID\n"
	    "       wa-admin key revoke PREFIX\n"
	    "       wa-admin account add --org ID --waba WABA_ID "
	    "--phone-number-id META_ID --token TOKEN|- [--display +E164] "
	    "[--profile ID] [--no-verify]\n"
	    "       wa-admin account move --account ID --org ID "
	    "[--profile ID]\n"
	    "       wa-admin account verify --account ID\n"
	    "       wa-admin account list [--org ID] "
	    "[--phone-number-id META_ID]\n"
	    "       wa-admin account pace ACCOUNT_ID --mps N\n"
	    "       wa-admin account resume ACCOUNT_ID\n"
	    "       wa-admin suppress --account ID --phone +E164 "
	    "[--kind opted_out|blocked|stopped_marketing] [--lift] "
	    "[--note TEXT]\n"
	    "       wa-admin org plan --org ID [--plan none|paid] "
	    "[--numbers N]\n"
	    "       wa-admin org quota --org ID [--profiles N] [--bot-flows N] "
	    "[--contacts N] [--broadcasts N]\n"
	    "         [--web-chat-channels N] [--media N]\n", stderr);
	exit(2);
}

static void
die(const char *what)
{
	if (R.err.log_detail[0] != '\0')
		fprintf(stderr, "wa-admin: %s: %s (%s)\n", what,
		    R.err.message, R.err.log_detail);
	else
		fprintf(stderr, "wa-admin: %s: %s\n", what, R.err.message);
	if (R.err.nfields > 0)
		fprintf(stderr, "wa-admin: %s %s\n", R.err.fields[0].field,
		    R.err.fields[0].msg);
	wa_db_rollback(&R);
	exit(1);
}

/* Value of --name in argv[from..], or NULL. */
static const char *
opt(int argc, char **argv, int from, const char *name)
{
	int	i;

	for (i = from; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return i + 1 < argc ? argv[i + 1] : NULL;
	return NULL;
}

static int
flag(int argc, char **argv, int from, const char *name)
{
	int	i;

	for (i = from; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

static const char *
need_uuid(const char *v, const char *what)
{
	if (!wa_valid_uuid(v)) {
		fprintf(stderr, "wa-admin: %s must be a UUID\n", what);
		exit(2);
	}
	return v;
}

static void
begin(const char *org)
{
	if (wa_db_begin(&R) != WA_OK)
		die("database");
	if (org != NULL && wa_db_set_org(&R, org) != WA_OK)
		die("database");
}

static void
commit(void)
{
	if (wa_db_commit(&R) != WA_OK)
		die("commit");
}

static int
org_create(int argc, char **argv)
{
	static const char sql[] =
	    "INSERT INTO wa.organizations (name, email) VALUES ($1, $2) "
	    "RETURNING id";
	const char	*email = opt(argc, argv, 4, "--email");
	PGresult	*res;

	if (argc < 4 || argv[3][0] == '\0' || strlen(argv[3]) > 255)
		usage();
	if (email != NULL && !wa_valid_email(email)) {
		fprintf(stderr, "wa-admin: --email is not a valid address\n");
		return 2;
	}
	begin(NULL);
	if (wa_db_q(&R, &res, sql, 2, argv[3], email) != WA_OK)
		die("org create");
	commit();
	printf("WA_ORG_ID=%s\n", wa_db_get(res, 0, "id"));
	return 0;
}

static int
profile_create(int argc, char **argv)
{
	static const char sql[] =
	    "INSERT INTO wa.profiles (org_id, name, updated_at) "
	    "VALUES ($1, $2, now()) RETURNING id";
	const char	*org = opt(argc, argv, 3, "--org");
	const char	*name = opt(argc, argv, 3, "--name");
	PGresult	*res;

	if (org == NULL || name == NULL || *name == '\0')
		usage();
	begin(need_uuid(org, "--org"));
	if (wa_db_q(&R, &res, sql, 2, org, name) != WA_OK)
		die("profile create");
	commit();
	printf("WA_PROFILE_ID=%s\n", wa_db_get(res, 0, "id"));
	return 0;
}

static int
key_create(int argc, char **argv)
{
	static const char sql[] =
	    "INSERT INTO wa.api_keys (org_id, profile_id, prefix, secret_hash, "
	    "mode, role, name) VALUES ($1, $2, $3, decode($4, 'hex'), $5, $6, "
	    "$7) RETURNING id";
	const char	*org = opt(argc, argv, 3, "--org");
	const char	*profile = opt(argc, argv, 3, "--profile");
	const char	*role = opt(argc, argv, 3, "--role");
	const char	*label = opt(argc, argv, 3, "--name");
	int		 test = flag(argc, argv, 3, "--test");
	struct wa_key	 k;
	char		 full[WA_KEY_MAX], hex[2 * WA_SHA256_LEN + 1];
	unsigned char	 h[WA_SHA256_LEN];
	PGresult	*res;

	if (org == NULL)
		usage();
	need_uuid(org, "--org");
	if (profile != NULL)
		need_uuid(profile, "--profile");
	if (role == NULL)
		role = "admin";
	if (wa_auth_role_parse(role) < 0)
		usage();
	if (wa_auth_generate(test, &k, full, sizeof(full)) != 0) {
		fprintf(stderr, "wa-admin: random generator failed\n");
		return 1;
	}
	wa_auth_hash(&k, h);
	wa_crypto_hex(h, sizeof(h), hex);
	begin(org);
	if (wa_db_q(&R, &res, sql, 7, org, profile, k.prefix, hex,
	    test ? "test" : "live", role, label) != WA_OK)
		die("key create");
	commit();
	/* The secret exists only in this output. */
	printf("WA_API_KEY=%s\nWA_KEY_PREFIX=%s\nWA_KEY_ID=%s\n", full,
	    k.prefix, wa_db_get(res, 0, "id"));
	return 0;
}

static int
key_list(int argc, char **argv)
{
	static const char sql[] =
	    "SELECT prefix, role, mode, profile_id, name, "
	    "wa.rfc3339(created_at) AS created_at, "
	    "wa.rfc3339(revoked_at) AS revoked_at FROM wa.api_keys "
	    "WHERE org_id = $1 ORDER BY created_at, prefix";
	const char	*org = opt(argc, argv, 3, "--org");
	PGresult	*res;
	int		 i;
	const char	*v;

	if (org == NULL)
		usage();
	begin(need_uuid(org, "--org"));
	if (wa_db_q(&R, &res, sql, 1, org) != WA_OK)
		die("key list");
	commit();
	for (i = 0; i < PQntuples(res); i++) {
		v = wa_db_get(res, i, "revoked_at");
		printf("prefix=%s role=%s mode=%s profile=%s created_at=%s "
		    "revoked_at=%s name=%s\n", wa_db_get(res, i, "prefix"),
		    wa_db_get(res, i, "role"), wa_db_get(res, i, "mode"),
		    wa_db_get(res, i, "profile_id") ?
		    wa_db_get(res, i, "profile_id") : "",
		    wa_db_get(res, i, "created_at"), v != NULL ? v : "",
		    wa_db_get(res, i, "name") ? wa_db_get(res, i, "name") : "");
	}
	return 0;
}

static int
key_revoke(int argc, char **argv)
{
	static const char sql[] =
	    "UPDATE wa.api_keys SET revoked_at = now() WHERE prefix = $1 "
	    "AND revoked_at IS NULL RETURNING id";
	PGresult	*res;

	if (argc < 4)
		usage();
	begin(NULL);
	if (wa_db_q(&R, &res, sql, 1, argv[3]) != WA_OK)
		die("key revoke");
	commit();
	if (PQntuples(res) == 0) {
		fprintf(stderr, "wa-admin: no live key with prefix %.32s\n",
		    argv[3]);
		return 1;
	}
	printf("WA_REVOKED_KEY_ID=%s\n", wa_db_get(res, 0, "id"));
	return 0;
}

static const char *
read_token(const char *arg)
{
	static char	buf[4097];
	size_t		n;

	if (arg == NULL || strcmp(arg, "-") != 0)
		return arg;
	n = fread(buf, 1, sizeof(buf) - 1, stdin);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	return buf;
}

/*
 * Attaching a number proves it at Meta first, as the API does
 * (lib/accounts.h): the token must reach the WABA and the number, and
 * the number must be one of the WABA's.  --no-verify takes the
 * operator's word instead, for a database without a reachable Graph
 * API (offline, a migration from another platform); such an account is
 * recorded as the operator's (wa_accounts.proof = 'operator').
 */
static int
account_add(int argc, char **argv)
{
	struct wa_account_new	 a;
	char			 id[WA_UUID_LEN];

	memset(&a, 0, sizeof(a));
	a.org_id = opt(argc, argv, 3, "--org");
	a.waba_id = opt(argc, argv, 3, "--waba");
	a.phone_number_id = opt(argc, argv, 3, "--phone-number-id");
	a.display_phone_number = opt(argc, argv, 3, "--display");
	a.access_token = read_token(opt(argc, argv, 3, "--token"));
	a.profile_id = opt(argc, argv, 3, "--profile");
	a.unproven = flag(argc, argv, 3, "--no-verify");
	if (a.org_id == NULL || a.waba_id == NULL || a.access_token == NULL ||
	    a.phone_number_id == NULL)
		usage();
	need_uuid(a.org_id, "--org");
	if (a.profile_id != NULL)
		need_uuid(a.profile_id, "--profile");
	if (!wa_account_valid_meta_id(a.waba_id) ||
	    !wa_account_valid_meta_id(a.phone_number_id)) {
		fprintf(stderr, "wa-admin: --waba and --phone-number-id must "
		    "be Meta ids (1-64 letters, digits, _ or -)\n");
		return 2;
	}
	if (a.display_phone_number != NULL &&
	    !wa_valid_e164(a.display_phone_number)) {
		fprintf(stderr, "wa-admin: --display must be E.164, "
		    "e.g. +14155550100\n");
		return 2;
	}
	R.started_us = wa_clock_mono_us();
	begin(a.org_id);
	if (wa_account_create(&R, &a, id) != WA_OK) {
		if (wa_err_status(R.err.code) >= 500 && !a.unproven)
			fprintf(stderr, "wa-admin: the Graph API (%s) did not "
			    "answer; set WA_GRAPH_URL, or add the account "
			    "unproven with --no-verify\n", cfg.graph_url);
		die("account add");
	}
	commit();
	printf("WA_ACCOUNT_ID=%s\n", id);
	return 0;
}

/* An organization's quotas (sql/0008_quotas.sql): the ones given are
 * set, and all of them printed. */
static const struct {
	const char	*opt, *column, *name;
} quotas[] = {
	{ "--profiles", "max_profiles", "WA_MAX_PROFILES" },
	{ "--bot-flows", "max_bot_flows", "WA_MAX_BOT_FLOWS" },
	{ "--contacts", "max_contacts", "WA_MAX_CONTACTS" },
	{ "--broadcasts", "max_broadcasts", "WA_MAX_BROADCASTS" },
	{ "--web-chat-channels", "max_web_chat_channels",
	    "WA_MAX_WEB_CHAT_CHANNELS" },
	{ "--media", "max_media", "WA_MAX_MEDIA" },
};
#define NQUOTAS	(sizeof(quotas) / sizeof(quotas[0]))

static int
org_quota(int argc, char **argv)
{
	static const char sql[] =
	    "UPDATE wa.organizations SET "
	    "max_profiles = coalesce($2::integer, max_profiles), "
	    "max_bot_flows = coalesce($3::integer, max_bot_flows), "
	    "max_contacts = coalesce($4::integer, max_contacts), "
	    "max_broadcasts = coalesce($5::integer, max_broadcasts), "
	    "max_web_chat_channels = coalesce($6::integer, "
	    "max_web_chat_channels), "
	    "max_media = coalesce($7::integer, max_media) "
	    "WHERE id = $1 "
	    "RETURNING max_profiles, max_bot_flows, max_contacts, "
	    "max_broadcasts, max_web_chat_channels, max_media";
	const char	*org = opt(argc, argv, 3, "--org");
	const char	*v[NQUOTAS];
	PGresult	*res;
	char		*end;
	long		 n;
	size_t		 i;

	if (org == NULL)
		usage();
	need_uuid(org, "--org");
	for (i = 0; i < NQUOTAS; i++) {
		v[i] = opt(argc, argv, 3, quotas[i].opt);
		if (v[i] == NULL)
			continue;
		n = strtol(v[i], &end, 10);
		if (*v[i] == '\0' || *end != '\0' || n < 0 ||
		    n > 2000000000) {
			fprintf(stderr, "wa-admin: %s must be a number from "
			    "0\n", quotas[i].opt);
			return 2;
		}
	}
	begin(NULL);
	if (wa_db_q(&R, &res, sql, 7, org, v[0], v[1], v[2], v[3], v[4],
	    v[5]) != WA_OK)
		die("org quota");
	if (PQntuples(res) != 1) {
		fprintf(stderr, "wa-admin: no organization %s\n", org);
		wa_db_rollback(&R);
		return 1;
	}
	commit();
	for (i = 0; i < NQUOTAS; i++)
		printf("%s=%s\n", quotas[i].name, wa_db_get(res, 0,
		    quotas[i].column));
	return 0;
}

/* An organization's plan for phone numbers (sql/0022): --plan none or
 * paid, --numbers how many it may hold; printed. */
static int
org_plan(int argc, char **argv)
{
	static const char sql[] =
	    "UPDATE wa.organizations SET plan = coalesce($2, plan), "
	    "phone_number_limit = coalesce($3::integer, phone_number_limit) "
	    "WHERE id = $1 RETURNING plan, phone_number_limit";
	const char	*org = opt(argc, argv, 3, "--org");
	const char	*plan = opt(argc, argv, 3, "--plan");
	const char	*num = opt(argc, argv, 3, "--numbers");
	PGresult	*res;
	char		*end;
	long		 n = 0;

	if (org == NULL || (plan == NULL && num == NULL))
		usage();
	need_uuid(org, "--org");
	if (plan != NULL && strcmp(plan, "none") != 0 &&
	    strcmp(plan, "paid") != 0) {
		fprintf(stderr, "wa-admin: --plan is none or paid\n");
		return 2;
	}
	if (num != NULL && ((n = strtol(num, &end, 10)) < 0 || n > 1000 ||
	    *num == '\0' || *end != '\0')) {
		fprintf(stderr, "wa-admin: --numbers must be 0 to 1000\n");
		return 2;
	}
	begin(NULL);
	if (wa_db_q(&R, &res, sql, 3, org, plan, num) != WA_OK)
		die("org plan");
	if (PQntuples(res) != 1) {
		fprintf(stderr, "wa-admin: no organization %s\n", org);
		wa_db_rollback(&R);
		return 1;
	}
	commit();
	printf("WA_PLAN=%s\nWA_PHONE_NUMBER_LIMIT=%s\n", wa_db_get(res, 0,
	    "plan"), wa_db_get(res, 0, "phone_number_limit"));
	return 0;
}

/* The live account `id` as wa-admin sees it (every organization). */
static PGresult *
account_row(const char *id)
{
	static const char sql[] =
	    "SELECT id, org_id, profile_id, waba_id, phone_number_id, "
	    "display_phone_number, encode(access_token_enc, 'hex') AS tok "
	    "FROM wa.wa_accounts WHERE id = $1 AND deleted_at IS NULL "
	    "FOR UPDATE";
	PGresult	*res;

	if (wa_db_q(&R, &res, sql, 1, id) != WA_OK)
		die("account");
	if (PQntuples(res) == 0) {
		fprintf(stderr, "wa-admin: no live account %s\n", id);
		wa_db_rollback(&R);
		exit(1);
	}
	return res;
}

/* The token of row 0 of account_row(), opened. */
static const char *
account_token(const PGresult *res)
{
	struct wa_account	 a;
	const char		*hex = wa_db_get(res, 0, "tok"), *tok;
	size_t			 n = hex != NULL ? strlen(hex) / 2 : 0;
	unsigned char		*sealed = wa_arena_alloc(R.arena, n + 1);

	memset(&a, 0, sizeof(a));
	snprintf(a.id, sizeof(a.id), "%s", wa_db_get(res, 0, "id"));
	if (hex == NULL || wa_crypto_unhex(hex, sealed, n) != 0)
		n = 0;
	a.token_sealed = sealed;
	a.token_sealed_len = n;
	if (wa_account_token(&R, &a, &tok) != WA_OK)
		die("account token (is WA_SECRET_KEY the stack's?)");
	return tok;
}

/*
 * Moves a number to another organization (or to a profile): the old
 * account is retired (its organization keeps its history: messages,
 * statuses, contacts, templates stay with it) and the new organization
 * gets a new account with the same Meta ids and display number, the
 * token sealed again for the new account's id.  Meta is not asked: who
 * holds the number is the operator's decision, and the token and ids
 * are what they were.  The proof moves along (a proven account stays
 * proven as of when it was); an account that had none is recorded as
 * the operator's.  Meta's webhooks for the number go to the new
 * organization only, from the commit on.
 */
static int
account_move(int argc, char **argv)
{
	static const char sql_retire[] =
	    "UPDATE wa.wa_accounts SET deleted_at = now(), "
	    "updated_at = now(), deleted_reason = 'moved to another "
	    "organization by the operator (wa-admin account move)' "
	    "WHERE id = $1 AND deleted_at IS NULL";
	static const char sql_proof[] =
	    "UPDATE wa.wa_accounts n SET proof = o.proof, "
	    "verified_at = o.verified_at FROM wa.wa_accounts o "
	    "WHERE n.id = $1 AND o.id = $2 AND o.proof = 'meta'";
	static const char sql_profile[] =
	    "SELECT 1 FROM wa.profiles WHERE id = $1 AND org_id = $2 "
	    "AND deleted_at IS NULL";
	const char		*from = opt(argc, argv, 3, "--account");
	const char		*org = opt(argc, argv, 3, "--org");
	const char		*profile = opt(argc, argv, 3, "--profile");
	struct wa_account_new	 a;
	PGresult		*old, *res;
	char			 id[WA_UUID_LEN];

	if (from == NULL || org == NULL)
		usage();
	need_uuid(from, "--account");
	need_uuid(org, "--org");
	if (profile != NULL)
		need_uuid(profile, "--profile");
	begin(org);
	old = account_row(from);
	if (strcmp(wa_db_get(old, 0, "org_id"), org) == 0 &&
	    profile == NULL && wa_db_get(old, 0, "profile_id") == NULL) {
		fprintf(stderr, "wa-admin: account %s is already the "
		    "organization's own\n", from);
		wa_db_rollback(&R);
		return 1;
	}
	if (profile != NULL) {
		if (wa_db_q(&R, &res, sql_profile, 2, profile, org) != WA_OK)
			die("account move");
		if (PQntuples(res) == 0) {
			fprintf(stderr, "wa-admin: no live profile %s in "
			    "organization %s\n", profile, org);
			wa_db_rollback(&R);
			return 1;
		}
	}
	memset(&a, 0, sizeof(a));
	a.org_id = org;
	a.profile_id = profile;
	a.waba_id = wa_db_get(old, 0, "waba_id");
	a.phone_number_id = wa_db_get(old, 0, "phone_number_id");
	a.display_phone_number = wa_db_get(old, 0, "display_phone_number");
	a.access_token = account_token(old);
	a.unproven = 1;
	if (wa_db_q(&R, &res, sql_retire, 1, from) != WA_OK ||
	    wa_account_create(&R, &a, id) != WA_OK ||
	    wa_db_q(&R, &res, sql_proof, 2, id, from) != WA_OK)
		die("account move");
	commit();
	printf("WA_ACCOUNT_ID=%s\nWA_MOVED_FROM=%s\n", id, from);
	return 0;
}

/* Proves an account again with its own token: one made before number
 * claims were proven (proof NULL), or one added with --no-verify. */
static int
account_verify(int argc, char **argv)
{
	const char		*id = opt(argc, argv, 3, "--account");
	struct wa_account_new	 a;
	PGresult		*row;

	if (id == NULL)
		usage();
	need_uuid(id, "--account");
	R.started_us = wa_clock_mono_us();
	begin(NULL);
	row = account_row(id);
	memset(&a, 0, sizeof(a));
	a.org_id = wa_db_get(row, 0, "org_id");
	a.waba_id = wa_db_get(row, 0, "waba_id");
	a.phone_number_id = wa_db_get(row, 0, "phone_number_id");
	a.access_token = account_token(row);
	if (wa_account_set_token(&R, id, &a) != WA_OK)
		die("account verify");
	commit();
	printf("WA_ACCOUNT_ID=%s\nWA_VERIFIED=meta\n", id);
	return 0;
}

static const char *
or_empty(const char *s)
{
	return s != NULL ? s : "";
}

static int
account_list(int argc, char **argv)
{
	static const char sql[] =
	    "SELECT id, org_id, profile_id, waba_id, phone_number_id, "
	    "display_phone_number, proof, wa.rfc3339(verified_at) AS vat, "
	    "wa.rfc3339(created_at) AS created_at FROM wa.wa_accounts "
	    "WHERE deleted_at IS NULL AND ($1::uuid IS NULL OR org_id = $1) "
	    "AND ($2::text IS NULL OR phone_number_id = $2) "
	    "ORDER BY created_at, id";
	const char	*org = opt(argc, argv, 3, "--org");
	const char	*phone = opt(argc, argv, 3, "--phone-number-id");
	PGresult	*res;
	int		 i;

	if (org != NULL)
		need_uuid(org, "--org");
	begin(NULL);
	if (wa_db_q(&R, &res, sql, 2, org, phone) != WA_OK)
		die("account list");
	commit();
	for (i = 0; i < PQntuples(res); i++) {
		printf("account=%s org=%s profile=%s waba=%s ",
		    wa_db_get(res, i, "id"), wa_db_get(res, i, "org_id"),
		    or_empty(wa_db_get(res, i, "profile_id")),
		    wa_db_get(res, i, "waba_id"));
		printf("phone_number_id=%s display=%s proof=%s ",
		    or_empty(wa_db_get(res, i, "phone_number_id")),
		    or_empty(wa_db_get(res, i, "display_phone_number")),
		    wa_db_get(res, i, "proof") != NULL ?
		    wa_db_get(res, i, "proof") : "none");
		printf("verified_at=%s created_at=%s\n",
		    or_empty(wa_db_get(res, i, "vat")),
		    wa_db_get(res, i, "created_at"));
	}
	return 0;
}

/* The account's messages per second at Meta (80 unless Meta upgraded
 * the number; up to 1,000): the sending worker paces it so. */
static int
account_pace(int argc, char **argv)
{
	static const char sql[] =
	    "UPDATE wa.wa_accounts SET messages_per_second = $2::integer, "
	    "updated_at = now() WHERE id = $1 RETURNING messages_per_second";
	const char	*mps = opt(argc, argv, 4, "--mps");
	char		*end;
	PGresult	*res;
	long		 n;

	if (argc < 4 || mps == NULL)
		usage();
	need_uuid(argv[3], "ACCOUNT_ID");
	n = strtol(mps, &end, 10);
	if (*mps == '\0' || *end != '\0' || n < 1 || n > 1000) {
		fprintf(stderr, "wa-admin: --mps must be 1-1000\n");
		return 2;
	}
	begin(NULL);
	if (wa_db_q(&R, &res, sql, 2, argv[3], mps) != WA_OK)
		die("account pace");
	if (PQntuples(res) != 1) {
		fprintf(stderr, "wa-admin: no account %s\n", argv[3]);
		wa_db_rollback(&R);
		return 1;
	}
	commit();
	printf("WA_ACCOUNT_MPS=%s\n", wa_db_get(res, 0,
	    "messages_per_second"));
	return 0;
}

/* Lifts a pause of the account's sending (docs/sending.md, "Paused
 * accounts"), as a new token for it would. */
static int
account_resume(int argc, char **argv)
{
	static const char sql[] =
	    "SELECT wa.send_lane_resume($1) AS resumed";

	PGresult	*res;

	if (argc < 4)
		usage();
	need_uuid(argv[3], "ACCOUNT_ID");
	begin(NULL);
	if (wa_db_q(&R, &res, sql, 1, argv[3]) != WA_OK)
		die("account resume");
	commit();
	printf("WA_ACCOUNT_RESUMED=%s\n", wa_db_bool(res, 0, "resumed", 0) ?
	    "yes" : "no");
	return 0;
}

/* An entry of the opt-out ledger (docs/sending.md, "Suppression"). */
static int
suppress(int argc, char **argv)
{
	static const char sql[] =
	    "SELECT wa.suppress($1, $2, $3, $4::boolean, 'admin', $5)";
	static const char *const kinds[] = { "opted_out", "blocked",
	    "stopped_marketing", NULL };
	const char	*acc = opt(argc, argv, 2, "--account");
	const char	*phone = opt(argc, argv, 2, "--phone");
	const char	*kind = opt(argc, argv, 2, "--kind");
	const char	*note = opt(argc, argv, 2, "--note");
	const char *const *k;
	char		 e164[WA_E164_MAX + 1];
	PGresult	*res;

	if (acc == NULL || phone == NULL)
		usage();
	need_uuid(acc, "--account");
	if (!wa_e164_normalize(phone, e164, sizeof(e164))) {
		fprintf(stderr, "wa-admin: --phone must be E.164, "
		    "e.g. +14155550100\n");
		return 2;
	}
	if (kind == NULL)
		kind = "opted_out";
	for (k = kinds; *k != NULL && strcmp(*k, kind) != 0; k++)
		;
	if (*k == NULL)
		usage();
	begin(NULL);
	if (wa_db_q(&R, &res, sql, 5, acc, e164, kind,
	    flag(argc, argv, 2, "--lift") ? "false" : "true",
	    note != NULL ? note : "by the operator") != WA_OK)
		die("suppress");
	commit();
	printf("WA_SUPPRESSED=%s\nWA_PHONE=%s\n",
	    flag(argc, argv, 2, "--lift") ? "no" : "yes", e164);
	return 0;
}

int
main(int argc, char **argv)
{
	char		 err[256];
	const char	*url;

	if (argc < 3)
		usage();
	if (wa_cfg_load(&cfg, "wa-admin", err, sizeof(err)) != 0) {
		fprintf(stderr, "wa-admin: %s\n", err);
		return 2;
	}
	wa_log_init("wa-admin", WA_LOG_WARN);
	if ((url = getenv("WA_ADMIN_DATABASE_URL")) == NULL)
		url = cfg.db_conninfo;
	R.arena = wa_arena_new(0);
	wa_json_use_arena(R.arena);
	R.cfg = &cfg;
	R.db = wa_db_new(url, cfg.db_connect_timeout_s);
	if (R.db == NULL || wa_db_ensure(R.db) != 0) {
		fprintf(stderr, "wa-admin: cannot connect to the database: "
		    "%s\n", R.db != NULL ? wa_db_errmsg(R.db) :
		    "out of memory");
		return 1;
	}
	if (strcmp(argv[1], "org") == 0 && strcmp(argv[2], "create") == 0)
		return org_create(argc, argv);
	if (strcmp(argv[1], "org") == 0 && strcmp(argv[2], "plan") == 0)
		return org_plan(argc, argv);
	if (strcmp(argv[1], "org") == 0 && strcmp(argv[2], "quota") == 0)
		return org_quota(argc, argv);
	if (strcmp(argv[1], "profile") == 0 && strcmp(argv[2], "create") == 0)
		return profile_create(argc, argv);
	if (strcmp(argv[1], "key") == 0 && strcmp(argv[2], "create") == 0)
		return key_create(argc, argv);
	if (strcmp(argv[1], "key") == 0 && strcmp(argv[2], "list") == 0)
		return key_list(argc, argv);
	if (strcmp(argv[1], "key") == 0 && strcmp(argv[2], "revoke") == 0)
		return key_revoke(argc, argv);
	if (strcmp(argv[1], "account") == 0 && strcmp(argv[2], "add") == 0)
		return account_add(argc, argv);
	if (strcmp(argv[1], "account") == 0 && strcmp(argv[2], "move") == 0)
		return account_move(argc, argv);
	if (strcmp(argv[1], "account") == 0 &&
	    strcmp(argv[2], "verify") == 0)
		return account_verify(argc, argv);
	if (strcmp(argv[1], "account") == 0 && strcmp(argv[2], "list") == 0)
		return account_list(argc, argv);
	if (strcmp(argv[1], "account") == 0 && strcmp(argv[2], "pace") == 0)
		return account_pace(argc, argv);
	if (strcmp(argv[1], "account") == 0 && strcmp(argv[2], "resume") == 0)
		return account_resume(argc, argv);
	if (strcmp(argv[1], "suppress") == 0)
		return suppress(argc, argv);
	usage();
	return 2;
}
