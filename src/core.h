/*
 * Internal interfaces of the consort core.  Each section belongs to one
 * source file of src/, and its functions carry that file's prefix.
 */
#ifndef CONSORT_CORE_H
#define CONSORT_CORE_H

#include <iconv.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <msgpack.h>

#include "consort/consort.h"

#define nitems(a) (sizeof(a) / sizeof((a)[0]))
#define E(name) (-CONSORT_E##name)

/* ---- util.c: small helpers ---- */

/* Writes len bytes as 2*len lowercase hex characters and a NUL. */
void util_hex(char *out, const uint8_t *in, size_t len);
/*
 * Parses exactly 2*len hex characters, and nothing more, into out.
 * @return 0, or E(INVAL) (another length, or a character not hex)
 */
int util_unhex(uint8_t *out, size_t len, const char *hex);
int util_unhex_n(uint8_t *out, size_t len, const char *hex, size_t hexlen);
bool util_utf8_valid(const uint8_t *s, size_t len);
/* Whether text holds needle, ASCII letters compared without case. */
bool util_holds_nocase(const char *text, size_t len, const char *needle,
    size_t nlen);
/* The dates a field accepts: real days from 1900-01-01 to 2199-12-31. */
#define UTIL_DATE_YEAR_MIN 1900
#define UTIL_DATE_YEAR_MAX 2199
#define UTIL_DATE_RANGE N_("YYYY-MM-DD, a real day from 1900-01-01 to 2199-12-31")
bool util_date_valid(const char *s, size_t len);
const char *util_date_why(const char *s, size_t len);
/* Whether s is a SIRET: 14 digits whose Luhn check holds. */
bool util_siret_valid(const char *s, size_t len);
int util_errno(int e);
/*
 * The bytes this process has handed to write(2), pwrite(2), writev(2)...
 * so far (/proc/self/io's wchar; 0 when unknown): what a commit of LMDB
 * wrote, its dirty pages, is the difference across it.
 */
uint64_t util_written_bytes(void);
uint64_t util_now_ms(void);
/*
 * The process's private (anonymous) resident memory in bytes, from
 * /proc/self/statm (resident less file-backed pages); 0 when unknown.  The
 * store's mapped pages are the kernel's page cache and do not count.
 */
uint64_t util_private_bytes(void);
extern uint64_t (*util_clock)(void);
/* Store v big-endian in 8 or 4 bytes at p, and read it back. */
void util_put_be64(uint8_t *p, uint64_t v);
uint64_t util_get_be64(const uint8_t *p);
void util_put_be32(uint8_t *p, uint32_t v);
uint32_t util_get_be32(const uint8_t *p);

/* ---- i18n.c: messages in the user's language (DESIGN.md §8) ---- */

/*
 * _("...") is a message people read, translated where it is used; N_()
 * marks one in a static table, translated with _() where it is printed.
 * Output meant for programs is never translated (i18n_untranslated).
 */
#define _(msgid) i18n_gettext(msgid)
#define N_(msgid) msgid
const char *i18n_gettext(const char *msgid) __attribute__((format_arg(1)));
void i18n_untranslated(bool on);
bool i18n_is_untranslated(void);

/* ---- strbuf.c: the bounded string builder ---- */

/*
 * Text accumulated in a caller's buffer of cap bytes.  Appends never write
 * past cap; one that does not fit empties the text and sets truncated, and
 * later appends do nothing.  Every accumulation of text in the tree goes
 * through it, and its user checks strbuf_end() before using the text.
 */
struct strbuf {
	char *buf;
	size_t cap;      /* bytes of buf, the NUL included */
	size_t len;      /* bytes of text, the NUL excluded */
	bool truncated;  /* an append did not fit: the text is "" */
};

void strbuf_init(struct strbuf *sb, char *buf, size_t cap);
void strbuf_add(struct strbuf *sb, const char *s, size_t n);
void strbuf_puts(struct strbuf *sb, const char *s);
void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
int strbuf_end(const struct strbuf *sb) __attribute__((warn_unused_result));

/* ---- outfile.c: the files commands write with --out ---- */

/*
 * A file being written: to a temporary .FILE.XXXXXX.tmp beside FILE,
 * renamed over it by outfile_commit (FILE absent or a regular file, never
 * a device, folder, pipe, socket or link), removed by outfile_abort or a
 * terminating signal; or standard output for "-".
 */
struct outfile {
	FILE *f;           /* write here */
	const char *path;  /* FILE, or "-" */
	char *tmp;         /* the temporary; NULL for standard output */
	size_t cap;
	bool keep;         /* a failed commit keeps the temporary */
};

/*
 * Starts writing path ("-": standard output); write to o->f, then
 * outfile_commit() or outfile_abort().
 * @param mode the file's mode bits, less the umask
 * @return 0, or E(INVAL) (path names a folder, or something other than
 *	a regular file), E(IO) (path cannot be examined, or the temporary
 *	cannot be made), E(TOOBIG), E(NOMEM)
 */
int outfile_open(struct outfile *o, const char *path, unsigned mode,
    struct consort_diag *d);
/*
 * Flushes and fsyncs the temporary and renames it over FILE (still absent
 * or a regular file).  On a failure FILE is untouched and the temporary
 * removed, unless o->keep asks to keep it (its name is then in d->hint).
 * @return 0, or E(IO) (a write, fsync or rename fails), E(INVAL) (FILE
 *	became something other than a regular file)
 */
int outfile_commit(struct outfile *o, struct consort_diag *d);
/* Abandons the file: FILE is untouched and the temporary removed. */
void outfile_abort(struct outfile *o);
/*
 * Writes a whole buffer to path as outfile_open() and outfile_commit().
 * @return 0, or E(IO) (a short write), or an error of outfile_open() or
 *	outfile_commit()
 */
int outfile_write(const char *path, const void *buf, size_t len,
    unsigned mode, struct consort_diag *d);

/* ---- value: a field value as stored and sent ---- */

/* VAL_BIN: a personal field's commitment (CONSORT_COMMIT_BYTES) */
enum value_kind { VAL_NIL, VAL_BOOL, VAL_INT, VAL_STR, VAL_BIN };

struct value {
	enum value_kind kind;
	bool b;
	int64_t i;
	const char *s;  /* not NUL-terminated */
	uint32_t len;
};

bool value_equal(const struct value *a, const struct value *b);
/* Copies a string value into a buffer of len bytes, cut to fit ("" unset). */
void value_copy_str(char *out, size_t len, const struct value *v);

/* ---- mp.c: strict canonical msgpack reader and writer helpers ---- */

struct mp_reader {
	const uint8_t *start;
	const uint8_t *p;
	const uint8_t *end;
};

/*
 * Starts reading len bytes at buf.  Each mp_read_*() takes one element at
 * the cursor, in its canonical (shortest) form only, its strings and
 * binaries pointing into buf; mp_offset() tells where the cursor is.
 */
void mp_reader_init(struct mp_reader *r, const void *buf, size_t len);
size_t mp_offset(const struct mp_reader *r);
/*
 * Reads an array header; its count never exceeds the bytes left.
 * @return 0, or E(TRUNCATED), E(NONCANON), E(BADTYPE) (not an array)
 */
int mp_read_array(struct mp_reader *r, uint32_t *n);
/*
 * Reads a non-negative integer.
 * @return 0, or E(TRUNCATED), E(NONCANON), E(BADTYPE) (not an integer,
 *	or a negative one)
 */
int mp_read_uint(struct mp_reader *r, uint64_t *v);
int mp_read_bool(struct mp_reader *r, bool *v);
/*
 * Reads a binary string.
 * @return 0, or E(TRUNCATED), E(NONCANON), E(BADTYPE) (not a binary)
 */
int mp_read_bin(struct mp_reader *r, const uint8_t **p, uint32_t *len);
/*
 * Reads a binary of exactly len bytes into out.
 * @return 0, or E(BADTYPE) (another length), or an error of mp_read_bin()
 */
int mp_read_bin_fixed(struct mp_reader *r, uint8_t *out, uint32_t len);
/*
 * Reads a UTF-8 string of at most CONSORT_STR_MAX bytes (max bytes).
 * @return 0, or E(TRUNCATED), E(NONCANON), E(BADTYPE) (not a string),
 *	E(TOOBIG) (longer), E(BADUTF8)
 */
int mp_read_str(struct mp_reader *r, const char **s, uint32_t *len);
int mp_read_str_max(struct mp_reader *r, const char **s, uint32_t *len,
    uint32_t max);
/*
 * Reads a field value: nil, a boolean, an integer, a string or a binary
 * (a personal field's commitment) of at most CONSORT_STR_MAX bytes (max
 * bytes).
 * @return 0, or E(TOOBIG) (an integer over INT64_MAX), or an error of
 *	mp_read_str() or of reading an integer (E(TRUNCATED), E(NONCANON),
 *	E(BADTYPE))
 */
int mp_read_value(struct mp_reader *r, struct value *v);
int mp_read_value_max(struct mp_reader *r, struct value *v, uint32_t max);
/* Pack a field value, a binary, a string given with its length. */
void mp_pack_value(msgpack_packer *pk, const struct value *v);
void mp_pack_bin(msgpack_packer *pk, const void *p, size_t len);
void mp_pack_strn(msgpack_packer *pk, const char *s, size_t len);

/* ---- schema.c: entity and field tables from schema/entities.def ---- */

enum field_kind { FK_STR, FK_INT, FK_BOOL, FK_DATE, FK_ENUM, FK_SET,
	FK_SIRET, FK_KEY, FK_REF, FK_PERIOD, FK_TEXT };

#define SCHEMA_EXPORT 0x1
#define SCHEMA_ROSTER 0x2
#define SCHEMA_LEAD 0x4
#define SCHEMA_PERSONAL 0x8  /* a field flag */
#define SCHEMA_MAX_FIELDS 32
#define SCHEMA_MAX_TYPES 32  /* wire ids 1..31 */

struct schema_field {
	uint8_t id;
	const char *name;
	enum field_kind kind;
	int64_t lo, hi;
	const char *extra;
	uint8_t ref_type;  /* FK_REF: wire id of the target type */
	bool personal;     /* PERSONAL: a commitment on the wire (personal.c) */
	const char *label;  /* its French name, for people */
	const char *values; /* ENUM/SET: French labels of extra's values, or "" */
};

struct schema_type {
	uint8_t id;
	const char *name;
	int flags;
	const struct schema_field *fields[SCHEMA_MAX_FIELDS + 1]; /* by wire id */
	const struct schema_field *sorted[SCHEMA_MAX_FIELDS];     /* by name */
	unsigned nfields;
	uint8_t max_field;
	const char *label;  /* its French name, for people */
};

/*
 * The wire ids of schema/entities.def as constants, generated from it so
 * that no id is ever typed twice: T_<entity> is an entity type's id
 * (T_member) and F_<entity>_<field> a field's id within its type
 * (F_member_siret), both spelt exactly as the def file spells them.  A
 * renumbered id follows here by itself; a renamed or removed field no
 * longer compiles where code names it.
 */
enum schema_type_id {
#define ENTITY(name, id, flags, label) T_##name = id,
#define FIELD(ent, fid, fname, kind, lo, hi, extra, flags, label, values)
#include "../schema/entities.def"
#undef ENTITY
#undef FIELD
};

enum schema_field_id {
#define ENTITY(name, id, flags, label)
#define FIELD(ent, fid, fname, kind, lo, hi, extra, flags, label, values) \
	F_##ent##_##fname = fid,
#include "../schema/entities.def"
#undef ENTITY
#undef FIELD
};

/* A type by wire id or by name, a field of it by wire id or by name
   (len bytes); NULL when there is none. */
const struct schema_type *schema_type(unsigned id);
const struct schema_type *schema_type_by_name(const char *name);
const struct schema_field *schema_field(const struct schema_type *t, unsigned id);
const struct schema_field *schema_field_by_name(const struct schema_type *t,
    const char *name, size_t len);
/* Writes at most max types into out, sorted by name; returns how many. */
unsigned schema_types_sorted(const struct schema_type **out, unsigned max);
/* The word for a kind in messages. */
const char *schema_kind_name(enum field_kind k);
/* The French label of a value of an ENUM or SET field into out; false if none. */
bool schema_value_label(const struct schema_field *f, const char *value,
    char *out, size_t len);
int schema_check_value(const struct schema_field *f, const struct value *v,
    struct consort_diag *d);
/*
 * Checks a value as an op carries it on the wire: a field's value, or for
 * a personal field its commitment (a 32-byte binary), never the value.
 * @return 0, or E(SCHEMA)
 */
int schema_check_wire(const struct schema_field *f, const struct value *v,
    struct consort_diag *d);
int schema_check_ref(const char *ref, size_t len, struct consort_diag *d);
/*
 * Turns text (a CSV cell, the VALUE of FIELD=VALUE) into a value of the
 * field's kind, checked as schema_check_value() does.
 * @param v set to the value; its string points into text
 * @return 0, or E(SCHEMA) (not UTF-8, not of the kind, out of bounds)
 */
int schema_parse_text(const struct schema_field *f, const char *text,
    size_t len, struct value *v, struct consort_diag *d);
uint32_t schema_str_max(const struct schema_field *f);
bool schema_period_valid(const char *s, size_t len);

/* ---- keychain.c: keys over time (schema/keys.md) ---- */

#define KEYCHAIN_STATEMENT_MAX 512

enum key_role { KEY_ROLE_MEMBER, KEY_ROLE_RECOVERY };
enum key_by { KEY_BY_KEY, KEY_BY_RECOVERY };

/* One key replacing another, as a key record or a request's chain holds it. */
struct key_link {
	uint8_t from[CONSORT_KEY_BYTES];
	uint8_t to[CONSORT_KEY_BYTES];
	enum key_role role;
	enum key_by by;
	char date[11];
	uint8_t sig[64];    /* by from (KEY_BY_KEY) or the recovery key */
	uint8_t proof[64];  /* by to */
};

const char *keychain_role_name(enum key_role role);
const char *keychain_by_name(enum key_by by);
size_t keychain_statement(char *buf, size_t cap,
    const uint8_t consortium[CONSORT_HASH_BYTES], const struct key_link *l);
size_t keychain_recovery_statement(char *buf, size_t cap,
    const uint8_t lead[CONSORT_KEY_BYTES],
    const uint8_t recovery[CONSORT_KEY_BYTES]);
int keychain_link_sign(const uint8_t consortium[CONSORT_HASH_BYTES],
    struct key_link *l, const uint8_t *signer_sk, const uint8_t *to_sk);
int keychain_link_verify(const uint8_t consortium[CONSORT_HASH_BYTES],
    const struct key_link *l, const uint8_t signer[CONSORT_KEY_BYTES]);
void keychain_recovery_sign(uint8_t sig[64],
    const uint8_t lead[CONSORT_KEY_BYTES],
    const uint8_t recovery[CONSORT_KEY_BYTES], const uint8_t *lead_sk);
int keychain_recovery_verify(const uint8_t sig[64],
    const uint8_t lead[CONSORT_KEY_BYTES],
    const uint8_t recovery[CONSORT_KEY_BYTES]);

#define KEYCHAIN_MAX_LINKS 64

