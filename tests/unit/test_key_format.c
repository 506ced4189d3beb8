/* Keys, prefixes and the checks on typed text (lib/key_format.c). */
#include <errno.h>
#include <string.h>

#include "../../lib/auth.h"
#include "../../lib/key_format.h"
#include "tap.h"

static unsigned int	 next_byte;	/* counting random source */
static int		 calls;

static int
counting(void *buf, size_t n)
{
	unsigned char	*p = buf;
	size_t		 i;

	calls++;
	for (i = 0; i < n; i++)
		p[i] = (unsigned char)next_byte++;
	return 0;
}

static int
broken(void *buf, size_t n)
{
	(void)buf;
	(void)n;
	errno = EIO;
	return -1;
}

static int
key_shaped(const char *k)
{
	size_t	 i;

	if (strlen(k) != KEY_LEN || strncmp(k, "ck_", 3) != 0)
		return 0;
	for (i = 3; i < KEY_LEN; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') ||
		    (k[i] >= 'A' && k[i] <= 'Z') || (k[i] >= '0' && k[i] <= '9')))
			return 0;
	return 1;
}

static void
test_generate(void)
{
	char		 key[KEY_SIZE], other[KEY_SIZE], hex[KEY_HASH_HEX_SIZE];
	const char	*k;
	int		 i;

	next_byte = 0;
	ok(key_generate(counting, key) == 0, "generate from bytes 0, 1, ...");
	is_str(key, "ck_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn",
	    "byte b picks alphabet[b %% 62]");

	/* Bytes 240..255 then 0..: 248..255 are drawn again (no bias). */
	next_byte = 240;
	key_generate(counting, key);
	is_str(key, "ck_23456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef",
	    "240..247 map to 2..9 (mod 62), 248 to 255 are drawn again");

	next_byte = 0;
	calls = 0;
	for (i = 0; i < 200; i++)
		key_generate(counting, key);
	ok(calls >= 200, "random bytes drawn for every key (%d draws)", calls);

	ok(key_generate(broken, key) == -1, "a failing random source fails");
	ok(key[0] == '\0' && key[3] == '\0', "and leaves no partial key");

	ok(key_generate(key_random_os, key) == 0 &&
	    key_generate(key_random_os, other) == 0, "getrandom keys");
	ok(key_shaped(key) && key_shaped(other), "ck_ + 40 of [A-Za-z0-9]: %s",
	    "(not shown)");
	ok(strcmp(key, other) != 0, "two keys differ");

	/* The hash a key is stored as: lowercase hex SHA-256 of the key. */
	k = "ck_0123456789abcdefghijABCDEFGHIJ0123456789";
	auth_key_hash(k, strlen(k), hex);
	is_str(hex, "dee4f51936dffdebc78719c5dec9c41aebdd186a4b3c0bd6ce64cc09"
	    "f42a7d21", "stored hash = sha256sum of the key");
}

static void
test_prefix(void)
{
	static const struct {
		const char	*in, *want;	/* want NULL: refused */
	} cases[] = {
		{ "0123abcd", "0123abcd" },
		{ "0123ABCDEF", "0123abcdef" },
		{ "0123abc", NULL },			/* 7 digits */
		{ "", NULL },
		{ "0123abcg", NULL },
		{ "0123 abcd", NULL },
		{ "0123abcd%", NULL },			/* LIKE wildcard */
		{ "0123abcd_", NULL },
		{ "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" },
		{ "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",
		  NULL },				/* 65 digits */
	};
	char	 out[KEY_HASH_HEX_SIZE], why[256];
	size_t	 i;
	int	 rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		rc = key_parse_prefix(cases[i].in, out, why, sizeof(why));
		if (cases[i].want == NULL)
			ok(rc == -1 && why[0] != '\0', "prefix '%s' refused: %s",
			    cases[i].in, why);
		else
			ok(rc == 0 && strcmp(out, cases[i].want) == 0,
			    "prefix '%s' read as %s", cases[i].in,
			    cases[i].want);
	}
}

