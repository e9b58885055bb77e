/* Unit tests for lib/crypto.c: known vectors, ids, sealed secrets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "crypto.h"
#include "helpers.h"
#include "valid.h"

static void
hex_of(const unsigned char *in, size_t n, char *out)
{
	wa_crypto_hex(in, n, out);
}

static void
test_sha256_vectors(void **state)
{
	static const struct {
		const char	*in;
		size_t		 repeat;
		const char	*want;
	} cases[] = {
		{ "", 1, "e3b0c44298fc1c149afbf4c8996fb924"
		    "27ae41e4649b934ca495991b7852b855" },
		{ "abc", 1, "ba7816bf8f01cfea414140de5dae2223"
		    "b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
		    "248d6a61d20638b8e5c026930c3e6039"
		    "a33ce45964ff2167f6ecedd419db06c1" },
		{ "a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67"
		    "f1809a48a497200e046d39ccc7112cd0" },
	};
	unsigned char	 md[WA_SHA256_LEN];
	char		 hex[2 * WA_SHA256_LEN + 1];
	char		*buf;
	size_t		 i, k, n;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		n = strlen(cases[i].in);
		buf = malloc(n * cases[i].repeat + 1);
		assert_non_null(buf);
		for (k = 0; k < cases[i].repeat; k++)
			memcpy(buf + k * n, cases[i].in, n);
		wa_crypto_sha256(buf, n * cases[i].repeat, md);
		free(buf);
		hex_of(md, sizeof(md), hex);
		assert_string_equal(hex, cases[i].want);
	}
}

/* RFC 4231, test cases 1-7 (case 5 compares the first 128 bits). */
static void
test_hmac_rfc4231(void **state)
{
	static const struct {
		unsigned char	 keyb;	/* key: keylen bytes of keyb ... */
		size_t		 keylen;
		const char	*key;	/* ... or this literal */
		unsigned char	 datab;
		size_t		 datalen;
		const char	*data;
		size_t		 cmp;	/* bytes compared */
		const char	*want;
	} cases[] = {
		{ 0x0b, 20, NULL, 0, 0, "Hi There", 32,
		    "b0344c61d8db38535ca8afceaf0bf12b"
		    "881dc200c9833da726e9376c2e32cff7" },
		{ 0, 0, "Jefe", 0, 0, "what do ya want for nothing?", 32,
		    "5bdcc146bf60754e6a042426089575c7"
		    "5a003f089d2739839dec58b964ec3843" },
		{ 0xaa, 20, NULL, 0xdd, 50, NULL, 32,
		    "773ea91e36800e46854db8ebd09181a7"
		    "2959098b3ef8c122d9635514ced565fe" },
		{ 0, 25, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d"
		    "\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19",
		    0xcd, 50, NULL, 32,
		    "82558a389a443c0ea4cc819899f2083a"
		    "85f0faa3e578f8077a2e3ff46729665b" },
		{ 0x0c, 20, NULL, 0, 0, "Test With Truncation", 16,
		    "a3b6167473100ee06e0c796c2955552b" },
		{ 0xaa, 131, NULL, 0, 0,
		    "Test Using Larger Than Block-Size Key - Hash Key First",
		    32,
		    "60e431591ee0b67f0d8a26aacbf5b77f"
		    "8e0bc6213728c5140546040f0ee37f54" },
		{ 0xaa, 131, NULL, 0, 0,
		    "This is a test using a larger than block-size key and a "
		    "larger than block-size data. The key needs to be hashed "
		    "before being used by the HMAC algorithm.", 32,
		    "9b09ffa71b942fcb27635fbcd5b0e944"
		    "bfdc63644f0713938a7f51535c3a35e2" },
	};
	unsigned char	key[200], data[200], md[WA_SHA256_LEN];
	char		hex[2 * WA_SHA256_LEN + 1];
	size_t		i, keylen, datalen;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		if (cases[i].key != NULL) {
			keylen = cases[i].keylen != 0 ? cases[i].keylen :
			    strlen(cases[i].key);
			memcpy(key, cases[i].key, keylen);
		} else {
			keylen = cases[i].keylen;
			memset(key, cases[i].keyb, keylen);
		}
		if (cases[i].data != NULL) {
			datalen = strlen(cases[i].data);
			memcpy(data, cases[i].data, datalen);
		} else {
			datalen = cases[i].datalen;
			memset(data, cases[i].datab, datalen);
		}
		wa_crypto_hmac_sha256(key, keylen, data, datalen, md);
		hex_of(md, cases[i].cmp, hex);
		if (strcmp(hex, cases[i].want) != 0)
			fail_msg("RFC 4231 case %zu: got %s", i + 1, hex);
	}
}