struct json_t;
/*
 * Checks the key chain a request carries, {"recovery": {"key",
 * "signature"} (optional), "links": [{"from", "to", "role", "by", "date",
 * "signature", "proof"}, ...]} (schema/keys.md, "The chain"): from
 * original, each link replaces the member key in force (role member,
 * signed by it or, by recovery, by the recovery key in force) or the
 * recovery key in force (role recovery), and is proved by a key met
 * nowhere before; the recovery key is the one named, signed by original.
 * Pure: the request alone decides.
 * @param consortium the consortium id the links' statements name
 * @param signer the key that signed the request: the chain ends there
 * @return 0, or E(SCHEMA) (malformed, naming the link), E(TOOBIG) (over
 *	KEYCHAIN_MAX_LINKS links), E(SIGNATURE) (a signature or proof that
 *	does not hold), E(PERM) (a replaced or unknown key, a key used twice,
 *	a recovery-signed link with no recovery key named, a signer that is
 *	not the chain's last key)
 */
int keychain_verify_json(const struct json_t *chain,
    const uint8_t consortium[CONSORT_HASH_BYTES],
    const uint8_t original[CONSORT_KEY_BYTES],
    const uint8_t signer[CONSORT_KEY_BYTES], struct consort_diag *d);

/* ---- recovery.c ---- */

/*
 * The consortium's recovery key: a seed, and the code a person keeps of
 * it (Crockford base32 of the seed and a checksum, 14 groups of 4).
 */
#define RECOVERY_SEED_BYTES 32
#define RECOVERY_CHECK_BYTES 3
#define RECOVERY_GROUPS 14
/* The code on one line, "XXXX-...-XXXX", and its NUL. */
#define RECOVERY_TEXT_MAX (RECOVERY_GROUPS * 5)
/* Its first 7 groups, printed as the first of two lines. */
#define RECOVERY_LINE_LEN (7 * 5 - 1)

/*
 * Derives the recovery key pair of a seed.
 * @param sk64 set to the 64-byte secret key, or NULL when not needed
 * @return 0, or E(CRYPTO)
 */
int recovery_keypair(const uint8_t seed[RECOVERY_SEED_BYTES],
    uint8_t pk[CONSORT_KEY_BYTES], uint8_t *sk64);
/*
 * Writes the code of a seed on one line, groups joined by '-'.
 * @param cap at least RECOVERY_TEXT_MAX
 * @return 0, or E(INVAL) (cap too small)
 */
int recovery_encode(char *out, size_t cap,
    const uint8_t seed[RECOVERY_SEED_BYTES]);
/*
 * Reads a code back into its seed, ignoring case, blanks and '-', and
 * reading O as 0, I and L as 1.  A refusal names the place of a bad
 * character, never the character nor the code.
 * @return 0, or E(KEY) (a bad character, a wrong count of characters, a
 *	checksum that does not match)
 */
int recovery_decode(const char *text, size_t len,
    uint8_t seed[RECOVERY_SEED_BYTES], struct consort_diag *d);
/*
 * Checks that recovery_file_write() may create path: no file there, in a
 * folder this user may write in.
 * @return 0, or E(EXIST), E(NOENT), E(PERM), E(READONLY), E(INVAL), E(IO)
 */
int recovery_file_check(const char *path, struct consort_diag *d);
/*
 * Writes a new recovery file: comments for people, then the code.
 * @param path created with mode 0600, never over an existing file
 * @return 0, or E(EXIST), E(NOENT), E(PERM), E(NOSPC), E(IO), E(NOMEM)
 */
int recovery_file_write(const char *path,
    const uint8_t seed[RECOVERY_SEED_BYTES], const char *consortium_name,
    const char *consortium_id_hex, struct consort_diag *d);
/*
 * Reads a recovery file (at most 4 KiB; lines starting with '#' skipped).
 * @return 0, or E(NOENT), E(TOOBIG), E(IO), E(NOMEM), or an error of
 *	recovery_decode()
 */
int recovery_file_read(const char *path, uint8_t seed[RECOVERY_SEED_BYTES],
    struct consort_diag *d);

/* ---- keys.c: ids, hashes, key files ---- */

void keys_entity_id(uint8_t out[CONSORT_EID_BYTES],
    const uint8_t founder[CONSORT_KEY_BYTES], unsigned type, const char *ref,
    size_t len);
/* BLAKE2b-256 of a buffer. */
void keys_hash(uint8_t out[CONSORT_HASH_BYTES], const void *p, size_t len);
void *keys_secret_alloc(size_t len);
int keys_file_write(const char *path, const uint8_t sk[64],
    const char *passphrase, size_t passlen);
int keys_file_read(const char *path, uint8_t sk[64],
    const char *passphrase, size_t passlen, bool *sealed);
int keys_file_public(const char *path, uint8_t pk[CONSORT_KEY_BYTES],
    bool *sealed);
int keys_public_write(const char *path, const void *p, size_t len);
int keys_netkey_write(const char *path, const uint8_t netkey[32],
    const char *keypath);
int keys_netkey_read(const char *path, uint8_t netkey[32]);

#define KEYS_PASS_MAX 1023  /* bytes of a passphrase */

/*
 * Reads a passphrase file's first line, 1 to KEYS_PASS_MAX bytes, into
 * guarded memory; a file that other users may read is refused.
 * @param pass set to the passphrase, NUL-terminated; sodium_free()
 * @return 0, or E(IO) (no such file, or it cannot be read), E(FILEMODE)
 *	(group or others may read it), E(TOOBIG) (a longer line),
 *	E(PASSPHRASE) (an empty line, or one holding a NUL), E(NOMEM)
 */
int keys_passphrase_read(const char *path, char **pass, size_t *passlen,
    struct consort_diag *d);
/*
 * Names the passphrase file of this process (NULL: none), read only when
 * a sealed network key must be opened without the secret key; path must
 * stay valid while it is named.
 */
void keys_passphrase_source(const char *path);
/* Wipes the kept sealing key and forgets the passphrase file. */
void keys_forget(void);
/*
 * Keeps this process out of core dumps: not dumpable, core size limit 0.
 * @return 0, or E(IO) (the system refuses)
 */
int keys_no_core_dumps(void);

/* ---- tty.c: a passphrase typed on the terminal ---- */

/* Opens /dev/tty for a prompt: a descriptor to close, or -1 without one. */
int tty_open(void);
/*
 * Writes prompt on the terminal fd and reads a line with echo off; the
 * terminal and the signal handlers are restored on every path.  A signal
 * that ends the process (Ctrl-C) is raised again once they are; after one
 * that stops it (Ctrl-Z) the prompt starts over.
 * @param pass set to the line, NUL-terminated, in guarded memory
 *	(sodium_free); an empty line gives *passlen 0
 * @return 0, or E(TRUNCATED) (end of input before anything was typed),
 *	E(TOOBIG) (over KEYS_PASS_MAX bytes), E(PASSPHRASE) (a NUL byte),
 *	E(INTERRUPTED) (a signal the process handles), E(IO) (fd is not a
 *	terminal), E(NOMEM)
 */
int tty_passphrase(int fd, const char *prompt, char **pass, size_t *passlen);

/* ---- changeset.c: the signed change-set, codec and signature ---- */

enum op_kind { OP_CREATE = 0, OP_SET = 1, OP_UNSET = 2, OP_DELETE = 3 };
#define OP_KIND_MAX OP_DELETE

struct cs_dep {
	uint8_t author[CONSORT_KEY_BYTES];
	uint64_t seq;
	uint8_t hash[CONSORT_HASH_BYTES];
};

struct cs_op {
	uint8_t kind;
	uint8_t type;
	uint8_t field;
	uint8_t id[CONSORT_EID_BYTES];
	struct value val;
};

struct changeset {
	uint64_t version;
	uint8_t consortium[CONSORT_HASH_BYTES];
	uint8_t author[CONSORT_KEY_BYTES];
	uint64_t seq;
	uint8_t prev[CONSORT_HASH_BYTES];
	struct cs_dep *deps;
	uint32_t ndeps;
	uint64_t hlc;
	struct cs_op *ops;
	uint32_t nops;
	const uint8_t *body;  /* the signed bytes, inside the decoded buffer */
	size_t body_len;
	const uint8_t *sig;
	uint8_t id[CONSORT_HASH_BYTES];
};

/*
 * Decodes a signed change-set without checking its signature
 * (cs_verify()); every op is checked against the schema.
 * @param cs set to the change-set, pointing into buf; cs_free()
 * @return 0, or E(TOOBIG) (over CONSORT_CS_MAX_BYTES, or too many deps or
 *	ops), E(VERSION), E(CHAIN) (prev not zero exactly at seq 1),
 *	E(INVAL) (no op, a seq of 0, a dep on its author, an op malformed),
 *	E(NONCANON) (deps out of order), E(SCHEMA) (an op the schema
 *	refuses), E(BADTYPE) (an array of the wrong size), E(TRUNCATED) (no
 *	signature), E(TRAILING), E(NOMEM), or an error of the mp_read_*()
 *	functions (malformed msgpack)
 */
int cs_decode(const uint8_t *buf, size_t len, struct changeset *cs,
    struct consort_diag *d);
/*
 * Checks the Ed25519 signature of a decoded change-set by its author.
 * @return 0, or E(SIGNATURE)
 */
int cs_verify(const struct changeset *cs);
/* Frees what cs_decode() allocated. */
void cs_free(struct changeset *cs);
const char *cs_op_kind_name(unsigned kind);
/*
 * Reads only the seq and hlc of a stored change-set (no ops), to order
 * change-sets for sending without decoding them whole.
 * @return 0, or E(VERSION), E(CHAIN), E(INVAL), E(BADTYPE), or an error
 *	of the mp_read_*() functions
 */
int cs_peek(const uint8_t *buf, size_t len, uint64_t *seq, uint64_t *hlc);

struct cs_builder {
	msgpack_sbuffer ops;
	msgpack_packer pk;
	uint32_t nops;
};

void csb_init(struct cs_builder *b);
void csb_reset(struct cs_builder *b);
void csb_free(struct cs_builder *b);
void csb_op(struct cs_builder *b, unsigned kind, unsigned type,
    const uint8_t id[CONSORT_EID_BYTES], unsigned field, const struct value *v);
size_t csb_size(const struct cs_builder *b);
int csb_sign(struct cs_builder *b, const struct changeset *hdr,
    const uint8_t sk[64], msgpack_sbuffer *out);

/* ---- store.c: the LMDB environment and its tables ---- */

/*
 * store.c alone calls LMDB.  The rest of the core sees a store, its
 * transactions (struct store_txn, opaque), values (struct store_val) and
 * walks (struct store_walk), and consort errors only: LMDB's return codes
 * are converted in one place, store_err().
 */

enum store_table {
	TB_CHANGES,   /* author(32) seq(8 BE) -> signed change-set bytes */
	TB_IDS,       /* change-set id(32) -> author(32) seq(8 BE) */
	TB_HEADS,     /* author(32) -> struct head, the version vector */
	TB_ENTITIES,  /* type(1) entity id(16) -> record (record.c) */
	TB_REFS,      /* type(1) ref -> entity id(16) */
	TB_META,      /* name -> value: consortium id, founder, hlc, self */
	TB_OWNERS,    /* type(1) id(16) field(1) author(4) seq(8) -> [value, vv] */
	TB_REVOKED,   /* author(32) -> seq(8 BE): its last change-set that counts */
	TB_PENDING,   /* author(32) seq(8 BE) -> change-set waiting for its past */
	TB_FORKS,     /* author(32) seq(8 BE) -> [held id, other id, other bytes] */
	TB_REFUSED,   /* change-set id(32) -> [op index, error, reason] */
	TB_PEERS,     /* address -> sync statistics (sync/) */
	TB_VV,        /* change-set id(32) -> its causal context (merge.c) */
	TB_WAITS,     /* what each pending change-set waits for; counts (log.c) */
	TB_OPENINGS,  /* entity id(16) field(1) commitment(32) -> sealed opening */
	TB_WANTED,    /* entity id(16) field(1) commitment(32): openings to ask */
	TB_ENTITLED,  /* entity id(16): trainees this node may read (wants.c) */
	TB_RECHECK,   /* entity id(16): personal values changed since (wants.c) */
	TB_INDEX,     /* kind(1) target ref, 0, [month(4)] ref -> entity id(16):
	                 the records an order request reads (index.c) */
	TB_LATER,     /* seq(8 BE) -> op(1) entity id(16) index key: what a
	                 bulk write left for index_catch_up() (index.c) */
	TB_COUNT,     /* the tables of every node */
	/* a verification's rebuilt state tables (store_open_scratch) */
	TB_SCRATCH_ENTITIES = TB_COUNT,
	TB_SCRATCH_REFS,
	TB_SCRATCH_OWNERS,
	TB_SCRATCH_VV,
	TB_SCRATCH_INDEX,
	TB_ALL
};

struct head {
	uint32_t idx;   /* local author number, dense, in arrival order */
	uint64_t seq;
	uint8_t id[CONSORT_HASH_BYTES];
	uint64_t hlc;
};

#define STORE_MAX_AUTHORS 4096
#define STORE_MAX_MEMBERS 1024

enum member_role { ROLE_NONE, ROLE_LEAD, ROLE_CO, ROLE_SUB };

/* A member of the roster, as permission checks need it. */
struct member {
	uint8_t key[CONSORT_KEY_BYTES];
	bool has_key;
	char name[201];
	char siret[15];
	char parent[15];
	enum member_role role;
	bool revoked;
	uint64_t revoked_after;  /* the last of its change-sets that counts */
};

/*
 * A key the roster knows: a member's (bound by the lead, or one that
 * replaced it) or the consortium's recovery key (member -1).
 */
struct roster_key {
	uint8_t key[CONSORT_KEY_BYTES];
	int32_t member;     /* index in the roster, or -1: a recovery key */
	bool current;       /* no key record replaced it */
	bool by_recovery;   /* a recovery put it there */
};

/* The verdict on the change-set of an order or a notice (perm-order.c). */
struct perm_verdict {
	uint8_t cs[CONSORT_HASH_BYTES];  /* the change-set judged */
	uint32_t op;                     /* the last of its ops asked about */
	int rc;
	const char *why;
	bool valid;
};

struct store_env;  /* store.c's */

struct store {
	struct store_env *env;
	unsigned int dbi[TB_ALL];  /* store.c's handles of the tables */
	uint8_t (*authors)[CONSORT_KEY_BYTES];  /* by local idx */
	uint32_t nauthors;
	uint8_t founder[CONSORT_KEY_BYTES];  /* the lead: edits everything */
	bool has_founder;
	struct member *roster;  /* cache of the member records (perm.c) */
	uint32_t nroster;
	struct roster_key *rkeys;  /* every key of the roster (perm-key.c) */
	uint32_t nrkeys, caprkeys;
	bool roster_stale;
	bool needs_rebuild;  /* a revocation reached change-sets applied already */
	struct perm_verdict verdict;
	bool readonly;  /* the user cannot write the store: reads only */
	bool scratch;   /* reads a private copy whose commits are refused */
	struct store_env *scratch_env;   /* a replay's (store_scratch_open) */
	struct store_txn *scratch_txn;   /* its one write transaction */
	unsigned int scratch_dbi[TB_ALL];  /* the handles of the tables there */
	uint32_t scratch_mask;  /* the tables (bit 1 << t) kept there */
	bool scratch_full;      /* they ran out of room (store_scratch_full) */
	bool index_later;       /* index entries go to TB_LATER (index_defer) */
	uint64_t index_defer_min;  /* records a write holds before it defers
	                              the index: INDEX_DEFER_RECORDS (tests
	                              lower it) */
	uint64_t later_seq;     /* the next key of TB_LATER */
	uint8_t *atrest;  /* the key of personal values at rest, or NULL */
	bool open_personal;  /* state_lookup and walks open personal values */
	int lockfd;   /* store/compact.lock, locked shared while open */
	bool locked;  /* lockfd holds the lock (none on a node not ours) */
	/*
	 * A write transaction kept open across event-loop callbacks (a sync's
	 * group of batches, sync/session.c) registers how to end it: LMDB has
	 * one writer, so the next store_begin() for writing in this process
	 * calls it first rather than wait for itself.
	 */
	int (*end_writer)(void *ctx);
	void *end_writer_ctx;
};

