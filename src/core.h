/*
 * Internal interfaces of the consort core.  Each section belongs to one
 * source file of src/, and its functions carry that file's prefix.
 */
#ifndef CONSORT_CORE_H
#define CONSORT_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <lmdb.h>
#include <msgpack.h>

#include "consort/consort.h"

#define nitems(a) (sizeof(a) / sizeof((a)[0]))
#define E(name) (-CONSORT_E##name)

/* ---- util.c: small helpers ---- */

void util_hex(char *out, const uint8_t *in, size_t len);
int util_unhex(uint8_t *out, size_t len, const char *hex);
int util_unhex_n(uint8_t *out, size_t len, const char *hex, size_t hexlen);
bool util_utf8_valid(const uint8_t *s, size_t len);
/* The dates a field accepts: real days from 1900-01-01 to 2199-12-31. */
#define UTIL_DATE_YEAR_MIN 1900
#define UTIL_DATE_YEAR_MAX 2199
#define UTIL_DATE_RANGE "YYYY-MM-DD, a real day from 1900-01-01 to 2199-12-31"
bool util_date_valid(const char *s, size_t len);
const char *util_date_why(const char *s, size_t len);
bool util_siret_valid(const char *s, size_t len);
int util_errno(int e);
uint64_t util_now_ms(void);
extern uint64_t (*util_clock)(void);
void util_put_be64(uint8_t *p, uint64_t v);
uint64_t util_get_be64(const uint8_t *p);
void util_put_be32(uint8_t *p, uint32_t v);
uint32_t util_get_be32(const uint8_t *p);

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

int outfile_open(struct outfile *o, const char *path, unsigned mode,
    struct consort_diag *d);
int outfile_commit(struct outfile *o, struct consort_diag *d);
void outfile_abort(struct outfile *o);
int outfile_write(const char *path, const void *buf, size_t len,
    unsigned mode, struct consort_diag *d);

/* ---- value: a field value as stored and sent ---- */

enum value_kind { VAL_NIL, VAL_BOOL, VAL_INT, VAL_STR };

struct value {
	enum value_kind kind;
	bool b;
	int64_t i;
	const char *s;  /* not NUL-terminated */
	uint32_t len;
};

bool value_equal(const struct value *a, const struct value *b);

/* ---- mp.c: strict canonical msgpack reader and writer helpers ---- */

struct mp_reader {
	const uint8_t *start;
	const uint8_t *p;
	const uint8_t *end;
};

void mp_reader_init(struct mp_reader *r, const void *buf, size_t len);
size_t mp_offset(const struct mp_reader *r);
int mp_read_array(struct mp_reader *r, uint32_t *n);
int mp_read_uint(struct mp_reader *r, uint64_t *v);
int mp_read_bin(struct mp_reader *r, const uint8_t **p, uint32_t *len);
int mp_read_bin_fixed(struct mp_reader *r, uint8_t *out, uint32_t len);
int mp_read_str(struct mp_reader *r, const char **s, uint32_t *len);
int mp_read_str_max(struct mp_reader *r, const char **s, uint32_t *len,
    uint32_t max);
int mp_read_value(struct mp_reader *r, struct value *v);
int mp_read_value_max(struct mp_reader *r, struct value *v, uint32_t max);
void mp_pack_value(msgpack_packer *pk, const struct value *v);
void mp_pack_bin(msgpack_packer *pk, const void *p, size_t len);
void mp_pack_strn(msgpack_packer *pk, const char *s, size_t len);

/* ---- schema.c: entity and field tables from schema/entities.def ---- */

enum field_kind { FK_STR, FK_INT, FK_BOOL, FK_DATE, FK_ENUM, FK_SET,
	FK_SIRET, FK_KEY, FK_REF, FK_PERIOD, FK_TEXT };

#define SCHEMA_EXPORT 0x1
#define SCHEMA_ROSTER 0x2
#define SCHEMA_LEAD 0x4
#define SCHEMA_MAX_FIELDS 32
#define SCHEMA_MAX_TYPES 16

