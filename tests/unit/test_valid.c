/* Unit tests for lib/valid.c: the validators of outside values. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "helpers.h"
#include "valid.h"

struct vcase {
	const char	*in;
	int		 want;
};

static void
run(const char *name, int (*fn)(const char *), const struct vcase *c,
    size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (fn(c[i].in) != c[i].want)
			fail_msg("%s(\"%s\"): want %d", name,
			    c[i].in != NULL ? c[i].in : "(null)", c[i].want);
}
#define RUN(fn, cases)	run(#fn, fn, cases, NELEM(cases))

static void
test_uuid(void **state)
{
	static const struct vcase cases[] = {
		{ "123e4567-e89b-12d3-a456-426614174000", 1 },
		{ "00000000-0000-0000-0000-000000000000", 1 },
		{ "ABCDEFAB-CDEF-ABCD-EFAB-CDEFABCDEFAB", 1 },
		{ "123e4567e89b12d3a456426614174000", 0 },	/* no dashes */
		{ "123e4567-e89b-12d3-a456-42661417400", 0 },	/* short */
		{ "123e4567-e89b-12d3-a456-4266141740000", 0 },	/* long */
		{ "123e4567-e89b-12d3-a456_426614174000", 0 },
		{ "g23e4567-e89b-12d3-a456-426614174000", 0 },
		{ "123e4567-e89b-12d3-a456-42661417400\xc3", 0 },
		{ "{123e4567-e89b-12d3-a456-426614174000}", 0 },
		{ " 123e4567-e89b-12d3-a456-42661417400", 0 },
		{ "123e4567-e89b-12d3-a4560426614174000-", 0 },
		{ "", 0 }, { NULL, 0 },
	};

	(void)state;
	RUN(wa_valid_uuid, cases);
}

static void
test_e164(void **state)
{
	static const struct vcase cases[] = {
		{ "+14155550100", 1 },
		{ "+4420794609", 1 },
		{ "+1234567", 1 },			/* 7 digits: shortest */
		{ "+123456789012345", 1 },		/* 15 digits: longest */
		{ "+123456", 0 },
		{ "+1234567890123456", 0 },
		{ "+04155550100", 0 },			/* no leading zero */
		{ "14155550100", 0 },
		{ "++14155550100", 0 },
		{ "+1 415 555 0100", 0 },
		{ "+1-415-555-0100", 0 },
		{ "+1415555010a", 0 },
		/* Arabic-Indic digits */
		{ "+\xd9\xa1\xd9\xa2\xd9\xa3\xd9\xa4\xd9\xa5\xd9\xa6\xd9\xa7",
		    0 },
		{ "+", 0 }, { "", 0 }, { NULL, 0 },
	};

	(void)state;
	RUN(wa_valid_e164, cases);
}

static void
test_e164_normalize(void **state)
{
	static const struct {
		const char	*in;
		size_t		 outsz;
		int		 ok;
		const char	*want;
	} cases[] = {
		{ "+14155550100", 17, 1, "+14155550100" },
		{ "+1 (415) 555-0100", 17, 1, "+14155550100" },
		{ "  +44 20.7946.0958", 17, 1, "+442079460958" },
		{ "0044 20 7946 0958", 17, 1, "+442079460958" },
		{ "\t+1\t415 5550100", 17, 1, "+14155550100" },
		{ "+123456789012345", 17, 1, "+123456789012345" },
		{ "+1 2 3 4 5 6 7 8 9 0 1 2 3 4 5", 17, 1, "+123456789012345" },
		{ "+1234567890123456", 17, 0, NULL },	/* 16 digits */
		{ "+12345678901234567890", 17, 0, NULL },
		{ "4155550100", 17, 0, NULL },		/* no country */
		{ "0415550100", 17, 0, NULL },
		{ "+0415550100", 17, 0, NULL },
		{ "00+14155550100", 17, 0, NULL },
		{ "+1 415 555 0100 ext 2", 17, 0, NULL },
		{ "+1/415/5550100", 17, 0, NULL },
		{ "+1415555\xef\xbc\x91", 17, 0, NULL }, /* fullwidth */
		{ "+", 17, 0, NULL },
		{ "", 17, 0, NULL },
		{ "+14155550100", 16, 0, NULL },		/* small out */
		{ "+14155550100", 0, 0, NULL },
		{ NULL, 17, 0, NULL },
	};
	char	out[64];
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		memset(out, '#', sizeof(out));
		if (wa_e164_normalize(cases[i].in, out, cases[i].outsz) !=
		    cases[i].ok)
			fail_msg("case %zu (%s): want %d", i,
			    cases[i].in != NULL ? cases[i].in : "(null)",
			    cases[i].ok);
		if (cases[i].ok)
			assert_string_equal(out, cases[i].want);
		/* never writes past out[WA_E164_MAX] */
		assert_int_equal(out[WA_E164_MAX + 1], '#');
	}
}