/* A transaction: a consistent view of the store, and what a write changes. */
struct store_txn;

/*
 * Bytes read from the store.  They point into the store's map: valid until
 * the transaction ends or writes to that key, and never to be written to.
 */
struct store_val {
	const void *data;
	size_t len;
};

/*
 * A walk through a table in key order (store_walk_begin): every key not
 * below a start key that begins with a prefix.  Its members are store.c's.
 */
#define STORE_PREFIX_MAX 64
/* The longest key of a table: LMDB's (mdb_env_get_maxkeysize). */
#define STORE_KEY_MAX 511

struct store_cursor;

struct store_walk {
	struct store_cursor *cursor;
	uint8_t prefix[STORE_PREFIX_MAX];
	size_t prefixlen;
	struct store_val key, val;  /* the row found but not yet returned */
	bool ready;
	bool done;
};

/* The size of a table (store_stat). */
struct store_stat {
	uint64_t entries;
	uint64_t bytes;  /* of its pages */
};

/* store_put: refuse to replace a value (E(EXIST)). */
#define STORE_NOOVERWRITE 0x1
/* store_put: the key sorts after every key of the table (LMDB's append). */
#define STORE_APPEND 0x2

/*
 * Converts a return code of LMDB to a consort error.
 * @param rc 0, an LMDB error code, an errno value, or a consort error
 *	(returned as it is)
 * @return 0, or: E(NOENT) for MDB_NOTFOUND; E(EXIST) for MDB_KEYEXIST;
 *	E(MAPFULL) for MDB_MAP_FULL; E(CORRUPTED) for MDB_CORRUPTED,
 *	MDB_PAGE_NOTFOUND and MDB_INVALID; E(BADTXN) for MDB_BAD_TXN;
 *	E(BUSY) for MDB_READERS_FULL, MDB_TLS_FULL and MDB_MAP_RESIZED;
 *	E(VERSION) for MDB_VERSION_MISMATCH; E(STORE) for LMDB's other codes;
 *	E(READONLY) for EACCES; util_errno()'s error for other errno values.
 */
int store_err(int rc);

/*
 * Tells whether an error is the node's (its store, memory or disk) rather
 * than the data's: one that stops a batch instead of refusing an item.
 * @param err a consort error
 * @return true for E(NOMEM), E(IO), E(STORE), E(MAPFULL), E(CORRUPTED),
 *	E(BADTXN) and E(BUSY)
 */
bool store_fault(int err);

/*
 * Opens a node's store, creating it when asked.  A store the user may read
 * but not write opens read-only (s->readonly).
 * @param s the store to fill; store_close() releases it
 * @param path the store's folder
 * @param create make the folder (mode 0700) and the tables when missing
 * @return 0, or E(NOTNODE) (no store at path), E(PERM) (the store cannot
 *	be read), E(READONLY) or E(NOSPC) (the folder cannot be made), E(IO),
 *	E(NOMEM), or an error of store_err()
 */
int store_open(struct store *s, const char *path, bool create);

/*
 * Closes a store opened by store_open(); every transaction must be over.
 * @param s the store; closing it twice is harmless
 */
void store_close(struct store *s);

/*
 * Sets whether commits wait for the disk (they do after store_open()).
 * @param s an open store
 * @param sync false: a commit returns before its pages reach the disk, and
 *	a crash may lose it (statistics, tests)
 */
void store_set_sync(struct store *s, bool sync);

/*
 * Begins a transaction.  A write transaction waits for any other one to
 * end; readers never wait.
 * @param s an open store
 * @param write whether the transaction may write
 * @param txn set to the transaction (NULL on failure); store_commit() or
 *	store_abort() ends it
 * @return 0, or E(READONLY) (a write on a read-only store), E(BUSY) (too
 *	many readers), E(NOMEM), or an error of store_err()
 */
int store_begin(struct store *s, bool write, struct store_txn **txn);

/*
 * Begins a write transaction that will be abandoned, even on a read-only
 * store: there, in a private copy in TMPDIR (removed at once) that the
 * store reads from then on and that refuses commits.
 * @param s an open store
 * @param txn set to the transaction (NULL on failure)
 * @return 0, or E(NOSPC) or E(IO) (no copy can be made), or an error of
 *	store_open() or store_begin()
 */
int store_begin_scratch(struct store *s, struct store_txn **txn);


/*
 * Commits a write transaction, durably unless store_set_sync() said
 * otherwise, and ends it, committed or not.
 * @param txn a transaction of store_begin()
 * @return 0, or E(READONLY) (the private copy of store_begin_scratch()),
 *	E(NOSPC) (the disk is full), E(MAPFULL), E(IO), or an error of
 *	store_err()
 */
int store_commit(struct store_txn *txn);

/*
 * Abandons a transaction: nothing it wrote is kept.
 * @param txn a transaction, or NULL (nothing is done)
 */
void store_abort(struct store_txn *txn);

/*
 * Begins a write transaction inside another one (LMDB's nested
 * transactions): its writes join the parent's on store_commit() (no disk
 * write yet), or vanish on store_abort_nested().  A sync applies each
 * batch of a group in one, so that a refused batch leaves the batches
 * before it.
 * @return 0, or E(NOMEM), or an error of store_err()
 */
int store_begin_nested(struct store *s, struct store_txn *parent,
    struct store_txn **txn);

/*
 * Abandons a nested transaction and forgets what it taught the store's
 * caches (author numbers, roster, a rebuild it asked for).
 * @return 0, or an error reading the parent's author numbers
 */
int store_abort_nested(struct store *s, struct store_txn *txn,
    struct store_txn *parent);

/*
 * Reads the value of a key.
 * @param txn the transaction
 * @param s its store
 * @param t the table
 * @param k, klen the key (1 to 511 bytes)
 * @param v set to the value: bytes in the store's map (struct store_val)
 * @return 0, or E(NOENT) (no such key), E(CORRUPTED), or an error of
 *	store_err()
 */
int store_get(struct store_txn *txn, struct store *s, enum store_table t,
    const void *k, size_t klen, struct store_val *v);

/*
 * Writes the value of a key, replacing any.
 * @param txn a write transaction
 * @param s its store
 * @param t the table
 * @param k, klen the key (1 to 511 bytes)
 * @param v, vlen the value, copied into the store
 * @param flags 0, or STORE_NOOVERWRITE to keep a value already there
 * @return 0, or E(EXIST) (STORE_NOOVERWRITE and the key is there),
 *	E(MAPFULL) (the store is full), E(BADTXN) (a read transaction, or one
 *	an earlier error spoilt), or an error of store_err()
 */
int store_put(struct store_txn *txn, struct store *s, enum store_table t,
    const void *k, size_t klen, const void *v, size_t vlen, unsigned flags);

/*
 * Deletes a key and its value.
 * @param txn a write transaction
 * @param s its store
 * @param t the table
 * @param k, klen the key
 * @return 0, or E(NOENT) (no such key), E(BADTXN), or an error of
 *	store_err()
 */
int store_del(struct store_txn *txn, struct store *s, enum store_table t,
    const void *k, size_t klen);

/*
 * Reads the last key of a table in key order.
 * @param k its bytes, valid while the transaction runs
 * @return 0, E(NOENT) when the table is empty, or a store error
 */
int store_last(struct store_txn *txn, struct store *s, enum store_table t,
    struct store_val *k);

/*
 * Measures a table.
 * @param txn the transaction
 * @param s its store
 * @param t the table
 * @param st set to its number of entries and the bytes of its pages
 * @return 0, or an error of store_err()
 */
int store_stat(struct store_txn *txn, struct store *s, enum store_table t,
    struct store_stat *st);

/*
 * Begins a walk through a table in key order: from the first key not
 * below start, while keys begin with the first prefixlen bytes of start.
 * Writing the table during a walk is not allowed; a walk's keys and values
 * are those of store_get().
 *
 *	struct store_walk w;
 *	struct store_val k, v;
 *
 *	if ((rc = store_walk_begin(&w, txn, s, TB_REFS, &type, 1, 1)) != 0)
 *		return rc;
 *	while ((rc = store_walk_next(&w, &k, &v)) > 0)
 *		...;
 *	store_walk_end(&w);
 *
 * @param w the walk, ended by store_walk_end() once this returned 0
 * @param txn the transaction; the walk ends before it does
 * @param s its store
 * @param t the table
 * @param start, startlen the key to start at (copied); startlen 0: the
 *	table's first key
 * @param prefixlen how many bytes of start every key must begin with (at
 *	most startlen and STORE_PREFIX_MAX); 0: every key
 * @return 0, or E(INVAL) (prefixlen too long), or an error of store_err()
 */
int store_walk_begin(struct store_walk *w, struct store_txn *txn,
    struct store *s, enum store_table t, const void *start, size_t startlen,
    size_t prefixlen);

/*
 * Steps a walk to its next key.
 * @param w a walk of store_walk_begin()
 * @param k, v set to the key and value (as store_get() sets v)
 * @return 1 (k and v are set), 0 (the walk is over: no key is left, or the
 *	next one does not begin with the prefix), or E(CORRUPTED) or another
 *	error of store_err()
 */
int store_walk_next(struct store_walk *w, struct store_val *k,
    struct store_val *v);

/*
 * Ends a walk, whether it reached its end or not.
 * @param w a walk of store_walk_begin(); ending it again is harmless
 */
void store_walk_end(struct store_walk *w);

/*
 * Reads an author's head: its local number, last seq, id and clock.
 * @return 0, or E(NOENT) (an author never seen), E(STORE) (a head that
 *	does not decode), or an error of store_get()
 */
int store_head(struct store_txn *txn, struct store *s, const uint8_t *author,
    struct head *h);

/*
 * Writes an author's head.
 * @return 0, or an error of store_put()
 */
int store_set_head(struct store_txn *txn, struct store *s,
    const uint8_t *author, struct head *h);

/*
 * Returns an author's local number, giving the next one to a new author
 * (whose head, seq 0, is written).
 * @param idx set to the number
 * @return 0, or E(TOOBIG) (STORE_MAX_AUTHORS authors already), or an error
 *	of store_head() or store_put()
 */
int store_author_idx(struct store_txn *txn, struct store *s,
    const uint8_t *author, uint32_t *idx);

/*
 * Rebuilds s->authors, the table of authors by local number, from the heads.
 * @return 0, or E(NOMEM), E(STORE) (a head that does not decode), or an
 *	error of store_walk_next()
 */
int store_load_authors(struct store_txn *txn, struct store *s);

/*
 * Stores a change-set's bytes under (author, seq), and its id.
 * @param cs the decoded change-set
 * @param bytes, len its signed bytes
 * @return 0, or E(EXIST) (that seq or that id is stored already), or an
 *	error of store_put()
 */
int store_put_change(struct store_txn *txn, struct store *s,
    const struct changeset *cs, const uint8_t *bytes, size_t len);

/*
 * Reads the stored bytes of an author's change-set.
 * @param author, seq the change-set
 * @param v set to its bytes (as store_get() sets it)
 * @return 0, or E(NOENT) (not stored), or an error of store_get()
 */
int store_get_change(struct store_txn *txn, struct store *s,
    const uint8_t *author, uint64_t seq, struct store_val *v);

/* The state tables a replay of the log derives (entities to index). */
#define STORE_STATE_TABLES 5

/*
 * The layout of the state tables, what a replay of the log derives in
 * them (the meta table's "layout").  It goes up when a release derives
 * more (2: the paths that name each intent and trainee, which decide who
 * records a hire or an exit; 3: the index of what an order request reads,
 * index.c), so that a store an older release wrote is rebuilt from its log
 * once, when it is first opened for writing (node.c), instead of judging
 * change-sets on tables that lack rows, or failing consort verify.
 */
#define STATE_LAYOUT 3

/*
 * Empties the state tables (entities, refs, owners, causal contexts,
 * index) before a replay of the log.
 * @param txn a write transaction
 * @return 0, or an error of store_err()
 */
int store_clear_state(struct store_txn *txn, struct store *s);

/*
 * Opens the scratch copies of the state tables (TB_SCRATCH_ENTITIES ...)
 * that a replay writes into, empty, with the table of trainees to look at
 * again (TB_RECHECK, which a replay fills with every trainee): in a
 * throwaway environment of TMPDIR whose file is removed at once, never
 * synced, written in place (its pages are the kernel's page cache, not the
 * process's memory), its disk space reserved.  Every store function
 * reaches them through any transaction of the store until
 * store_scratch_close().
 * @param txn the transaction whose tables size the environment
 * @param attempt 0, then 1, 2... after store_scratch_full(): twice larger
 *	each time
 * @return 0, or E(BUSY) (they are open already), E(NOSPC) (TMPDIR has no
 *	room for them), E(IO), or an error of store_err()
 */
int store_scratch_open(struct store_txn *txn, struct store *s,
    unsigned attempt);

/*
 * Opens the same scratch tables in a map of size bytes (a sort of index
 * keys, say, which needs far less than a replay).
 * @return as store_scratch_open()
 */
int store_scratch_open_size(struct store *s, uint64_t size);

/*
 * Tells whether table t is, for now, a scratch table: between the
 * store_swap_scratch() calls around a replay, the state tables are.
 */
bool store_in_scratch(const struct store *s, enum store_table t);

/*
 * Whether the scratch tables ran out of room (a write failed with
 * E(MAPFULL)): close them and open them again at the next attempt.
 */
bool store_scratch_full(const struct store *s);

/*
 * Closes the scratch tables and their environment (nothing is left of
 * them); harmless without store_scratch_open().  store_close() does it too.
 */
void store_scratch_close(struct store *s);

/*
 * Exchanges each state table with its scratch copy, so that what reads
 * and writes the state reaches the copy; a second call undoes it.
 */
void store_swap_scratch(struct store *s);

/* Where store_adopt() goes on (zeroed to begin). */
struct store_adopt {
	uint8_t last[STORE_KEY_MAX];  /* the last key written */
	size_t lastlen;     /* 0: none yet */
	bool done;          /* the tables are equal */
};

/*
 * Makes a table hold what another holds, writing only the keys whose
 * values differ (a rebuilt state replacing the stored one), from where
 * pos says on, until the budget is spent; pos->done once the tables are
 * equal.
 * @param dst the table written (in txn, a write transaction)
 * @param src the table read (a scratch table, say)
 * @param budget the bytes it may write (a page a key, and the value's
 *	bytes; UINT64_MAX for the whole table), less what it wrote on return
 * @param changed set to the keys written or deleted
 * @return 0, or E(NOMEM), or an error of the store
 */
int store_adopt(struct store_txn *txn, struct store *s, enum store_table dst,
    enum store_table src, uint64_t *budget, struct store_adopt *pos,
    uint64_t *changed);

/*
 * Takes the store for this process alone (no other process may open it
 * until store_unlock_alone()), if no other has it open.
 * @return 0, or E(BUSY)
 */
int store_lock_alone(struct store *s);

/* Lets other processes open the store again after store_lock_alone(). */
void store_unlock_alone(struct store *s);

/*
 * Names the scratch copy of a state table.
 * @return TB_SCRATCH_ENTITIES for TB_ENTITIES and so on; t itself for a
 *	table that has none
 */