struct schema_field {
	uint8_t id;
	const char *name;
	enum field_kind kind;
	int64_t lo, hi;
	const char *extra;
	uint8_t ref_type;  /* FK_REF: wire id of the target type */
};

struct schema_type {
	uint8_t id;
	const char *name;
	int flags;
	const struct schema_field *fields[SCHEMA_MAX_FIELDS + 1]; /* by wire id */
	const struct schema_field *sorted[SCHEMA_MAX_FIELDS];     /* by name */
	unsigned nfields;
	uint8_t max_field;
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
#define ENTITY(name, id, flags) T_##name = id,
#define FIELD(ent, fid, fname, kind, lo, hi, extra)
#include "../schema/entities.def"
#undef ENTITY
#undef FIELD
};

enum schema_field_id {
#define ENTITY(name, id, flags)
#define FIELD(ent, fid, fname, kind, lo, hi, extra) F_##ent##_##fname = fid,
#include "../schema/entities.def"
#undef ENTITY
#undef FIELD
};

const struct schema_type *schema_type(unsigned id);
const struct schema_type *schema_type_by_name(const char *name);
const struct schema_field *schema_field(const struct schema_type *t, unsigned id);
const struct schema_field *schema_field_by_name(const struct schema_type *t,
    const char *name, size_t len);
unsigned schema_types_sorted(const struct schema_type **out, unsigned max);
const char *schema_kind_name(enum field_kind k);
int schema_check_value(const struct schema_field *f, const struct value *v,
    struct consort_diag *d);
int schema_check_ref(const char *ref, size_t len, struct consort_diag *d);
int schema_parse_text(const struct schema_field *f, const char *text,
    size_t len, struct value *v, struct consort_diag *d);
uint32_t schema_str_max(const struct schema_field *f);
bool schema_period_valid(const char *s, size_t len);

/* ---- keys.c: ids, hashes, key files ---- */

void keys_entity_id(uint8_t out[CONSORT_EID_BYTES],
    const uint8_t founder[CONSORT_KEY_BYTES], unsigned type, const char *ref,
    size_t len);
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

int keys_passphrase_read(const char *path, char **pass, size_t *passlen,
    struct consort_diag *d);
void keys_passphrase_source(const char *path);
void keys_forget(void);
int keys_no_core_dumps(void);

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

int cs_decode(const uint8_t *buf, size_t len, struct changeset *cs,
    struct consort_diag *d);
int cs_verify(const struct changeset *cs);
void cs_free(struct changeset *cs);
const char *cs_op_kind_name(unsigned kind);
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
	TB_COUNT
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

/* The verdict on the change-set of an order or a notice (perm-order.c). */
struct perm_verdict {
	uint8_t cs[CONSORT_HASH_BYTES];  /* the change-set judged */
	uint32_t op;                     /* the last of its ops asked about */
	int rc;
	const char *why;
	bool valid;
};

struct store {
	MDB_env *env;
	MDB_dbi dbi[TB_COUNT];
	uint8_t (*authors)[CONSORT_KEY_BYTES];  /* by local idx */
	uint32_t nauthors;
	char *mapfile;  /* absolute path of data.mdb (store_release_map) */
	uint8_t founder[CONSORT_KEY_BYTES];  /* the lead: edits everything */
	bool has_founder;
	struct member *roster;  /* cache of the member records (perm.c) */
	uint32_t nroster;
	bool roster_stale;
	bool needs_rebuild;  /* a revocation reached change-sets applied already */
	struct perm_verdict verdict;
	bool readonly;  /* the user cannot write the store: reads only */
	bool scratch;   /* reads a private copy whose commits are refused */
};

int store_open(struct store *s, const char *path, bool create);
void store_close(struct store *s);
int store_begin(struct store *s, bool write, MDB_txn **txn);
int store_begin_scratch(struct store *s, MDB_txn **txn);
int store_commit(MDB_txn *txn);
int store_err(int mdb_rc);
int store_get(MDB_txn *txn, struct store *s, enum store_table t,
    const void *k, size_t klen, MDB_val *v);
