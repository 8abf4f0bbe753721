/*
 * The rules (schema/rules.md) over one lot's records (rules.c,
 * rules-model.c), the canonical JSON of RFC 8785 (jcs.c), the order
 * request built, signed, checked and rendered from them (order*.c), and the
 * monthly statement (statement.c).  Internal to the core, like core.h.
 */
#ifndef CONSORT_ORDER_H
#define CONSORT_ORDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "core.h"
#include "fmt.h"

/* ---- jcs.c: RFC 8785 canonical form ---- */

/*
 * Writes the canonical form (RFC 8785) of a JSON value.
 * @param out set to a NUL-terminated buffer; free()
 * @param len set to its length, the NUL excluded
 * @return 0, or E(INVAL) (v NULL), E(BADTYPE) (a real number), E(TOOBIG)
 *	(an integer beyond 2^53 - 1, or nesting deeper than 64), E(NOMEM)
 */
int jcs_canonical(const json_t *v, char **out, size_t *len);
/* Compares two member names as RFC 8785 orders them (UTF-16 units). */
int jcs_key_cmp(const char *a, size_t alen, const char *b, size_t blen);

/* ---- rules.c, rules-model.c: the rules, on a model of the state ---- */

/* What the tool does with a rule (schema/rules.md). */
enum rule_kind {
	RULE_ERROR,     /* refuses the request unless a derogation lifts it */
	RULE_WARNING,   /* built, and listed in the request */
	RULE_CONFLICT,  /* a business conflict: must be resolved */
	RULE_DATA,      /* a field that must exist, carried into the request */
};

/* What a result does to the request. */
enum rule_level { LEVEL_ERROR, LEVEL_WARNING };

struct rules_model;

/* One rule of the table: its id, its check, what the table says, a title. */
struct rule_def {
	const char *id;
	int (*fn)(struct rules_model *m);
	enum rule_kind kind;
	const char *title;
};

struct rm_lot {
	const char *ref, *sector, *territory, *market_lot, *rate_since;
	int64_t rate_cents;
	bool has_rate;
	size_t rfirst, nrates;  /* its history: m->rates[rfirst .. +nrates) */
};

/*
 * One rate of a lot's history (R14): a rate record, or the lot's own pair
 * (rate_cents, rate_since).  A lot's rates are sorted by since, "" (from
 * the start) first.
 */
struct rm_rate {
	const char *ref;       /* the rate record's, or the lot's for its pair */
	const char *since;     /* YYYY-MM-DD, or "" from the start */
	int64_t cents;
	bool has_cents;
	bool own;              /* the lot's own pair */
	long lot_idx;
};

struct rm_session {
	const char *ref, *provider, *lot, *scheme, *title, *cert_kind, *cert_code;
	const char *site, *territory, *start, *end, *dc4, *agreement;
	int64_t hours, capacity;
	bool has_hours, has_capacity, permanent_entry;
	long lot_idx;          /* in m->lots, -1 if its lot is missing */
	size_t first, npaths;  /* its paths: m->paths[first .. first+npaths) */
	/* totals of its financed paths */
	unsigned financed, not_financed;
	int64_t fin_hours, cost_cents;
	/* a session started before the window, there for the paths that
	   start in it (complementary paths), with the financed paths ordered
	   before the window */
	bool carried, conflicted;
	unsigned financed_before;
};

struct rm_intent {
	const char *ref, *employer, *siret, *kind, *contract, *job, *date;
	const char *evidence, *steps, *status, *status_date, *status_reason;
	const char *followup;
	const char *withdrawn_by, *replaces;  /* R16; "" when not recorded */
	int64_t months, weekly_hours;
	bool has_months, has_weekly, found;
	bool replaced;         /* R16: named by no path of the model, but
	                          replaced by an intent of the model */
	bool replaces_missing; /* R16: the intent it replaces is not recorded */
	long pidx;             /* the first path naming it */
	long ridx;             /* R16: the intent it replaces, or -1 */
	long byidx;            /* R16: the first intent replacing it, or -1 */
	unsigned nby;          /* R16: how many intents of the model replace it */
	long wpidx;            /* R16: the path its withdrawal concerns: pidx,
	                          or the path naming its last replacement */
	/* R23: what became of it; "" when not recorded */
	const char *outcome, *hired_date, *hired_contract, *not_hired_reason;
	int64_t hired_weekly_hours;
	bool has_hired_weekly;
};

struct rm_trainee {
	const char *ref, *status;
	const char *exit, *exit_date;  /* R23; "" when not recorded or sealed */
	bool disability, part_time, found;
	bool sealed;           /* its values are not readable on this node */
	bool exit_sealed;      /* its exit is recorded, not readable here */
	long pidx;             /* the first path naming it */
};