enum store_table store_scratch_of(enum store_table t);
/*
 * Empties a table (its entries only); an empty table is not written.
 * @return 0, or E(BADTXN) or another error of store_err()
 */
int store_empty(struct store_txn *txn, struct store *s, enum store_table t);
/*
 * Deletes every key of a table that begins with prefix (len bytes, at
 * most STORE_PREFIX_MAX), counting them in *deleted when not NULL.
 * @return 0, or E(NOMEM), or an error of store_walk_next() or store_del()
 */
int store_del_prefix(struct store_txn *txn, struct store *s,
    enum store_table t, const void *prefix, size_t len, unsigned *deleted);

/* The sizes of data.mdb around a compaction (store_compact). */
struct store_compact_stats {
	uint64_t before;  /* bytes of data.mdb before */
	uint64_t after;   /* and after */
};

/*
 * Compacts a store so that what was deleted leaves no byte in its free
 * pages: a compacted copy (LMDB's MDB_CP_COMPACT) is written beside
 * data.mdb (store/data.mdb.compact), flushed, renamed over it, the folder
 * flushed, and the store reopened on it.  It needs the store to itself:
 * every process that opens a store holds a shared lock on
 * store/compact.lock while it is open, and this one must make it
 * exclusive; when another process holds it, the compaction is marked
 * pending in the meta table (store_compact_pending) and E(BUSY) returned.
 * A failure before the rename leaves data.mdb as it was (a copy left by a
 * crash is removed by the next store_open()).  No transaction of s may be
 * running; its values are invalid after.
 * @param s an open store
 * @param st set to the sizes of data.mdb before and after
 * @return 0, or E(BUSY) (another process has the store open: pending),
 *	E(READONLY) (a store this user cannot write), E(NOSPC) (no room for
 *	the copy: unchanged), E(IO), E(STORE) (compacted but not reopened:
 *	only store_close() may follow), or an error of store_err()
 */
int store_compact(struct store *s, struct store_compact_stats *st,
    struct consort_diag *d);
/*
 * Marks a compaction as pending, in a write transaction (an erasure's, so
 * that a crash after its commit still compacts later).
 * @return 0, or an error of store_put()
 */
int store_compact_mark(struct store_txn *txn, struct store *s);
/*
 * Whether a compaction is pending: marked, or refused E(BUSY), and not
 * done since.  No transaction of s may be running.
 */
bool store_compact_pending(struct store *s);

/* ---- record.c: records as multi-value registers, their stored form ---- */

/* One register entry: a value written by change-set (author idx, seq). */
struct entry {
	uint32_t author;
	uint64_t seq;
	uint64_t hlc;
	struct value val;
};

/* At most one entry per author survives in a register. */
#define RECORD_MAX_SORT STORE_MAX_AUTHORS

/* A register: n entries at off in the record's pool. */
struct reg {
	uint32_t off;
	uint32_t n;
};

/*
 * A record being read or changed.  Strings point into the stored blob or
 * into the change-set being applied; both outlive the record's use.
 */
struct record {
	uint8_t type;
	uint8_t id[CONSORT_EID_BYTES];
	const char *ref;
	uint32_t ref_len;
	bool found;
	struct reg exist;  /* VAL_STR (the ref): alive; VAL_NIL: tombstone */
	struct reg fields[SCHEMA_MAX_FIELDS + 1];
	struct entry *pool;
	uint32_t npool;
	uint32_t cap;
	/* personal values opened (personal_open_record): by pool index, the
	   value shown for each entry; the entries keep their commitments */
	struct value *shown;
	uint32_t nshown;
	char *clear;      /* the strings of shown values */
	size_t nclear, capclear;
	bool opened;
};

/* The value shown for an entry: opened where this node could, else its own. */
const struct value *record_shown(const struct record *r, const struct entry *e);

/* Starts an empty record; record_free() frees its entry pool. */
void record_init(struct record *r);
void record_free(struct record *r);
/*
 * Loads a record by (type, id); r->found tells whether it is stored.
 * @param r a record of record_init(); its strings point into the store
 * @return 0 (found or not), or E(STORE) (a record that does not decode),
 *	E(NOMEM), or an error of store_get()
 */
int record_load(struct store_txn *txn, struct store *s, unsigned type,
    const uint8_t *id, struct record *r);
int record_decode(const void *blob, size_t len, struct record *r);
/*
 * Encodes a record (in buf) and writes it to the entities table.
 * @return 0, or an error of store_put()
 */
int record_save(struct store_txn *txn, struct store *s, struct record *r,
    msgpack_sbuffer *buf);
const struct entry *record_winner(const struct store *s,
    const struct record *r, const struct reg *g);
/* Whether a record is alive: its displayed existence holds its ref. */
bool record_alive(const struct store *s, const struct record *r);
int record_pool_take(struct record *r, uint32_t n, uint32_t *off);

/* ---- merge.c: applying a change-set's ops to records ---- */

struct merge_result {
	uint32_t applied;  /* ops that changed a register */
	uint32_t refused;  /* ops on a record never created, or not permitted */
	int first_refusal; /* the error of the first refused op */
	uint32_t first_refused_op;
	const char *why;   /* and the reason, a static string */
};

/*
 * The causal context of a change-set being applied: for each local author
 * number, the highest seq it had seen (DESIGN.md §4).
 */
struct causal {
	uint64_t *vv;
	uint32_t n;
	uint32_t author;
	uint64_t seq;
	uint64_t hlc;
};

/*
 * Applies every op of a verified, causally ready change-set; ops its author
 * may not make are refused (counted in res, with the first reason) and
 * skipped, which is not an error.
 * @param txn a write transaction
 * @param author_idx the author's local number (store_author_idx())
 * @param res set to what was applied and refused
 * @return 0, or E(PERM) (the author is on no roster), E(NOMEM), or an
 *	error of the store (store_fault())
 */
int merge_apply(struct store_txn *txn, struct store *s,
    const struct changeset *cs, uint32_t author_idx, struct merge_result *res);

/* ---- index.c: the records an order request reads, by what they name ---- */

/*
 * What an index key names (TB_INDEX): the records of a type by the
 * displayed value of one of their fields, alive or deleted, so that a
 * lookup finds every record a walk of the type would keep, and no other
 * that matters; the readers keep their filters.
 */
enum index_kind {
	IX_SESSION_MONTH = 1,  /* session by lot and each month it runs in */
	IX_PATH_SESSION,       /* path by its session */
	IX_PATH_TRAINEE,       /* path by its trainee */
	IX_PATH_INTENT,        /* path by its intent */
	IX_DEROG_SESSION,      /* derogation by its session */
	IX_DEROG_INTENT,       /* derogation by its intent */
	IX_AGREEMENT_SESSION,  /* agreement by its session */
	IX_RATE_LOT,           /* rate by its lot */
	IX_ORDER_PERIOD,       /* order by its lot and the month of its period */
};

/* A month as a number (year * 12 + month - 1); INDEX_OPEN: every month. */
#define INDEX_OPEN 0xffffffffu
/* A session running longer than this many months is under INDEX_OPEN. */
#define INDEX_SPAN_MAX 36
/* A key: kind, target ref, NUL, month, the record's ref. */
#define INDEX_KEY_MAX (1 + CONSORT_REF_MAX + 1 + 4 + CONSORT_REF_MAX)
#define INDEX_KEYS_MAX (INDEX_SPAN_MAX + 2)
_Static_assert(INDEX_KEY_MAX <= STORE_KEY_MAX, "an index key fits LMDB");

/* The index keys of one record. */
struct index_keys {
	uint32_t n;
	uint16_t len[INDEX_KEYS_MAX];
	uint8_t key[INDEX_KEYS_MAX][INDEX_KEY_MAX];
};

/* One record found in the index. */
struct index_hit {
	uint8_t id[CONSORT_EID_BYTES];
	char ref[CONSORT_REF_MAX + 1];
};

/* Records found in the index (index_find), by ref once sorted. */
struct index_hits {
	struct index_hit *v;
	size_t n, cap;
};

/*
 * Whether the store's index is kept: its state tables have this release's
 * layout (STATE_LAYOUT).  A store an older release wrote, opened where it
 * cannot be rebuilt, is read by walks of whole types instead.
 */
bool index_ready(struct store_txn *txn, struct store *s);

/*
 * The month of a date or period "YYYY-MM..." as a number, or -1 when p
 * does not begin with one.
 */
int64_t index_month(const char *p, size_t len);

/* Computes the index keys of a record as stored (none for other types). */
void index_keys(const struct store *s, const struct record *r,
    struct index_keys *k);

/*
 * Brings the index of a record from the keys it had (old, index_keys()
 * when it was loaded) to those it has now.
 * @return 0, or an error of store_put() or store_del()
 */
int index_update(struct store_txn *txn, struct store *s,
    const struct record *r, const struct index_keys *old);

/*
 * Defers the index for a bulk write (an import, a full sync): from now on
 * index_update() notes its keys in TB_LATER, appended in the order of
 * writing, and the stored layout says the index is behind, so that
 * queries walk the types instead and a process killed before
 * index_catch_up() leaves a store the next writer rebuilds.
 */
void index_defer(struct store *s);

/*
 * How many records a write holds before it defers the index
 * (store.index_defer_min): an import's records, or eight times as many
 * ops a sync or a bundle has applied (a record is several).
 */
#define INDEX_DEFER_RECORDS 8192

/*
 * Writes what TB_LATER noted into the index, sorted, in transactions of
 * its own, and gives the store its layout back; nothing without
 * index_defer().
 * @return 0, or a store error, E(NOSPC) (the sort's room in TMPDIR)
 */
int index_catch_up(struct store *s);

/*
 * Adds to h the records of the index under (kind, target, month).
 * @param month a month of index_month(), INDEX_OPEN, or -1 for the kinds
 *	without one
 * @return 0, or E(NOMEM), or an error of store_walk_next()
 */
int index_find(struct store_txn *txn, struct store *s, enum index_kind kind,
    const char *target, int64_t month, struct index_hits *h);

/*
 * Adds to h the record of a type that has ref, if one is stored.
 * @return 0, or E(NOMEM), or an error of store_get()
 */
int index_add_ref(struct store_txn *txn, struct store *s, unsigned type,
    const char *ref, struct index_hits *h);

/*
 * Calls fn on each record of h (sorted by ref, each once), as
 * state_foreach_stored() does on a whole type: deleted ones too when
 * stored is true, live ones only otherwise.
 * @return 0 (fn stopped it with a positive value, or every record was
 *	seen), fn's error, E(NOMEM), E(STORE) (a damaged record), or an error
 *	of record_load()
 */
int index_visit(struct store_txn *txn, struct store *s, unsigned type,
    struct index_hits *h, bool stored,
    int (*fn)(void *ctx, const struct record *r), void *ctx);

/* Frees what index_find() and index_add_ref() gathered; h stays usable. */
void index_hits_free(struct index_hits *h);

/* ---- perm.c: who may edit what (DESIGN.md §4) ---- */

/*
 * Reloads s->roster, the members as permission checks see them, when
 * another transaction may have changed them.
 * @return 0, or E(NOMEM), or an error of state_foreach()
 */
int perm_roster(struct store_txn *txn, struct store *s);
/*
 * The member of s->roster a key speaks for (its current key or one it
 * held before), or of a SIRET; NULL if none.
 */
const struct member *perm_member_by_key(const struct store *s,
    const uint8_t *key);
const struct member *perm_member_by_siret(const struct store *s,
    const char *siret, size_t len);
int perm_check_op(struct store_txn *txn, struct store *s,
    const struct member *m, const struct causal *c, const struct changeset *cs,
    uint32_t i, const char **why);
int perm_existed(struct store_txn *txn, struct store *s, const struct causal *c,
    unsigned type, const uint8_t *id, bool *created, bool *alive);
int perm_record_op(struct store_txn *txn, struct store *s,
    const struct member *m, const struct causal *c, const struct cs_op *op);
/*
 * Whether key is the lead's: the founder's, or (with the roster loaded)
 * one that replaced it.
 */
bool perm_is_lead(const struct store *s, const uint8_t *key);

/* ---- perm-key.c: keys over time ---- */

/*
 * Builds the roster's key table (perm_roster() calls it): every key each
 * member held, its current one, and the recovery keys.
 * @return 0, or E(NOMEM), or an error of the store
 */
int perm_keys_load(struct store_txn *txn, struct store *s);
/* Whether key is a member's or the recovery's current key. */
bool perm_key_current(const struct store *s, const uint8_t *key);
/* Whether key is one of the consortium's recovery keys, current or not. */
bool perm_is_recovery(const struct store *s, const uint8_t *key);
/* The consortium's current recovery key; false when it has none. */
bool perm_recovery_key(const struct store *s, uint8_t out[CONSORT_KEY_BYTES]);
/*
 * Whether op i of cs, on a key record, may apply (*why says why not).
 * @return 0, E(PERM), or an error of perm_roster()
 */
int perm_key_check(struct store_txn *txn, struct store *s,
    const struct changeset *cs, uint32_t i, const char **why);
int perm_revoked_after(struct store_txn *txn, struct store *s,
    const uint8_t *author, uint64_t *after, bool *revoked);
int perm_sync_revocations(struct store_txn *txn, struct store *s);
typedef int (*perm_creation_fn)(void *ctx, const uint8_t *id, uint32_t author);
/*
 * Walks the creations the owners table keeps: of every record of a type,
 * or of one (id not NULL).  fn returns 0 to go on, non-zero to stop.
 * @return 0, or an error of fn or of the store
 */
int perm_foreach_creation(struct store_txn *txn, struct store *s,
    unsigned type, const uint8_t *id, perm_creation_fn fn, void *ctx);
/*
 * Whether the member of key may edit the live trainee or intent id in a
 * change-set of its own that follows the whole state (a local edit): the
 * lead and the co-contractors edit every one, a subcontractor those it
 * recorded; no other type is answered for (*ok false).
 * @return 0, or an error of perm_roster() or of the store
 */
int perm_may_edit(struct store_txn *txn, struct store *s, const uint8_t *key,
    unsigned type, const uint8_t *id, bool *ok);

/* ---- perm-order.c: orders and notices, checked against what they stand for ---- */

int perm_order_check(struct store_txn *txn, struct store *s,
    const struct member *m, const struct causal *c, const struct changeset *cs,
    uint32_t i, const char **why);
/*
 * Whether an author's latest change-set had seen change-set seq of the
 * author of local number idx (in its causal context).
 * @param who the author's key; seen false when it never wrote
 * @return 0, or E(NOMEM), or an error of store_head() or store_get()
 */
int merge_seen_by(struct store_txn *txn, struct store *s, const uint8_t *who,
    uint32_t idx, uint64_t seq, bool *seen);

/* One submitted order of a lot and period (perm_order_series). */
struct order_entry {
	int64_t number;
	size_t visit;                      /* its place in the state's walk */
	char ref[CONSORT_REF_MAX + 1];
	char hash[2 * 32 + 1];             /* its request's SHA-256, hex */
	char sender[15];                   /* SIRET */
	bool direct;
};

/* The orders of one lot and period, by number then ref. */
struct order_series {
	struct order_entry *v;
	size_t n, cap;
	int64_t max;                       /* the highest number, 0: none */
};

/*
 * Lists the orders of (lot, period) in a causal past.
 * @param c the past (a change-set's), or NULL: every order in the state
 * @param out set to the list; order_series_free()
 * @return 0, or E(NOMEM), or an error of state_foreach()
 */
int perm_order_series(struct store_txn *txn, struct store *s,
    const struct causal *c, const char *lot, size_t lotlen, const char *period,
    struct order_series *out);
