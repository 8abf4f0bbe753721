/*
 * Unit tests of recovery.c and of the recovery key node_init writes: the
 * code a person copies (round trip, what reading it forgives, what it
 * refuses and how it says so), the recovery file, and the genesis naming
 * the recovery key under the founder's signature.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "node_fixture.h"

#define CODE_LEN (RECOVERY_TEXT_MAX - 1)

/* The code of the seed 00 01 .. 1f, pinned: a code once written stays read. */
#define CODE_0_31 "000G-40R4-0M30-E209-185G-R38E-1W81-24GK-2GAH-C5RR-" \
	"34D1-P70X-3RFM-DMAC"

/* The seed 00 01 .. 1f. */
static void
seed_0_31(uint8_t seed[RECOVERY_SEED_BYTES])
{
	unsigned i;

	for (i = 0; i < RECOVERY_SEED_BYTES; i++)
		seed[i] = (uint8_t)i;
}

/* Decodes text, which must give want. */
static void
decodes_to(const char *text, const uint8_t want[RECOVERY_SEED_BYTES])
{
	uint8_t seed[RECOVERY_SEED_BYTES];
	struct consort_diag d = { 0 };

	if (recovery_decode(text, strlen(text), seed, &d) != 0)
		fail_msg("\"%s\" refused: %s", text, d.what);
	assert_memory_equal(seed, want, RECOVERY_SEED_BYTES);
}

/* Decodes text: refused with E(KEY), a message holding what. */
static void
refused(const char *text, const char *what, const char *code)
{
	uint8_t seed[RECOVERY_SEED_BYTES];
	struct consort_diag d = { 0 };
	char group[5] = { 0 };
	size_t i;

	assert_err(recovery_decode(text, strlen(text), seed, &d), E(KEY));
	if (strstr(d.what, what) == NULL)
		fail_msg("the refusal of \"%s\" says \"%s\", not \"%s\"", text,
		    d.what, what);
	assert_true(d.hint[0] != '\0');
	/* none of the code's groups is repeated in a refusal */
	for (i = 0; i < CODE_LEN; i += 5) {
		memcpy(group, code + i, 4);
		assert_null(strstr(d.what, group));
		assert_null(strstr(d.hint, group));
		assert_null(strstr(d.where, group));
	}
}

/* 1000 random seeds: 14 groups of 4 of the alphabet, decoded back. */
static void
test_round_trip(void **state)
{
	uint8_t seed[RECOVERY_SEED_BYTES];
	char code[RECOVERY_TEXT_MAX];
	unsigned i, k;

	(void)state;
	for (i = 0; i < 1000; i++) {
		randombytes_buf(seed, sizeof(seed));
		assert_ok(recovery_encode(code, sizeof(code), seed));
		assert_int_equal(strlen(code), CODE_LEN);
		for (k = 0; k < CODE_LEN; k++)
			if (k % 5 == 4)
				assert_int_equal(code[k], '-');
			else
				assert_non_null(strchr("0123456789ABCDEFGH"
				    "JKMNPQRSTVWXYZ", code[k]));
		decodes_to(code, seed);
	}
	seed_0_31(seed);
	assert_ok(recovery_encode(code, sizeof(code), seed));
	assert_string_equal(code, CODE_0_31);
	assert_err(recovery_encode(code, RECOVERY_TEXT_MAX - 1, seed),
	    E(INVAL));
}

