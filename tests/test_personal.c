/*
 * Unit tests of personal.c: commitments to personal values and their
 * checks, openings kept sealed under the node's key at rest and read back
 * only with that key, erased with their record and refused from then on,
 * and records opened for reading, never saved.  Every name is made up.
 */
#include <sys/stat.h>

#include "node_fixture.h"

/* A made-up family name, looked for in the store's bytes. */
#define NAME "Zorbalinsky"
#define GIVEN "Quilhermina"

/* The opening of trainee ref's field on node n, under a fresh salt. */
static struct personal_opening
opening(struct node *n, const char *ref, unsigned field, struct value v)
{
	struct personal_opening o;

	memset(&o, 0, sizeof(o));
	o.type = T_trainee;
	o.field = (uint8_t)field;
	node_entity_id(n, T_trainee, ref, strlen(ref), o.id);
	o.value = v;
	personal_commit_new(T_trainee, o.id, field, &v, o.salt, o.commitment);
	return o;
}

/* Keeps an opening in its own write transaction; returns the error. */
static int
put_opening(struct node *n, const struct personal_opening *o,
    struct consort_diag *d)
{
	struct store_txn *txn;
	int rc;

	memset(d, 0, sizeof(*d));
	assert_ok(store_begin(&n->store, true, &txn));
	if ((rc = personal_put(txn, &n->store, o, d)) != 0) {
		store_abort(txn);
		return rc;
	}
	return store_commit(txn);
}

/* Reads the opening of o's commitment; *found tells whether n holds it. */
static struct personal_opening
get_opening(struct node *n, const struct personal_opening *o, char *text,
    size_t len)
{
	uint8_t buf[PERSONAL_OPENING_MAX];
	struct personal_opening got;
	struct store_txn *txn;

	assert_ok(store_begin(&n->store, false, &txn));
	assert_ok(personal_get(txn, &n->store, o->type, o->id, o->field,
	    o->commitment, &got, buf));
	snprintf(text, len, "%.*s", got.found && got.value.kind == VAL_STR ?
	    (int)got.value.len : 0, got.value.s ? got.value.s : "");
	got.value.s = NULL;	/* buf is gone */
	store_abort(txn);
	return got;
}

/* Whether n holds the opening of o's commitment. */
static bool
has_opening(struct node *n, const struct personal_opening *o)
{
	struct store_txn *txn;
	bool has;

	assert_ok(store_begin(&n->store, false, &txn));
	assert_ok(personal_has(txn, &n->store, o->id, o->field, o->commitment,
	    &has));
	store_abort(txn);
	return has;
}

/* Writes a trainee's family and given names through records_put. */
static int
put_names(struct node *n, const char *ref, const char *family,
    const char *given, enum put_mode mode)
{
	struct kv kv[2] = {
		{ "family_name", tu_str(family) },
		{ "given_name", tu_str(given != NULL ? given : "") },
	};

	return nf_put(n, "trainee", ref, kv, given != NULL ? 2 : 1, mode);
}

/* Whether the file at path holds the bytes of s. */
static bool
file_holds(const char *path, const char *s)
{
	FILE *fp = fopen(path, "rb");
	struct stat st;
	uint8_t *p;
	bool found;

	assert_non_null(fp);
	assert_int_equal(fstat(fileno(fp), &st), 0);
	p = malloc((size_t)st.st_size + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)st.st_size, fp),
	    (size_t)st.st_size);
	fclose(fp);
	found = memmem(p, (size_t)st.st_size, s, strlen(s)) != NULL;
	free(p);
	return found;
}

/*
 * A commitment checks against its opening; another salt, value, field or
 * record does not, and a field that is not personal, or a value its field
 * refuses, is a schema error.  No message holds the value.
 */