void order_series_free(struct order_series *o);
bool order_entry_in_scope(const struct order_entry *e, bool direct,
    const char *sender);
const struct order_entry *order_series_latest(const struct order_series *o,
    bool direct, const char *sender);

/* The Region's key in force: the recorded region_key of the highest number. */
struct region_key {
	int64_t number;                   /* 0: none recorded */
	uint8_t key[CONSORT_KEY_BYTES];
	char date[11];                    /* the day it was recorded */
	char ref[CONSORT_REF_MAX + 1];
};

/*
 * Finds the Region's key in force in the causal past c (NULL: in the
 * state, a local write's past): of the region_key records created there,
 * the one of the highest number.
 * @param out set to it; out->number 0 when none is recorded
 * @return 0, or an error of state_foreach()
 */
int perm_region_key(struct store_txn *txn, struct store *s,
    const struct causal *c, struct region_key *out);
/*
 * Finds a decision of the Region on a request (its SHA-256, hex) created
 * in the causal past c (NULL: in the state): the Region answers a request
 * once.
 * @param ref set to its ref ("" when none)
 * @return 0, or an error of state_foreach()
 */
int perm_decision_of(struct store_txn *txn, struct store *s,
    const struct causal *c, const char *request, char *ref, size_t reflen);
/* Whether perm_order_check() judges records of this type: orders, notices,
   the Region's decisions and keys. */
bool perm_order_type(unsigned type);

/* ---- node.c: a node directory, its key and local change-sets ---- */

struct invite;

struct node {
	char *dir;
	struct store store;
	uint8_t pk[CONSORT_KEY_BYTES];
	uint8_t *sk;    /* 64 bytes, guarded (sodium_malloc), read-only once set */
	bool have_sk;
	bool sealed;
	uint8_t consortium[CONSORT_HASH_BYTES];
	uint8_t founder[CONSORT_KEY_BYTES];
	uint64_t hlc;
};

struct genesis_member {
	const char *name;
	const char *siret;
};

struct genesis {
	const char *consortium;
	const char *market;
	struct genesis_member lead;
	struct genesis_member *co;
	unsigned nco;
};

/* Joins the node directory and a file name into buf: 0 or E(INVAL). */
int node_path(char *buf, size_t len, const char *dir, const char *name);

/*
 * Adds key to the keys this node trusts before the roster names them, in
 * the caller's write transaction: 0, E(TOOBIG), E(NOMEM) or a store error.
 */
int node_trust_key(struct node *n, struct store_txn *txn,
    const uint8_t key[CONSORT_KEY_BYTES]);

/* ---- node-key.c: replacing a node's key pair ---- */

/*
 * Replaces the node's key pair by a new one (consort key rotate): a key
 * record signed by the old key and proved by the new, the personal values
 * sealed again, the new key's files (sealed with pass when not NULL) in
 * place of the old; the node signs with the new key from then on.
 * @param new_pk set to the new public key
 * @return 0, or E(KEY) (no secret key loaded), E(NOMEM), E(IO), or an
 *	error of edit_flush(), the store or the key files (d says which)
 */
int node_rotate(struct node *n, const char *pass, size_t passlen,
    uint8_t new_pk[CONSORT_KEY_BYTES], struct consort_diag *d);
/*
 * Binds the node's key as the lead's in place of the lead's current key
 * (consort key recover), signed by the recovery key of seed.
 * @param replaced set to the key replaced
 * @return 0, or E(KEY) (not the recovery key in force, or none), E(NOENT),
 *	E(NOMEM), or an error of edit_flush() or the store
 */
int node_recover(struct node *n, const uint8_t seed[32],
    uint8_t replaced[CONSORT_KEY_BYTES], struct consort_diag *d);
/* Replaces the recovery key of seed by the one of new_seed (as node_recover). */
int node_rotate_recovery(struct node *n, const uint8_t seed[32],
    const uint8_t new_seed[32], struct consort_diag *d);
/*
 * Finishes (the store holds the key record) or undoes a key rotation a
 * killed process left half done; node_open() calls it.
 * @return 0, or E(IO) or an error of the store
 */
int node_finish_rotation(struct node *n);
/*
 * Takes the node's key before its last rotation (key.old) for a sync's
 * handshake with a peer that lacks the rotation, until node_old_key_drop().
 * @return 0, or E(NOENT) (never rotated), E(INVAL), E(NOMEM), or an error
 *	of keys_netkey_read()
 */
int node_old_key_use(struct node *n);
/* Gives back the key node_old_key_use() set aside. */
void node_old_key_drop(struct node *n);
/*
 * The node's key pair before its last rotation (key.old), for a server's
 * handshake with a client that lacks the rotation.
 * @return 0, or E(NOENT) (never rotated), or an error of keys_netkey_read()
 */
int node_old_keypair(const struct node *n, uint8_t pk[CONSORT_KEY_BYTES],
    uint8_t *sk);
/* The public key the node's key files hold now: 0, or keys_file_public()'s. */
int node_key_on_disk(const struct node *n, uint8_t pk[CONSORT_KEY_BYTES]);

/*
 * Creates a consortium's first node: the folder (and the missing ones
 * above it), a key pair, a network key, the store and the genesis
 * change-set that names the consortium, its recovery key (whose seed is
 * wiped here: node_init_recovery() hands it over) and its awarded members.
 * @param dir the node's folder: absent, or without a store
 * @param g the consortium, its market and members
 * @param pass, passlen a passphrase to seal the keys with, or NULL
 * @param out set to the open node (its secret key loaded); node_close()
 * @param d says what was refused, and where
 * @return 0, or E(INVAL) (a bad folder name, or a member twice), E(EXIST)
 *	(a node or a key there already), E(PERM) or E(READONLY) (a folder
 *	that cannot be made), E(NOSPC), E(SCHEMA) (a name or SIRET the schema
 *	refuses), E(NOMEM), E(IO), or an error of store_open() or store_commit()
 */
int node_init(const char *dir, const struct genesis *g, const char *pass,
    size_t passlen, struct node **out, struct consort_diag *d);
/*
 * node_init(), which also hands over the seed of the consortium's new
 * recovery key (recovery.c): the genesis names its public half, signed by
 * the founder, and the node keeps nothing of it.  node_init() wipes it.
 * @param recovery_seed set to the seed on success, or NULL
 */
int node_init_recovery(const char *dir, const struct genesis *g,
    const char *pass, size_t passlen,
    uint8_t recovery_seed[RECOVERY_SEED_BYTES], struct node **out,
    struct consort_diag *d);

/*
 * Opens a node: its public key, store and identity; node_unlock() loads
 * the secret key.
 * @param dir the node's folder
 * @param out set to the node, or NULL on failure; node_close()
 * @param d says why a node cannot be opened
 * @return 0, or E(NOTNODE) (no node there), E(PERM) (a store this user
 *	may not read), E(KEY) (a bad key.pub), E(NOMEM), or an error of
 *	store_open() or store_get()
 */
int node_open(const char *dir, struct node **out, struct consort_diag *d);

/*
 * Creates a folder holding only a key pair, for a member to be invited.
 * @param dir the folder: absent, or without a store
 * @param pass, passlen a passphrase to seal the secret key with, or NULL
 * @param pk set to the new public key
 * @param d says what was refused
 * @return 0, or the errors of node_init() about folders and key files
 */
int node_keygen(const char *dir, const char *pass, size_t passlen,
    uint8_t pk[CONSORT_KEY_BYTES], struct consort_diag *d);

/*
 * Turns a folder made by node_keygen() into a member's node: network key,
 * store, the consortium's identity and its genesis (from the invite).
 * @param dir the folder of node_keygen()
 * @param inv an opened invite (invite_open())
 * @param out set to the node; node_close()
 * @param d says what was refused
 * @return 0, or E(NOTNODE) (no key pair in dir), E(EXIST) (a store there
 *	already), an error of log_apply() on the genesis, of store_open(),
 *	store_put() or store_commit()
 */
int node_join(const char *dir, const struct invite *inv, struct node **out,
    struct consort_diag *d);

/*
 * Tells whether a peer's key may sync with this node: the lead's, a member
 * not revoked, or (before the first sync brought the roster) a member key
 * the invite listed.  A store that cannot be read trusts nobody.
 */
bool node_trusts(struct node *n, const uint8_t key[CONSORT_KEY_BYTES]);

/*
 * Reads the consortium's network key.
 * @param netkey set to the key
 * @return 0, or E(NOENT) (no network.key), E(PASSPHRASE) (a sealed key and
 *	no passphrase, or a wrong one), E(KEY) (a damaged file), or an error
 *	of keys_passphrase_read()
 */
int node_netkey(const struct node *n, uint8_t netkey[32]);

/*
 * Opens a folder that holds only a key pair (node_keygen()).
 * @param out set to the node (no store); node_close()
 * @return 0, or E(NOTNODE) (no key pair), E(KEY), E(NOMEM)
 */
int node_open_keys(const char *dir, struct node **out, struct consort_diag *d);

/*
 * Loads the node's secret key, opening it with the passphrase when it is
 * sealed; does nothing when it is loaded already.
 * @param pass, passlen the passphrase, or NULL
 * @return 0, or E(PASSPHRASE) (sealed and no passphrase, or a wrong one),
 *	E(KEY) (a damaged key, or one that does not match key.pub), E(NOENT)
 *	(no key file), E(NOMEM)
 */
int node_unlock(struct node *n, const char *pass, size_t passlen,
    struct consort_diag *d);

/* Closes a node (NULL is ignored), wiping its secret key. */
void node_close(struct node *n);

/* Returns the next hybrid logical clock value: (ms << 16 | counter), rising. */
uint64_t node_hlc_next(struct node *n);

/* Computes the entity id of (type, ref) in the node's consortium. */
void node_entity_id(const struct node *n, unsigned type, const char *ref,
    size_t len, uint8_t out[CONSORT_EID_BYTES]);

/*
 * A local write: one write transaction in which change-sets are built,
 * signed, stored and applied.  edit_flush() closes the current change-set
 * (if it holds ops), edit_commit() flushes and commits.
 */
struct edit {
	struct node *n;
	struct store_txn *txn;
	struct cs_builder b;
	msgpack_sbuffer out;
	struct record rec;   /* the record being edited */
	struct record target; /* the record a reference names */
	uint32_t appended;
	uint32_t committed;  /* of the appended change-sets, those committed */
	struct consort_diag diag;  /* why a flush or commit was refused */
	struct consort_diag note;  /* what an edit that went through did not
	                              do, and how to do it (what[0] if any) */
};

/*
 * Begins a local write: a write transaction of the node's store.
 * @param n a node whose secret key is loaded (node_unlock())
 * @param e the edit to fill; edit_commit() or edit_abort() ends it
 * @return 0, or E(KEY) (no secret key), or an error of store_begin() (as
 *	E(READONLY)) or store_load_authors()
 */
int edit_begin(struct node *n, struct edit *e);

/*
 * Signs the ops added so far into one change-set, stores and applies it
 * (nothing when there are none).  The transaction stays open.
 * @return 0, or E(NOMEM), an error of log_apply_own() (explained in
 *	e->diag), store_put() or store_head()
 */
int edit_flush(struct edit *e);

/*
 * Flushes and commits, and ends the edit either way: e->committed counts
 * the change-sets stored durably.
 * @return 0, or an error of edit_flush() (nothing is stored) or of
 *	store_commit() (E(NOSPC), E(MAPFULL), E(IO)...)
 */
int edit_commit(struct edit *e);

/* Ends an edit without storing anything of its transaction. */
void edit_abort(struct edit *e);

/*
 * Commits what was flushed so far and goes on in a new transaction (a long
 * import's steps).
 * @return 0, or an error of store_commit() (the edit is over: only
 *	edit_abort() may follow) or of store_begin()
 */
int edit_renew(struct edit *e);

/* ---- records.c: generic local edits over the schema ---- */

/* A field to write; a VAL_NIL value unsets it. */
struct field_input {
	const struct schema_field *f;
	struct value v;
};

enum put_mode {
	PUT_ADD,     /* the record must not exist */
	PUT_SET,     /* the record must exist */
	PUT_UPSERT,  /* create or update: import */
};

/* How many replacements of an intent (replaces, R16) are followed. */
#define INTENT_CHAIN_MAX 16

/*
 * Adds to the edit's change-set the ops that create or update a record:
 * one per field whose displayed value differs.  A path that leaves a
 * withdrawn intent for another also makes the new intent record that it
 * replaces the withdrawn one (R16); e->note says so, or why it could not.
 * @param e the edit
 * @param t, ref, reflen the record
 * @param in, n the fields to write (a VAL_NIL value unsets one)
 * @param mode PUT_ADD, PUT_SET or PUT_UPSERT
 * @param check_refs check that each reference names a live record
 * @param changed set to whether any op was added
 * @param d names the record and what was refused
 * @return 0, or E(SCHEMA) (a bad ref; an intent's replaces naming itself
 *	or an intent that replaces it; a rate or attendance whose ref is not
 *	what its fields make, an agreement or attendance lacking a field it
 *	needs), E(EXIST) (PUT_ADD of a live record),
 *	E(NOENT) (PUT_SET of a missing one), E(REF) (a reference to a missing
 *	record), or an error of store_get() or record_decode() (E(STORE))
 */
int records_put(struct edit *e, const struct schema_type *t, const char *ref,
    size_t reflen, const struct field_input *in, unsigned n,
    enum put_mode mode, bool check_refs, bool *changed, struct consort_diag *d);

/*
 * Adds the op that writes one field of a record: a personal value as a
 * commitment with its opening kept in the edit's transaction.
 * @return 0, or an error of personal_put()
 */
int records_write_field(struct edit *e, unsigned type, const uint8_t *id,
    const struct schema_field *f, const struct value *v,
    struct consort_diag *d);

/*
 * Adds the op that deletes a live record (its history stays in the log).
 * @return 0, or E(NOENT) (no live record), or an error of store_get()
 */
int records_delete(struct edit *e, const struct schema_type *t,
    const char *ref, size_t reflen, struct consort_diag *d);

/*
 * Refuses the deletion of a record that live records still name in a
 * reference field, naming one of them and how many.
 * @return 0, or E(REF) (it is named), or an error of state_foreach()
 */
int records_check_unreferenced(struct edit *e, const struct schema_type *t,
    const char *ref, size_t reflen, struct consort_diag *d);

/*
 * Tells whether the record a reference field's value names is alive.
 * @param txn the transaction
 * @param scratch a record to load it into
 * @param f the reference field; v its value (VAL_STR)
 * @param alive set to the answer
 * @return 0, or an error of store_get() or record_decode()
 */
int records_ref_alive(struct store_txn *txn, struct node *n,
    struct record *scratch, const struct schema_field *f, const struct value *v,
    bool *alive);

/* Writes a fresh random ref for a record added without one: TYPE-16 hex. */
void records_new_ref(const struct schema_type *t, char *out, size_t len);

/*
 * Makes the ref of a record whose ref its fields decide: attendance's,
 * PATH@YYYY-MM-DD or PATH@YYYY-MM (schema/entities.def).
 * @param in, n the record's fields
 * @param out, len where to write it; len > CONSORT_REF_MAX
 * @return whether t decides its ref so and the fields give it (a path and
 *	one day or month, the ref at most CONSORT_REF_MAX bytes)
 */
bool records_derived_ref(const struct schema_type *t,
    const struct field_input *in, unsigned n, char *out, size_t len);

/* ---- import.c: JSON Lines, CSV and .xlsx import ---- */