/* Case, blanks, newlines, dashes or none, and O, I, L read as 0, 1. */
static void
test_forgiven(void **state)
{
	uint8_t seed[RECOVERY_SEED_BYTES];
	char code[RECOVERY_TEXT_MAX], text[256];
	size_t i, o;

	(void)state;
	seed_0_31(seed);
	assert_ok(recovery_encode(code, sizeof(code), seed));
	/* lower case */
	for (i = 0; i <= CODE_LEN; i++)
		text[i] = (char)(code[i] >= 'A' && code[i] <= 'Z' ?
		    code[i] - 'A' + 'a' : code[i]);
	decodes_to(text, seed);
	/* spaces, tabs and newlines instead of dashes; none at all */
	for (i = o = 0; i < CODE_LEN; i++)
		text[o++] = code[i] != '-' ? code[i] : i == 34 ? '\n' :
		    i % 2 ? ' ' : '\t';
	memcpy(text + o, "  \r\n", 5);
	decodes_to(text, seed);
	for (i = o = 0; i < CODE_LEN; i++)
		if (code[i] != '-')
			text[o++] = code[i];
	text[o] = '\0';
	decodes_to(text, seed);
	/* a dash too many, two lines as init prints them */
	snprintf(text, sizeof(text), "--%.34s\n    %s--\n", code, code + 35);
	decodes_to(text, seed);
	/* O for 0, I and L for 1, in either case */
	decodes_to("OOOG-4OR4-OM3O-E2O9-I85G-R38E-lW8L-24GK-2GAH-C5RR-"
	    "34Di-P7oX-3RFM-DMAC", seed);
}

/* A bad character, a wrong count, a mistyped character: E(KEY), said so. */
static void
test_refused(void **state)
{
	uint8_t seed[RECOVERY_SEED_BYTES], got[RECOVERY_SEED_BYTES];
	char code[RECOVERY_TEXT_MAX], text[256];
	struct consort_diag d = { 0 };
	const char *alpha = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	size_t i, k, caught = 0;

	(void)state;
	seed_0_31(seed);
	assert_ok(recovery_encode(code, sizeof(code), seed));
	/* U, punctuation, a NUL, a letter not ASCII: its place only */
	snprintf(text, sizeof(text), "%s", code);
	text[11] = 'U';
	refused(text, "group 3, character 2", code);
	text[11] = '.';
	refused(text, "group 3, character 2", code);
	snprintf(text, sizeof(text), "%.5s\xc3\xa9%s", code, code + 6);
	refused(text, "group 2, character 1", code);
	memcpy(text, code, sizeof(code));
	text[CODE_LEN - 1] = '\0';
	assert_err(recovery_decode(text, CODE_LEN + 1, got, &d), E(KEY));
	assert_non_null(strstr(d.what, "group 14, character 4"));
	/* too short, too long, nothing */
	snprintf(text, sizeof(text), "%.*s", CODE_LEN - 1, code);
	refused(text, "55 characters, not 56", code);
	snprintf(text, sizeof(text), "%.*s", CODE_LEN - 5, code);
	refused(text, "52 characters, not 56", code);
	snprintf(text, sizeof(text), "%s0", code);
	refused(text, "57 characters, not 56", code);
	snprintf(text, sizeof(text), "%s-%s", code, code);
	refused(text, "112 characters", code);
	refused(" -\n", "no recovery code", code);
	/* each character changed to each other one: caught by the checksum */
	for (i = 0; i < CODE_LEN; i++) {
		if (code[i] == '-')
			continue;
		for (k = 0; alpha[k] != '\0'; k++) {
			if (alpha[k] == code[i])
				continue;
			memcpy(text, code, sizeof(code));
			text[i] = alpha[k];
			if (recovery_decode(text, CODE_LEN, got, &d) == E(KEY))
				caught++;
		}
	}
	assert_int_equal(caught, 56 * 31);
	memcpy(text, code, sizeof(code));
	text[CODE_LEN - 1] = 'D';
	refused(text, "a character was mistyped", code);
	/* two neighbours swapped */
	memcpy(text, code, sizeof(code));
	text[5] = code[6];
	text[6] = code[5];
	refused(text, "a character was mistyped", code);
}

/* The recovery key pair of a seed is libsodium's, with or without sk. */
static void
test_keypair(void **state)
{
	uint8_t seed[RECOVERY_SEED_BYTES], pk[32], pk2[32], sk[64], sk2[64];

	(void)state;
	randombytes_buf(seed, sizeof(seed));
	assert_ok(recovery_keypair(seed, pk, sk));
	assert_int_equal(crypto_sign_seed_keypair(pk2, sk2, seed), 0);
	assert_memory_equal(pk, pk2, sizeof(pk));
	assert_memory_equal(sk, sk2, sizeof(sk));
	memset(pk, 0, sizeof(pk));
	assert_ok(recovery_keypair(seed, pk, NULL));
	assert_memory_equal(pk, pk2, sizeof(pk));
}