int store_put(MDB_txn *txn, struct store *s, enum store_table t,
    const void *k, size_t klen, const void *v, size_t vlen, unsigned flags);
int store_head(MDB_txn *txn, struct store *s, const uint8_t *author,
    struct head *h);
int store_set_head(MDB_txn *txn, struct store *s, const uint8_t *author,
    struct head *h);
int store_author_idx(MDB_txn *txn, struct store *s, const uint8_t *author,
    uint32_t *idx);
int store_load_authors(MDB_txn *txn, struct store *s);
int store_put_change(MDB_txn *txn, struct store *s, const struct changeset *cs,
    const uint8_t *bytes, size_t len);
int store_get_change(MDB_txn *txn, struct store *s, const uint8_t *author,
    uint64_t seq, MDB_val *v);
int store_clear_state(MDB_txn *txn, struct store *s);
void store_release_map(struct store *s);
int store_open_scratch(MDB_txn *txn, struct store *s, MDB_dbi out[4]);

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
};

void record_init(struct record *r);
void record_free(struct record *r);
int record_load(MDB_txn *txn, struct store *s, unsigned type,
    const uint8_t *id, struct record *r);
int record_decode(const void *blob, size_t len, struct record *r);
int record_save(MDB_txn *txn, struct store *s, struct record *r,
    msgpack_sbuffer *buf);
const struct entry *record_winner(const struct store *s,
    const struct record *r, const struct reg *g);
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

int merge_apply(MDB_txn *txn, struct store *s, const struct changeset *cs,
    uint32_t author_idx, struct merge_result *res);

/* ---- perm.c: who may edit what (DESIGN.md §4) ---- */

int perm_roster(MDB_txn *txn, struct store *s);
const struct member *perm_member_by_key(const struct store *s,
    const uint8_t *key);
const struct member *perm_member_by_siret(const struct store *s,
    const char *siret, size_t len);
int perm_check_op(MDB_txn *txn, struct store *s, const struct member *m,
    const struct causal *c, const struct changeset *cs, uint32_t i,
    const char **why);
int perm_existed(MDB_txn *txn, struct store *s, const struct causal *c,
    unsigned type, const uint8_t *id, bool *created, bool *alive);
int perm_record_op(MDB_txn *txn, struct store *s, const struct member *m,
    const struct causal *c, const struct cs_op *op);
bool perm_is_lead(const struct store *s, const uint8_t *key);
int perm_revoked_after(MDB_txn *txn, struct store *s, const uint8_t *author,
    uint64_t *after, bool *revoked);
int perm_sync_revocations(MDB_txn *txn, struct store *s);

/* ---- perm-order.c: orders and notices, checked against what they stand for ---- */

int perm_order_check(MDB_txn *txn, struct store *s, const struct member *m,
    const struct causal *c, const struct changeset *cs, uint32_t i,
    const char **why);
int perm_order_prior(MDB_txn *txn, struct store *s, const struct causal *c,
    const char *lot, size_t lotlen, const char *period, int64_t *number,
    char *ref, size_t reflen);

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

int node_init(const char *dir, const struct genesis *g, const char *pass,
    size_t passlen, struct node **out, struct consort_diag *d);
int node_open(const char *dir, struct node **out, struct consort_diag *d);
int node_keygen(const char *dir, const char *pass, size_t passlen,
    uint8_t pk[CONSORT_KEY_BYTES], struct consort_diag *d);
int node_join(const char *dir, const struct invite *inv, struct node **out,
    struct consort_diag *d);
bool node_trusts(struct node *n, const uint8_t key[CONSORT_KEY_BYTES]);
int node_netkey(const struct node *n, uint8_t netkey[32]);
int node_open_keys(const char *dir, struct node **out, struct consort_diag *d);
int node_unlock(struct node *n, const char *pass, size_t passlen,
    struct consort_diag *d);
void node_close(struct node *n);
uint64_t node_hlc_next(struct node *n);
void node_entity_id(const struct node *n, unsigned type, const char *ref,
    size_t len, uint8_t out[CONSORT_EID_BYTES]);