struct rm_path {
	const char *ref, *trainee, *session, *intent, *modules;
	const char *cert_kind, *cert_code;  /* its own (R08), "" when none */
	const char *start;      /* its own start, "" when none */
	const char *day;        /* the day its hours are ordered: its own
	                           start, or its session's */
	int64_t hours, cost_cents;
	bool has_hours, financed, has_financed;
	bool start_outside;     /* its own start is outside its session */
	long sidx, iidx, tidx;  /* session, intent, trainee; -1 when missing */
	long ridx;              /* the rate in force on day (m->rates), or -1 */
};

struct rm_derog {
	const char *ref, *rule, *session, *intent, *reason, *date;
	const char *agreement;  /* the Region's agreement it cites, or "" */
	const char *author_name, *author_siret;
	unsigned applied;      /* results it turned into warnings */
	bool unfit;            /* its rule needs an agreement it does not cite */
};

/*
 * The Region's agreement (R21): one about a session of the model, or cited
 * by one of its derogations.
 */
struct rm_agreement {
	const char *ref, *reference, *date, *subject, *session, *intent, *note;
};

struct rm_member {
	const char *siret, *name, *role, *key, *parent, *dc4;
	bool awarded, revoked;
};

/* One finding of a rule about one record. */
struct rule_result {
	const char *rule;      /* "R05"; "conflict" for a register conflict */
	enum rule_level level;
	uint8_t type;          /* the record it names */
	const char *ref;
	const char *session;   /* "" when none */
	const char *intent;    /* "" when none */
	const char *path;      /* "" when none */
	const char *what;      /* the finding, one sentence */
	const char *hint;      /* how to fix it (or derogate, or resolve) */
	long derog;            /* the derogation that lifted it, or -1 */
	bool firm;             /* no derogation lifts it */
	char conflict[18];     /* a conflict's id, "" otherwise */
};

struct order_coverage;

/* Which sessions a model holds. */
enum rules_window {
	WINDOW_START,   /* the paths ordered between from and to: those of
	                   the sessions starting then, and those starting
	                   then (path.start) in a session started before */
	WINDOW_ACTIVE,  /* sessions running at some day between from and to,
	                   with all their paths */
};

struct rules_query {
	const char *lot;         /* NULL: every lot */
	const char *from, *to;   /* inclusive YYYY-MM-DD bounds; NULL: open */
	enum rules_window window;
	const char *provider;    /* only this member's sessions (and those of
	                            its subcontractors); NULL: every provider */
	const uint8_t *sender;   /* R11: the key of the member sending the
	                            request; NULL: not checked */
	const char *sender_siret;  /* R11: the member that key speaks for
	                            (bound to it, or to a key it replaced) */
	bool direct;             /* R11: a co-contractor's direct request */
	const struct order_coverage *skip;  /* R11: sessions already requested
	                            directly, left out; NULL: none */
};

/* A record holding a register conflict, looked up by rules_check. */
struct rm_flag {
	uint8_t type;
	const char *ref;
};

struct rm_arena;

struct rules_model {
	struct rules_query q;
	struct store *s;
	struct rm_lot *lots;          /* by ref */
	size_t nlots, lcap;
	struct rm_rate *rates;        /* the lots' histories, by lot and since */
	size_t nrates, ratecap;
	struct rm_session *sessions;  /* by ref */
	size_t nsessions, scap;
	struct rm_path *paths;        /* grouped by session, each by ref */
	size_t npaths, pcap;
	struct rm_intent *intents;    /* by ref: those the paths name, and
	                                 the intents they replaced (R16) */
	size_t nintents;
	const char *chain_cut;        /* R16: an intent whose replaces was
	                                 not followed: too far back */
	struct rm_trainee *trainees;  /* by ref */
	size_t ntrainees;
	struct rm_derog *derogs;      /* by ref */
	size_t nderogs, dcap;
	struct rm_agreement *agreements;  /* by ref */
	size_t nagreements, agcap;
	struct rm_member *members;    /* the roster */
	size_t nmembers, mcap;
	struct rule_result *results;
	size_t nresults, rcap;
	struct rm_flag *flags;        /* records holding register conflicts */
	size_t nflags, fcap;
	struct rm_arena *arena;
	bool indexed;                 /* loaded through the index (index.c) */
	int64_t month_from, month_to; /* the months of the window it read */
	struct store_txn *txn;        /* during rules_check */
	size_t errors, warnings, conflicts;  /* after rules_check */
};

const struct rule_def *rules_table(size_t *n);
const struct rule_def *rules_find(const char *id);

