/*
 * The consortium's recovery key (DESIGN.md §2): a 32-byte Ed25519 seed
 * made at init, whose public half the genesis names and whose secret the
 * lead keeps offline, as a code a person copies by hand and types back.
 * The code is Crockford base32 of the seed and a 3-byte checksum, 56
 * characters in 14 groups of 4; reading it forgives case, blanks, dashes
 * and the letters O, I and L taken for 0 and 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core.h"

#define CODE_BYTES (RECOVERY_SEED_BYTES + RECOVERY_CHECK_BYTES)
#define CODE_CHARS (RECOVERY_GROUPS * 4)
#define FILE_MAX 4096
/* What to give instead of a file that is not a recovery file. */
#define READ_HINT N_("give the recovery file that init wrote, or the one " \
	"of the recovery key's last rotation")

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* The key under which the checksum is a keyed BLAKE2b of the seed. */
static const char check_key[] = "consort-recovery/1 checksum";

/* Writes the checksum of a seed: the first bytes of its keyed BLAKE2b. */
static void
checksum(uint8_t out[RECOVERY_CHECK_BYTES],
    const uint8_t seed[RECOVERY_SEED_BYTES])
{
	uint8_t h[32];

	crypto_generichash(h, sizeof(h), seed, RECOVERY_SEED_BYTES,
	    (const uint8_t *)check_key, sizeof(check_key) - 1);
	memcpy(out, h, RECOVERY_CHECK_BYTES);
	sodium_memzero(h, sizeof(h));
}

/* Derives the recovery key pair of a seed; sk64 may be NULL. */
int
recovery_keypair(const uint8_t seed[RECOVERY_SEED_BYTES],
    uint8_t pk[CONSORT_KEY_BYTES], uint8_t *sk64)
{
	uint8_t sk[64];
	int rc;

	rc = crypto_sign_seed_keypair(pk, sk64 != NULL ? sk64 : sk, seed);
	sodium_memzero(sk, sizeof(sk));
	return rc == 0 ? 0 : E(CRYPTO);
}

/* Writes a seed's code: 14 groups of 4 characters joined by '-'. */
int
recovery_encode(char *out, size_t cap, const uint8_t seed[RECOVERY_SEED_BYTES])
{
	uint8_t code[CODE_BYTES];
	uint32_t acc = 0;
	unsigned bits = 0, n = 0;
	size_t i, o = 0;

	if (cap < RECOVERY_TEXT_MAX)
		return E(INVAL);
	memcpy(code, seed, RECOVERY_SEED_BYTES);
	checksum(code + RECOVERY_SEED_BYTES, seed);
	for (i = 0; i < CODE_BYTES; i++) {
		acc = (acc << 8 | code[i]) & 0xfff;
		for (bits += 8; bits >= 5; bits -= 5) {
			if (n > 0 && n % 4 == 0)
				out[o++] = '-';
			out[o++] = alphabet[(acc >> (bits - 5)) & 31];
			n++;
		}
	}
	out[o] = '\0';
	sodium_memzero(code, sizeof(code));
	sodium_memzero(&acc, sizeof(acc));
	return 0;
}

/* The value of a code's character, or -1 for a blank or a dash, -2 if bad. */
static int
symbol(unsigned char c)
{
	const char *p;

	if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '-')
		return -1;
	if (c >= 'a' && c <= 'z')
		c = (unsigned char)(c - 'a' + 'A');
	if (c == 'O')
		return 0;
	if (c == 'I' || c == 'L')
		return 1;
	if (c == '\0' || (p = strchr(alphabet, c)) == NULL)
		return -2;
	return (int)(p - alphabet);
}

/* Refuses a character that is no code's, naming its place only. */
static int
refuse_char(size_t count, const char *where, struct consort_diag *d)
{
	char what[200];

	snprintf(what, sizeof(what), _("group %zu, character %zu of the "
	    "recovery code is not a character of such a code"), count / 4 + 1,
	    count % 4 + 1);
	return consort_diag_set(d, E(KEY), where, what, _("copy the code as "
	    "it was written: digits and letters (O is read as 0, I and L as "
	    "1, U is never in a code)"));
}

/* Refuses a code of the wrong length. */
static int
refuse_count(size_t count, const char *where, struct consort_diag *d)
{
	char what[200];

	if (count == 0)
		return consort_diag_set(d, E(KEY), where,
		    _("no recovery code was given"),
		    _("give the 14 groups of 4 characters that init showed"));
	snprintf(what, sizeof(what), _("the recovery code has %zu "
	    "characters, not %d (14 groups of 4)"), count, CODE_CHARS);
	return consort_diag_set(d, E(KEY), where, what, count < CODE_CHARS ?
	    _("a group is missing or short: copy all 14 groups of 4 "
	    "characters") : _("a group is doubled or long: copy the 14 groups "
	    "of 4 characters once each"));
}