static void
test_commit_check(void **state)
{
	struct nf_fix *f = *state;
	struct personal_opening o, x;
	uint8_t c[CONSORT_COMMIT_BYTES];
	struct consort_diag d;

	o = opening(f->n, "T1", F_trainee_family_name, tu_str(NAME));
	memset(&d, 0, sizeof(d));
	assert_ok(personal_check(&o, &d));
	/* the same salt and value commit alike; a fresh salt does not */
	personal_commit(o.type, o.id, o.field, o.salt, &o.value, c);
	assert_memory_equal(c, o.commitment, sizeof(c));
	x = opening(f->n, "T1", F_trainee_family_name, tu_str(NAME));
	assert_memory_not_equal(x.commitment, o.commitment, sizeof(c));

	x = o;
	x.salt[0] ^= 1;
	assert_err(personal_check(&x, &d), E(COMMITMENT));
	assert_null(strstr(d.what, NAME));
	x = o;
	x.value = tu_str(NAME "x");
	assert_err(personal_check(&x, &d), E(COMMITMENT));
	x = o;
	x.field = F_trainee_given_name;
	assert_err(personal_check(&x, &d), E(COMMITMENT));
	x = o;
	node_entity_id(f->n, T_trainee, "T2", 2, x.id);
	assert_err(personal_check(&x, &d), E(COMMITMENT));
	x = o;
	x.commitment[31] ^= 0x80;
	assert_err(personal_check(&x, &d), E(COMMITMENT));
	/* not a personal field: a schema error, whatever the commitment */
	x = o;
	x.field = F_trainee_status;
	assert_err(personal_check(&x, &d), E(SCHEMA));
	x = o;
	x.type = T_intent;
	x.field = F_intent_employer;
	assert_err(personal_check(&x, &d), E(SCHEMA));
	/* a value the field refuses, though committed to */
	x = opening(f->n, "T1", F_trainee_family_name, tu_int(1989));
	assert_err(personal_check(&x, &d), E(SCHEMA));
	x = opening(f->n, "T1", F_trainee_birth_year, tu_int(1800));
	assert_err(personal_check(&x, &d), E(SCHEMA));
	/* every kind of personal value */
	x = opening(f->n, "T1", F_trainee_birth_year, tu_int(1989));
	assert_ok(personal_check(&x, &d));
	x = opening(f->n, "T1", F_trainee_disability, tu_bool(true));
	assert_ok(personal_check(&x, &d));
	x.value = tu_bool(false);
	assert_err(personal_check(&x, &d), E(COMMITMENT));
}

/* An opening kept is read back: found, the same salt and value. */
static void
test_put_get(void **state)
{
	struct kv status = { "status", tu_str("job_seeker") };
	struct nf_fix *f = *state;
	struct personal_opening o, y, b, got, other;
	struct consort_diag d;
	uint8_t buf[PERSONAL_OPENING_MAX];
	struct store_txn *txn;
	char text[128];

	assert_int_equal(nf_put(f->n, "trainee", "T1", &status, 1, PUT_ADD), 1);
	o = opening(f->n, "T1", F_trainee_family_name, tu_str(NAME));
	y = opening(f->n, "T1", F_trainee_birth_year, tu_int(1989));
	b = opening(f->n, "T1", F_trainee_part_time, tu_bool(true));
	other = opening(f->n, "T1", F_trainee_family_name, tu_str(GIVEN));
	assert_false(has_opening(f->n, &o));
	assert_ok(put_opening(f->n, &o, &d));
	assert_ok(put_opening(f->n, &y, &d));
	assert_ok(put_opening(f->n, &b, &d));
	assert_int_equal(tu_openings(&f->n->store), 3);
	assert_true(has_opening(f->n, &o));
	got = get_opening(f->n, &o, text, sizeof(text));
	assert_true(got.found);
	assert_string_equal(text, NAME);
	assert_memory_equal(got.salt, o.salt, CONSORT_SALT_BYTES);
	assert_memory_equal(got.commitment, o.commitment, CONSORT_COMMIT_BYTES);
	assert_ok(store_begin(&f->n->store, false, &txn));
	assert_ok(personal_get(txn, &f->n->store, T_trainee, y.id, y.field,
	    y.commitment, &got, buf));
	assert_true(got.found);
	assert_int_equal(got.value.kind, VAL_INT);
	assert_int_equal(got.value.i, 1989);
	assert_ok(personal_check(&got, NULL));
	assert_ok(personal_get(txn, &f->n->store, T_trainee, b.id, b.field,
	    b.commitment, &got, buf));
	assert_true(got.found);
	assert_int_equal(got.value.kind, VAL_BOOL);
	assert_true(got.value.b);
	store_abort(txn);
	/* a commitment whose opening the node does not hold */
	assert_false(has_opening(f->n, &other));
	got = get_opening(f->n, &other, text, sizeof(text));
	assert_false(got.found);
	/* an opening that does not check is not kept */
	other.salt[0] ^= 1;
	assert_err(put_opening(f->n, &other, &d), E(COMMITMENT));
	assert_int_equal(tu_openings(&f->n->store), 3);
}