/*
 * Loads the model of a query from the merged state: the lot (or every
 * lot), the sessions of the window, their paths, the intents and trainees
 * these name, the withdrawn intents these intents replaced (R16), the
 * derogations, the roster and which records hold register conflicts.
 * @param txn a transaction that stays open while the model is used
 * @param q the lot (q->lot NULL: every lot), the window, the sender
 * @param out set to the model; rules_free()
 * @param d names what is missing
 * @return 0, or E(NOENT) (no such lot), E(NOMEM), E(STORE) (a record that
 *	does not decode), or an error of store_walk_next()
 */
int rules_load(struct store_txn *txn, struct store *s,
    const struct rules_query *q, struct rules_model **out,
    struct consort_diag *d);

/*
 * Runs every rule on the model, then the derogations, then the register
 * conflicts of its records; counts m->errors, m->warnings, m->conflicts.
 * @param txn the transaction the model was loaded in
 * @return 0, or E(NOMEM), or an error of conflicts_register_scan()
 */
int rules_check(struct store_txn *txn, struct rules_model *m);
/* Frees a model of rules_load() and everything it holds; NULL is allowed. */
void rules_free(struct rules_model *m);
long rules_session(const struct rules_model *m, const char *ref);
long rules_intent(const struct rules_model *m, const char *ref);
/* The index of an agreement of the model, or -1. */
long rules_agreement(const struct rules_model *m, const char *ref);
bool rules_has_trainee(const struct rules_model *m, const char *ref);
bool rules_has_intent(const struct rules_model *m, const char *ref);
/*
 * The rate of a lot in force on a day (R14): among its rate records and
 * its own pair, the one with the latest since on or before the day.
 * @param lot_idx the lot, in m->lots
 * @param day YYYY-MM-DD
 * @return the rate, or NULL when none is in force that day
 */
const struct rm_rate *rules_rate_on(const struct rules_model *m,
    long lot_idx, const char *day);
const struct rm_member *rules_member(const struct rules_model *m,
    const char *siret);