struct xlsx_limits;

enum import_format { IMPORT_AUTO, IMPORT_JSONL, IMPORT_CSV, IMPORT_XLSX };

struct import_opts {
	const char *path;
	enum import_format format;
	const struct schema_type *type;  /* CSV, .xlsx: the records' type */
	bool skip_bad;
	unsigned batch;                  /* records per change-set */
	/* called on each bad line (pass 1); a non-zero return stops */
	int (*bad)(void *ctx, const struct consort_diag *d);
	/* called now and then: pass 1 or 2, bytes read, file size */
	void (*progress)(void *ctx, int pass, uint64_t done, uint64_t total);
	void *ctx;
	char separator;                  /* CSV: ';', ',' or '\t'; 0: sniffed */
};

struct import_result {
	uint64_t lines;
	uint64_t records;     /* good records read */
	uint64_t changed;     /* records that produced ops */
	uint64_t bad;         /* refused lines */
	uint64_t changesets;  /* change-sets appended */
	/* what is durably stored, even when the import stopped half-way */
	uint64_t committed_changesets;
	uint64_t committed_records;
	bool rows;            /* a sheet: lines are its rows, so named */
};

/*
 * Imports a file in two passes: the first checks every line (against the
 * schema and the store), the second writes, in change-sets of o->batch
 * records, committing now and then; new records in the order of their
 * types and entity ids rather than the file's.
 * @param n a node whose secret key is loaded
 * @param o the file, its format and the callbacks
 * @param res set to what was read and what is durably stored, even when
 *	the import stopped half-way
 * @param d names the line or the record refused
 * @return 0, or E(SCHEMA) (bad lines without o->skip_bad), E(INTERRUPTED)
 *	(o->bad asked to stop), E(INVAL) (a CSV file without a type),
 *	E(TOOBIG) (a CSV header over the bounds), E(IO) (the file cannot be
 *	read), E(NOMEM), or an error of edit_commit() or edit_renew() (as
 *	E(NOSPC) or E(MAPFULL)) or of the store's reads
 */
int import_file(struct node *n, const struct import_opts *o,
    struct import_result *res, struct consort_diag *d);

/*
 * Checks one line of an import against the schema alone (fuzzing, tests).
 * @param header the CSV header line, or NULL for JSON Lines
 * @return 0, or the refusal of that line (E(SCHEMA), E(INVAL), E(BADUTF8))
 */
int import_check_line(enum import_format fmt, const struct schema_type *type,
    const char *header, const char *line, size_t len, struct consort_diag *d);
/*
 * Checks a whole sheet against the schema alone (fuzzing, tests): a CSV
 * file or an .xlsx workbook (within lim; NULL: the defaults) held in buf,
 * of records of type, parsed and checked as the first pass of an import
 * does, up to its first refusal.
 * @return 0, or the refusal (E(SCHEMA), E(BADUTF8), E(TOOBIG), E(INVAL))
 */
int import_check_sheet(enum import_format fmt, const struct schema_type *type,
    const void *buf, size_t len, const struct xlsx_limits *lim,
    struct consort_diag *d);

/* ---- import-text.c: the encoding and separator of a CSV file ---- */

/* What a look at the whole of a CSV file found. */
struct import_text {
	char sep;     /* ';', ',' or '\t' */
	bool cp1252;  /* not UTF-8: Windows-1252, converted on reading */
	long skip;    /* bytes of a UTF-8 byte-order mark */
};

/* Reads a sniffed file as UTF-8. */
struct import_text_reader {
	FILE *f;
	iconv_t cd;   /* (iconv_t)-1 for a UTF-8 file */
	char in[4096];
	char out[3 * 4096];
};

/*
 * Reads the whole file: UTF-8 (a byte-order mark skipped) or else
 * Windows-1252, and the separator of its header line, the one of ';',
 * tab and ',' it holds most outside quotes (in that order on a tie), or
 * sep when not 0.
 * @return 0, or E(BADUTF8) (UTF-16, an .xls workbook, a NUL byte, a
 *	byte neither encoding has), E(IO)
 */
int import_text_sniff(FILE *f, const char *path, char sep,
    struct import_text *t, struct consort_diag *d);
/* Starts reading f as t says; @return 0, or E(IO) */
int import_text_open(struct import_text_reader *r, FILE *f,
    const struct import_text *t, const char *path, struct consort_diag *d);
/* The next chunk as UTF-8; *len is 0 at the end.  @return 0, or E(IO) */
int import_text_read(struct import_text_reader *r, const char **buf,
    size_t *len);
void import_text_close(struct import_text_reader *r);

/* ---- import-scratch.c: what an import keeps between its passes ---- */

#define IMPORT_KEY_BYTES (1 + CONSORT_EID_BYTES)  /* type, entity id */

/* The keys the first pass has seen, in a hash table mapped from a file. */
struct import_seen {
	const char *dir;  /* where its file is made: the store's folder */
	uint8_t *map;
	size_t cap, n;
};

#define IMPORT_SORT_BYTES 10  /* the order in which pass 2 takes records */

struct import_keep_ent;
struct import_keep_run;

/*
 * The good records of the first pass, in a file, for the second, which
 * reads them back in the order of their sort keys (sorted runs, merged).
 */
struct import_keep {
	const char *dir;  /* where its file is made: the store's folder */
	bool open;        /* its file is made: fd */
	int fd;
	uint8_t *run;     /* records not written yet, as they came */
	size_t runlen, runcap;
	struct import_keep_ent *ents;  /* their keys and places in run */
	size_t nents, capents;
	struct import_keep_run *runs;  /* the sorted runs written */
	size_t nruns, capruns;
	size_t *heap;     /* reading: the runs by their next record's key */
	size_t nheap;
	uint8_t *buf;     /* one record read back */
	size_t cap;
	uint64_t kept;    /* records */
	uint64_t bytes;   /* written */
	uint64_t read;    /* read back so far */
};

/* A record read back from an import_keep. */
struct import_kept {
	uint64_t line;
	const struct schema_type *t;
	const char *ref;
	size_t reflen;
	struct field_input in[SCHEMA_MAX_FIELDS];
	unsigned n;
};

/*
 * Adds a key and the line that defines it; *prior is set to the line
 * that defined it before, or 0 (and the set is left as it was).
 * @return 0, or E(NOSPC), E(NOMEM), E(IO)... (the scratch file)
 */
int import_seen_add(struct import_seen *s, const uint8_t key[IMPORT_KEY_BYTES],
    uint64_t line, uint64_t *prior);
/* Whether the first pass has added a key. */
bool import_seen_has(const struct import_seen *s,
    const uint8_t key[IMPORT_KEY_BYTES]);
/* Drops the set of keys and its file; s can be used again. */
void import_seen_free(struct import_seen *s);
/*
 * Keeps a record (its values copied), to come back in the order of key
 * (keys unique); the file is made at the first.
 * @return 0, or E(NOSPC), E(NOMEM), E(IO)...
 */
int import_keep_put(struct import_keep *k, const uint8_t key[IMPORT_SORT_BYTES],
    uint64_t line, const struct schema_type *t, const char *ref,
    size_t reflen, const struct field_input *in, unsigned n);
/*
 * Starts reading the records, from the first in key order; again for each
 * reading.  @return 0, or E(NOSPC), E(NOMEM), E(IO)
 */
int import_keep_rewind(struct import_keep *k);
/*
 * Reads the next record in key order; its strings stay valid until the
 * next call.
 * @return 1, 0 at the end, or E(IO), E(NOMEM)
 */
int import_keep_next(struct import_keep *k, struct import_kept *r);
/* Drops the records kept and their file; k can be used again. */
void import_keep_free(struct import_keep *k);

/* ---- import-cell.c: spreadsheet cells into field values ---- */

/* What a cell of a sheet holds: text, or an .xlsx number, boolean, error. */
enum sheet_cell { SHEET_TEXT, SHEET_NUMBER, SHEET_BOOL, SHEET_ERROR };

/* Room for a value rewritten from a cell (a date, a SIRET, a list). */
#define CELL_NORM_MAX 256

/* Drops the spaces (ASCII, no-break, narrow no-break) at both ends. */
void import_cell_trim(const char **s, size_t *len);
/* A cell as text: trimmed, an .xlsx number as a whole number if it is one. */
void import_cell_text(enum sheet_cell kind, const char **s, size_t *len,
    char norm[CELL_NORM_MAX]);
/*
 * Folds text for a loose comparison: lower case, no accents on Latin
 * letters, ’ as ', '_' and runs of spaces as one space, trimmed.
 * @return the length written to out, NUL-terminated and cut to size
 */
size_t import_cell_fold(const char *s, size_t len, char *out, size_t size);
/* Whether two texts fold to the same non-empty text. */
bool import_cell_same(const char *a, size_t alen, const char *b, size_t blen);
/*
 * Turns a spreadsheet cell into a value of f: dates as 31/12/2026,
 * 1/2/2026 or 2026-12-31 (an .xlsx number: a serial day of the 1900, or
 * with date1904 the 1904, date system); integers grouped by spaces, with
 * a decimal part only when nought ("35,0"); Oui/Non, O/N, vrai/faux, 1/0,
 * true/false in any case; SIRETs grouped by spaces; words of a list in any
 * case; a list of words in any order.  Spaces around the cell are dropped;
 * a cell of spaces alone is no value (v->kind VAL_NIL).
 * @param norm where a rewritten value is kept; v->s may point into it
 * @return 0, or E(SCHEMA) or E(BADUTF8) with d->what the reason, which
 *	names no field and never holds the value of a personal field
 */
int import_cell_value(const struct schema_field *f, enum sheet_cell kind,
    const char *s, size_t len, bool date1904, char norm[CELL_NORM_MAX],
    struct value *v, struct consort_diag *d);

/* ---- import-template.c: an empty sheet to fill in and import ---- */

/*
 * Writes an empty sheet for records of t to path ("-": standard output)
 * by outfile's rule: row 1 names the columns in French (Référence, then
 * each field's label); CSV as French Excel writes it (UTF-8 with its mark,
 * ';', CRLF), or with xlsx a workbook (text and date columns formatted,
 * lists in drop-downs, a sheet « Aide » that describes each column).
 * @return 0, or E(NOMEM), or an error of outfile_write() (E(IO), E(INVAL))
 */
int import_template(const struct schema_type *t, bool xlsx, const char *path,
    struct consort_diag *d);

/* ---- xlsx.c: the first sheet of an .xlsx workbook, row by row ---- */

/* The bounds of what a workbook may make consort read or hold. */
struct xlsx_limits {
	uint64_t file_bytes;     /* the archive */
	uint64_t part_bytes;     /* a part, inflated: a zip bomb stops here */
	uint64_t strings_bytes;  /* the shared strings held */
	uint32_t strings;        /* how many shared strings */
	uint32_t rows;           /* the last row's number */
	unsigned columns;        /* the columns read; a value past them is noted */
	size_t cell_bytes;       /* a cell; a longer one is noted, not kept */
};
extern const struct xlsx_limits xlsx_default_limits;

/* A cell: its kind and its text (an .xlsx number as written in the file). */
struct xlsx_cell {
	enum sheet_cell kind;
	const char *s;           /* NUL-terminated */
	size_t len;              /* 0: empty */
	bool toolong;            /* over cell_bytes: s is not the value */
};

/* A row that holds a value. */
struct xlsx_row {
	uint32_t row;                    /* its number: 1 is the first */
	const struct xlsx_cell *cells;   /* by column, A first */
	unsigned n;                      /* up to the last that holds a value */
	bool wide;                       /* a value past the columns read */
};

/* Called with each row that holds a value; non-zero stops the reading. */
typedef int (*xlsx_row_fn)(void *ctx, const struct xlsx_row *row);

struct xlsx;

/*
 * Opens an .xlsx workbook: finds its first sheet and reads its shared
 * strings and date system, within lim (NULL: xlsx_default_limits).
 * @return 0, or E(SCHEMA) (not a zip archive, damaged, an .ods file, a
 *	password, no sheet), E(TOOBIG) (over a bound), E(NOMEM)
 */
int xlsx_open(const char *path, const struct xlsx_limits *lim,
    struct xlsx **x, struct consort_diag *d);
/* The same, for a workbook held in memory (buf outlives x); name is for
   messages. */
int xlsx_open_mem(const void *buf, size_t len, const char *name,
    const struct xlsx_limits *lim, struct xlsx **x, struct consort_diag *d);
/*
 * Reads the first sheet, handing each row that holds a value to fn in
 * order; may be called again for another pass.
 * @return 0, fn's non-zero return, or E(SCHEMA) (damaged), E(TOOBIG),
 *	E(NOMEM)
 */
int xlsx_rows(struct xlsx *x, xlsx_row_fn fn, void *ctx,
    struct consort_diag *d);
/* Whether the workbook counts its serial days from 1904, not 1900. */
bool xlsx_date1904(const struct xlsx *x);
void xlsx_close(struct xlsx *x);

/* ---- roster.c: binding keys, subcontractors, revocation ---- */

struct roster_invite {
	const char *name;    /* NULL: keep the awarded name */
	const char *siret;
	enum member_role role;  /* ROLE_CO or ROLE_SUB */
	uint8_t key[CONSORT_KEY_BYTES];
	const char *parent;  /* sub: the member it is attached to */
	const char *dc4;     /* sub: its DC4 reference */
};

/*
 * Binds an awarded co-contractor's key, or adds a subcontractor with its
 * DC4 reference and parent (R10), in the edit's change-set.
 * @return 0, or E(PERM) (this node is not the lead, or a co-contractor
 *	not awarded), E(EXIST) (the member has another key, the key is
 *	another member's, or the SIRET has another role), E(SCHEMA) (a sub
 *	without DC4 or parent, or a value the schema refuses), E(REF) (a
 *	parent that is not the lead or a co-contractor), or an error of
 *	perm_roster() or records_put()
 */
int roster_invite(struct edit *e, const struct roster_invite *rq,
    struct consort_diag *d);
/*
 * Revokes a member in the edit's change-set: its change-sets after the
 * last one this node holds count nowhere (DESIGN.md §2).
 * @param after set to the seq of that last change-set, 0 when none
 * @return 0, or E(PERM) (this node is not the lead, or siret is the
 *	lead's), E(NOENT) (no member with a key has this SIRET), or an
 *	error of perm_roster(), store_head() or records_put()
 */
int roster_revoke(struct edit *e, const char *siret, uint64_t *after,
    struct consort_diag *d);

/* ---- invite.c: invite files sealed to a new member's key ---- */

#define INVITE_MAX_BYTES (CONSORT_CS_MAX_BYTES + 4096)

struct invite {
	uint8_t consortium[CONSORT_HASH_BYTES];
	uint8_t founder[CONSORT_KEY_BYTES];
	uint8_t netkey[32];
	char address[256];     /* the lead's HOST:PORT, or empty */
	char siret[15];        /* the invited member */
	const uint8_t *genesis;
	size_t genesis_len;
	const uint8_t *keys;   /* the members' keys bound so far */
	uint32_t nkeys;
	uint8_t *buf;          /* invite_open: the opened payload */
	size_t buf_len;
};

/* Who invites: what join shows before it writes anything. */
struct invite_identity {
	char consortium[2 * CONSORT_HASH_BYTES + 1];  /* its id, hex */
	char name[201];                               /* the consortium's name */
	char market[101];
	char lead_name[201];
	char lead_siret[15];
	char lead_key[2 * CONSORT_KEY_BYTES + 1];     /* the founder's key, hex */
};