/*
 * A personal value written through records_put is never in the store's
 * file in clear: the log and the record hold its commitment, the openings
 * table its sealed opening.  A value that is not personal is in clear
 * (the scan sees what is there).
 */
static void
test_sealed_at_rest(void **state)
{
	struct kv employer = { "employer", tu_str("Xylophonics") };
	struct nf_fix *f = *state;
	struct personal_opening o;
	struct consort_diag d;
	char text[128];

	assert_int_equal(put_names(f->n, "T1", NAME, GIVEN, PUT_ADD), 1);
	assert_int_equal(nf_put(f->n, "intent", "I1", &employer, 1, PUT_ADD),
	    1);
	o = opening(f->n, "T2", F_trainee_ft_id, tu_str("ZQ7741X"));
	assert_ok(put_opening(f->n, &o, &d));
	assert_string_equal(nf_shown(f->n, "trainee", "T1", "family_name"),
	    NAME);
	assert_true(get_opening(f->n, &o, text, sizeof(text)).found);
	assert_int_equal(tu_openings(&f->n->store), 3);
	node_close(f->n);
	f->n = NULL;
	assert_true(file_holds(nf_node_file(f, "store/data.mdb"),
	    "Xylophonics"));
	assert_false(file_holds(nf_node_file(f, "store/data.mdb"), NAME));
	assert_false(file_holds(nf_node_file(f, "store/data.mdb"), GIVEN));
	assert_false(file_holds(nf_node_file(f, "store/data.mdb"), "ZQ7741X"));
}

/*
 * Without the node's key at rest (the secret key not loaded) an opening is
 * not found, nor under another key; a record opened then keeps its
 * commitments.  Nothing is kept without the key.
 */
static void
test_get_without_key(void **state)
{
	uint8_t pk[CONSORT_KEY_BYTES], sk[64];
	struct nf_fix *f = *state;
	struct personal_opening o;
	struct consort_diag d = { 0 };
	char text[128];

	assert_int_equal(put_names(f->n, "T1", NAME, NULL, PUT_ADD), 1);
	o = opening(f->n, "T1", F_trainee_given_name, tu_str(GIVEN));
	assert_ok(put_opening(f->n, &o, &d));
	node_close(f->n);
	assert_ok(node_open(f->path, &f->n, &d));
	assert_false(f->n->have_sk);
	assert_null(f->n->store.atrest);
	assert_true(has_opening(f->n, &o));	/* held, not readable */
	assert_false(get_opening(f->n, &o, text, sizeof(text)).found);
	assert_string_equal(nf_shown(f->n, "trainee", "T1", "family_name"),
	    "(sealed)");
	assert_err(put_opening(f->n, &o, &d), E(KEY));
	/* another node's key */
	crypto_sign_keypair(pk, sk);
	assert_ok(personal_key_init(&f->n->store, sk));
	assert_false(get_opening(f->n, &o, text, sizeof(text)).found);
	assert_string_equal(nf_shown(f->n, "trainee", "T1", "family_name"),
	    "(sealed)");
	personal_key_free(&f->n->store);
	/* its own, loaded */
	assert_ok(node_unlock(f->n, NULL, 0, &d));
	assert_true(get_opening(f->n, &o, text, sizeof(text)).found);
	assert_string_equal(text, GIVEN);
	assert_string_equal(nf_shown(f->n, "trainee", "T1", "family_name"),
	    NAME);
	sodium_memzero(sk, sizeof(sk));
}