static void
test_email(void **state)
{
	static char	longlocal[80], longaddr[300], longlabel[80];
	static const struct vcase cases[] = {
		{ "a@example.com", 1 },
		{ "first.last+tag@sub.example.co.uk", 1 },
		{ "x_y-z@a-b.io", 1 },
		{ "a@b.c", 1 },
		{ "o'brien@example.ie", 1 },
		{ "user@xn--bcher-kva.example", 1 },
		{ "", 0 }, { "@", 0 }, { "a@", 0 }, { "@b.com", 0 },
		{ "plain", 0 },
		{ "a@b", 0 },				/* one label */
		{ "a@@b.com", 0 }, { "a@b@c.com", 0 },
		{ ".a@b.com", 0 }, { "a.@b.com", 0 }, { "a..b@c.com", 0 },
		{ "a b@c.com", 0 }, { "a@b .com", 0 },
		{ "\"a\"@b.com", 0 }, { "a(b)@c.com", 0 }, { "a,b@c.com", 0 },
		{ "a:b@c.com", 0 }, { "a;b@c.com", 0 }, { "<a>@b.com", 0 },
		{ "a[b]@c.com", 0 }, { "a\\b@c.com", 0 },
		{ "a\x7f@b.com", 0 }, { "a\t@b.com", 0 }, { "a\n@b.com", 0 },
		{ "a@-b.com", 0 }, { "a@b-.com", 0 }, { "a@b..com", 0 },
		{ "a@.b.com", 0 }, { "a@b.com.", 0 }, { "a@b_c.com", 0 },
		{ "a@[127.0.0.1]", 0 },
		{ NULL, 0 },
	};
	struct vcase	 built[3];

	(void)state;
	RUN(wa_valid_email, cases);

	/* local part over 64, whole address over 254, label over 63 */
	memset(longlocal, 'l', 65);
	snprintf(longlocal + 65, sizeof(longlocal) - 65, "@b.com");
	memset(longaddr, 'a', 10);
	longaddr[10] = '@';
	memset(longaddr + 11, 'b', 250);
	memcpy(longaddr + 11 + 60, ".", 1);
	memcpy(longaddr + 11 + 120, ".", 1);
	memcpy(longaddr + 11 + 180, ".", 1);
	memcpy(longaddr + 11 + 240, ".", 1);
	longaddr[261] = '\0';
	snprintf(longlabel, sizeof(longlabel), "a@%.*s.com", 64,
	    "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc");
	built[0].in = longlocal;
	built[1].in = longaddr;
	built[2].in = longlabel;
	built[0].want = built[1].want = built[2].want = 0;
	RUN(wa_valid_email, built);
	longlocal[64] = '@';			/* 64 is still allowed */
	snprintf(longlocal + 65, sizeof(longlocal) - 65, "b.com");
	assert_int_equal(wa_valid_email(longlocal), 1);
}