static void
test_eq_hex_unhex(void **state)
{
	static const struct {
		const char	*in;
		size_t		 outlen;
		int		 rc;
		const char	*want;	/* lower-case re-encoding */
	} cases[] = {
		{ "", 0, 0, "" },
		{ "00ff10", 3, 0, "00ff10" },
		{ "DEADbeef", 4, 0, "deadbeef" },
		{ "00ff1", 3, -1, NULL },		/* odd */
		{ "00ff10", 2, -1, NULL },		/* too long */
		{ "00ff", 3, -1, NULL },		/* too short */
		{ "0g", 1, -1, NULL },
		{ "g0", 1, -1, NULL },
		{ " 0", 1, -1, NULL },
		{ "0x", 1, -1, NULL },
		{ "\xc3\xa9", 1, -1, NULL },
		{ NULL, 1, -1, NULL },
	};
	unsigned char	out[8];
	char		hex[17];
	size_t		i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		assert_int_equal(wa_crypto_unhex(cases[i].in, out,
		    cases[i].outlen), cases[i].rc);
		if (cases[i].rc == 0) {
			wa_crypto_hex(out, cases[i].outlen, hex);
			assert_string_equal(hex, cases[i].want);
		}
	}
	assert_true(wa_crypto_eq("abcd", "abcd", 4));
	assert_false(wa_crypto_eq("abcd", "abce", 4));
	assert_false(wa_crypto_eq("\x00\x01", "\x01\x01", 2));
	assert_true(wa_crypto_eq("x", "y", 0));
}

static void
test_uuid4(void **state)
{
	char	ids[200][37];
	size_t	i, j;

	(void)state;
	for (i = 0; i < NELEM(ids); i++) {
		memset(ids[i], '#', sizeof(ids[i]));
		assert_int_equal(wa_crypto_uuid4(ids[i]), 0);
		assert_int_equal(ids[i][36], '\0');
		assert_true(wa_valid_uuid(ids[i]));
		assert_int_equal(ids[i][14], '4');		/* version */
		assert_non_null(strchr("89ab", ids[i][19]));	/* variant */
		for (j = 0; j < 36; j++)
			assert_null(strchr("ABCDEF", ids[i][j]));
		for (j = 0; j < i; j++)
			assert_string_not_equal(ids[i], ids[j]);
	}
}

/* v7: the time in the first 48 bits, so ids of later times sort after */
static void
test_uuid7(void **state)
{
	static const struct {
		uint64_t	 ms;
		const char	*prefix;
	} t[] = {
		{ 0, "00000000-0000-7" },
		{ 1, "00000000-0001-7" },
		{ UINT64_C(0x018f3a2b4c5d), "018f3a2b-4c5d-7" },
		{ UINT64_C(0xffffffffffff), "ffffffff-ffff-7" },
		{ UINT64_C(0x1ffffffffffff), "ffffffff-ffff-7" }, /* 48 bits */
	};
	char	id[37], prev[37] = "";
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		memset(id, '#', sizeof(id));
		assert_int_equal(wa_crypto_uuid7(t[i].ms, id), 0);
		assert_int_equal(id[36], '\0');
		assert_true(wa_valid_uuid(id));
		assert_memory_equal(id, t[i].prefix, strlen(t[i].prefix));
		assert_non_null(strchr("89ab", id[19]));	/* variant */
		if (i > 0 && i < 4)
			assert_true(strcmp(prev, id) < 0);
		memcpy(prev, id, sizeof(id));
	}
}

static void
test_token(void **state)
{
	static const size_t lens[] = { 0, 1, 12, 32, 63, 64, 65, 500 };
	static const char alpha[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	char	 buf[502], other[502];
	size_t	 i, k, seen[128] = { 0 }, distinct = 0;

	(void)state;
	for (i = 0; i < NELEM(lens); i++) {
		memset(buf, '#', sizeof(buf));
		assert_int_equal(wa_crypto_token(buf, lens[i]), 0);
		assert_int_equal(buf[lens[i]], '\0');
		assert_int_equal(buf[lens[i] + 1], '#');
		assert_int_equal(strspn(buf, alpha), lens[i]);
		for (k = 0; k < lens[i]; k++)
			seen[(unsigned char)buf[k]]++;
	}
	/* 500 draws from 62 letters reach nearly all of them */
	for (k = 0; k < NELEM(seen); k++)
		distinct += seen[k] > 0;
	assert_true(distinct > 50);
	assert_int_equal(wa_crypto_token(buf, 32), 0);
	assert_int_equal(wa_crypto_token(other, 32), 0);
	assert_string_not_equal(buf, other);
	assert_int_equal(wa_crypto_random(buf, 0), 0);
	assert_int_equal(wa_crypto_random(buf, 64), 0);
}

/* NIST GCM test cases 13 and 14 (AES-256, zero key and IV). */
static void
test_open_known_answer(void **state)
{
	static const unsigned char zero_key[32];
	static const struct {
		const char	*sealed_hex;	/* 01 | iv | ct | tag */
		size_t		 ptlen;
	} cases[] = {
		{ "01" "000000000000000000000000"
		    "530f8afbc74536b9a963b4f1c4cb738b", 0 },
		{ "01" "000000000000000000000000"
		    "cea7403d4d606b6e074ec5d3baf39d18"
		    "d0d1c8a799996bf0265b98b5d48ab919", 16 },
	};
	unsigned char	sealed[64], out[64], zeros[16] = { 0 };
	size_t		i, n, outlen;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		n = strlen(cases[i].sealed_hex) / 2;
		assert_int_equal(wa_crypto_unhex(cases[i].sealed_hex, sealed,
		    n), 0);
		outlen = 999;
		assert_int_equal(wa_crypto_open(zero_key, NULL, 0, sealed, n,
		    out, &outlen), 0);
		assert_int_equal(outlen, cases[i].ptlen);
		assert_memory_equal(out, zeros, cases[i].ptlen);
	}
}