/*
 * Erasing a record deletes all its openings, however many, and none of
 * another's; the lead's erasure through an edit does the same.
 */
static void
test_erase(void **state)
{
	struct kv erased = { "erased", tu_str("2026-03-02") };
	struct nf_fix *f = *state;
	struct personal_opening o1, o2, many;
	struct consort_diag d;
	uint8_t id[CONSORT_EID_BYTES];
	struct store_txn *txn;
	char text[128], v[16];
	unsigned i;

	assert_int_equal(put_names(f->n, "T1", NAME, GIVEN, PUT_ADD), 1);
	assert_int_equal(put_names(f->n, "T2", "Vandermolen", NULL, PUT_ADD), 1);
	o1 = opening(f->n, "T1", F_trainee_ft_id, tu_str("ZQ1"));
	o2 = opening(f->n, "T2", F_trainee_ft_id, tu_str("ZQ2"));
	assert_ok(put_opening(f->n, &o1, &d));
	assert_ok(put_opening(f->n, &o2, &d));
	/* more openings than one pass of the erasure deletes */
	for (i = 0; i < 150; i++) {
		snprintf(v, sizeof(v), "v%u", i);
		many = opening(f->n, "T1", F_trainee_given_name, tu_str(v));
		assert_ok(put_opening(f->n, &many, &d));
	}
	assert_int_equal(tu_openings(&f->n->store), 3 + 2 + 150);
	node_entity_id(f->n, T_trainee, "T1", 2, id);
	assert_ok(store_begin(&f->n->store, true, &txn));
	assert_ok(personal_erase(txn, &f->n->store, id));
	assert_ok(store_commit(txn));
	assert_int_equal(tu_openings(&f->n->store), 2);
	assert_false(has_opening(f->n, &o1));
	assert_false(has_opening(f->n, &many));
	assert_true(get_opening(f->n, &o2, text, sizeof(text)).found);
	assert_string_equal(nf_shown(f->n, "trainee", "T1", "family_name"),
	    "(sealed)");
	assert_string_equal(nf_shown(f->n, "trainee", "T2", "family_name"),
	    "Vandermolen");
	/* a record with no opening: nothing to do */
	assert_ok(store_begin(&f->n->store, true, &txn));
	assert_ok(personal_erase(txn, &f->n->store, id));
	assert_ok(store_commit(txn));
	/* the erasure written as an edit deletes the record's openings */
	assert_int_equal(nf_put(f->n, "trainee", "T2", &erased, 1, PUT_SET), 1);
	assert_int_equal(tu_openings(&f->n->store), 0);
	assert_false(has_opening(f->n, &o2));
	assert_string_equal(nf_shown(f->n, "trainee", "T2", "erased"),
	    "2026-03-02");
}

/*
 * Once a record is erased no opening of it is kept again, by personal_put
 * or by records_put, even after the record was deleted and made again;
 * what is not personal is still written, and a personal field unset.
 */