static void
test_distinct(void)
{
	const char	*a = "aaaaaaaaaaaa0000000000000000000000000000000000000000000000000000";
	const char	*b = "aaaaaaaaaaab0000000000000000000000000000000000000000000000000000";
	const char	*c = "aaaaaaaaaaaaaaa1000000000000000000000000000000000000000000000000";
	const char	*d = "1111111111111111111111111111111111111111111111111111111111111111";
	const char	*two[] = { a, d }, *close[] = { a, b }, *closer[] = { a, c, d };
	const char	*same[] = { d, d };

	is_int((long)key_distinct_len(two, 2), 12, "different at once: 12");
	is_int((long)key_distinct_len(close, 2), 12,
	    "different at digit 12: 12 tell them apart");
	is_int((long)key_distinct_len(closer, 3), 13,
	    "sharing 12 digits: 13");
	is_int((long)key_distinct_len(same, 2), 64, "equal: all 64");
	is_int((long)key_distinct_len(two, 1), 12, "one hash: 12");
}

static void
test_text(void)
{
	static const struct {
		const char	*s;
		size_t		 max;
		int		 ok;
		const char	*what;
	} cases[] = {
		{ "org_acme", 64, 1, "ascii" },
		{ "", 64, 0, "empty" },
		{ "0123456789012345678901234567890123456789012345678901234567890123",
		  64, 1, "64 characters" },
		{ "01234567890123456789012345678901234567890123456789012345678901234",
		  64, 0, "65 characters" },
		{ "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 3, 1,
		  "three 4-byte characters, max 3" },
		{ "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80",
		  3, 0, "four 4-byte characters, max 3" },
		{ "caf\xc3\xa9 ops", 100, 1, "latin text with a space" },
		{ "org\x01x", 64, 0, "C0 control" },
		{ "org\tx", 64, 0, "tab" },
		{ "org\x7fx", 64, 0, "DEL" },
		{ "org\xc2\x85x", 64, 0, "C1 control (NEL)" },
		{ "org\xc2\xa0x", 64, 1, "no-break space is not a control" },
		{ "org\xc3x", 64, 0, "truncated sequence" },
		{ "org\xc0\xafx", 64, 0, "overlong" },
		{ "org\xed\xa0\x80x", 64, 0, "surrogate" },
		{ "org\xff", 64, 0, "byte 0xff" },
	};
	char	 why[256];
	size_t	 i;
	int	 rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		rc = key_check_text(cases[i].s, cases[i].max, "CLIENT_ID", why,
		    sizeof(why));
		ok((rc == 0) == cases[i].ok && (rc == 0 || why[0] != '\0'),
		    "text %s: %s%s", cases[i].what, cases[i].ok ? "accepted" :
		    "refused: ", why);
	}
	key_check_text("0123456789012345678901234567890123456789012345678901234567890123x",
	    64, "CLIENT_ID", why, sizeof(why));
	is_str(why, "CLIENT_ID is too long: 65 characters, at most 64",
	    "too long says how long");
}

static void
test_printable(void)
{
	char	 out[32];

	key_printable("ab\x1b[2Jc", 7, out, sizeof(out));
	is_str(out, "ab?[2Jc", "escape shown as ?");
	key_printable("a\0b", 3, out, sizeof(out));
	is_str(out, "a?b", "NUL shown as ?");
	key_printable("caf\xc3\xa9\xff", 6, out, sizeof(out));
	is_str(out, "caf\xc3\xa9?", "UTF-8 kept, a bad byte shown as ?");
	key_printable("abcdef", 6, out, 4);
	is_str(out, "abc", "cut to the buffer");
	key_printable("ab\xc3\xa9", 4, out, 4);
	is_str(out, "ab", "a character never cut in half");
}

int
main(void)
{
	test_generate();
	test_prefix();
	test_distinct();
	test_text();
	test_printable();
	return done_testing();
}