/* The lead of the model's roster, or NULL when it has none. */
const struct rm_member *rules_lead(const struct rules_model *m);
const char *rules_strn(struct rules_model *m, const char *s, size_t len);
const char *rules_printf(struct rules_model *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int rules_grow(void **p, size_t n, size_t *cap, size_t sz);

/* ---- order.c: the order request (DESIGN.md §7, schema/order.md) ---- */

#define ORDER_FORMAT "consort-order/2"
#define ORDER_MAX_FILE (64u << 20)
/* The longest lot ref that can be ordered: its notices' refs,
   N-LOT-YYYY-MM-SIRET, take 25 bytes more and must fit in a ref. */
#define ORDER_LOT_REF_MAX (CONSORT_REF_MAX - 25)

/* Who builds a request, for what. */
struct order_opts {
	const char *lot;
	const char *period;     /* YYYY-MM */
	bool direct;            /* a co-contractor's own request (R11) */
	const char *notice;     /* its notice's ref, when direct */
	const char *notice_date;
	const char *issued;     /* its date of issue, YYYY-MM-DD */
};

/* The JSON being built (jb_put...), with the first failure kept. */
struct jb {
	int err;
};

void jb_put(struct jb *b, json_t *o, const char *key, json_t *v);
void jb_put_str(struct jb *b, json_t *o, const char *key, const char *v);
void jb_put_opt(struct jb *b, json_t *o, const char *key, const char *v);
void jb_put_int(struct jb *b, json_t *o, const char *key, int64_t v);
void jb_put_bool(struct jb *b, json_t *o, const char *key, bool v);
void jb_push(struct jb *b, json_t *a, json_t *v);

/* Members of a JSON object being read (jr_...), with defaults when absent. */
const char *jr_str(const json_t *o, const char *key);
int64_t jr_int(const json_t *o, const char *key);
bool jr_bool(const json_t *o, const char *key);
const json_t *jr_arr(const json_t *o, const char *key);
/* Orders an array's entries with cmp (on json_t **); 0 or E(NOMEM). */
int jr_sort(json_t *a, int (*cmp)(const void *, const void *));
size_t jr_len(const json_t *a);

/* Whether a period is YYYY-MM with a month from 01 to 12. */
bool order_period_valid(const char *period);
bool order_day_number(const char *s, int64_t *out);
void order_month_bounds(const char *period, char from[11], char to[11]);
/*
 * Signs a request with the node's key: the file is {"request": R,
 * "signature": {"alg": "ed25519", "key": HEX, "sig": HEX}} in canonical
 * form, and a newline, so that the request's bytes in the file are
 * exactly the signed bytes.
 * @param pk, sk the signer's public and secret keys
 * @param file set to the file; free()
 * @param len set to its length
 * @return 0, or E(CRYPTO) (the signature fails), E(NOMEM), or an error of
 *	jcs_canonical()
 */
int order_sign(const json_t *request, const uint8_t pk[CONSORT_KEY_BYTES],
    const uint8_t sk[64], char **file, size_t *len);
/*
 * Signs a body as order_sign() does, under another member name: a
 * decision is {"decision": D, "signature": {...}}.
 * @param member "request" or "decision"
 * @return as order_sign()
 */
int order_sign_as(const char *member, const json_t *body,
    const uint8_t pk[CONSORT_KEY_BYTES], const uint8_t sk[64], char **file,
    size_t *len);

/*
 * A signed file, parsed and checked: a request, or a decision of the
 * Region (order-decision.c), which share the form {BODY, "signature"}.
 */
struct order_file {
	json_t *root;
	const char *member;     /* "request" or "decision": what BODY is */
	union {
		json_t *request;    /* borrowed from root */
		json_t *decision;
	};
	char *canonical;        /* JCS form of request */
	size_t canonical_len;
	uint8_t key[CONSORT_KEY_BYTES];   /* the key it was checked with */
	uint8_t file_key[CONSORT_KEY_BYTES];
	uint8_t hash[32];       /* SHA-256 of canonical */
	bool valid;             /* the signature matches, with key */
	/* the key the request names as its signer: sender.key, which must be
	   lead.key unless the request is direct (R11) */
	uint8_t named[CONSORT_KEY_BYTES];
	bool has_named;         /* the request names one, well formed */
	bool direct;            /* sender.direct */
	bool named_signer;      /* key is the key the request names */
	/* the chain of key records the request carries (request.key_chain,
	   schema/keys.md), when it has one: checked from chain_from (the key
	   asked for, else lead.key, else, in a direct request, its first
	   link's key) to file_key, the signature then checked with file_key */
	bool has_chain;
	int chain_rc;           /* 0: the chain holds; keychain_verify_json() */
	struct consort_diag chain_diag;
	uint8_t chain_from[CONSORT_KEY_BYTES];
	unsigned chain_rotations;   /* links of role member, by key */
	unsigned chain_recoveries;  /* links of role member, by recovery */
	unsigned chain_links;       /* every link, the recovery key's too */
};

/* The room order_verdict_text() needs for any verdict. */
#define ORDER_VERDICT_MAX 1024

/* What a reader may conclude from a signed file. */
enum order_verdict {
	ORDER_VALID,          /* the signature holds, by the signer named */
	ORDER_BAD_SIGNATURE,  /* the request does not match its signature */
	ORDER_WRONG_SIGNER,   /* a signature that holds, by another key than
	                         the one the request names (re-signed) */
	ORDER_BAD_CHAIN,      /* signed by the signer named, whose key chain
	                         does not link it to the key checked against */
};

/*
 * Parses a signed request and checks its signature over the canonical
 * form of its "request" member; a signature that does not hold is not an
 * error (f->valid, order_verdict()).  A request that carries a key chain
 * is checked with the key the file names, and its chain from key.
 * @param key the key to check it with; NULL: the key the file names
 * @param f set to the parsed file; order_file_free() after a success
 * @return 0, or E(SCHEMA) (not JSON, not {"request", "signature"}, a
 *	signature not ed25519 with a key and sig in hex, or a request with
 *	no canonical form)
 */
int order_parse(const char *buf, size_t len, const uint8_t *key,
    struct order_file *f, struct consort_diag *d);
/*
 * Reads and parses a signed request file, as order_parse(); d->where
 * starts with the path.
 * @return 0, or E(NOENT) (no such file), E(IO) (it cannot be read),
 *	E(TOOBIG) (over ORDER_MAX_FILE), E(NOMEM), or an error of
 *	order_parse()
 */
int order_load(const char *path, const uint8_t *key, struct order_file *f,
    struct consort_diag *d);
/*
 * Parses a signed file whose body is member ("request" or "decision"), or
 * either of them when member is NULL (f->member says which), and checks
 * its signature as order_parse() does.
 * @return as order_parse()
 */
int order_parse_as(const char *member, const char *buf, size_t len,
    const uint8_t *key, struct order_file *f, struct consort_diag *d);
/*
 * Reads and parses a signed file as order_parse_as() does.
 * @return as order_load()
 */
int order_load_as(const char *member, const char *path, const uint8_t *key,
    struct order_file *f, struct consort_diag *d);
/* Frees what a parsed file holds and zeroes it; NULL is allowed. */
void order_file_free(struct order_file *f);
/*
 * What a parsed file proves: valid when its signature holds with the key
 * it was checked with, that key is the signer the request names, and its
 * key chain, when it carries one, links that key to the key asked for.
 */
enum order_verdict order_verdict(const struct order_file *f);
/*
 * The verdict in words, starting "valid", "INVALID", "NOT SIGNED BY ITS
 * SENDER" or "KEY CHAIN REFUSED", with the keys concerned.
 * @return 0, or E(TOOBIG) (it does not fit in len bytes)
 */
int order_verdict_text(const struct order_file *f, char *buf, size_t len);

/* ---- order-build.c: building a request from a rules model ---- */

/*
 * Fills the rules query of a request: the lot's sessions starting in the
 * period; a direct request covers only the sender's sessions and those of
 * its subcontractors.
 * @param sender the key of the member sending the request, or NULL
 * @param q set to the query; it points into o, sender, from, to and the
 *	store's roster
 * @param from, to set to the first and last days of o->period
 * @return 0, or E(INVAL) (o->period is not YYYY-MM), or an error of
 *	order_lot_ref_check()
 */
int order_query(struct store *s, const uint8_t *sender,
    const struct order_opts *o, struct rules_query *q, char from[11],
    char to[11], struct consort_diag *d);

/*
 * Builds the request body of a checked model (schema/order.md).
 * @param txn the transaction the model was loaded in
 * @param m a model rules_check() found without error or conflict
 * @param out set to the body; json_decref()
 * @return 0, or E(INVAL) (a window the request cannot cover), E(PERM)
 *	(the rules refuse the model), E(NOENT) (no session in the window),
 *	E(NOMEM), or an error of state_lookup() or store_head()
 */
int order_request(struct store_txn *txn, struct node *n,
    const struct rules_model *m, const struct order_opts *o, json_t **out,
    struct consort_diag *d);
/* Totals of sessions: their count, financed trainees, hours and cost. */
struct order_sums {
	int64_t sessions, financed, not_financed, hours, cost;
};

size_t *order_sessions_by_start(const struct rules_model *m);
json_t *order_heads_json(struct jb *b, struct store_txn *txn, struct store *s);
json_t *order_member_json(struct jb *b, const struct rm_member *m,
    const char *siret, bool role);

/* ---- order-keychain.c: the key chain a request carries ---- */

/*
 * Builds the key chain of a request signed by signer (schema/keys.md):
 * the links from first to signer, made from the key records of the
 * state and checked, with the recovery key's links where a link signed
 * by the recovery key needs them (and then the recovery key the founder
 * named, in "recovery").
 * @param first the key the Region knows: the founder's for the lead's
 *	request, a co-contractor's first key for its direct one
 * @param out set to {"links": [...]} (json_decref), or NULL when signer
 *	is first
 * @return 0, or E(NOENT) (no key record links signer to first),
 *	E(SIGNATURE) (a record that does not hold), E(PERM) (a link signed
 *	by the recovery key, and none named), E(TOOBIG) (over
 *	KEYCHAIN_MAX_LINKS links), E(NOMEM), or an error of state_foreach()
 */
int order_keychain(struct store_txn *txn, struct store *s,
    const uint8_t consortium[CONSORT_HASH_BYTES],
    const uint8_t first[CONSORT_KEY_BYTES],
    const uint8_t signer[CONSORT_KEY_BYTES], json_t **out,
    struct consort_diag *d);
/*
 * The first key of signer's line, following the key records of role
 * member back from signer; signer itself when no record made it.
 * @return 0, or E(NOMEM), or an error of state_foreach()
 */
int order_keychain_origin(struct store_txn *txn, struct store *s,
    const uint8_t signer[CONSORT_KEY_BYTES],
    uint8_t origin[CONSORT_KEY_BYTES]);

/* ---- order-render.c and order-page.c: CSV, HTML and text ---- */

/*
 * Formats cents as euros, French style: "12 345,67 €".
 * @param sep what goes between groups of thousands and before the sign
 * @return 0, or E(TOOBIG) (it does not fit in len bytes; buf is "")
 */
int order_euros(char *buf, size_t len, int64_t cents, const char *sep);
/*
 * Writes a request as CSV: a header, then one row per path, every cell
 * safe to open in a spreadsheet (no control character, no formula); in
 * French (fmt.h: BOM, ";", decimal comma, French headings, euros) or in
 * English (",", decimal point, the headings and cents of format 1).
 * @return 0, or E(TOOBIG) (the warnings of a path over 16 KiB), E(NOMEM),
 *	E(IO) (out has an error)
 */
int order_write_csv(FILE *out, const json_t *request, enum fmt_lang lang,
    struct consort_diag *d);
/*
 * Writes a signed request as one self-contained printable HTML page, its
 * verdict included, in French or English (order-page.c): its number and
 * date of issue, page numbers when printed, its sender's signature block.
 * @return 0, or E(IO) (out has an error), or an error of
 *	order_verdict_text()
 */
int order_write_html(FILE *out, const struct order_file *f,
    enum fmt_lang lang);
/*
 * Writes a short text summary of a signed request, its verdict first.
 * @return 0, or E(IO) (out has an error), or an error of
 *	order_verdict_text()
 */
int order_write_text(FILE *out, const struct order_file *f);

/* ---- order-diff.c: what changed between two requests ---- */

/*
 * Compares two request bodies: {"lot", "period", "same_period", "changes":
 * [{"op", "at", "old", "new"}]}, the elements of every list matched and
 * named by their key (schema/order.md, "Diff"), whatever their order; the
 * log state (heads) and line numbers are left out.
 * @param out set to the comparison; json_decref()
 * @return 0, or E(TOOBIG) (a place or an element's key too long to name
 *	it whole), E(NOMEM)
 */
int order_diff(const json_t *old, const json_t *new, json_t **out);

/* ---- order-decision.c: the Region's decision on a request ---- */

#define DECISION_FORMAT "consort-decision/1"
#define DECISION_NUMBER_MAX 40     /* characters of an order's number */
#define DECISION_REASON_MAX 1000   /* bytes of a refusal's reason */
#define ORDER_NUMBER_MAX 1000000   /* the highest number of a request */

/* The Region officer's answer to a request. */
struct decision_opts {
	bool accept;
	const char *number;   /* the order's number, when accepted */
	const char *reason;   /* why, when refused */
	const char *date;     /* YYYY-MM-DD */
};

/* A decision's body as decision_read() found it (pointers into it). */
struct decision {
	const char *request;        /* the request's SHA-256, 64 hex */
	const char *lot, *period, *date;
	bool has_request_number;
	int64_t request_number;     /* the request's number, when it has one */
	bool accepted;
	const char *number;         /* accepted: the order's number */
	int64_t amount_cents;       /* accepted: the order's amount */
	const char *reason;         /* refused: why */
};

/* Whether an order's number is 1 to 40 printable characters (no control). */
bool decision_number_valid(const char *s);
/* Whether a reason is 1 to 1000 bytes of text, no control but line feeds. */
bool decision_reason_valid(const char *s);
/*
 * Builds the body of the Region's decision on a request (schema/order.md,
 * "The Region's decision").
 * @param req a parsed request (the caller has checked its verdict)
 * @param out set to the body; json_decref()
 * @return 0, or E(SCHEMA) (the request has no integer totals.cost_cents,
 *	or an answer decision_read() refuses: d names it), E(NOMEM)
 */
int decision_build(const struct order_file *req, const struct decision_opts *o,
    json_t **out, struct consort_diag *d);
/*
 * Reads a decision's body, every member checked: the format, the
 * request's SHA-256, lot, period, optional number, the verdict, the order
 * {number, amount_cents} of an acceptance or the reason of a refusal, the
 * date, and no other member.
 * @param x set to what it says, pointing into b
 * @return 0, or E(SCHEMA) (d names the member)
 */
int decision_read(const json_t *b, struct decision *x, struct consort_diag *d);

/* ---- order-region.c: the Region's key and decisions in the log ---- */

/*
 * Records the Region's key (region_key RK-N, N after the keys recorded,
 * dated today), unless it is the key in force already.  The lead's only.
 * @param ref, reflen set to its ref (the one in force when *already)
 * @param already set when it is the key in force
 * @return 0, or E(PERM) (this node is not the lead), or an error of
 *	perm_region_key() or records_put()
 */
int region_key_record(struct edit *e, const uint8_t key[CONSORT_KEY_BYTES],
    char *ref, size_t reflen, bool *already, struct consort_diag *d);
/*
 * The ref of a decision: D-LOT-PERIOD- and the first 12 hex digits of its
 * hash, never cut.
 * @return 0, or E(TOOBIG) (it does not fit in a ref, or in len bytes)
 */
int decision_ref(char *ref, size_t len, const char *lot, const char *period,
    const char *hash_hex, struct consort_diag *d);
/*
 * Records a decision of the Region (schema/order.md, "The Region's
 * decision") as every node checks it: signed by the Region's key in
 * force, answering a submitted order the Region had not answered, its
 * amount the request's total cost.  Receiving it again changes nothing.
 * @param f a file of order_parse_as() whose member is "decision"
 * @param ref, reflen set to the decision's ref
 * @param already set when a live decision of that ref exists
 * @return 0, or E(SIGNATURE) (the signature does not hold), E(SCHEMA) (a
 *	decision decision_read() refuses), E(NOENT) (no Region key recorded;
 *	no submitted order of its request), E(PERM) (signed by another key
 *	than the Region's in force; an amount that is not the request's),
 *	E(EXIST) (the Region answered that request with another decision),
 *	or an error of decision_ref(), order_ref(), state_lookup(),
 *	jcs_canonical() or records_put()
 */
int decision_receive(struct edit *e, const struct order_file *f, char *ref,
    size_t reflen, bool *already, struct consort_diag *d);

/* ---- order-list.c: the orders recorded and their state ---- */

/*
 * Keeps, on this node only (never synced), a request built here and
 * written to file, which order list shows as built until a request of its
 * lot and period with its number is submitted.
 * @return 0, or E(NOMEM), or an error of jcs_canonical(), store_begin(),
 *	store_put() or store_commit()
 */
int order_note_built(struct store *s, const json_t *req, const char *file);
/*
 * Lists the orders of the merged state (consort order list): each with
 * its ref, lot, period, number, hash, date, sender {siret, direct, name},
 * totals, amends, amended_by [{ref, number}], decisions [{ref, verdict,
 * date, order_number, amount_cents, reason, hash, key}] and state
 * ("submitted", "accepted", "refused", or "conflicting" for two answers
 * received concurrently), in the order of lot, period, number and hash.
 * @param lot, period only those (NULL: all)
 * @param out set to the array; json_decref()
 * @return 0, or E(NOMEM), or an error of perm_roster() or
 *	state_foreach_d() (d names a damaged record)
 */
int order_list(struct store_txn *txn, struct store *s, const char *lot,
    const char *period, json_t **out, struct consort_diag *d);

/* ---- order-log.c: notices and submitted requests in the log ---- */

/* Today's date (UTC) as YYYY-MM-DD: the date a record is made. */
void order_today(char out[11]);
/* Appends the input of one field of a type (by wire id) to in[*n]. */
void order_input(struct field_input *in, unsigned *n,
    const struct schema_type *t, unsigned field, struct value v);
/* A string value over a C string (not copied). */
struct value order_vstr(const char *s);
/* An integer value. */
struct value order_vint(int64_t i);

/*
 * Checks that the refs of a lot's notices and orders fit in a ref.
 * @return 0, or E(TOOBIG) (lot is longer than ORDER_LOT_REF_MAX)
 */
int order_lot_ref_check(const char *lot, struct consort_diag *d);
/*
 * The ref of a submitted request: O-LOT-PERIOD- and the first 12 hex
 * digits of its hash, never cut.
 * @param hash_hex the SHA-256 of its canonical request, hex
 * @return 0, or E(TOOBIG) (it does not fit in a ref, or in len bytes)
 */
int order_ref(char *ref, size_t len, const char *lot, const char *period,
    const char *hash_hex, struct consort_diag *d);
/*
 * Records, in the edit's change-set, the notice N-LOT-PERIOD-SIRET by
 * which a co-contractor informs the lead of its direct request (R11),
 * unless a live one is recorded already.
 * @param o the lot and period
 * @param member, lead the SIRETs of the co-contractor and of the lead
 * @param ref, reflen set to the notice's ref
 * @param recorded set to whether this call recorded it
 * @return 0, or an error of order_find_notice() other than E(NOENT), or
 *	of records_put()
 */
int order_record_notice(struct edit *e, const struct order_opts *o,
    const char *member, const char *lead, char *ref, size_t reflen,
    bool *recorded, struct consort_diag *d);

/*
 * Finds the notice a co-contractor recorded for (lot, period).
 * @param member its SIRET
 * @param ref, reflen set to the notice's ref
 * @param date set to its date, YYYY-MM-DD
 * @return 0, or E(NOENT) (no live notice), E(TOOBIG) (a ref that does not
 *	fit), or an error of state_lookup()
 */
int order_find_notice(struct store_txn *txn, struct store *s, const char *lot,
    const char *period, const char *member, char *ref, size_t reflen,
    char date[11]);
/*
 * Records a submitted request as an order record (schema/order.md): the
 * signed file in canonical form and what every node checks against it,
 * numbered after the orders of its lot and period; submitting it again
 * changes nothing.
 * @param f a file of order_parse() signed by this node
 * @param ref, reflen set to the order's ref
 * @param already set when a live order of that ref exists
 * @return 0, or E(SIGNATURE) (the signature does not hold), E(PERM) (this
 *	node did not sign it), E(SCHEMA) (no lot, period or totals),
 *	E(TOOBIG) (over what an order record holds), or an error of
 *	order_ref(), state_lookup(), jcs_canonical(), perm_order_prior()
 *	or records_put()
 */
int order_submit(struct edit *e, const struct order_file *f,
    char *ref, size_t reflen, bool *already, struct consort_diag *d);
/* Whether a request carries its own number (format 2 and later). */
bool order_has_number(const json_t *req);
/*
 * Puts into a request body its number for its lot and period and the
 * requests of its scope (the lead's, or one co-contractor's direct ones)
 * it amends and replaces (schema/order.md, "A request's history").
 * @param o the orders of its lot and period (perm_order_series)
 * @return 0, or E(NOMEM)
 */
int order_put_chain(json_t *req, const struct order_series *o, bool direct,
    const char *sender);
/*
 * Checks a request's number, amends and replaces against a series.
 * @param latest set to the order of its scope it must amend, or NULL
 * @return NULL when they follow the series, else why not
 */
const char *order_chain_why(const json_t *req, const struct order_series *o,
    const struct order_entry **latest);

/* ---- order-direct.c: what the current requests cover (R11) ---- */

/* A session in the current request of a scope. */
struct order_covered {
	char session[CONSORT_REF_MAX + 1];
	struct order_entry order;
};

struct order_coverage {
	struct order_covered *v;
	size_t n, cap;
};

/*
 * Lists the sessions the current requests of (lot, period) cover: for
 * each scope (the lead's, one co-contractor's direct requests), its
 * latest submitted request.
 * @param cv set to the list; order_coverage_free()
 * @return 0, or E(NOMEM), or an error of perm_order_series() or
 *	state_lookup()
 */
int order_coverage(struct store_txn *txn, struct store *s, const char *lot,
    const char *period, struct order_coverage *cv);
void order_coverage_free(struct order_coverage *cv);
/* The entry of a session in a current direct request, or NULL. */
const struct order_covered *order_covered_directly(
    const struct order_coverage *cv, const char *session);
/*
 * The sessions of (lot, period) in co-contractors' current direct
 * requests, which a lead's request leaves out and lists.
 * @param out set to [{"session", "sender", "number", "sha256"}], by
 *	session; json_decref(), even on error
 * @return 0, or E(NOMEM), or an error of order_coverage()
 */
int order_direct_json(struct store_txn *txn, struct store *s, const char *lot,
    const char *period, json_t **out);
/*
 * Whether the lead's latest change-set had a notice in its causal past.
 * @param notice the notice's ref
 * @return 0, or an error of state_lookup() or merge_seen_by()
 */
int order_notice_seen_by_lead(struct store_txn *txn, struct store *s,
    const char *notice, bool *seen);

/* ---- attendance.c: a path's attendance of a month (R18) ---- */

/* A day's attendance: its day number and the minutes attended. */
struct attendance_day {
	int64_t day;
	int64_t minutes;
};

/* A path's attendance records of one month. */
struct attendance_month {
	struct attendance_day days[31];  /* its days' records, by day */
	size_t ndays;
	bool has_month;                  /* a record of the whole month */
	int64_t month_minutes;
};

/*
 * Reads a path's attendance of a month: its records of each day of it
 * and of the month itself, each alive and naming the path and the day or
 * month of its ref.
 * @param path the path's ref
 * @param f, t the month's first and last day numbers (calendar.h)
 * @return 0, or an error of state_lookup()
 */
int attendance_read(struct store_txn *txn, struct store *s, const char *path,
    int64_t f, int64_t t, struct attendance_month *out);

/* ---- statement.c: the monthly statement (R18) ---- */

/*
 * The working days (Monday to Friday, no public holiday) of a session: in all, up to the day
 * before from, and up to to, each bounded by the session's end.
 * @param start, end the session's days; from, to the month's; YYYY-MM-DD
 * @return 0, or E(INVAL) (a date does not parse)
 */
int statement_days(const char *start, const char *end, const char *from,
    const char *to, int64_t *total, int64_t *through_prev,
    int64_t *through_end);

/*
 * Builds the monthly statement of a lot (R18): every session running in
 * the month, with each financed path's hours falling in it.
 * @param lot the lot's ref; month YYYY-MM
 * @param out set to the statement; json_decref()
 * @return 0, or E(INVAL) (not a month), E(NOMEM), or an error of
 *	rules_load() (E(NOENT): no such lot)
 */
int statement_build(struct store_txn *txn, struct store *s, const char *lot,
    const char *month, json_t **out, struct consort_diag *d);

/* ---- statement-render.c: the statement for people ---- */

/*
 * Writes a statement (statement_build()'s) as a text table, in French
 * (dates JJ/MM/AAAA, amounts "1 234,50 €") or English (as before).
 * @return 0, or E(IO) (f has an error)
 */
int statement_write_text(FILE *f, const json_t *st, enum fmt_lang lang);
/*
 * Writes a statement as CSV (fmt.h's conventions of the language): one
 * row per financed path and part of the month with its rate.
 * @return 0, or E(NOMEM), E(IO) (f has an error)
 */
int statement_write_csv(FILE *f, const json_t *st, enum fmt_lang lang);

#endif