static void
test_url(void **state)
{
	static const struct vcase cases[] = {
		{ "https://example.com", 1 },
		{ "http://example.com/", 1 },
		{ "https://example.com/a/b?c=d&e=f#g", 1 },
		{ "https://sub.example.co.uk:8443/x", 1 },
		{ "http://localhost", 1 },
		{ "http://localhost:3000/hook", 1 },
		{ "http://127.0.0.1:8080/", 1 },
		{ "https://example.com:65535", 1 },
		{ "https://example.com?x", 1 },
		{ "https://example.com#frag", 1 },
		{ "", 0 }, { "example.com", 0 }, { "ftp://example.com", 0 },
		{ "HTTPS://example.com", 0 }, { "https:/example.com", 0 },
		{ "https://", 0 }, { "https:///path", 0 },
		{ "javascript:alert(1)", 0 }, { "//example.com", 0 },
		{ "https://example", 0 },		/* no dot */
		{ "https://user:pw@example.com/", 0 },
		{ "https://evil.com@example.com/", 0 },
		{ "https://example.com:0", 0 },
		{ "https://example.com:65536", 0 },
		{ "https://example.com:99999999999999999999", 0 },
		{ "https://example.com:", 0 },
		{ "https://example.com:80a", 0 },
		{ "https://:80/", 0 },
		{ "https://exa mple.com", 0 },
		{ "https://example.com/a b", 0 },
		{ "https://example.com/\"", 0 },
		{ "https://example.com/<script>", 0 },
		{ "https://example.com\\@evil.com", 0 },
		{ "https://example.com/\x7f", 0 },
		{ "https://example.com/\n", 0 },
		{ "https://-example.com", 0 },
		{ "https://example..com", 0 },
		{ "https://[::1]/", 0 },
		{ NULL, 0 },
	};
	static char	toolong[WA_URL_MAX + 2], maxlen[WA_URL_MAX + 1];
	struct vcase	built[2];

	(void)state;
	RUN(wa_valid_url, cases);
	memcpy(maxlen, "https://example.com/", 20);
	memset(maxlen + 20, 'a', WA_URL_MAX - 20);
	maxlen[WA_URL_MAX] = '\0';
	memcpy(toolong, maxlen, WA_URL_MAX);
	toolong[WA_URL_MAX] = 'a';
	toolong[WA_URL_MAX + 1] = '\0';
	built[0].in = maxlen;
	built[0].want = 1;
	built[1].in = toolong;
	built[1].want = 0;
	RUN(wa_valid_url, built);
}

static void
test_country(void **state)
{
	static const struct vcase cases[] = {
		{ "US", 1 }, { "GB", 1 }, { "ZZ", 1 },
		{ "us", 0 }, { "Us", 0 }, { "U", 0 }, { "USA", 0 },
		{ "U1", 0 }, { "", 0 }, { " US", 0 }, { "\xc3\x9c" "S", 0 },
		{ NULL, 0 },
	};

	(void)state;
	RUN(wa_valid_country, cases);
}

static void
test_luhn_card(void **state)
{
	static const struct vcase luhn[] = {
		{ "79927398713", 1 }, { "0", 1 }, { "00", 1 }, { "18", 1 },
		{ "4111111111111111", 1 },
		{ "79927398710", 0 }, { "4111111111111112", 0 },
		{ "1", 0 }, { "", 0 }, { "4111 1111 1111 1111", 0 },
		{ "4111-1111-1111-1111", 0 }, { "abc", 0 },
		{ "\xd9\xa0", 0 }, { NULL, 0 },
	};
	static const struct vcase card[] = {
		{ "4111111111111111", 1 },		/* 16, Visa */
		{ "4222222222222", 1 },			/* 13 */
		{ "378282246310005", 1 },		/* 15, Amex */
		{ "6011111111111117", 1 },
		{ "4111111111111111110", 1 },		/* 19 */
		{ "411111111117", 0 },			/* 12, Luhn ok */
		{ "41111111111111111115", 0 },		/* 20, Luhn ok */
		{ "4111111111111112", 0 },		/* checksum */
		{ "4111 1111 1111 1111", 0 },
		{ "0000000000000", 1 },			/* Luhn-valid zeros */
		{ "", 0 }, { NULL, 0 },
	};

	(void)state;
	RUN(wa_valid_luhn, luhn);
	RUN(wa_valid_card_number, card);
}