/* Reads the 5-bit symbols of a code's text into sym; see recovery_decode. */
static int
symbols(const char *text, size_t len, uint8_t sym[CODE_CHARS],
    const char *where, struct consort_diag *d)
{
	size_t i, count = 0;
	int v;

	for (i = 0; i < len; i++) {
		if ((v = symbol((unsigned char)text[i])) == -1)
			continue;
		if (v == -2)
			return refuse_char(count, where, d);
		if (count < CODE_CHARS)
			sym[count] = (uint8_t)v;
		count++;
	}
	return count == CODE_CHARS ? 0 : refuse_count(count, where, d);
}

/* Decodes a code's text, its refusals saying where. */
static int
decode_at(const char *text, size_t len, uint8_t seed[RECOVERY_SEED_BYTES],
    const char *where, struct consort_diag *d)
{
	uint8_t sym[CODE_CHARS], code[CODE_BYTES], check[RECOVERY_CHECK_BYTES];
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t i, o = 0;
	int rc;

	if ((rc = symbols(text, len, sym, where, d)) != 0)
		goto out;
	for (i = 0; i < CODE_CHARS; i++) {
		acc = (acc << 5 | sym[i]) & 0xfff;
		if ((bits += 5) >= 8) {
			bits -= 8;
			code[o++] = (uint8_t)(acc >> bits);
		}
	}
	checksum(check, code);
	if (sodium_memcmp(check, code + RECOVERY_SEED_BYTES,
	    RECOVERY_CHECK_BYTES) != 0)
		rc = consort_diag_set(d, E(KEY), where, _("the recovery code "
		    "does not check: a character was mistyped"), _("compare "
		    "each group with the written code, then type it again"));
	else
		memcpy(seed, code, RECOVERY_SEED_BYTES);
out:
	sodium_memzero(sym, sizeof(sym));
	sodium_memzero(code, sizeof(code));
	sodium_memzero(&acc, sizeof(acc));
	return rc;
}

/* Decodes a code typed or copied by a person back into its seed. */
int
recovery_decode(const char *text, size_t len,
    uint8_t seed[RECOVERY_SEED_BYTES], struct consort_diag *d)
{
	return decode_at(text, len, seed, _("recovery code"), d);
}