/*
 * Seals an invite to the member whose Ed25519 public key is member_pk.
 * @param out set to the file's bytes
 * @return 0, or E(KEY) (member_pk is not a usable key), E(NOMEM)
 */
int invite_seal(const struct invite *inv, const uint8_t member_pk[32],
    msgpack_sbuffer *out);
/*
 * Reads who invites from an opened invite's genesis, which must be the
 * consortium the invite names, signed by its founder, naming the lead
 * with the founder's key: what join shows before it writes anything.
 * @return 0, or E(CONSORTIUM) (a genesis that does not match), or an
 *	error of cs_decode()
 */
int invite_identity(const struct invite *inv, struct invite_identity *id,
    struct consort_diag *d);
/*
 * Opens an invite file's bytes with the member's keys.
 * @param inv set to the invite, pointing into inv->buf; invite_free()
 * @return 0, or E(BADTYPE) (not an invite file, or a malformed content),
 *	E(VERSION), E(TRAILING), E(KEY) (keys that do not convert), E(PERM)
 *	(not sealed to this key, or altered), E(NOMEM)
 */
int invite_open(const uint8_t *file, size_t len, const uint8_t pk[32],
    const uint8_t sk[64], struct invite *inv, struct consort_diag *d);
/* Wipes and frees an opened invite. */
void invite_free(struct invite *inv);

/* ---- peers.c: the peers a node syncs with ---- */

#define PEERS_MAX 64
#define PEERS_ADDR_MAX 255

/*
 * Checks HOST:PORT: a host of printable characters and a port 1-65535.
 * @return 0, or E(INVAL)
 */
int peers_check_address(const char *addr, struct consort_diag *d);
/*
 * Reads the node's peers file (none when it is absent); lines that are
 * not an address are skipped.
 * @param out, max where to put the addresses, at most max
 * @param count set to how many were put
 * @return 0, or E(INVAL) (a path too long), E(IO) (it cannot be read)
 */
int peers_load(const struct node *n, char (*out)[PEERS_ADDR_MAX + 1],
    unsigned max, unsigned *count);
/*
 * Adds a peer to the file, once.
 * @return 0, or E(TOOBIG) (PEERS_MAX peers already), E(READONLY) (the
 *	file cannot be written), E(IO), or an error of peers_check_address()
 *	or peers_load()
 */
int peers_add(const struct node *n, const char *addr, struct consort_diag *d);
/*
 * Removes a peer from the file.
 * @return 0, or E(NOENT) (not a peer), E(READONLY), E(IO), or an error of
 *	peers_load()
 */
int peers_rm(const struct node *n, const char *addr, struct consort_diag *d);

/* The outcome of the last sync with a peer, as consort status shows it. */
struct peer_stats {
	const char *addr;       /* the peer's address (not NUL-terminated) */
	size_t addrlen;
	uint64_t time;          /* when: seconds since the epoch */
	uint64_t sent;          /* change-sets sent */
	uint64_t received;      /* change-sets received and applied */
	uint64_t refused_ops;   /* ops of theirs refused */
	uint64_t forks;
	uint64_t bytes;         /* both ways */
	uint64_t refused;       /* change-sets refused */
	const uint8_t *key;     /* the peer's key, or NULL when unknown */
	const char *err;        /* why the sync failed, or "" */
	uint32_t errlen;
};

/* Called on each peer's statistics: 0 to go on, an error to stop with. */
typedef int (*peers_stats_fn)(void *ctx, const struct peer_stats *st);

/*
 * Calls fn on the last sync's outcome with each peer, by address.
 * @param fn the visitor; st points into the store, valid during the call
 * @return 0, or fn's error, or E(STORE) (a record that does not decode),
 *	or an error of store_walk_next()
 */
int peers_foreach_stats(struct store_txn *txn, struct store *s,
    peers_stats_fn fn, void *ctx);
typedef int (*peers_vv_fn)(void *ctx, const uint8_t *author, uint64_t seq,
    const uint8_t *head);

/*
 * Walks the version vector kept after the last full sync with a peer.
 * @param peer its key; nothing is called when this node never synced
 * @param fn called on each author's last seq and head; non-zero stops
 * @return 0, or fn's value, or E(STORE) (a record that does not decode),
 *	or an error of store_get()
 */
int peers_vv_foreach(struct store_txn *txn, struct store *s, const uint8_t *peer,
    peers_vv_fn fn, void *ctx);
/*
 * How far a peer holds an author's change-sets, as this node knew at the
 * end of its last full sync with it.
 * @param peer, author keys; seq set to the last seq held, 0 if unknown
 * @return 0, or E(STORE) (a record that does not decode), or an error of
 *	store_get()
 */
int peers_known_seq(struct store_txn *txn, struct store *s, const uint8_t *peer,
    const uint8_t *author, uint64_t *seq);

/* ---- log.c: applying and replaying the log ---- */

/*
 * Decodes a signed change-set, checks it against the store (consortium,
 * membership, chain, deps, signature), stores it and applies its ops.  Ops
 * its author may not make are refused one by one (TB_REFUSED); that is not
 * an error.
 * @param txn a write transaction; after an error, abort it
 * @param s its store
 * @param bytes, len the signed change-set
 * @param consortium the consortium's id (zeros for its genesis)
 * @param d names the change-set and what was refused
 * @return 0, or an error of cs_decode(), or E(CONSORTIUM) (another
 *	consortium's), E(PERM) (its author is no member), E(EXIST) (held
 *	already), E(FORK) (another one is held at its seq), E(CHAIN) (its
 *	predecessor is missing), E(CAUSAL) (a dep is missing), E(SIGNATURE);
 *	or, the node's own (store_fault()), E(NOMEM) or an error of the store
 */
int log_apply(struct store_txn *txn, struct store *s, const uint8_t *bytes,
    size_t len, const uint8_t consortium[CONSORT_HASH_BYTES],
    struct consort_diag *d);

/*
 * log_apply() for a change-set this node has just signed: every check but
 * the signature.
 */
int log_apply_own(struct store_txn *txn, struct store *s, const uint8_t *bytes,
    size_t len, const uint8_t consortium[CONSORT_HASH_BYTES],
    struct consort_diag *d);

struct log_replay_stats {
	uint64_t changesets;
	uint64_t ops;
	uint64_t bytes;
};

/*
 * Re-applies every stored change-set, each author's chain in order and
 * every dep first, re-checking links and ids while a second thread
 * re-checks the signatures.  The state tables must be empty
 * (store_clear_state()), or be scratch tables (log_verify(), log_rebuild()).
 * @param txn a write transaction
 * @param st set to what was replayed
 * @param d names the first change-set refused (a bad signature first)
 * @return 0, or E(SIGNATURE) (a stored change-set was altered), E(CHAIN)
 *	(a hole in a chain, a head that does not match), E(CAUSAL) (deps that
 *	are not stored), E(CONSORTIUM), E(STORE) (the id index disagrees), an
 *	error of cs_decode() (bytes that no longer decode), or of the store
 */
int log_replay(struct store_txn *txn, struct store *s,
    const uint8_t consortium[CONSORT_HASH_BYTES],
    struct log_replay_stats *st, struct consort_diag *d);

/*
 * Replays the log into scratch tables (store_scratch_open()) and compares
 * them with the stored state.  Nothing of the stored state changes; abort
 * the transaction afterwards.
 * @param txn a write transaction (store_begin_scratch())
 * @return 0, or E(STATE) (the stored state differs: d names the record),
 *	or an error of log_replay() or store_scratch_open()
 */
int log_verify(struct store_txn *txn, struct store *s,
    const uint8_t consortium[CONSORT_HASH_BYTES],
    struct log_replay_stats *st, struct consort_diag *d);

/*
 * Rebuilds the state from the log: replays it into scratch tables, then
 * writes into the state tables what differs from the replay (store_adopt()),
 * so that the transaction's dirty pages are those of what changed.
 * @param txn a write transaction, committed by the caller to keep the rebuild
 * @return 0, or an error of log_replay(), store_scratch_open() or
 *	store_adopt()
 */
int log_rebuild(struct store_txn *txn, struct store *s,
    const uint8_t consortium[CONSORT_HASH_BYTES],
    struct log_replay_stats *st, struct consort_diag *d);

/* What log_rebuild_store() calls in its last transaction. */
typedef int (*log_rebuild_fn)(struct store_txn *txn, struct store *s,
    void *arg);

/*
 * Rebuilds the state from the log as log_rebuild() does, in transactions
 * of its own that hold no more than a few tens of megabytes each: when
 * more than that differs and no other process has the store open, the
 * rebuild is written in steps, marked unfinished (log_rebuild_pending())
 * until the last step commits; otherwise in one transaction.
 * @param finish unless NULL, called in the last transaction before its
 *	commit (a nonzero return abandons it)
 * @return 0 (committed), or E(READONLY), an error of log_rebuild() or of
 *	finish, or of the store
 */
int log_rebuild_store(struct store *s,
    const uint8_t consortium[CONSORT_HASH_BYTES], log_rebuild_fn finish,
    void *arg, struct log_replay_stats *st, struct consort_diag *d);

/*
 * Whether a rebuild in steps was killed before its last step: the state
 * is unfinished until a rebuild (node_open() does one).
 * @return 1 if so, 0 if not, or an error of store_get()
 */
int log_rebuild_pending(struct store_txn *txn, struct store *s);

/* What receiving change-sets did. */
struct log_receipt {
	uint64_t applied;      /* change-sets stored and applied */
	uint64_t ops;          /* their ops */
	uint64_t held;         /* already held */
	uint64_t pending;      /* parked until their past arrives */
	uint64_t forks;        /* a second change-set at a held seq */
	uint64_t refused_ops;  /* ops their authors could not make */
	uint64_t woken;        /* parked change-sets looked at again */
	uint64_t dropped;      /* parked change-sets that can never apply, dropped */
	uint64_t refused;      /* change-sets refused (the batch with them too) */
};

#define LOG_PENDING_MAX 65536
#define LOG_PENDING_MAX_BYTES ((uint64_t)256 << 20)
#define LOG_PENDING_AUTHOR_MAX 8192
#define LOG_PENDING_AUTHOR_MAX_BYTES ((uint64_t)64 << 20)
#define LOG_PENDING_STRANGERS_MAX 256
#define LOG_PENDING_STRANGERS_MAX_BYTES ((uint64_t)16 << 20)

/*
 * Takes one change-set from a peer or a bundle: applies it (and what
 * waited for it), or counts it as held already, parks it until its past
 * arrives, records it as a fork.  Whatever happens is counted in rcpt.
 * @param txn a write transaction; log_finish_batch() ends the batch
 * @param bytes, len the signed change-set
 * @param rcpt the batch's counts, added to
 * @param d names a refused change-set
 * @return 0, or a refusal (rcpt->refused counts it; the batch is refused
 *	with it): an error of cs_decode(), E(CONSORTIUM), E(PERM) (no member
 *	wrote it), E(SIGNATURE), E(TOOBIG) (the waiting room is full); or the
 *	node's own error (store_fault()): E(NOMEM), E(MAPFULL), E(CORRUPTED)...
 */
int log_receive(struct store_txn *txn, struct store *s, const uint8_t *bytes,
    size_t len, const uint8_t consortium[CONSORT_HASH_BYTES],
    struct log_receipt *rcpt, struct consort_diag *d);
/*
 * log_receive() for a change-set whose signature was found good already
 * (sig_ok: by sigahead.c, on the same bytes); with sig_ok false it is
 * log_receive() itself.
 */
int log_receive_checked(struct store_txn *txn, struct store *s,
    const uint8_t *bytes, size_t len, const uint8_t consortium[CONSORT_HASH_BYTES],
    bool sig_ok, struct log_receipt *rcpt, struct consort_diag *d);

/*
 * Records a fork: another change-set (its id, and its bytes when known) at
 * an author's seq whose change-set this node holds.
 * @param bytes, len the other change-set, or NULL
 * @return 0, or E(NOENT) (the held one is not stored), E(STORE), or an
 *	error of store_put()
 */
int log_note_fork(struct store_txn *txn, struct store *s, const uint8_t *author,
    uint64_t seq, const uint8_t other[CONSORT_HASH_BYTES],
    const uint8_t *bytes, size_t len);

/*
 * Ends a batch of log_receive(): indexes what an older store left waiting,
 * wakes what waits for the lead's change-sets held by now, and rebuilds
 * the state when a revocation reached change-sets applied already.
 * @return 0, or an error of log_replay() or of the store
 */
int log_finish_batch(struct store_txn *txn, struct store *s,
    const uint8_t consortium[CONSORT_HASH_BYTES], struct log_receipt *rcpt,
    struct consort_diag *d);

/* Called on each stored change-set: 0 to go on, an error to stop with. */
typedef int (*log_visit_fn)(void *ctx, const struct changeset *cs,
    size_t len);

/*
 * Calls fn on every stored change-set, decoded, by author then seq.
 * @param fn the visitor; cs is valid during the call only; len is the
 *	size of its signed bytes
 * @param d names a stored change-set that does not decode
 * @return 0, or fn's error, or an error of cs_decode() or E(STORE) (a
 *	stored change-set that does not decode, or a malformed key), or an
 *	error of store_walk_next()
 */
int log_foreach(struct store_txn *txn, struct store *s, log_visit_fn fn,
    void *ctx, struct consort_diag *d);

/* A fork: two change-sets with one author and seq. */
struct log_fork {
	const uint8_t *author;             /* CONSORT_KEY_BYTES */
	uint64_t seq;
	uint8_t held[CONSORT_HASH_BYTES];  /* the id of the one applied */
	uint8_t other[CONSORT_HASH_BYTES]; /* the id of the other */
};

/* Called on each fork: 0 to go on, an error to stop with. */
typedef int (*log_fork_fn)(void *ctx, const struct log_fork *f);

/*
 * Calls fn on every fork recorded (log_note_fork()), by author then seq.
 * @return 0, or fn's error, or E(STORE) (a fork record that does not
 *	decode), or an error of store_walk_next()
 */
int log_foreach_fork(struct store_txn *txn, struct store *s, log_fork_fn fn,
    void *ctx);

/* ---- sigahead.c: a received batch's signatures checked ahead ---- */

struct sigahead;
/*
 * Starts checking the signatures of n received change-sets on a second
 * thread, ahead of their application.  bytes and lens must outlive
 * sigahead_finish().  *out is NULL (nothing checked ahead) for fewer than
 * two change-sets.
 * @return 0, or E(NOMEM)
 */
int sigahead_start(struct sigahead **out, const uint8_t **bytes,
    const uint32_t *lens, uint32_t n);
/*
 * Whether change-set i's signature is known good.  False means the caller
 * checks it, as without a second thread (a NULL a is allowed).
 */
bool sigahead_good(struct sigahead *a, uint32_t i);
/* Stops and frees what sigahead_start() made (NULL is allowed). */
void sigahead_finish(struct sigahead *a);

/* ---- sigpool.c: the log's signatures checked on a second thread ---- */

struct sigpool;

/*
 * Starts checking every stored signature on a worker thread, which the
 * calling thread hands the log a few hundred change-sets at a time.
 * @param txn a transaction that stays open, without writing the changes
 *	table, until sigpool_finish(), and is used by the calling thread only
 * @param out set to the pool
 * @return 0, or E(NOMEM), or an error of store_walk_begin()
 */
int sigpool_start(struct store_txn *txn, struct store *s, struct sigpool **out);

/*
 * Hands the worker more of the log if it has room: call it often (after
 * each change-set replayed), from the thread that started the pool.
 */
void sigpool_feed(struct sigpool *p);