/* Writes len bytes of text to a new file. */
static void
write_text(const char *path, const char *text, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* A recovery file: 0600, comments then the code, read back. */
static void
test_file(void **state)
{
	struct nf_fix *f = *state;
	uint8_t seed[RECOVERY_SEED_BYTES], got[RECOVERY_SEED_BYTES];
	char path[4200], text[4096], again[4096], code[RECOVERY_TEXT_MAX];
	struct consort_diag d = { 0 };
	struct stat st;
	size_t n;

	randombytes_buf(seed, sizeof(seed));
	assert_ok(recovery_encode(code, sizeof(code), seed));
	tu_path(path, sizeof(path), f->dir, "recovery.txt");
	assert_ok(recovery_file_check(path, &d));
	assert_ok(recovery_file_write(path, seed, "Groupement\nTest", "ab12",
	    &d));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	n = nf_slurp(path, (uint8_t *)text, sizeof(text) - 1);
	text[n] = '\0';
	assert_int_equal(text[0], '#');
	assert_non_null(strstr(text, "Groupement Test"));
	assert_non_null(strstr(text, "ab12"));
	assert_non_null(strstr(text, "consort key recover --recovery-file"));
	/* the groups, two lines of 7 */
	assert_non_null(strstr(text, "\n\n"));
	assert_true(strncmp(strstr(text, "\n\n") + 2, code, 34) == 0);
	assert_true(strncmp(strstr(text, "\n\n") + 2 + 35, code + 35, 34) == 0);
	assert_string_equal(strstr(text, "\n\n") + 2 + 35 + 34, "\n");
	assert_int_equal(strstr(text, "\n\n")[2 + 34], '\n');
	assert_ok(recovery_file_read(path, got, &d));
	assert_memory_equal(got, seed, sizeof(seed));

	/* never over a file: the old one unchanged */
	assert_err(recovery_file_check(path, &d), E(EXIST));
	assert_string_equal(d.where, path);
	assert_err(recovery_file_write(path, seed, "X", "00", &d), E(EXIST));
	assert_non_null(strstr(d.what, "already exists"));
	assert_int_equal(nf_slurp(path, (uint8_t *)again, sizeof(again)), n);
	assert_memory_equal(again, text, n);
	/* a file of no consortium's name (a rotation's) reads as well */
	tu_path(path, sizeof(path), f->dir, "rotated.txt");
	assert_ok(recovery_file_write(path, seed, "", "cd34", &d));
	n = nf_slurp(path, (uint8_t *)text, sizeof(text) - 1);
	text[n] = '\0';
	assert_true(strncmp(text, "# consort: the recovery code of the "
	    "consortium\n# (id cd34).\n", 60) == 0);
	assert_ok(recovery_file_read(path, got, &d));
	assert_memory_equal(got, seed, sizeof(seed));
	/* nor without a name, nor in a missing folder */
	assert_err(recovery_file_check("", &d), E(INVAL));
	tu_path(path, sizeof(path), f->dir, "missing/recovery.txt");
	assert_err(recovery_file_check(path, &d), E(NOENT));
	assert_err(recovery_file_write(path, seed, "X", "00", &d), E(NOENT));
	assert_int_equal(access(path, F_OK), -1);
}

/* Reading a file: comments, CRLF and a BOM skipped; too big, missing, bad. */
static void
test_file_read(void **state)
{
	struct nf_fix *f = *state;
	uint8_t seed[RECOVERY_SEED_BYTES], got[RECOVERY_SEED_BYTES];
	char path[4200], text[8192], code[RECOVERY_TEXT_MAX];
	struct consort_diag d = { 0 };
	int n;

	seed_0_31(seed);
	assert_ok(recovery_encode(code, sizeof(code), seed));
	tu_path(path, sizeof(path), f->dir, "typed.txt");
	n = snprintf(text, sizeof(text), "\xef\xbb\xbf# copied by hand\r\n"
	    "   # 1O1L-UUUU\r\n\r\n%.17s\r\n%s\r\n# end\r\n", code, code + 17);
	write_text(path, text, (size_t)n);
	assert_ok(recovery_file_read(path, got, &d));
	assert_memory_equal(got, seed, sizeof(seed));
	unlink(path);

	/* 4 KiB is read; one byte more is refused */
	memset(text, ' ', sizeof(text));
	memcpy(text, code, CODE_LEN);
	write_text(path, text, 4096);
	assert_ok(recovery_file_read(path, got, &d));
	unlink(path);
	write_text(path, text, 4097);
	assert_err(recovery_file_read(path, got, &d), E(TOOBIG));
	assert_string_equal(d.where, path);
	assert_non_null(strstr(d.what, "4 KiB"));
	unlink(path);

	/* comments only; a code with a group short: where is the file */
	write_text(path, "# nothing\n", 10);
	assert_err(recovery_file_read(path, got, &d), E(KEY));
	assert_string_equal(d.where, path);
	assert_non_null(strstr(d.what, "no recovery code"));
	unlink(path);
	write_text(path, code + 1, CODE_LEN - 1);
	assert_err(recovery_file_read(path, got, &d), E(KEY));
	assert_string_equal(d.where, path);
	assert_non_null(strstr(d.what, "55 characters"));
	unlink(path);
	assert_err(recovery_file_read(path, got, &d), E(NOENT));
	assert_non_null(strstr(d.what, "no such recovery file"));
}

/*
 * node_init_recovery hands over a seed whose public key the genesis names
 * on the consortium record, signed by the founder; node_init too names one.
 */
static void
test_genesis(void **state)
{
	struct nf_fix *f = *state;
	struct genesis g = {
		"Consortium Test", "MKT-2026-01",
		{ "Lead Formation", TU_LEAD_SIRET }, NULL, 0
	};
	uint8_t seed[RECOVERY_SEED_BYTES], zero[RECOVERY_SEED_BYTES] = { 0 };
	uint8_t rpk[CONSORT_KEY_BYTES], other[CONSORT_KEY_BYTES], sig[64];
	char hex[256], sighex[256];
	struct consort_diag d = { 0 };

	memset(seed, 0, sizeof(seed));
	assert_ok(node_init_recovery(f->path, &g, NULL, 0, seed, &f->n, &d));
	assert_memory_not_equal(seed, zero, sizeof(seed));
	assert_ok(recovery_keypair(seed, rpk, NULL));
	util_hex(hex, rpk, sizeof(rpk));
	assert_string_equal(nf_shown(f->n, "consortium", "consortium",
	    "recovery"), hex);
	snprintf(sighex, sizeof(sighex), "%s", nf_shown(f->n, "consortium",
	    "consortium", "recovery_signature"));
	assert_ok(util_unhex(sig, sizeof(sig), sighex));
	assert_ok(keychain_recovery_verify(sig, f->n->founder, rpk));
	memcpy(other, rpk, sizeof(other));
	other[0] ^= 1;
	assert_err(keychain_recovery_verify(sig, f->n->founder, other),
	    E(SIGNATURE));
	assert_int_equal(nf_own_seq(f->n), 1);
	node_close(f->n);
	f->n = NULL;

	/* a refused init hands over nothing */
	memset(seed, 0, sizeof(seed));
	assert_err(node_init_recovery(f->path, &g, NULL, 0, seed, &f->n, &d),
	    E(EXIST));
	assert_null(f->n);
	assert_memory_equal(seed, zero, sizeof(seed));

	/* node_init's genesis names a recovery key too, signed */
	f->n = tu_node_init(f->dir, "other", NULL);
	snprintf(hex, sizeof(hex), "%s", nf_shown(f->n, "consortium",
	    "consortium", "recovery"));
	assert_ok(util_unhex(other, sizeof(other), hex));
	assert_memory_not_equal(other, rpk, sizeof(other));
	snprintf(sighex, sizeof(sighex), "%s", nf_shown(f->n, "consortium",
	    "consortium", "recovery_signature"));
	assert_ok(util_unhex(sig, sizeof(sig), sighex));
	assert_ok(keychain_recovery_verify(sig, f->n->founder, other));
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, nf_setup_dir, nf_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_forgiven),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_keypair),
		T(test_file),
		T(test_file_read),
		T(test_genesis),
	};
#undef T

	return cmocka_run_group_tests(tests, tu_group_setup, NULL);
}