static void
test_seal_open(void **state)
{
	static const size_t lens[] = { 0, 1, 15, 16, 17, 100, 4096 };
	static const struct {
		const char	*aad;
	} aads[] = { { NULL }, { "org-1:wa_accounts.access_token" } };
	unsigned char	 key[32], key2[32];
	unsigned char	*plain, *sealed, *sealed2, *out;
	size_t		 i, j, k, slen, slen2, olen, aadlen;
	const char	*aad;

	(void)state;
	for (k = 0; k < 32; k++) {
		key[k] = (unsigned char)k;
		key2[k] = (unsigned char)k;
	}
	key2[31] ^= 1;
	plain = malloc(4096);
	sealed = malloc(4096 + WA_SEAL_OVERHEAD);
	sealed2 = malloc(4096 + WA_SEAL_OVERHEAD);
	out = malloc(4096 + WA_SEAL_OVERHEAD);
	assert_true(plain && sealed && sealed2 && out);
	for (k = 0; k < 4096; k++)
		plain[k] = (unsigned char)(k * 7 + 3);

	for (i = 0; i < NELEM(lens); i++)
		for (j = 0; j < NELEM(aads); j++) {
			aad = aads[j].aad;
			aadlen = aad != NULL ? strlen(aad) : 0;
			assert_int_equal(wa_crypto_seal(key, aad, aadlen,
			    plain, lens[i], sealed, &slen), 0);
			assert_int_equal(slen, lens[i] + WA_SEAL_OVERHEAD);
			assert_int_equal(sealed[0], 0x01);

			/* round trip */
			assert_int_equal(wa_crypto_open(key, aad, aadlen,
			    sealed, slen, out, &olen), 0);
			assert_int_equal(olen, lens[i]);
			assert_memory_equal(out, plain, lens[i]);

			/* a fresh nonce every time */
			assert_int_equal(wa_crypto_seal(key, aad, aadlen,
			    plain, lens[i], sealed2, &slen2), 0);
			assert_memory_not_equal(sealed + 1, sealed2 + 1, 12);

			/* wrong key, wrong or missing context */
			assert_int_equal(wa_crypto_open(key2, aad, aadlen,
			    sealed, slen, out, &olen), -1);
			assert_int_equal(wa_crypto_open(key, "org-2", 5,
			    sealed, slen, out, &olen), -1);
			if (aad != NULL)
				assert_int_equal(wa_crypto_open(key, NULL, 0,
				    sealed, slen, out, &olen), -1);

			/* every flipped byte is caught: version, nonce,
			 * ciphertext and tag */
			for (k = 0; k < slen; k++) {
				sealed[k] ^= 0x20;
				memset(out, 0, lens[i] + 1);
				if (wa_crypto_open(key, aad, aadlen, sealed,
				    slen, out, &olen) != -1)
					fail_msg("len %zu: byte %zu tampered, "
					    "opened", lens[i], k);
				/* no unauthenticated plaintext is left */
				if (lens[i] > 0)
					assert_memory_not_equal(out, plain,
					    lens[i]);
				sealed[k] ^= 0x20;
			}

			/* truncated or extended */
			for (k = 0; k < WA_SEAL_OVERHEAD && k < slen; k++)
				assert_int_equal(wa_crypto_open(key, aad,
				    aadlen, sealed, k, out, &olen), -1);
			if (slen > WA_SEAL_OVERHEAD)
				assert_int_equal(wa_crypto_open(key, aad,
				    aadlen, sealed, slen - 1, out, &olen), -1);
		}
	free(plain);
	free(sealed);
	free(sealed2);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_hmac_rfc4231),
		cmocka_unit_test(test_eq_hex_unhex),
		cmocka_unit_test(test_uuid4),
		cmocka_unit_test(test_uuid7),
		cmocka_unit_test(test_token),
		cmocka_unit_test(test_open_known_answer),
		cmocka_unit_test(test_seal_open),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