static void
test_put_after_erasure(void **state)
{
	struct kv erase[2] = { { "erased", tu_str("2026-03-02") },
		{ "erased_reason", tu_str("asked by the person") } };
	struct kv status = { "status", tu_str("employee") };
	struct kv unset = { "given_name", { VAL_NIL, false, 0, NULL, 0 } };
	struct nf_fix *f = *state;
	struct personal_opening o;
	struct consort_diag d;

	assert_int_equal(put_names(f->n, "T1", NAME, GIVEN, PUT_ADD), 1);
	assert_int_equal(nf_put(f->n, "trainee", "T1", erase, 2, PUT_SET), 1);
	assert_int_equal(tu_openings(&f->n->store), 0);
	o = opening(f->n, "T1", F_trainee_family_name, tu_str(NAME));
	assert_err(put_opening(f->n, &o, &d), E(ERASED));
	assert_null(strstr(d.what, NAME));
	assert_err(put_names(f->n, "T1", "Kowalczyk", NULL, PUT_SET), E(ERASED));
	assert_err(nf_put(f->n, "trainee", "T1", &(struct kv){ "disability",
	    tu_bool(true) }, 1, PUT_SET), E(ERASED));
	assert_int_equal(tu_openings(&f->n->store), 0);
	assert_int_equal(nf_put(f->n, "trainee", "T1", &status, 1, PUT_SET), 1);
	assert_int_equal(nf_put(f->n, "trainee", "T1", &unset, 1, PUT_SET), 1);
	/* the erasure outlives the record */
	assert_ok(tu_del(f->n, "trainee", "T1"));
	assert_err(put_names(f->n, "T1", "Kowalczyk", NULL, PUT_ADD), E(ERASED));
	assert_err(put_opening(f->n, &o, &d), E(ERASED));
	assert_int_equal(nf_put(f->n, "trainee", "T1", &status, 1, PUT_ADD), 1);
	assert_string_equal(nf_shown(f->n, "trainee", "T1", "erased"),
	    "2026-03-02");
	assert_string_equal(nf_shown(f->n, "trainee", "T1", "erased_reason"),
	    "asked by the person");
	assert_int_equal(tu_openings(&f->n->store), 0);
}

/*
 * personal_open_record shows, beside each commitment, the value the node
 * can read, and leaves the others as commitments (VAL_BIN); an opened
 * record is for reading: record_save() refuses it.
 */
static void
test_open_record(void **state)
{
	struct kv year = { "birth_year", tu_int(1989) };
	struct nf_fix *f = *state;
	const struct entry *e;
	const struct value *v;
	msgpack_sbuffer buf;
	struct record r;
	struct store_txn *txn;
	uint8_t pk[CONSORT_KEY_BYTES], sk[64];

	assert_int_equal(put_names(f->n, "T1", NAME, NULL, PUT_ADD), 1);
	assert_int_equal(nf_put(f->n, "trainee", "T1", &year, 1, PUT_SET), 1);
	/* the given name sealed under another key: unreadable here */
	crypto_sign_keypair(pk, sk);
	assert_ok(personal_key_init(&f->n->store, sk));
	assert_int_equal(nf_put(f->n, "trainee", "T1", &(struct kv){
	    "given_name", tu_str(GIVEN) }, 1, PUT_SET), 1);
	assert_ok(personal_key_init(&f->n->store, f->n->sk));
	sodium_memzero(sk, sizeof(sk));

	record_init(&r);
	msgpack_sbuffer_init(&buf);
	assert_ok(store_begin(&f->n->store, true, &txn));
	assert_ok(state_lookup(txn, &f->n->store, f->n->founder, T_trainee,
	    "T1", 2, &r));
	assert_false(r.opened);
	v = state_field(&f->n->store, &r, F_trainee_family_name);
	assert_int_equal(v->kind, VAL_BIN);
	assert_ok(personal_open_record(txn, &f->n->store, &r));
	assert_true(r.opened);
	assert_true(tu_is_str(state_field(&f->n->store, &r,
	    F_trainee_family_name), NAME));
	/* the entry keeps its commitment; the value is shown beside it */
	e = &r.pool[r.fields[F_trainee_family_name].off];
	assert_int_equal(e->val.kind, VAL_BIN);
	assert_true(tu_is_str(record_shown(&r, e), NAME));
	v = state_field(&f->n->store, &r, F_trainee_birth_year);
	assert_int_equal(v->kind, VAL_INT);
	assert_int_equal(v->i, 1989);
	v = state_field(&f->n->store, &r, F_trainee_given_name);
	assert_int_equal(v->kind, VAL_BIN);
	assert_int_equal(v->len, CONSORT_COMMIT_BYTES);
	assert_err(record_save(txn, &f->n->store, &r, &buf), E(INVAL));
	store_abort(txn);
	record_free(&r);
	assert_null(r.clear);
	assert_false(r.opened);

	/* state_lookup opens them itself when the store asks it to */
	f->n->store.open_personal = true;
	assert_ok(store_begin(&f->n->store, false, &txn));
	assert_ok(state_lookup(txn, &f->n->store, f->n->founder, T_trainee,
	    "T1", 2, &r));
	assert_true(r.opened);
	assert_true(tu_is_str(state_field(&f->n->store, &r,
	    F_trainee_family_name), NAME));
	store_abort(txn);
	record_free(&r);
	msgpack_sbuffer_destroy(&buf);
}