/*
 * A local write: one write transaction in which change-sets are built,
 * signed, stored and applied.  edit_flush() closes the current change-set
 * (if it holds ops), edit_commit() flushes and commits.
 */
struct edit {
	struct node *n;
	MDB_txn *txn;
	struct cs_builder b;
	msgpack_sbuffer out;
	struct record rec;   /* the record being edited */
	struct record target; /* the record a reference names */
	uint32_t appended;
	uint32_t committed;  /* of the appended change-sets, those committed */
	struct consort_diag diag;  /* why a flush or commit was refused */
};

int edit_begin(struct node *n, struct edit *e);
int edit_flush(struct edit *e);
int edit_commit(struct edit *e);
void edit_abort(struct edit *e);
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

int records_put(struct edit *e, const struct schema_type *t, const char *ref,
    size_t reflen, const struct field_input *in, unsigned n,
    enum put_mode mode, bool check_refs, bool *changed, struct consort_diag *d);
int records_delete(struct edit *e, const struct schema_type *t,
    const char *ref, size_t reflen, struct consort_diag *d);
int records_check_unreferenced(struct edit *e, const struct schema_type *t,
    const char *ref, size_t reflen, struct consort_diag *d);
int records_ref_alive(MDB_txn *txn, struct node *n, struct record *scratch,
    const struct schema_field *f, const struct value *v, bool *alive);
void records_new_ref(const struct schema_type *t, char *out, size_t len);

/* ---- import.c: JSON Lines and CSV import ---- */

enum import_format { IMPORT_AUTO, IMPORT_JSONL, IMPORT_CSV };

struct import_opts {
	const char *path;
	enum import_format format;
	const struct schema_type *type;  /* CSV: the records' type */
	bool skip_bad;
	unsigned batch;                  /* records per change-set */
	/* called on each bad line (pass 1); a non-zero return stops */
	int (*bad)(void *ctx, const struct consort_diag *d);
	/* called now and then: pass 1 or 2, bytes read, file size */
	void (*progress)(void *ctx, int pass, uint64_t done, uint64_t total);
	void *ctx;
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
};

int import_file(struct node *n, const struct import_opts *o,
    struct import_result *res, struct consort_diag *d);
int import_check_line(enum import_format fmt, const struct schema_type *type,
    const char *header, const char *line, size_t len, struct consort_diag *d);

/* ---- roster.c: binding keys, subcontractors, revocation ---- */

struct roster_invite {
	const char *name;    /* NULL: keep the awarded name */
	const char *siret;
	enum member_role role;  /* ROLE_CO or ROLE_SUB */
	uint8_t key[CONSORT_KEY_BYTES];
	const char *parent;  /* sub: the member it is attached to */
	const char *dc4;     /* sub: its DC4 reference */
};

int roster_invite(struct edit *e, const struct roster_invite *rq,
    struct consort_diag *d);
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

int invite_seal(const struct invite *inv, const uint8_t member_pk[32],
    msgpack_sbuffer *out);
int invite_identity(const struct invite *inv, struct invite_identity *id,
    struct consort_diag *d);
int invite_open(const uint8_t *file, size_t len, const uint8_t pk[32],
    const uint8_t sk[64], struct invite *inv, struct consort_diag *d);
void invite_free(struct invite *inv);

/* ---- peers.c: the peers a node syncs with ---- */

#define PEERS_MAX 64
#define PEERS_ADDR_MAX 255

int peers_check_address(const char *addr, struct consort_diag *d);
int peers_load(const struct node *n, char (*out)[PEERS_ADDR_MAX + 1],
    unsigned max, unsigned *count);
int peers_add(const struct node *n, const char *addr, struct consort_diag *d);
int peers_rm(const struct node *n, const char *addr, struct consort_diag *d);

/* ---- log.c: applying and replaying the log ---- */

int log_apply(MDB_txn *txn, struct store *s, const uint8_t *bytes, size_t len,
    const uint8_t consortium[CONSORT_HASH_BYTES], struct consort_diag *d);