/* Copies s into out, its control characters made spaces (a comment line). */
static void
one_line(char *out, size_t cap, const char *s)
{
	size_t i;

	snprintf(out, cap, "%s", s);
	for (i = 0; out[i] != '\0'; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = ' ';
}

/* Writes all of buf to fd, then syncs it: 0 or an errno value. */
static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t w;

	while (len > 0) {
		if ((w = write(fd, buf, len)) < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		buf += w;
		len -= (size_t)w;
	}
	return fsync(fd) == 0 ? 0 : errno;
}

/* Formats a recovery file's text into buf: comments, then the code. */
static int
file_text(char *buf, size_t cap, const uint8_t seed[RECOVERY_SEED_BYTES],
    const char *name, const char *id_hex)
{
	char code[RECOVERY_TEXT_MAX], safe[256];
	int n, rc;

	if ((rc = recovery_encode(code, sizeof(code), seed)) != 0)
		return rc;
	one_line(safe, sizeof(safe), name != NULL ? name : "");
	n = snprintf(buf, cap,
	    "# consort: the recovery code of the consortium%s%s\n"
	    "# (id %s).\n"
	    "# It lets the lead replace a lost key, on a new computer:\n"
	    "#   consort key recover --recovery-file FILE\n"
	    "# Keep it offline (printed, or on a USB stick put away), never\n"
	    "# on the computer that holds the lead's key: whoever has it can\n"
	    "# take the lead's place.\n"
	    "\n%.*s\n%s\n", safe[0] != '\0' ? " " : "", safe, id_hex,
	    RECOVERY_LINE_LEN, code,
	    code + RECOVERY_LINE_LEN + 1);
	sodium_memzero(code, sizeof(code));
	return n < 0 || (size_t)n >= cap ? E(TOOBIG) : n;
}

/* Explains why a recovery file could not be created or written. */
static int
write_refused(int e, const char *path, struct consort_diag *d)
{
	int rc = util_errno(e);

	return consort_diag_set(d, rc, path, rc == E(EXIST) ?
	    _("a file of that name already exists") : rc == E(NOENT) ?
	    _("no such folder") : strerror(e), rc == E(EXIST) ?
	    _("give the name of a new file: a recovery file never replaces "
	    "another") : rc == E(NOSPC) ? _("free some space, or write the "
	    "file elsewhere") : _("give a file in a folder where you may "
	    "write"));
}

/*
 * Checks that a recovery file can be made at path (no file there, a
 * folder one may write in), before anything else is made.
 */
int
recovery_file_check(const char *path, struct consort_diag *d)
{
	char dir[4096], *slash;
	struct stat st;
	size_t len = strlen(path);

	if (len == 0)
		return consort_diag_set(d, E(INVAL), path, _("not a file name"),
		    _("give the name of a new file"));
	if (len >= sizeof(dir))
		return write_refused(ENAMETOOLONG, path, d);
	if (lstat(path, &st) == 0)
		return write_refused(EEXIST, path, d);
	if (errno != ENOENT)
		return write_refused(errno, path, d);
	memcpy(dir, path, len + 1);
	if ((slash = strrchr(dir, '/')) == NULL)
		memcpy(dir, ".", 2);
	else
		slash[slash == dir] = '\0';
	if (access(dir, W_OK | X_OK) != 0)
		return write_refused(errno, path, d);
	return 0;
}

/* Writes a new recovery file (0600, never over another), synced. */
int
recovery_file_write(const char *path, const uint8_t seed[RECOVERY_SEED_BYTES],
    const char *consortium_name, const char *consortium_id_hex,
    struct consort_diag *d)
{
	char *buf;
	int fd, n, e;

	if ((buf = keys_secret_alloc(FILE_MAX)) == NULL)
		return E(NOMEM);
	if ((n = file_text(buf, FILE_MAX, seed, consortium_name,
	    consortium_id_hex)) < 0) {
		sodium_free(buf);
		return consort_diag_set(d, n, path, consort_strerror(n), NULL);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0) {
		e = errno;
		sodium_free(buf);
		return write_refused(e, path, d);
	}
	e = write_all(fd, buf, (size_t)n);
	sodium_free(buf);
	if (close(fd) != 0 && e == 0)
		e = errno;
	if (e != 0) {
		unlink(path);
		return write_refused(e, path, d);
	}
	return 0;
}

/* Blanks the comment lines (a '#' after optional blanks) of a file's text. */
static void
blank_comments(char *buf, size_t len)
{
	size_t i = 0, j;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)  /* a BOM */
		memset(buf, ' ', 3);
	while (i < len) {
		for (j = i; j < len && (buf[j] == ' ' || buf[j] == '\t'); j++)
			;
		if (j < len && buf[j] == '#')
			for (; j < len && buf[j] != '\n'; j++)
				buf[j] = ' ';
		for (i = j; i < len && buf[i] != '\n'; i++)
			;
		i++;
	}
}

/* Reads up to FILE_MAX + 1 bytes of fd into buf: the count, or -errno. */
static ssize_t
read_upto(int fd, char *buf)
{
	size_t n = 0;
	ssize_t r;

	while (n < FILE_MAX + 1 && (r = read(fd, buf + n,
	    FILE_MAX + 1 - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		n += (size_t)r;
	}
	return (ssize_t)n;
}

/* Reads a recovery file (at most 4 KiB; '#' lines skipped) into its seed. */
int
recovery_file_read(const char *path, uint8_t seed[RECOVERY_SEED_BYTES],
    struct consort_diag *d)
{
	char *buf;
	ssize_t n;
	int fd, rc, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		e = errno;
		return consort_diag_set(d, util_errno(e), path, e == ENOENT ?
		    _("no such recovery file") : strerror(e), _(READ_HINT));
	}
	if ((buf = keys_secret_alloc(FILE_MAX + 1)) == NULL) {
		close(fd);
		return E(NOMEM);
	}
	/* read(2) straight into guarded memory: no stdio buffer keeps a copy */
	n = read_upto(fd, buf);
	close(fd);
	if (n < 0)
		rc = consort_diag_set(d, util_errno((int)-n), path,
		    strerror((int)-n), NULL);
	else if (n > FILE_MAX)
		rc = consort_diag_set(d, E(TOOBIG), path, _("the file is over "
		    "4 KiB: not a recovery file"), _(READ_HINT));
	else {
		blank_comments(buf, (size_t)n);
		rc = decode_at(buf, (size_t)n, seed, path, d);
	}
	sodium_free(buf);
	return rc;
}