/*
 * A trainee's ref that holds its family name or France Travail id is
 * refused; another is not.
 */
static void
test_ref_without_name(void **state)
{
	struct nf_fix *f = *state;
	struct consort_diag d = { 0 };
	struct field_input in;
	struct edit e;
	bool changed;

	assert_err(put_names(f->n, "DURAND-01", "Durand", NULL, PUT_ADD),
	    E(SCHEMA));
	assert_err(put_names(f->n, "t-durand", "DURAND", NULL, PUT_ADD),
	    E(SCHEMA));
	assert_int_equal(nf_own_seq(f->n), 1);
	/* the refusal says why, and what to do */
	in.f = schema_field_by_name(schema_type(T_trainee), "family_name", 11);
	in.v = tu_str("Durand");
	assert_ok(edit_begin(f->n, &e));
	assert_err(records_put(&e, schema_type(T_trainee), "DURAND-01", 9, &in,
	    1, PUT_ADD, true, &changed, &d), E(SCHEMA));
	edit_abort(&e);
	assert_non_null(strstr(d.what, "family name"));
	assert_true(d.hint[0] != '\0');
	assert_null(strstr(d.what, "Durand"));
	/* a ref without it; a one-letter family name is no finding */
	assert_int_equal(put_names(f->n, "T-0042", "Durand", NULL, PUT_ADD), 1);
	assert_int_equal(put_names(f->n, "T-0043", "O", NULL, PUT_ADD), 1);
	/* a name only as a word of its own: inside another word it is not */
	assert_int_equal(put_names(f->n, "TBUNDLE", "Bundle", NULL, PUT_ADD), 1);
	assert_err(put_names(f->n, "T-BUNDLE2", "Bundle", NULL, PUT_ADD),
	    E(SCHEMA));
	/* nor its France Travail id */
	in.f = schema_field_by_name(schema_type(T_trainee), "ft_id", 5);
	in.v = tu_str("1234567Z");
	assert_ok(edit_begin(f->n, &e));
	assert_err(records_put(&e, schema_type(T_trainee), "FT-1234567z", 11,
	    &in, 1, PUT_ADD, true, &changed, &d), E(SCHEMA));
	edit_abort(&e);
	assert_non_null(strstr(d.what, "France Travail id"));
	assert_null(strstr(d.what, "1234567"));
	/* not a trainee: an intent's employer may be in its ref */
	assert_int_equal(nf_put(f->n, "intent", "DURAND-01", &(struct kv){
	    "employer", tu_str("Durand") }, 1, PUT_ADD), 1);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, nf_setup_node, nf_teardown)
	const struct CMUnitTest tests[] = {
		T(test_commit_check),
		T(test_put_get),
		T(test_sealed_at_rest),
		T(test_get_without_key),
		T(test_erase),
		T(test_put_after_erasure),
		T(test_open_record),
		T(test_ref_without_name),
	};
#undef T

	return cmocka_run_group_tests_name("personal", tests, tu_group_setup,
	    NULL);
}