int log_apply_own(MDB_txn *txn, struct store *s, const uint8_t *bytes,
    size_t len, const uint8_t consortium[CONSORT_HASH_BYTES],
    struct consort_diag *d);
int log_check_append(MDB_txn *txn, struct store *s, const struct changeset *cs,
    const uint8_t consortium[CONSORT_HASH_BYTES], struct consort_diag *d);

struct log_replay_stats {
	uint64_t changesets;
	uint64_t ops;
	uint64_t bytes;
};

int log_replay(MDB_txn *txn, struct store *s,
    const uint8_t consortium[CONSORT_HASH_BYTES],
    struct log_replay_stats *st, struct consort_diag *d);
int log_verify(MDB_txn *txn, struct store *s,
    const uint8_t consortium[CONSORT_HASH_BYTES],
    struct log_replay_stats *st, struct consort_diag *d);

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

int log_receive(MDB_txn *txn, struct store *s, const uint8_t *bytes,
    size_t len, const uint8_t consortium[CONSORT_HASH_BYTES],
    struct log_receipt *rcpt, struct consort_diag *d);
int log_note_fork(MDB_txn *txn, struct store *s, const uint8_t *author,
    uint64_t seq, const uint8_t other[CONSORT_HASH_BYTES],
    const uint8_t *bytes, size_t len);
int log_finish_batch(MDB_txn *txn, struct store *s,
    const uint8_t consortium[CONSORT_HASH_BYTES], struct log_receipt *rcpt,
    struct consort_diag *d);

/* ---- sigpool.c: the log's signatures checked on a second thread ---- */

struct sigpool;

int sigpool_start(MDB_txn *txn, struct store *s, struct sigpool **out);
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

struct record;
typedef int (*conflict_fn)(void *ctx, const struct conflict *c);

void conflict_begin(struct conflict *c, const char *kind,
    const struct record *r, unsigned field);
void conflict_finish(struct conflict *c, const uint8_t *eid);
bool conflicts_record_has(const struct store *s, const struct record *r);
int conflicts_register_scan(MDB_txn *txn, struct store *s, int type,
    conflict_fn fn, void *ctx);
struct rules_model;
int conflicts_business(MDB_txn *txn, struct store *s, int type,
    const struct rules_model *only, conflict_fn fn, void *ctx);
int conflicts_scan(MDB_txn *txn, struct store *s, int type, conflict_fn fn,
    void *ctx);
int conflicts_find(MDB_txn *txn, struct store *s, const char *id,
    struct conflict *out);
struct edit;
int conflicts_resolve(struct edit *e, const struct conflict *c, unsigned keep,
    const struct value *v, bool del, struct consort_diag *d);

/* ---- state.c: state hash, export, queries ---- */

struct jsonw;
typedef int (*state_visit_fn)(void *ctx, const struct record *r);

int state_hash(MDB_txn *txn, struct store *s, uint8_t out[CONSORT_HASH_BYTES]);
int state_lookup(MDB_txn *txn, struct store *s,
    const uint8_t founder[CONSORT_KEY_BYTES], unsigned type, const char *ref,
    size_t len, struct record *r);
int state_foreach(MDB_txn *txn, struct store *s, unsigned type,
    state_visit_fn fn, void *ctx);
int state_foreach_d(MDB_txn *txn, struct store *s, unsigned type,
    state_visit_fn fn, void *ctx, struct consort_diag *d);
void state_record_json(struct jsonw *w, const struct store *s,
    const struct record *r);
int state_export_json(MDB_txn *txn, struct store *s, struct jsonw *w,
    struct consort_diag *d);
int state_count(MDB_txn *txn, struct store *s, unsigned type, uint64_t *n);
int state_compare(MDB_txn *txn, struct store *s, MDB_dbi stored,
    MDB_dbi rebuilt, enum store_table table, struct consort_diag *d);
const struct value *state_field(const struct store *s, const struct record *r,
    unsigned field);

#endif