static void
test_cvc_zip_short_name(void **state)
{
	static const struct vcase cvc[] = {
		{ "123", 1 }, { "0000", 1 }, { "999", 1 },
		{ "12", 0 }, { "12345", 0 }, { "12a", 0 }, { "a123", 0 },
		{ "12 3", 0 }, { " 123", 0 }, { "", 0 }, { NULL, 0 },
	};
	static const struct vcase zip[] = {
		{ "12345", 1 }, { "12345-6789", 1 }, { "SW1A 1AA", 1 },
		{ "K1A 0B1", 1 }, { "123", 1 }, { "1234567890", 1 },
		{ "12", 0 }, { "12345678901", 0 }, { "1 -", 0 },
		{ "a-b-", 0 }, { "12_45", 0 }, { "12345\n", 0 },
		{ "12.45", 0 }, { "\xc3\xa9\xc3\xa9\xc3\xa9", 0 },
		{ "", 0 }, { NULL, 0 },
	};
	static const struct vcase short_name[] = {
		{ "Acme", 1 }, { "ACME Inc", 1 }, { "abc", 1 },
		{ "A12", 1 }, { "12345678901", 0 }, { "Acme 1234 X", 1 },
		{ "Acme12345678", 0 },			/* 12 */
		{ "ab", 0 }, { "123", 0 },		/* no letter */
		{ "   ", 0 }, { "Acme!", 0 }, { "Ac-me", 0 },
		{ "Acm\xc3\xa9", 0 }, { "Acme\t", 0 }, { "", 0 }, { NULL, 0 },
	};

	(void)state;
	RUN(wa_valid_cvc, cvc);
	RUN(wa_valid_zip, zip);
	RUN(wa_valid_short_name, short_name);
}

static void
test_idem_key(void **state)
{
	static char	max[WA_IDEM_KEY_MAX + 1], over[WA_IDEM_KEY_MAX + 2];
	static const struct vcase cases[] = {
		{ "a", 1 }, { "order-123", 1 },
		{ "123e4567-e89b-12d3-a456-426614174000", 1 },
		{ "!#$%&'()*+,-./:;<=>?@[]^_`{|}~", 1 },
		{ "", 0 }, { "has space", 0 }, { "tab\t", 0 },
		{ "nl\n", 0 }, { "\x7f", 0 }, { "caf\xc3\xa9", 0 },
		{ "\x01", 0 }, { NULL, 0 },
	};
	struct vcase	built[2];

	(void)state;
	RUN(wa_valid_idem_key, cases);
	memset(max, 'k', WA_IDEM_KEY_MAX);
	memset(over, 'k', WA_IDEM_KEY_MAX + 1);
	built[0].in = max;
	built[0].want = 1;
	built[1].in = over;
	built[1].want = 0;
	RUN(wa_valid_idem_key, built);
}

static void
test_expiry(void **state)
{
	static const int64_t may15 = 1778846400000LL;	/* 2026-05-15T12:00Z */
	/* 2026-12-31T23:59:59Z */
	static const int64_t dec31 = 1798761599000LL;
	static const struct {
		const char	*in;
		int64_t		 now;
		int		 want;
	} cases[] = {
		{ "05/26", may15, 1 },		/* through month end */
		{ "06/26", may15, 1 },
		{ "12/26", may15, 1 },
		{ "01/27", may15, 1 },
		{ "12/99", may15, 1 },
		{ "04/26", may15, 0 },
		{ "12/25", may15, 0 },
		{ "01/00", may15, 0 },
		{ "12/26", dec31, 1 },
		{ "11/26", dec31, 0 },
		{ "00/30", may15, 0 },
		{ "13/30", may15, 0 },
		{ "99/30", may15, 0 },
		{ "5/26", may15, 0 },
		{ "05/2026", may15, 0 },
		{ "05-26", may15, 0 },
		{ "0526", may15, 0 },
		{ " 05/26", may15, 0 },
		{ "ab/cd", may15, 0 },
		{ "05/2a", may15, 0 },
		{ "", may15, 0 },
		{ NULL, may15, 0 },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		if (wa_valid_expiry(cases[i].in, cases[i].now) !=
		    cases[i].want)
			fail_msg("expiry \"%s\": want %d",
			    cases[i].in != NULL ? cases[i].in : "(null)",
			    cases[i].want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_e164),
		cmocka_unit_test(test_e164_normalize),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_country),
		cmocka_unit_test(test_luhn_card),
		cmocka_unit_test(test_cvc_zip_short_name),
		cmocka_unit_test(test_idem_key),
		cmocka_unit_test(test_expiry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