/*
 * Helps with the checks left, waits for the worker and frees the pool.
 * @param author, seq set to the first change-set, in log order, whose
 *	signature does not hold
 * @return 0, or E(SIGNATURE), or E(STORE) (a malformed key) or another
 *	error of store_walk_next() that ended the walk of the log
 */
int sigpool_finish(struct sigpool *p, uint8_t author[CONSORT_KEY_BYTES],
    uint64_t *seq);

/* ---- conflicts.c, conflicts-register.c, conflicts-business.c ---- */

#define CONFLICT_MAX_VALUES 64

/* One competing value: what was written, by whom, when. */
struct conflict_value {
	struct value val;
	bool deletion;     /* the record's deletion */
	uint8_t author[CONSORT_KEY_BYTES];
	uint64_t seq;
	uint64_t hlc;
};

struct conflict {
	char id[18];       /* "C" and 16 hex digits */
	const char *kind;  /* "field", "delete", or a rule id ("R07") */
	uint8_t type;
	const char *ref;
	uint32_t ref_len;
	uint8_t field;     /* 0: the record itself */
	struct conflict_value values[CONFLICT_MAX_VALUES];
	uint32_t n;
	char detail[1024]; /* a business conflict's records and what clears it */
};

typedef int (*conflict_fn)(void *ctx, const struct conflict *c);

void conflict_begin(struct conflict *c, const char *kind,
    const struct record *r, unsigned field);
void conflict_finish(struct conflict *c, const uint8_t *eid);
bool conflicts_record_has(const struct store *s, const struct record *r);
int conflicts_register_scan(struct store_txn *txn, struct store *s, int type,
    conflict_fn fn, void *ctx);
/*
 * conflicts_register_scan() of one type, on the records that have the n
 * refs given only (a ref no record has is skipped).
 * @return 0, or fn's value, or E(STORE) (a record that does not decode),
 *	E(NOMEM), or an error of store_get()
 */
int conflicts_register_of(struct store_txn *txn, struct store *s,
    unsigned type, const char *const *refs, size_t n, conflict_fn fn,
    void *ctx);
struct rules_model;
int conflicts_business(struct store_txn *txn, struct store *s, int type,
    const struct rules_model *only, conflict_fn fn, void *ctx);
/*
 * Lists the business conflicts of order requests (R11): a session in the
 * current requests of two scopes (the lead's, a co-contractor's direct
 * ones) of one lot and period (order-direct.c).
 * @return 0, or fn's value, or E(NOMEM), or an error of state_foreach()
 */
int conflicts_orders(struct store_txn *txn, struct store *s, conflict_fn fn,
    void *ctx);

/*
 * Lists every open conflict, register conflicts then business conflicts.
 * @param type a record type, or 0 for every type
 * @param fn called on each conflict (valid during the call): 0 to go on,
 *	a positive value to stop, an error to fail with
 * @return 0, or fn's value, or E(STORE) (a record that does not decode),
 *	E(NOMEM), or an error of store_walk_next() or rules_load()
 */
int conflicts_scan(struct store_txn *txn, struct store *s, int type,
    conflict_fn fn, void *ctx);

/*
 * Finds an open conflict by id.  A register conflict's values point into
 * the transaction; a business conflict keeps only its kind and detail.
 * @param id "C" and 16 hex digits, as conflicts_scan() names it
 * @param out set to the conflict
 * @return 0, or E(NOENT) (no open conflict has that id), or an error of
 *	conflicts_scan()
 */
int conflicts_find(struct store_txn *txn, struct store *s, const char *id,
    struct conflict *out);

/*
 * Adds to the edit's change-set the ops that resolve a register conflict:
 * keep one of its values, write another, or delete.  The change-set has
 * seen every competing value, so it replaces them all.
 * @param c a conflict of conflicts_find(), in the edit's transaction
 * @param keep the value to keep, 1-based in listing order; 0: v or del
 * @param v the value to write instead, or NULL
 * @param del delete the field (a field conflict) or the record
 * @return 0, or E(PERM) (a business conflict: it clears when the records
 *	change), E(INVAL) (no such value, or a value for the record itself)
 */
int conflicts_resolve(struct edit *e, const struct conflict *c, unsigned keep,
    const struct value *v, bool del, struct consort_diag *d);

/* ---- personal.c: commitments, openings and erasure of personal values ---- */

#define PERSONAL_OPENING_MAX (CONSORT_SALT_BYTES + 16 + CONSORT_STR_MAX)

/* The opening of a commitment: the salt and the value it commits to. */
struct personal_opening {
	uint8_t type, field;
	uint8_t id[CONSORT_EID_BYTES];
	uint8_t commitment[CONSORT_COMMIT_BYTES];
	uint8_t salt[CONSORT_SALT_BYTES];
	struct value value;
	bool found;
};

/*
 * Derives the store's key of personal values at rest from the node's
 * Ed25519 secret key (into guarded memory).
 * @return 0, or E(NOMEM)
 */
int personal_key_init(struct store *s, const uint8_t sk[64]);
void personal_key_free(struct store *s);
/*
 * Seals every personal value kept at rest again for the key derived from
 * new_sk (a key rotation), in the caller's transaction.
 * @return 0, or E(NOMEM), or an error of the store
 */
int personal_rekey(struct store_txn *txn, struct store *s,
    const uint8_t new_sk[64]);
/* The commitment to a value of a record's personal field (salt given). */
void personal_commit(unsigned type, const uint8_t id[CONSORT_EID_BYTES],
    unsigned field, const uint8_t salt[CONSORT_SALT_BYTES],
    const struct value *v, uint8_t out[CONSORT_COMMIT_BYTES]);
/* The same with a fresh random salt, written to salt. */
void personal_commit_new(unsigned type, const uint8_t id[CONSORT_EID_BYTES],
    unsigned field, const struct value *v, uint8_t salt[CONSORT_SALT_BYTES],
    uint8_t out[CONSORT_COMMIT_BYTES]);
/*
 * Checks an opening against its commitment and its field's kind.
 * @return 0, or E(SCHEMA) (not a personal field, a value the field
 *	refuses) or E(COMMITMENT) (another value or salt)
 */
int personal_check(const struct personal_opening *o, struct consort_diag *d);
/*
 * Checks an opening and keeps it sealed under the key at rest.
 * @return 0, or E(KEY) (no key at rest: the secret key is not loaded),
 *	an error of personal_check(), E(ERASED) (the record's values were
 *	erased), or an error of store_put()
 */
int personal_put(struct store_txn *txn, struct store *s,
    const struct personal_opening *o, struct consort_diag *d);
/* The same for a record loaded already (r: the opening's record). */
int personal_put_in(struct store_txn *txn, struct store *s,
    const struct personal_opening *o, const struct record *r,
    struct consort_diag *d);
/* Whether this node holds the opening of a commitment. */
int personal_has(struct store_txn *txn, struct store *s,
    const uint8_t id[CONSORT_EID_BYTES], unsigned field,
    const uint8_t commitment[CONSORT_COMMIT_BYTES], bool *has);
/*
 * Reads the opening of a commitment; o->found is false when this node does
 * not hold it or holds no key at rest.  o->value's string points into buf.
 * @return 0, or E(STORE) (a damaged opening), or an error of store_get()
 */
int personal_get(struct store_txn *txn, struct store *s, unsigned type,
    const uint8_t id[CONSORT_EID_BYTES], unsigned field,
    const uint8_t commitment[CONSORT_COMMIT_BYTES], struct personal_opening *o,
    uint8_t buf[PERSONAL_OPENING_MAX]);
typedef int (*personal_fn)(void *ctx, const uint8_t *id, unsigned field,
    const uint8_t *commitment);
/* The keys of the openings and wanted tables: entity id, field, commitment. */
#define PERSONAL_KEY_BYTES (CONSORT_EID_BYTES + 1 + CONSORT_COMMIT_BYTES)
/*
 * Walks a table keyed by entity id, field and commitment (openings,
 * wanted) in key order, after the key `after` (PERSONAL_KEY_BYTES; NULL:
 * from the first).
 */
int personal_walk(struct store_txn *txn, struct store *s, enum store_table t,
    const uint8_t *after, personal_fn fn, void *ctx);
/* Walks every opening this node holds (fn returns non-zero to stop). */
int personal_foreach(struct store_txn *txn, struct store *s, personal_fn fn,
    void *ctx);
/* Deletes the opening of one commitment (a value replaced), if held. */
int personal_forget(struct store_txn *txn, struct store *s,
    const uint8_t id[CONSORT_EID_BYTES], unsigned field,
    const uint8_t commitment[CONSORT_COMMIT_BYTES]);
/* Deletes every opening of a record (its person's values are erased). */
int personal_erase(struct store_txn *txn, struct store *s,
    const uint8_t id[CONSORT_EID_BYTES]);
int personal_erase_count(struct store_txn *txn, struct store *s,
    const uint8_t id[CONSORT_EID_BYTES], unsigned *deleted);
/* Whether a record's personal values were erased. */
bool personal_erased(const struct record *r);
/*
 * Opens, in a loaded record, the personal values this node may read; the
 * others stay commitments (VAL_BIN).  The record cannot be saved after.
 * @return 0, or E(NOMEM), or an error of personal_get()
 */
int personal_open_record(struct store_txn *txn, struct store *s,
    struct record *r);
/* Wipes a record's opened values and frees their buffer (record_free()). */
void personal_record_wipe(struct record *r);
/*
 * Wipes a record's opened values, keeping their buffer for the next
 * record loaded into it (a reload does it): a walk opening many records
 * asks for guarded memory once, not once a record.
 */
void personal_record_clear(struct record *r);

/* ---- entitle.c: who may read a trainee's personal values ---- */

/* The trainees (entity ids) whose values one member may read. */
struct entitle_set {
	bool all;  /* the lead reads every one */
	uint8_t (*ids)[CONSORT_EID_BYTES];  /* sorted, no repeat */
	size_t n, cap;
};

/*
 * Computes the trainees a member may read: the lead every one; another
 * member those it or one of its subcontractors recorded, and those with a
 * path in a session it or one of its subcontractors provides (any
 * competing value counting); a key not in the roster, or revoked, none.
 * @param key the member's Ed25519 public key
 * @param out set to the trainees; entitle_free()
 * @return 0, or E(NOMEM), or an error of the store or perm_roster()
 */
int entitle_set_of(struct store_txn *txn, struct store *s, const uint8_t *key,
    struct entitle_set *out);
bool entitle_has(const struct entitle_set *e, const uint8_t *id);
void entitle_free(struct entitle_set *e);
/* Whether the member of key may read the values of one trainee. */
int entitle_may_read(struct store_txn *txn, struct store *s, const uint8_t *key,
    const uint8_t *trainee, bool *may);

/* ---- wants.c: the openings this node lacks, kept current ---- */

/*
 * Notes an applied op: one that changes who may read a trainee marks the
 * lists stale; a new personal value marks its trainee for a second look.
 * @return 0, or an error of store_put()
 */
int wants_note_op(struct store_txn *txn, struct store *s,
    const struct cs_op *op);
/*
 * Brings the tables of what this node may read and lacks up to date (a
 * write transaction): whole when stale, else the marked trainees only.
 * @param self this node's public key
 * @param changed set to whether anything was written (commit only then)
 * @return 0, or an error of entitle_set_of() or of the store
 */
int wants_refresh(struct store_txn *txn, struct store *s, const uint8_t *self,
    bool *changed);
/* Whether this node may read a trainee, as of the last wants_refresh(). */
int wants_may_read(struct store_txn *txn, struct store *s, const uint8_t *id,
    bool *may);
/*
 * Walks the wanted commitments after the key `after` (NULL: from the
 * first), in key order (fn returns non-zero to stop).
 */
int wants_foreach(struct store_txn *txn, struct store *s, const uint8_t *after,
    personal_fn fn, void *ctx);
/* Forgets one wanted commitment, or every one of an erased trainee. */
int wants_done(struct store_txn *txn, struct store *s, const uint8_t *id,
    unsigned field, const uint8_t *commitment);
int wants_forget(struct store_txn *txn, struct store *s, const uint8_t *id);

/* ---- state.c: state hash, export, queries ---- */

struct jsonw;

/*
 * Called on each live record: 0 to go on, a positive value to stop (a
 * success), a negative error to fail with.
 */
typedef int (*state_visit_fn)(void *ctx, const struct record *r);

/*
 * Hashes the whole state (BLAKE2b-256 over every record in (type, id)
 * order, registers and all, authors by key): equal on every node that
 * applied the same change-sets.
 * @param out set to the hash
 * @return 0, or E(STORE) (a record that does not decode), E(NOMEM), or an
 *	error of store_walk_next()
 */
int state_hash(struct store_txn *txn, struct store *s,
    uint8_t out[CONSORT_HASH_BYTES]);

/*
 * Loads the record (type, ref); r->found and record_alive() tell its state.
 * @param founder the consortium's founder key (entity ids derive from it)
 * @param r a record of record_init(), filled
 * @return 0 (found or not), or E(STORE) (a record that does not decode),
 *	E(NOMEM), or an error of store_get()
 */
int state_lookup(struct store_txn *txn, struct store *s,
    const uint8_t founder[CONSORT_KEY_BYTES], unsigned type, const char *ref,
    size_t len, struct record *r);

/* state_foreach_d() without a diagnostic. */
int state_foreach(struct store_txn *txn, struct store *s, unsigned type,
    state_visit_fn fn, void *ctx);

/*
 * Calls fn on every live record of a type, in ref order.
 * @param fn the visitor; the record is valid during the call only
 * @param d names a stored record that does not decode
 * @return 0 (fn stopped it with a positive value, or every record was
 *	seen), fn's error, E(STORE) (a damaged record or index), E(NOMEM), or
 *	an error of store_walk_next()
 */
int state_foreach_d(struct store_txn *txn, struct store *s, unsigned type,
    state_visit_fn fn, void *ctx, struct consort_diag *d);

/*
 * state_foreach_d() over every stored record of a type, deleted ones too
 * (record_alive() tells them apart); same parameters and errors.
 */
int state_foreach_stored(struct store_txn *txn, struct store *s,
    unsigned type, state_visit_fn fn, void *ctx, struct consort_diag *d);

/* Writes a record's displayed fields as a JSON object, sorted by name. */
void state_record_json(struct jsonw *w, const struct store *s,
    const struct record *r);

/*
 * Writes the canonical export: {"<type>": {"<ref>": {fields}}} for every
 * exported type with live records, keys sorted at every level.
 * @return 0, or an error of state_foreach_d() (d names a damaged record)
 */
int state_export_json(struct store_txn *txn, struct store *s, struct jsonw *w,
    struct consort_diag *d);

/*
 * Counts the live records of a type.
 * @return 0, or an error of state_foreach()
 */
int state_count(struct store_txn *txn, struct store *s, unsigned type,
    uint64_t *n);

/*
 * Compares a stored state table with a rebuilt one, key by key; records
 * are compared by content (their entries may be stored in another order).
 * @param stored the table (TB_ENTITIES, TB_REFS, TB_OWNERS or TB_VV)
 * @param rebuilt its rebuilt copy (store_scratch_of(stored))
 * @param d names the first record that differs
 * @return 0, or E(STATE) (they differ), E(NOMEM), or an error of
 *	store_walk_next()
 */
int state_compare(struct store_txn *txn, struct store *s,
    enum store_table stored, enum store_table rebuilt, struct consort_diag *d);

/* The displayed value of a field, or NULL when it is unset. */
const struct value *state_field(const struct store *s, const struct record *r,
    unsigned field);

#endif
