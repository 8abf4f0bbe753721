/*
 * Unit tests of perm.c and perm-order.c: who may edit what, judged in each
 * change-set's causal past.  Node A is the lead (node_init, records_put);
 * B and C are co-contractors and D a subcontractor of B, hand-driven key
 * pairs whose change-sets are built op by op (as a dishonest member's
 * would be) and received by A, where every op they may not make is
 * refused.  The same checks refuse a local edit of A at once.
 */
#include "testutil.h"
#include "order.h"

#define SIRET_B "83046172900451"
#define SIRET_C "50324917900212"
#define SIRET_D "73282932000074"
#define SIGNED_MAX 32

/* A personal value a hand-driven author committed to, and its commitment. */
struct signed_value {
	uint8_t commitment[CONSORT_COMMIT_BYTES];
	char text[64];
};

/* The lead A, co-contractors B and C, subcontractor D of B. */
struct fix {
	char *dir;
	struct node *a;
	struct tu_author b, c, d;
	struct cs_builder cb;
	char buf[256];
	char why[256];  /* the reason of the last change-set's first refusal */
	/* what the hand-driven authors' commitments stand for */
	struct signed_value sv[SIGNED_MAX];
	unsigned nsv;
	unsigned count;  /* conflicts counted by r11_conflicts */
};

/* Writes one record in one local change-set of node n. */
static int
put(struct node *n, const char *type, const char *ref, const struct kv *kv,
    unsigned nkv, enum put_mode mode)
{
	struct field_input in[SCHEMA_MAX_FIELDS];
	const struct schema_type *t = schema_type_by_name(type);
	struct consort_diag d = { 0 };
	struct edit e;
	bool changed;
	unsigned i;
	int rc;

	assert_non_null(t);
	for (i = 0; i < nkv; i++) {
		in[i].f = schema_field_by_name(t, kv[i].name, strlen(kv[i].name));
		assert_non_null(in[i].f);
		in[i].v = kv[i].v;
	}
	assert_ok(edit_begin(n, &e));
	if ((rc = records_put(&e, t, ref, strlen(ref), in, nkv, mode, false,
	    &changed, &d)) != 0) {
		edit_abort(&e);
		return rc;
	}
	return edit_commit(&e);
}

/* Binds a member's key on the lead (a co-contractor, or a subcontractor). */
static void
bind_member(struct fix *f, const char *siret, enum member_role role,
    const struct tu_author *p)
{
	struct roster_invite rq = { role == ROLE_SUB ? "Sous-Traitant D" : NULL,
		siret, role, { 0 }, role == ROLE_SUB ? SIRET_B : NULL,
		role == ROLE_SUB ? "DC4-2026-001" : NULL };
	struct consort_diag d = { 0 };
	struct edit e;

	memcpy(rq.key, p->pk, CONSORT_KEY_BYTES);
	assert_ok(edit_begin(f->a, &e));
	assert_ok(roster_invite(&e, &rq, &d));
	assert_ok(edit_commit(&e));
}

/*
 * Per-test setup: the lead A with B and C awarded, D a subcontractor of B,
 * a lot, sessions of A (SA), B (SB, SB2), D (SD) and one without a
 * provider (SN), paths PA (in SA) and PB (in SB), the lead's derogation DA.
 */
static int
setup(void **state)
{
	struct genesis_member co[2] = {
		{ "Co Formation B", SIRET_B }, { "Co Formation C", SIRET_C },
	};
	struct genesis g = {
		"Consortium Test", "MKT-2026-01",
		{ "Lead Formation", TU_LEAD_SIRET }, co, 2
	};
	struct kv lot[2] = { { "sector", tu_str("B") }, { "rate_cents",
		tu_int(1000) } };
	struct kv sess[2] = { { "lot", tu_str("LOT-A") }, { "provider",
		tu_str(TU_LEAD_SIRET) } };
	struct kv path[2] = { { "session", tu_str("SA") }, { "hours",
		tu_int(100) } };
	struct kv derog[3] = { { "session", tu_str("SA") }, { "rule",
		tu_str("R05") }, { "reason", tu_str("Lead") } };
	struct consort_diag d = { 0 };
	struct fix *f = calloc(1, sizeof(*f));
	char path_a[4096];

	if (f == NULL || (f->dir = tu_mkdtemp()) == NULL)
		return -1;
	tu_path(path_a, sizeof(path_a), f->dir, "a");
	if (node_init(path_a, &g, NULL, 0, &f->a, &d) != 0)
		return -1;
	tu_author_init(&f->b, 0xb0);
	tu_author_init(&f->c, 0xc0);
	tu_author_init(&f->d, 0xd0);
	csb_init(&f->cb);
	bind_member(f, SIRET_B, ROLE_CO, &f->b);
	bind_member(f, SIRET_C, ROLE_CO, &f->c);
	bind_member(f, SIRET_D, ROLE_SUB, &f->d);
	assert_ok(put(f->a, "lot", "LOT-A", lot, 2, PUT_ADD));
	assert_ok(put(f->a, "lot", "LOT-B", lot, 2, PUT_ADD));
	assert_ok(put(f->a, "session", "SA", sess, 2, PUT_ADD));
	sess[1].v = tu_str(SIRET_B);
	assert_ok(put(f->a, "session", "SB", sess, 2, PUT_ADD));
	assert_ok(put(f->a, "session", "SB2", sess, 2, PUT_ADD));
	sess[1].v = tu_str(SIRET_D);
	assert_ok(put(f->a, "session", "SD", sess, 2, PUT_ADD));
	assert_ok(put(f->a, "session", "SN", sess, 1, PUT_ADD));
	assert_ok(put(f->a, "path", "PA", path, 2, PUT_ADD));
	path[0].v = tu_str("SB");
	assert_ok(put(f->a, "path", "PB", path, 2, PUT_ADD));
	assert_ok(put(f->a, "derogation", "DA", derog, 3, PUT_ADD));
	*state = f;
	return 0;
}

/* Per-test teardown. */
static int
teardown(void **state)
{
	struct fix *f = *state;

	csb_free(&f->cb);
	node_close(f->a);
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

/*
 * Replaces a personal string value by a commitment to it (a random salt),
 * as an honest member signs it, and notes what the commitment stands for.
 */
static void
commit_value(struct fix *f, const struct schema_type *t,
    const uint8_t id[CONSORT_EID_BYTES], const struct schema_field *fl,
    struct value *v)
{
	uint8_t salt[CONSORT_SALT_BYTES];
	struct signed_value *sv;

	assert_true(f->nsv < SIGNED_MAX);
	assert_int_equal(v->kind, VAL_STR);
	sv = &f->sv[f->nsv++];
	personal_commit_new(t->id, id, fl->id, v, salt, sv->commitment);
	snprintf(sv->text, sizeof(sv->text), "%.*s", (int)v->len, v->s);
	v->kind = VAL_BIN;
	v->s = (const char *)sv->commitment;
	v->len = CONSORT_COMMIT_BYTES;
}

/* Adds an op on (type, ref) to the builder; field NULL for create/delete. */
static void
op(struct fix *f, unsigned kind, const char *type, const char *ref,
    const char *field, struct value v)
{
	const struct schema_type *t = schema_type_by_name(type);
	const struct schema_field *fl = field == NULL ? NULL :
	    schema_field_by_name(t, field, strlen(field));
	uint8_t id[CONSORT_EID_BYTES];
	struct value rv = tu_str(ref);

	assert_non_null(t);
	node_entity_id(f->a, t->id, ref, strlen(ref), id);
	if (kind == OP_SET && fl != NULL && fl->personal)
		commit_value(f, t, id, fl, &v);
	if (kind == OP_CREATE)
		csb_op(&f->cb, OP_CREATE, t->id, id, 0, &rv);
	else if (kind == OP_DELETE)
		csb_op(&f->cb, OP_DELETE, t->id, id, 0, NULL);
	else if (kind == OP_UNSET)
		csb_op(&f->cb, OP_UNSET, t->id, id, schema_field_by_name(t, field,
		    strlen(field))->id, NULL);
	else
		csb_op(&f->cb, kind, t->id, id, schema_field_by_name(t, field,
		    strlen(field))->id, &v);
}

/* The deps of a change-set that saw everything store s holds but its own. */
static uint32_t
deps_of(struct store *s, const uint8_t *self, struct cs_dep *deps)
{
	struct store_txn *txn;
	struct head h;
	uint32_t i, n = 0;

	assert_ok(store_begin(s, false, &txn));
	assert_ok(store_load_authors(txn, s));
	for (i = 0; i < s->nauthors; i++) {
		if (memcmp(s->authors[i], self, CONSORT_KEY_BYTES) == 0)
			continue;
		assert_ok(store_head(txn, s, s->authors[i], &h));
		memcpy(deps[n].author, s->authors[i], CONSORT_KEY_BYTES);
		deps[n].seq = h.seq;
		memcpy(deps[n].hash, h.id, CONSORT_HASH_BYTES);
		n++;
	}
	store_abort(txn);
	return n;
}

/*
 * Receives a change-set into a store; returns how many of its ops were
 * refused, and the reason of the first in why (as the store recorded it).
 */
static uint64_t
receive_why(struct store *s, const uint8_t *consortium, const struct tu_cs *cs,
    char *why, size_t whylen)
{
	uint8_t id[CONSORT_HASH_BYTES];
	struct log_receipt r = { 0 };
	struct consort_diag d = { 0 };
	struct mp_reader rd;
	struct value err;
	const char *w;
	uint64_t u;
	uint32_t n, wl;
	struct store_txn *txn;
	struct store_val v;

	assert_ok(store_begin(s, true, &txn));
	if (log_receive(txn, s, cs->p, cs->len, consortium, &r, &d) != 0)
		fail_msg("receive: %s %s", d.where, d.what);
	assert_ok(log_finish_batch(txn, s, consortium, &r, &d));
	assert_ok(store_commit(txn));
	assert_int_equal(r.applied, 1);
	snprintf(why, whylen, "(none)");
	keys_hash(id, cs->p, cs->len - CONSORT_SIG_BYTES);
	assert_ok(store_begin(s, false, &txn));
	if (store_get(txn, s, TB_REFUSED, id, sizeof(id), &v) == 0) {
		/* [op index, count, error, reason] */
		mp_reader_init(&rd, v.data, v.len);
		assert_ok(mp_read_array(&rd, &n));
		assert_ok(mp_read_uint(&rd, &u));
		assert_ok(mp_read_uint(&rd, &u));
		assert_ok(mp_read_value(&rd, &err));
		assert_ok(mp_read_str(&rd, &w, &wl));
		snprintf(why, whylen, "%.*s", (int)wl, w);
	}
	store_abort(txn);
	return r.refused_ops;
}

/* receive_why without the reason. */
static uint64_t
receive(struct store *s, const uint8_t *consortium, const struct tu_cs *cs)
{
	char why[256];

	return receive_why(s, consortium, cs, why, sizeof(why));
}

/* Fails unless the last change-set A received was refused for why. */
#define assert_why(f, text) do {					\
	if (strstr((f)->why, (text)) == NULL)				\
		fail_msg("refused for \"%s\", expected \"%s\"",	\
		    (f)->why, (text));					\
} while (0)

/*
 * Signs the builder's ops as p's next change-set, having seen everything A
 * holds, and has A receive it; returns how many ops A refused.
 */
static uint64_t
send_a(struct fix *f, struct tu_author *p)
{
	struct cs_dep deps[8];
	struct tu_cs cs;
	uint64_t refused;
	uint32_t n = deps_of(&f->a->store, p->pk, deps);

	cs = tu_author_sign(p, f->a->consortium, deps, n, util_now_ms() << 16,
	    &f->cb);
	refused = receive_why(&f->a->store, f->a->consortium, &cs, f->why,
	    sizeof(f->why));
	tu_cs_free(&cs);
	return refused;
}

/* The text a hand-driven author's commitment stands for, or NULL. */
static const char *
signed_text(const struct fix *f, const struct value *v)
{
	unsigned i;

	for (i = 0; i < f->nsv; i++)
		if (v->len == CONSORT_COMMIT_BYTES &&
		    memcmp(v->s, f->sv[i].commitment, v->len) == 0)
			return f->sv[i].text;
	return NULL;
}

/*
 * A field of a record of A as text: "(none)" unset, "(dead)" no live
 * record.  A personal value is A's own, opened, or one of the hand-driven
 * authors' commitments, shown as the text it stands for.
 */
static const char *
shown(struct fix *f, const char *type, const char *ref, const char *field)
{
	const struct schema_type *t = schema_type_by_name(type);
	const struct value *v;
	struct record r;
	struct store_txn *txn;

	record_init(&r);
	assert_ok(store_begin(&f->a->store, false, &txn));
	assert_ok(store_load_authors(txn, &f->a->store));
	assert_ok(state_lookup(txn, &f->a->store, f->a->founder, t->id, ref,
	    strlen(ref), &r));
	assert_ok(personal_open_record(txn, &f->a->store, &r));
	if (!record_alive(&f->a->store, &r))
		snprintf(f->buf, sizeof(f->buf), "(dead)");
	else if ((v = state_field(&f->a->store, &r, schema_field_by_name(t,
	    field, strlen(field))->id)) == NULL)
		snprintf(f->buf, sizeof(f->buf), "(none)");
	else if (v->kind == VAL_INT)
		snprintf(f->buf, sizeof(f->buf), "%lld", (long long)v->i);
	else if (v->kind == VAL_STR)
		snprintf(f->buf, sizeof(f->buf), "%.*s", (int)v->len, v->s);
	else if (v->kind == VAL_BIN)
		snprintf(f->buf, sizeof(f->buf), "%s", signed_text(f, v) ?
		    signed_text(f, v) : "(sealed)");
	else
		snprintf(f->buf, sizeof(f->buf), "%s", v->b ? "true" : "false");
	store_abort(txn);
	record_free(&r);
	return f->buf;
}

/* A path moved out of another provider's session, or into one: refused. */
static void
test_path_session(void **state)
{
	struct fix *f = *state;

	/* B moves the lead's PA into its own SB, then edits it */
	op(f, OP_SET, "path", "PA", "session", tu_str("SB"));
	op(f, OP_SET, "path", "PA", "hours", tu_int(1));
	assert_int_equal(send_a(f, &f->b), 2);
	assert_why(f, "the path belongs to a session run by another provider");
	assert_string_equal(shown(f, "path", "PA", "session"), "SA");
	assert_string_equal(shown(f, "path", "PA", "hours"), "100");
	/* B moves its own PB into the lead's SA */
	op(f, OP_SET, "path", "PB", "session", tu_str("SA"));
	assert_int_equal(send_a(f, &f->b), 1);
	assert_why(f, "the path's new session is run by another provider");
	assert_string_equal(shown(f, "path", "PB", "session"), "SB");
	/* re-creating PA in its own session is no way round */
	op(f, OP_CREATE, "path", "PA", NULL, tu_str(""));
	op(f, OP_SET, "path", "PA", "session", tu_str("SB"));
	assert_int_equal(send_a(f, &f->b), 2);
	assert_string_equal(shown(f, "path", "PA", "session"), "SA");
	/* between its own sessions, and its subcontractor's: allowed */
	op(f, OP_SET, "path", "PB", "session", tu_str("SB2"));
	assert_int_equal(send_a(f, &f->b), 0);
	op(f, OP_SET, "path", "PB", "session", tu_str("SD"));
	assert_int_equal(send_a(f, &f->b), 0);
	assert_string_equal(shown(f, "path", "PB", "session"), "SD");
	/* D, in its own session; C, a third member, may not touch it */
	op(f, OP_SET, "path", "PB", "hours", tu_int(7));
	assert_int_equal(send_a(f, &f->d), 0);
	op(f, OP_SET, "path", "PB", "hours", tu_int(8));
	assert_int_equal(send_a(f, &f->c), 1);
	op(f, OP_SET, "path", "PB", "session", tu_str("SA"));
	assert_int_equal(send_a(f, &f->d), 1);
	assert_string_equal(shown(f, "path", "PB", "hours"), "7");
	/* a new path in one's own session, fields before the session op */
	op(f, OP_CREATE, "path", "PC", NULL, tu_str(""));
	op(f, OP_SET, "path", "PC", "hours", tu_int(3));
	op(f, OP_SET, "path", "PC", "session", tu_str("SB"));
	assert_int_equal(send_a(f, &f->b), 0);
	assert_string_equal(shown(f, "path", "PC", "hours"), "3");
	/* one without a session: the lead's */
	op(f, OP_CREATE, "path", "PX", NULL, tu_str(""));
	op(f, OP_SET, "path", "PX", "hours", tu_int(3));
	assert_int_equal(send_a(f, &f->b), 2);
	assert_why(f, "a path without a session is edited by the lead only");
	assert_string_equal(shown(f, "path", "PX", "hours"), "(dead)");
}

/* A session without a provider is the lead's; a member creates its own. */
static void
test_session_provider(void **state)
{
	struct fix *f = *state;
	struct kv own[2] = { { "lot", tu_str("LOT-A") }, { "provider",
		tu_str(SIRET_B) } };
	struct kv title = { "title", tu_str("Local") };
	struct kv prov = { "provider", tu_str(SIRET_B) };

	/* claims of SN, as a plain set and as a re-creation */
	op(f, OP_SET, "session", "SN", "provider", tu_str(SIRET_B));
	op(f, OP_SET, "session", "SN", "title", tu_str("Prise"));
	assert_int_equal(send_a(f, &f->b), 2);
	assert_why(f, "a session without a provider is edited by the lead only");
	op(f, OP_CREATE, "session", "SN", NULL, tu_str(""));
	op(f, OP_SET, "session", "SN", "provider", tu_str(SIRET_B));
	assert_int_equal(send_a(f, &f->b), 2);
	assert_string_equal(shown(f, "session", "SN", "provider"), "(none)");
	/* its own: create, fields, provider last, in one change-set */
	op(f, OP_CREATE, "session", "SX", NULL, tu_str(""));
	op(f, OP_SET, "session", "SX", "title", tu_str("Own"));
	op(f, OP_SET, "session", "SX", "provider", tu_str(SIRET_B));
	assert_int_equal(send_a(f, &f->b), 0);
	assert_string_equal(shown(f, "session", "SX", "title"), "Own");
	/* another's provider, or none: refused whole */
	op(f, OP_CREATE, "session", "SY", NULL, tu_str(""));
	op(f, OP_SET, "session", "SY", "provider", tu_str(SIRET_C));
	assert_int_equal(send_a(f, &f->b), 2);
	assert_why(f, "a member may only name itself");
	op(f, OP_CREATE, "session", "SY", NULL, tu_str(""));
	op(f, OP_SET, "session", "SY", "title", tu_str("Anonymous"));
	assert_int_equal(send_a(f, &f->b), 2);
	assert_string_equal(shown(f, "session", "SY", "title"), "(dead)");
	/* B for its subcontractor D; D never for B */
	op(f, OP_CREATE, "session", "SZ", NULL, tu_str(""));
	op(f, OP_SET, "session", "SZ", "provider", tu_str(SIRET_D));
	assert_int_equal(send_a(f, &f->b), 0);
	op(f, OP_SET, "session", "SZ", "title", tu_str("Sub"));
	assert_int_equal(send_a(f, &f->d), 0);
	op(f, OP_SET, "session", "SZ", "provider", tu_str(SIRET_B));
	assert_int_equal(send_a(f, &f->d), 1);
	op(f, OP_CREATE, "session", "SW", NULL, tu_str(""));
	op(f, OP_SET, "session", "SW", "provider", tu_str(SIRET_B));
	assert_int_equal(send_a(f, &f->d), 2);
	/* the lead assigns SN; then its provider edits it */
	assert_ok(put(f->a, "session", "SN", &prov, 1, PUT_SET));
	op(f, OP_SET, "session", "SN", "title", tu_str("Assigned"));
	assert_int_equal(send_a(f, &f->b), 0);
	assert_string_equal(shown(f, "session", "SN", "title"), "Assigned");
	/* the lead edits anything; a local write meets the same check */
	assert_ok(put(f->a, "session", "SX", &title, 1, PUT_SET));
	assert_ok(put(f->a, "session", "SL", own, 2, PUT_ADD));
}

/* Derogations: by whoever may edit the session they name, or the lead. */
static void
test_derogation(void **state)
{
	struct fix *f = *state;

	op(f, OP_CREATE, "derogation", "DB1", NULL, tu_str(""));
	op(f, OP_SET, "derogation", "DB1", "rule", tu_str("R05"));
	op(f, OP_SET, "derogation", "DB1", "session", tu_str("SA"));
	assert_int_equal(send_a(f, &f->b), 3);
	assert_why(f, "the derogation is about a session run by another provider");
	assert_string_equal(shown(f, "derogation", "DB1", "rule"), "(dead)");
	/* on its own session; then moved to the lead's: refused */
	op(f, OP_CREATE, "derogation", "DB2", NULL, tu_str(""));
	op(f, OP_SET, "derogation", "DB2", "rule", tu_str("R05"));
	op(f, OP_SET, "derogation", "DB2", "session", tu_str("SB"));
	assert_int_equal(send_a(f, &f->b), 0);
	op(f, OP_SET, "derogation", "DB2", "session", tu_str("SA"));
	assert_int_equal(send_a(f, &f->b), 1);
	assert_string_equal(shown(f, "derogation", "DB2", "session"), "SB");
	/* naming only an intent: the lead's */
	op(f, OP_CREATE, "derogation", "DB3", NULL, tu_str(""));
	op(f, OP_SET, "derogation", "DB3", "intent", tu_str("I1"));
	assert_int_equal(send_a(f, &f->b), 2);
	assert_why(f, "a derogation without a session is recorded by the lead only");
	/* the lead's derogation: neither changed nor deleted by B */
	op(f, OP_SET, "derogation", "DA", "reason", tu_str("Changed"));
	assert_int_equal(send_a(f, &f->b), 1);
	op(f, OP_DELETE, "derogation", "DA", NULL, tu_str(""));
	assert_int_equal(send_a(f, &f->b), 1);
	assert_string_equal(shown(f, "derogation", "DA", "reason"), "Lead");
	/* a subcontractor on its session; its parent too; C never */
	op(f, OP_CREATE, "derogation", "DD", NULL, tu_str(""));
	op(f, OP_SET, "derogation", "DD", "session", tu_str("SD"));
	assert_int_equal(send_a(f, &f->d), 0);
	op(f, OP_SET, "derogation", "DD", "reason", tu_str("Parent"));
	assert_int_equal(send_a(f, &f->b), 0);
	op(f, OP_SET, "derogation", "DD", "reason", tu_str("Third"));
	assert_int_equal(send_a(f, &f->c), 1);
	assert_string_equal(shown(f, "derogation", "DD", "reason"), "Parent");
}

/* Adds the ops of an agreement B, C or D records on session (or none). */
static void
agreement_ops(struct fix *f, unsigned kind, const char *ref,
    const char *session)
{
	if (kind == OP_CREATE)
		op(f, OP_CREATE, "agreement", ref, NULL, tu_str(""));
	op(f, OP_SET, "agreement", ref, "reference", tu_str("DR-2026-014"));
	op(f, OP_SET, "agreement", ref, "date", tu_str("2026-02-01"));
	op(f, OP_SET, "agreement", ref, "subject", tu_str("territory"));
	if (session != NULL)
		op(f, OP_SET, "agreement", ref, "session", tu_str(session));
}

/*
 * The Region's agreements: the lead, a co-contractor for its sessions and
 * its subcontractors', never a subcontractor nor a third member; one
 * without a session is the lead's; locally, the lead's needs its
 * reference, date and subject.
 */
static void
test_agreement(void **state)
{
	struct fix *f = *state;
	struct kv lead[4] = { { "reference", tu_str("DR-2026-001") },
		{ "date", tu_str("2026-02-01") }, { "subject",
		tu_str("group_size") }, { "session", tu_str("SA") } };
	struct kv none = { "reference", { VAL_NIL, false, 0, NULL, 0 } };

	/* the lead's own, locally; never without its reference */
	assert_ok(put(f->a, "agreement", "AA", lead, 4, PUT_ADD));
	assert_int_equal(put(f->a, "agreement", "AX", lead + 1, 3, PUT_ADD),
	    E(SCHEMA));
	assert_int_equal(put(f->a, "agreement", "AA", &none, 1, PUT_SET),
	    E(SCHEMA));
	/* B on the lead's session: refused whole */
	agreement_ops(f, OP_CREATE, "AB1", "SA");
	assert_int_equal(send_a(f, &f->b), 5);
	assert_why(f, "the agreement is about a session run by another provider");
	assert_string_equal(shown(f, "agreement", "AB1", "reference"), "(dead)");
	/* B on its own session and on its subcontractor's */
	agreement_ops(f, OP_CREATE, "AB2", "SB");
	assert_int_equal(send_a(f, &f->b), 0);
	agreement_ops(f, OP_CREATE, "AB3", "SD");
	assert_int_equal(send_a(f, &f->b), 0);
	assert_string_equal(shown(f, "agreement", "AB3", "session"), "SD");
	/* moved to the lead's session, or edited by C, a third member */
	op(f, OP_SET, "agreement", "AB2", "session", tu_str("SA"));
	assert_int_equal(send_a(f, &f->b), 1);
	assert_why(f, "the agreement's new session is run by another provider");
	op(f, OP_SET, "agreement", "AB2", "reference", tu_str("Forged"));
	assert_int_equal(send_a(f, &f->c), 1);
	assert_string_equal(shown(f, "agreement", "AB2", "reference"),
	    "DR-2026-014");
	assert_string_equal(shown(f, "agreement", "AB2", "session"), "SB");
	/* a subcontractor records none, even on its own session */
	agreement_ops(f, OP_CREATE, "AD1", "SD");
	assert_int_equal(send_a(f, &f->d), 5);
	assert_why(f, "a subcontractor records no agreement of the Region");
	op(f, OP_SET, "agreement", "AB3", "note", tu_str("Sub"));
	assert_int_equal(send_a(f, &f->d), 1);
	assert_string_equal(shown(f, "agreement", "AB3", "note"), "(none)");
	/* without a session: the lead's */
	agreement_ops(f, OP_CREATE, "AB4", NULL);
	assert_int_equal(send_a(f, &f->b), 4);
	assert_why(f, "an agreement without a session is recorded by the lead only");
	/* the lead's: neither changed nor deleted by B */
	op(f, OP_SET, "agreement", "AA", "date", tu_str("2026-03-01"));
	assert_int_equal(send_a(f, &f->b), 1);
	op(f, OP_DELETE, "agreement", "AA", NULL, tu_str(""));
	assert_int_equal(send_a(f, &f->b), 1);
	assert_string_equal(shown(f, "agreement", "AA", "date"), "2026-02-01");
	/* a derogation of B's cites B's agreement */
	op(f, OP_CREATE, "derogation", "DB9", NULL, tu_str(""));
	op(f, OP_SET, "derogation", "DB9", "session", tu_str("SB"));
	op(f, OP_SET, "derogation", "DB9", "agreement", tu_str("AB2"));
	assert_int_equal(send_a(f, &f->b), 0);
	assert_string_equal(shown(f, "derogation", "DB9", "agreement"), "AB2");
}

/* Adds the ops of attendance an author records for path on day. */
static void
attendance_ops(struct fix *f, const char *path, const char *day,
    int64_t hours)
{
	char ref[64];

	snprintf(ref, sizeof(ref), "%s@%s", path, day);
	op(f, OP_CREATE, "attendance", ref, NULL, tu_str(""));
	op(f, OP_SET, "attendance", ref, "path", tu_str(path));
	op(f, OP_SET, "attendance", ref, "date", tu_str(day));
	op(f, OP_SET, "attendance", ref, "hours", tu_int(hours));
}

/*
 * Attendance belongs to its path's session: the provider running it (a
 * co-contractor for its subcontractor's too) and the lead record it, no
 * third member; it follows its path when the path moves; without a path
 * it is the lead's.  Locally, its ref is its path and day or month.
 */
static void
test_attendance(void **state)
{
	struct fix *f = *state;
	struct kv path[2] = { { "session", tu_str("SD") }, { "hours",
		tu_int(100) } };
	struct kv day[3] = { { "path", tu_str("PA") }, { "date",
		tu_str("2026-03-02") }, { "hours", tu_int(7) } };
	struct kv both[4] = { { "path", tu_str("PA") }, { "date",
		tu_str("2026-03-02") }, { "month", tu_str("2026-03") },
		{ "minutes", tu_int(30) } };
	struct kv none = { "hours", { VAL_NIL, false, 0, NULL, 0 } };
	struct kv much = { "hours", tu_int(25) };

	assert_ok(put(f->a, "path", "PD", path, 2, PUT_ADD));
	/* the lead's, locally: its ref, one day or month, some time */
	assert_ok(put(f->a, "attendance", "PA@2026-03-02", day, 3, PUT_ADD));
	assert_int_equal(put(f->a, "attendance", "PA-2026-03-02", day, 3,
	    PUT_ADD), E(SCHEMA));
	assert_int_equal(put(f->a, "attendance", "PA@2026-03", day, 3,
	    PUT_ADD), E(SCHEMA));
	assert_int_equal(put(f->a, "attendance", "PA@2026-03-02", both, 4,
	    PUT_UPSERT), E(SCHEMA));
	assert_int_equal(put(f->a, "attendance", "PA@2026-03-02", &none, 1,
	    PUT_SET), E(SCHEMA));
	assert_int_equal(put(f->a, "attendance", "PA@2026-03-02", &much, 1,
	    PUT_SET), E(SCHEMA));
	assert_int_equal(put(f->a, "attendance", "PA@2026-03", both + 2, 2,
	    PUT_ADD), E(SCHEMA));  /* no path */
	both[1] = both[0];
	assert_ok(put(f->a, "attendance", "PA@2026-03", both + 1, 3, PUT_ADD));
	/* B on the lead's path: refused whole */
	attendance_ops(f, "PA", "2026-03-03", 7);
	assert_int_equal(send_a(f, &f->b), 4);
	assert_why(f, "the attendance is of a path of a session run by another "
	    "provider");
	assert_string_equal(shown(f, "attendance", "PA@2026-03-03", "hours"),
	    "(dead)");
	op(f, OP_SET, "attendance", "PA@2026-03-02", "hours", tu_int(1));
	assert_int_equal(send_a(f, &f->b), 1);
	assert_string_equal(shown(f, "attendance", "PA@2026-03-02", "hours"),
	    "7");
	/* B on its own path and its subcontractor's; D on its own */
	attendance_ops(f, "PB", "2026-03-02", 7);
	assert_int_equal(send_a(f, &f->b), 0);
	attendance_ops(f, "PD", "2026-03-02", 6);
	assert_int_equal(send_a(f, &f->b), 0);
	attendance_ops(f, "PD", "2026-03-03", 5);
	assert_int_equal(send_a(f, &f->d), 0);
	assert_string_equal(shown(f, "attendance", "PD@2026-03-03", "hours"),
	    "5");
	/* C, a third member, and D on B's path: refused */
	op(f, OP_SET, "attendance", "PD@2026-03-03", "hours", tu_int(7));
	assert_int_equal(send_a(f, &f->c), 1);
	assert_why(f, "the attendance is of a path of a session run by another "
	    "provider");
	attendance_ops(f, "PB", "2026-03-03", 7);
	assert_int_equal(send_a(f, &f->d), 4);
	op(f, OP_DELETE, "attendance", "PB@2026-03-02", NULL, tu_str(""));
	assert_int_equal(send_a(f, &f->d), 1);
	assert_string_equal(shown(f, "attendance", "PB@2026-03-02", "hours"),
	    "7");
	/* moved to the lead's path: refused */
	op(f, OP_SET, "attendance", "PB@2026-03-02", "path", tu_str("PA"));
	assert_int_equal(send_a(f, &f->b), 1);
	assert_why(f, "the attendance's new path is of a session run by another "
	    "provider");
	/* without a path: the lead's */
	op(f, OP_CREATE, "attendance", "X@2026-03-02", NULL, tu_str(""));
	op(f, OP_SET, "attendance", "X@2026-03-02", "hours", tu_int(7));
	assert_int_equal(send_a(f, &f->b), 2);
	assert_why(f, "attendance without a path is recorded by the lead only");
	/* the path moves to the lead's session: its attendance with it */
	path[0].v = tu_str("SA");
	assert_ok(put(f->a, "path", "PB", path, 1, PUT_SET));
	op(f, OP_SET, "attendance", "PB@2026-03-02", "hours", tu_int(2));
	assert_int_equal(send_a(f, &f->b), 1);
	assert_string_equal(shown(f, "attendance", "PB@2026-03-02", "hours"),
	    "7");
}

/* A request body as order build writes the parts perm-order.c checks. */
static json_t *
request(struct fix *f, const char *sender_siret, const uint8_t *sender_key,
    bool direct, const char *period, int64_t cost)
{
	char cid[2 * CONSORT_HASH_BYTES + 1], lead[65], key[65];

	util_hex(cid, f->a->consortium, CONSORT_HASH_BYTES);
	util_hex(lead, f->a->founder, CONSORT_KEY_BYTES);
	util_hex(key, sender_key, CONSORT_KEY_BYTES);
	return json_pack("{s:s, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}, "
	    "s:{s:s, s:s, s:s, s:b}, s:{s:s}, s:s, s:{s:I, s:I, s:I, s:I}}",
	    "format", ORDER_FORMAT,
	    "consortium", "id", cid, "name", "Consortium Test", "market", "M",
	    "lead", "name", "Lead Formation", "siret", TU_LEAD_SIRET, "key", lead,
	    "sender", "role", direct ? "co" : "lead", "siret", sender_siret,
	    "key", key, "direct", direct,
	    "lot", "ref", "LOT-A",
	    "period", period,
	    "totals", "sessions", (json_int_t)1, "financed", (json_int_t)5,
	    "hours", (json_int_t)700, "cost_cents", (json_int_t)cost);
}

/*
 * A request of format 2: its number, and the requests of its scope it
 * replaces (numbered 1, 2, ... with these hashes), the last one amended.
 */
static json_t *
request_v2(struct fix *f, const char *sender_siret, const uint8_t *sender_key,
    bool direct, const char *period, int64_t cost, int64_t number,
    const char *const *hashes, size_t nhashes)
{
	json_t *r = request(f, sender_siret, sender_key, direct, period, cost);
	json_t *all = json_array();
	size_t i;

	for (i = 0; i < nhashes; i++)
		json_array_append_new(all, json_pack("{s:I, s:s}", "number",
		    (json_int_t)i + 1, "sha256", hashes[i]));
	json_object_set_new(r, "number", json_integer(number));
	json_object_set_new(r, "issued", json_string("2026-04-30"));
	if (nhashes > 0)
		json_object_set_new(r, "amends", json_pack("{s:I, s:s}",
		    "number", (json_int_t)nhashes, "sha256", hashes[nhashes - 1]));
	json_object_set_new(r, "replaces", all);
	return r;
}

/* Signs a request with sk; the signed file without its newline. */
static char *
signed_file(json_t *req, const uint8_t *pk, const uint8_t *sk, size_t *len)
{
	char *file;

	assert_ok(order_sign(req, pk, sk, &file, len));
	json_decref(req);
	file[--*len] = '\0';
	return file;
}

/* How the fields of an order record may be spoiled. */
enum spoil { SP_NONE, SP_COST, SP_NUMBER, SP_REF, SP_NODATE, SP_OTHER_OP,
	SP_NONCANON };

/*
 * Adds the ops recording a signed file as an order (what order_submit
 * writes), spoiled as asked; returns its ref in f->buf.
 */
static void
order_ops(struct fix *f, const char *file, size_t len, int64_t number,
    const char *amends, enum spoil sp)
{
	struct order_file of;
	const json_t *req, *t, *snd;
	char hash[65], key[65], ref[CONSORT_REF_MAX + 1], *text = NULL;
	const char *lot, *period;

	assert_ok(order_parse(file, len, NULL, &of, NULL));
	req = of.request;
	t = json_object_get(req, "totals");
	snd = json_object_get(req, "sender");
	lot = json_string_value(json_object_get(json_object_get(req, "lot"),
	    "ref"));
	period = json_string_value(json_object_get(req, "period"));
	util_hex(hash, of.hash, 32);
	util_hex(key, of.file_key, CONSORT_KEY_BYTES);
	snprintf(ref, sizeof(ref), "O-%s-%s-%.12s", lot, period,
	    sp == SP_REF ? "000000000000" : hash);
	op(f, OP_CREATE, "order", ref, NULL, tu_str(""));
	op(f, OP_SET, "order", ref, "lot", tu_str(lot));
	op(f, OP_SET, "order", ref, "period", tu_str(period));
	op(f, OP_SET, "order", ref, "hash", tu_str(hash));
	op(f, OP_SET, "order", ref, "key", tu_str(key));
	op(f, OP_SET, "order", ref, "signature", tu_str(json_string_value(
	    json_object_get(json_object_get(of.root, "signature"), "sig"))));
	if (sp != SP_NODATE)
		op(f, OP_SET, "order", ref, "date", tu_str("2026-04-30"));
	op(f, OP_SET, "order", ref, "sessions", tu_int(json_integer_value(
	    json_object_get(t, "sessions"))));
	op(f, OP_SET, "order", ref, "financed", tu_int(json_integer_value(
	    json_object_get(t, "financed"))));
	op(f, OP_SET, "order", ref, "hours", tu_int(json_integer_value(
	    json_object_get(t, "hours"))));
	op(f, OP_SET, "order", ref, "cost_cents", tu_int(json_integer_value(
	    json_object_get(t, "cost_cents")) + (sp == SP_COST)));
	op(f, OP_SET, "order", ref, "sender", tu_str(json_string_value(
	    json_object_get(snd, "siret"))));
	op(f, OP_SET, "order", ref, "direct", tu_bool(json_is_true(
	    json_object_get(snd, "direct"))));
	op(f, OP_SET, "order", ref, "number", tu_int(number + (sp == SP_NUMBER)));
	if (amends != NULL)
		op(f, OP_SET, "order", ref, "amends", tu_str(amends));
	if (sp == SP_NONCANON) {
		/* the same file, a space added: it verifies, not canonical */
		assert_non_null(text = malloc(len + 2));
		memcpy(text, file, 1);
		text[1] = ' ';
		memcpy(text + 2, file + 1, len - 1);
		op(f, OP_SET, "order", ref, "signed", (struct value){ VAL_STR,
		    false, 0, text, (uint32_t)len + 1 });
		free(text);
	} else
		op(f, OP_SET, "order", ref, "signed", (struct value){ VAL_STR,
		    false, 0, file, (uint32_t)len });
	if (sp == SP_OTHER_OP)
		op(f, OP_SET, "path", "PB", "hours", tu_int(99));
	snprintf(f->buf, sizeof(f->buf), "%s", ref);
	order_file_free(&of);
}

/* Submits a signed file on A with order_submit (a local write). */
static int
submit(struct fix *f, const char *file, size_t len, char *ref, size_t reflen)
{
	struct consort_diag d = { 0 };
	struct order_file of;
	struct edit e;
	bool already;
	int rc;

	assert_ok(order_parse(file, len, NULL, &of, NULL));
	assert_ok(edit_begin(f->a, &e));
	rc = order_submit(&e, &of, ref, reflen, &already, &d);
	order_file_free(&of);
	if (rc != 0) {
		edit_abort(&e);
		return rc;
	}
	return edit_commit(&e);
}

/* Adds the ops of a notice by member to lead. */
static void
notice_ops(struct fix *f, const char *lot, const char *period,
    const char *member, const char *lead)
{
	char ref[CONSORT_REF_MAX + 1];

	snprintf(ref, sizeof(ref), "N-%s-%s-%s", lot, period, member);
	op(f, OP_CREATE, "notice", ref, NULL, tu_str(""));
	op(f, OP_SET, "notice", ref, "lot", tu_str(lot));
	op(f, OP_SET, "notice", ref, "period", tu_str(period));
	op(f, OP_SET, "notice", ref, "member", tu_str(member));
	op(f, OP_SET, "notice", ref, "lead", tu_str(lead));
	op(f, OP_SET, "notice", ref, "date", tu_str("2026-04-01"));
}

/* The lead's orders: submitted whole, numbered, never changed by anyone. */
static void
test_order_lead(void **state)
{
	struct fix *f = *state;
	struct kv cost = { "cost_cents", tu_int(1) };
	char ref1[CONSORT_REF_MAX + 1], ref2[CONSORT_REF_MAX + 1];
	char *file;
	size_t len;

	const char *hashes[1];
	char hash1[65];

	/* a request of format 1 carries no number: rebuilt, never submitted */
	file = signed_file(request(f, TU_LEAD_SIRET, f->a->pk, false, "2026-04",
	    700000), f->a->pk, f->a->sk, &len);
	assert_err(submit(f, file, len, ref1, sizeof(ref1)), E(VERSION));
	free(file);
	/* a first request numbered 2: refused, it does not follow */
	file = signed_file(request_v2(f, TU_LEAD_SIRET, f->a->pk, false,
	    "2026-04", 700000, 2, NULL, 0), f->a->pk, f->a->sk, &len);
	assert_err(submit(f, file, len, ref1, sizeof(ref1)), E(PERM));
	free(file);
	file = signed_file(request_v2(f, TU_LEAD_SIRET, f->a->pk, false,
	    "2026-04", 700000, 1, NULL, 0), f->a->pk, f->a->sk, &len);
	assert_ok(submit(f, file, len, ref1, sizeof(ref1)));
	/* the same file again changes nothing */
	assert_ok(submit(f, file, len, ref2, sizeof(ref2)));
	assert_string_equal(ref2, ref1);
	free(file);
	assert_string_equal(shown(f, "order", ref1, "number"), "1");
	assert_string_equal(shown(f, "order", ref1, "cost_cents"), "700000");
	snprintf(hash1, sizeof(hash1), "%s", shown(f, "order", ref1, "hash"));
	hashes[0] = hash1;
	/* built before the first was submitted: a stale number, refused */
	file = signed_file(request_v2(f, TU_LEAD_SIRET, f->a->pk, false,
	    "2026-04", 710000, 1, NULL, 0), f->a->pk, f->a->sk, &len);
	assert_err(submit(f, file, len, ref2, sizeof(ref2)), E(PERM));
	free(file);
	/* numbered 2 but not naming the first */
	file = signed_file(request_v2(f, TU_LEAD_SIRET, f->a->pk, false,
	    "2026-04", 710000, 2, NULL, 0), f->a->pk, f->a->sk, &len);
	assert_err(submit(f, file, len, ref2, sizeof(ref2)), E(PERM));
	free(file);
	/* an amendment: number 2, amends the first */
	file = signed_file(request_v2(f, TU_LEAD_SIRET, f->a->pk, false,
	    "2026-04", 710000, 2, hashes, 1), f->a->pk, f->a->sk, &len);
	assert_ok(submit(f, file, len, ref2, sizeof(ref2)));
	assert_string_equal(shown(f, "order", ref2, "number"), "2");
	assert_string_equal(shown(f, "order", ref2, "amends"), ref1);
	/* the lead may not change nor delete one (local refusal) */
	assert_err(put(f->a, "order", ref1, &cost, 1, PUT_SET), E(PERM));
	assert_err(tu_del(f->a, "order", ref1), E(PERM));
	/* nor may B, nor record the lead's request under its own key */
	op(f, OP_SET, "order", ref1, "cost_cents", tu_int(1));
	assert_int_equal(send_a(f, &f->b), 1);
	assert_why(f, "never changed nor deleted");
	op(f, OP_UNSET, "order", ref2, "amends", tu_str(""));
	assert_int_equal(send_a(f, &f->b), 1);
	op(f, OP_DELETE, "order", ref1, NULL, tu_str(""));
	assert_int_equal(send_a(f, &f->b), 1);
	assert_string_equal(shown(f, "order", ref1, "cost_cents"), "700000");
	assert_string_equal(shown(f, "order", ref2, "amends"), ref1);
	free(file);
	file = signed_file(request(f, TU_LEAD_SIRET, f->a->pk, false, "2026-05",
	    1), f->a->pk, f->a->sk, &len);
	order_ops(f, file, len, 1, NULL, SP_NONE);
	assert_int_equal(send_a(f, &f->b), 15);
	assert_why(f, "its request was not signed by the author of the change-set");
	assert_string_equal(shown(f, "order", f->buf, "number"), "(dead)");
	free(file);
}

/* A co-contractor's direct order: its own signature, its notice first. */
static void
test_order_direct(void **state)
{
	static const enum spoil spoils[] = { SP_COST, SP_NUMBER, SP_REF,
		SP_NODATE, SP_OTHER_OP, SP_NONCANON };
	static const char *const whys[] = { "totals are its signed request's",
		"number and the order it amends", "an order's ref is",
		"fields are what its signed request says", "holds nothing else",
		"not in its canonical form" };
	struct fix *f = *state;
	char *file, *bad, *sig, ref[sizeof(f->buf)], hash[65];
	const char *hashes[1];
	size_t len, i;
	uint64_t n;

	file = signed_file(request(f, SIRET_B, f->b.pk, true, "2026-04", 5000),
	    f->b.pk, f->b.sk, &len);
	/* without its notice to the lead in its past */
	order_ops(f, file, len, 1, NULL, SP_NONE);
	assert_int_equal(send_a(f, &f->b), 15);
	assert_why(f, "a direct request follows its notice to the lead (R11)");
	notice_ops(f, "LOT-A", "2026-04", SIRET_B, TU_LEAD_SIRET);
	assert_int_equal(send_a(f, &f->b), 0);
	/* its signature altered: well formed, it does not hold */
	assert_non_null(bad = strdup(file));
	sig = strstr(bad, "\"sig\":\"") + 7;
	*sig = *sig == '0' ? '1' : '0';  /* another hex digit */
	order_ops(f, bad, len, 1, NULL, SP_NONE);
	assert_int_equal(send_a(f, &f->b), 15);
	assert_why(f, "its request was not signed by the author of the change-set");
	free(bad);
	/* signed by B, recorded by C */
	order_ops(f, file, len, 1, NULL, SP_NONE);
	assert_int_equal(send_a(f, &f->c), 15);
	assert_why(f, "its request was not signed by the author of the change-set");
	/* fields that are not the request's, or more than the order */
	for (i = 0; i < nitems(spoils); i++) {
		order_ops(f, file, len, 1, NULL, spoils[i]);
		n = send_a(f, &f->b);
		/* every op of the order: 15 (14 without the date) */
		if (n != (spoils[i] == SP_NODATE ? 14 : 15))
			fail_msg("spoil %zu: %llu ops refused", i,
			    (unsigned long long)n);
		assert_why(f, whys[i]);
	}
	/* the other record's op of SP_OTHER_OP went through on its own */
	assert_string_equal(shown(f, "path", "PB", "hours"), "99");
	/* right: taken; the same again: refused */
	order_ops(f, file, len, 1, NULL, SP_NONE);
	snprintf(ref, sizeof(ref), "%s", f->buf);
	assert_int_equal(send_a(f, &f->b), 0);
	assert_string_equal(shown(f, "order", ref, "sender"), SIRET_B);
	assert_string_equal(shown(f, "order", ref, "direct"), "true");
	order_ops(f, file, len, 1, NULL, SP_NONE);
	assert_int_equal(send_a(f, &f->b), 15);
	assert_why(f, "created once");
	free(file);
	/* format 2: a number that does not follow B's past, refused */
	snprintf(hash, sizeof(hash), "%s", shown(f, "order", ref, "hash"));
	hashes[0] = hash;
	file = signed_file(request_v2(f, SIRET_B, f->b.pk, true, "2026-04",
	    6000, 5, hashes, 1), f->b.pk, f->b.sk, &len);
	order_ops(f, file, len, 5, ref, SP_NONE);
	assert_int_equal(send_a(f, &f->b), 16);
	assert_why(f, "numbered after, and names");
	free(file);
	/* number 2, not naming the first: refused; naming it: taken */
	file = signed_file(request_v2(f, SIRET_B, f->b.pk, true, "2026-04",
	    6000, 2, NULL, 0), f->b.pk, f->b.sk, &len);
	order_ops(f, file, len, 2, NULL, SP_NONE);
	assert_int_equal(send_a(f, &f->b), 15);
	assert_why(f, "numbered after, and names");
	free(file);
	file = signed_file(request_v2(f, SIRET_B, f->b.pk, true, "2026-04",
	    6000, 2, hashes, 1), f->b.pk, f->b.sk, &len);
	order_ops(f, file, len, 2, ref, SP_NONE);
	assert_int_equal(send_a(f, &f->b), 0);
	assert_string_equal(shown(f, "order", f->buf, "amends"), ref);
	free(file);
	/* a subcontractor sends no request */
	file = signed_file(request(f, SIRET_D, f->d.pk, true, "2026-04", 5000),
	    f->d.pk, f->d.sk, &len);
	order_ops(f, file, len, 2, NULL, SP_NONE);
	assert_int_equal(send_a(f, &f->d), 15);
	assert_why(f, "sent by the lead, or directly by a co-contractor");
	free(file);
}

/* Counts the R11 conflicts listed, and keeps the session of the last. */
static int
count_r11(void *ctx, const struct conflict *c)
{
	struct fix *f = ctx;

	if (strcmp(c->kind, "R11") == 0) {
		snprintf(f->buf, sizeof(f->buf), "%.*s:%u", (int)c->ref_len, c->ref,
		    c->n);
		f->count++;
	}
	return 0;
}

/* The R11 conflicts on A: their number, and "SESSION:VALUES" of the last. */
static unsigned
r11_conflicts(struct fix *f)
{
	struct store_txn *txn;

	f->count = 0;
	f->buf[0] = '\0';
	assert_ok(store_begin(&f->a->store, false, &txn));
	assert_ok(store_load_authors(txn, &f->a->store));
	assert_ok(conflicts_scan(txn, &f->a->store, 0, count_r11, f));
	store_abort(txn);
	return f->count;
}

/* Whether A sees a session in a current direct request of 2026-06. */
static bool
covered_directly(struct fix *f, const char *session)
{
	struct order_coverage cv;
	struct store_txn *txn;
	bool yes;

	assert_ok(store_begin(&f->a->store, false, &txn));
	assert_ok(store_load_authors(txn, &f->a->store));
	assert_ok(order_coverage(txn, &f->a->store, "LOT-A", "2026-06", &cv));
	yes = order_covered_directly(&cv, session) != NULL;
	order_coverage_free(&cv);
	store_abort(txn);
	return yes;
}

/* A signed request of 2026-06 covering the socle sessions given. */
static char *
june(struct fix *f, struct tu_author *who, bool direct, int64_t number,
    const char *const *hashes, size_t nhashes, const char *sessions,
    size_t *len)
{
	json_t *req = request_v2(f, direct ? SIRET_B : TU_LEAD_SIRET,
	    who != NULL ? who->pk : f->a->pk, direct, "2026-06", 1000, number,
	    hashes, nhashes);
	json_t *a = json_array();
	char buf[64], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", sessions);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save))
		json_array_append_new(a, json_pack("{s:s}", "ref", tok));
	json_object_set_new(req, "socle", a);
	return signed_file(req, who != NULL ? who->pk : f->a->pk,
	    who != NULL ? who->sk : f->a->sk, len);
}

/*
 * R11: a session in the lead's current request and in a co-contractor's
 * current direct request is a business conflict, until the lead's next
 * request leaves it out.
 */
static void
test_order_overlap(void **state)
{
	struct fix *f = *state;
	char ref1[CONSORT_REF_MAX + 1], ref3[CONSORT_REF_MAX + 1], hash1[65];
	const char *hashes[1];
	char *file;
	size_t len;

	file = june(f, NULL, false, 1, NULL, 0, "SA,SB", &len);
	assert_ok(submit(f, file, len, ref1, sizeof(ref1)));
	free(file);
	assert_int_equal(r11_conflicts(f), 0);
	assert_false(covered_directly(f, "SB"));
	/* B's direct request of SB, after its notice: no. 2, its own scope */
	notice_ops(f, "LOT-A", "2026-06", SIRET_B, TU_LEAD_SIRET);
	assert_int_equal(send_a(f, &f->b), 0);
	file = june(f, &f->b, true, 2, NULL, 0, "SB", &len);
	order_ops(f, file, len, 2, NULL, SP_NONE);
	assert_int_equal(send_a(f, &f->b), 0);
	free(file);
	assert_true(covered_directly(f, "SB"));
	assert_false(covered_directly(f, "SA"));
	assert_int_equal(r11_conflicts(f), 1);
	assert_string_equal(f->buf, "SB:2");
	/* the lead's amendment without SB: no. 3, replaces no. 1 */
	snprintf(hash1, sizeof(hash1), "%s", shown(f, "order", ref1, "hash"));
	hashes[0] = hash1;
	file = june(f, NULL, false, 3, hashes, 1, "SA", &len);
	assert_ok(submit(f, file, len, ref3, sizeof(ref3)));
	free(file);
	assert_string_equal(shown(f, "order", ref3, "amends"), ref1);
	assert_int_equal(r11_conflicts(f), 0);
	assert_true(covered_directly(f, "SB"));
}

/* Notices: a co-contractor's own, to the real lead, on a live lot. */
static void
test_notice(void **state)
{
	struct fix *f = *state;
	struct kv date = { "date", tu_str("2026-04-02") };

	notice_ops(f, "LOT-A", "2026-04", SIRET_C, TU_LEAD_SIRET);
	assert_int_equal(send_a(f, &f->b), 6);     /* in C's name */
	assert_why(f, "a notice names its own author as the member");
	notice_ops(f, "LOT-A", "2026-04", SIRET_B, SIRET_C);
	assert_int_equal(send_a(f, &f->b), 6);     /* to another lead */
	assert_why(f, "a notice names the consortium's lead");
	notice_ops(f, "LOT-Z", "2026-04", SIRET_B, TU_LEAD_SIRET);
	assert_int_equal(send_a(f, &f->b), 6);     /* no such lot */
	assert_why(f, "a notice names a lot that exists");
	notice_ops(f, "LOT-A", "2026-04", SIRET_D, TU_LEAD_SIRET);
	assert_int_equal(send_a(f, &f->d), 6);     /* a subcontractor's */
	assert_why(f, "only a co-contractor records a notice");
	notice_ops(f, "LOT-A", "2026-04", SIRET_B, TU_LEAD_SIRET);
	assert_int_equal(send_a(f, &f->b), 0);
	assert_string_equal(shown(f, "notice", "N-LOT-A-2026-04-" SIRET_B,
	    "lead"), TU_LEAD_SIRET);
	/* never changed: by its author, nor by the lead */
	op(f, OP_SET, "notice", "N-LOT-A-2026-04-" SIRET_B, "date",
	    tu_str("2026-05-01"));
	assert_int_equal(send_a(f, &f->b), 1);
	assert_err(put(f->a, "notice", "N-LOT-A-2026-04-" SIRET_B, &date, 1,
	    PUT_SET), E(PERM));
	assert_err(tu_del(f->a, "notice", "N-LOT-A-2026-04-" SIRET_B), E(PERM));
	/* a lot deleted in its past */
	assert_ok(tu_del(f->a, "lot", "LOT-B"));
	notice_ops(f, "LOT-B", "2026-04", SIRET_B, TU_LEAD_SIRET);
	assert_int_equal(send_a(f, &f->b), 6);
	assert_why(f, "a notice names a lot that exists");
}

/*
 * Verdicts do not depend on arrival order: a notice on a lot the lead
 * deletes concurrently, and a session B creates while the lead creates it
 * without a provider, are judged by what each change-set had seen.
 */
static void
test_concurrent_verdicts(void **state)
{
	struct fix *f = *state;
	struct kv title = { "title", tu_str("Lead's") };
	struct cs_dep deps[8];
	struct tu_cs bcs, bcs2, l1, l2, x;
	uint8_t h1[CONSORT_HASH_BYTES], h2[CONSORT_HASH_BYTES];
	struct store s2;
	uint32_t n, i;
	uint64_t seq;
	char path[4096];

	/* B writes having seen A so far; A then writes concurrently */
	n = deps_of(&f->a->store, f->b.pk, deps);
	notice_ops(f, "LOT-B", "2026-04", SIRET_B, TU_LEAD_SIRET);
	bcs = tu_author_sign(&f->b, f->a->consortium, deps, n,
	    util_now_ms() << 16, &f->cb);
	op(f, OP_CREATE, "session", "SQ", NULL, tu_str(""));
	op(f, OP_SET, "session", "SQ", "provider", tu_str(SIRET_B));
	bcs2 = tu_author_sign(&f->b, f->a->consortium, deps, n,
	    util_now_ms() << 16, &f->cb);
	assert_ok(tu_del(f->a, "lot", "LOT-B"));
	assert_ok(put(f->a, "session", "SQ", &title, 1, PUT_ADD));
	seq = tu_head(&f->a->store, f->a->pk).seq;
	l1 = tu_stored_cs(&f->a->store, f->a->pk, seq - 1);
	l2 = tu_stored_cs(&f->a->store, f->a->pk, seq);
	/* on A: the deletion first, then B's: B's ops all taken */
	assert_int_equal(receive(&f->a->store, f->a->consortium, &bcs), 0);
	assert_int_equal(receive(&f->a->store, f->a->consortium, &bcs2), 0);
	tu_state_hash(&f->a->store, h1);
	/* on a fresh store: A's log up to B's past, B's, then A's last two */
	tu_path(path, sizeof(path), f->dir, "s2");
	memset(&s2, 0, sizeof(s2));	/* no key at rest */
	assert_ok(store_open(&s2, path, true));
	memcpy(s2.founder, f->a->founder, CONSORT_KEY_BYTES);
	s2.has_founder = true;
	for (i = 1; i <= seq - 2; i++) {
		x = tu_stored_cs(&f->a->store, f->a->pk, i);
		assert_int_equal(receive(&s2, f->a->consortium, &x), 0);
		tu_cs_free(&x);
	}
	assert_int_equal(receive(&s2, f->a->consortium, &bcs), 0);
	assert_int_equal(receive(&s2, f->a->consortium, &bcs2), 0);
	assert_int_equal(receive(&s2, f->a->consortium, &l1), 0);
	assert_int_equal(receive(&s2, f->a->consortium, &l2), 0);
	tu_state_hash(&s2, h2);
	assert_memory_equal(h1, h2, CONSORT_HASH_BYTES);
	assert_string_equal(shown(f, "session", "SQ", "provider"), SIRET_B);
	assert_string_equal(shown(f, "notice", "N-LOT-B-2026-04-" SIRET_B,
	    "lot"), "LOT-B");
	store_close(&s2);
	tu_cs_free(&bcs);
	tu_cs_free(&bcs2);
	tu_cs_free(&l1);
	tu_cs_free(&l2);
}

/* Records the Region's key on the lead A (consort order region-key). */
static void
record_region_key(struct fix *f, const uint8_t *pk, char *ref, size_t len,
    bool *already)
{
	struct consort_diag d = { 0 };
	struct edit e;

	assert_ok(edit_begin(f->a, &e));
	assert_ok(region_key_record(&e, pk, ref, len, already, &d));
	assert_ok(edit_commit(&e));
}

/*
 * The Region's decision on a signed request file (its answer accepted or
 * refused, the amount off by delta, the request's number by ndelta),
 * signed with sk; the file without its newline.
 */
static char *
decision_file_n(const char *req, size_t reqlen, bool accept, int64_t delta,
    int64_t ndelta, const uint8_t *pk, const uint8_t *sk, size_t *len)
{
	struct decision_opts o = { accept, "BDC-2026-7", "Pi\xc3\xa8""ces "
		"manquantes", "2026-05-02" };
	struct consort_diag d = { 0 };
	struct order_file rq;
	json_t *body, *order;
	char *file;

	assert_ok(order_parse(req, reqlen, NULL, &rq, &d));
	assert_ok(decision_build(&rq, &o, &body, &d));
	order_file_free(&rq);
	if ((order = json_object_get(body, "order")) != NULL)
		assert_ok(json_object_set_new(order, "amount_cents", json_integer(
		    json_integer_value(json_object_get(order, "amount_cents")) +
		    delta)));
	if (ndelta != 0)
		assert_ok(json_object_set_new(body, "number", json_integer(
		    json_integer_value(json_object_get(body, "number")) + ndelta)));
	assert_ok(order_sign_as("decision", body, pk, sk, &file, len));
	json_decref(body);
	file[--*len] = '\0';
	return file;
}

/* The Region's decision on a signed request file (decision_file_n). */
static char *
decision_file(const char *req, size_t reqlen, bool accept, int64_t delta,
    const uint8_t *pk, const uint8_t *sk, size_t *len)
{
	return decision_file_n(req, reqlen, accept, delta, 0, pk, sk, len);
}

/* How the fields of a decision record may be spoiled. */
enum dspoil { DS_NONE, DS_REF, DS_REASON, DS_OTHER_OP, DS_NONCANON,
	DS_ORDER };

/*
 * Adds the ops recording a signed decision file (what decision_receive
 * writes), spoiled as asked; returns its ref in f->buf and how many ops.
 */
static unsigned
decision_ops(struct fix *f, const char *file, size_t len, enum dspoil sp)
{
	struct order_file of;
	struct decision x;
	char hash[65], key[65], ref[CONSORT_REF_MAX + 1], order[CONSORT_REF_MAX + 1];
	char *text;
	unsigned n = 0;

	assert_ok(order_parse_as("decision", file, len, NULL, &of, NULL));
	assert_ok(decision_read(of.decision, &x, NULL));
	util_hex(hash, of.hash, 32);
	util_hex(key, of.file_key, CONSORT_KEY_BYTES);
	snprintf(ref, sizeof(ref), "D-%s-%s-%.12s", x.lot, x.period,
	    sp == DS_REF ? "000000000000" : hash);
	snprintf(order, sizeof(order), "O-%s-%s-%.12s", x.lot, x.period,
	    sp == DS_ORDER ? "111111111111" : x.request);
#define DOP(field, v) (op(f, OP_SET, "decision", ref, field, v), n++)
	op(f, OP_CREATE, "decision", ref, NULL, tu_str(""));
	n++;
	DOP("lot", tu_str(x.lot));
	DOP("period", tu_str(x.period));
	DOP("request", tu_str(x.request));
	DOP("order", tu_str(order));
	DOP("verdict", tu_str(x.accepted ? "accepted" : "refused"));
	if (x.accepted) {
		DOP("order_number", tu_str(x.number));
		DOP("amount_cents", tu_int(x.amount_cents));
	} else
		DOP("reason", tu_str(sp == DS_REASON ? "Autre" : x.reason));
	DOP("date", tu_str(x.date));
	if (x.has_request_number)
		DOP("request_number", tu_int(x.request_number));
	DOP("hash", tu_str(hash));
	DOP("key", tu_str(key));
	DOP("signature", tu_str(json_string_value(json_object_get(
	    json_object_get(of.root, "signature"), "sig"))));
	if (sp == DS_NONCANON) {
		/* the same file, a space added: it verifies, not canonical */
		assert_non_null(text = malloc(len + 2));
		text[0] = '{';
		text[1] = ' ';
		memcpy(text + 2, file + 1, len - 1);
		DOP("signed", ((struct value){ VAL_STR, false, 0, text,
		    (uint32_t)len + 1 }));
		free(text);
	} else
		DOP("signed", ((struct value){ VAL_STR, false, 0, file,
		    (uint32_t)len }));
#undef DOP
	if (sp == DS_OTHER_OP)
		op(f, OP_SET, "path", "PB", "hours", tu_int(98));
	snprintf(f->buf, sizeof(f->buf), "%s", ref);
	order_file_free(&of);
	return n;
}

/* Receives a decision file on A as consort order receive does (a local write). */
static int
receive_decision(struct fix *f, const char *file, size_t len, bool *already,
    struct consort_diag *d)
{
	struct order_file of;
	char ref[CONSORT_REF_MAX + 1];
	struct edit e;
	int rc;

	assert_ok(order_parse_as("decision", file, len, NULL, &of, NULL));
	assert_ok(edit_begin(f->a, &e));
	rc = decision_receive(&e, &of, ref, sizeof(ref), already, d);
	order_file_free(&of);
	if (rc != 0) {
		edit_abort(&e);
		return rc;
	}
	return edit_commit(&e);
}

/*
 * The Region's key: the lead's to record, numbered, never changed nor
 * deleted, a new one replacing the one in force.
 */
static void
test_region_key(void **state)
{
	struct fix *f = *state;
	struct tu_author region, other;
	struct kv kv[3] = { { "key", tu_str("") }, { "date",
		tu_str("2026-04-01") }, { "number", tu_int(5) } };
	struct kv date = { "date", tu_str("2026-04-02") };
	struct region_key rk;
	struct store_txn *txn;
	char ref[CONSORT_REF_MAX + 1], hex[65];
	bool already;

	tu_author_init(&region, 0xe0);
	tu_author_init(&other, 0xe1);
	util_hex(hex, region.pk, CONSORT_KEY_BYTES);
	record_region_key(f, region.pk, ref, sizeof(ref), &already);
	assert_false(already);
	assert_string_equal(ref, "RK-1");
	assert_string_equal(shown(f, "region_key", "RK-1", "key"), hex);
	assert_string_equal(shown(f, "region_key", "RK-1", "number"), "1");
	record_region_key(f, region.pk, ref, sizeof(ref), &already);
	assert_true(already);
	assert_string_equal(ref, "RK-1");
	/* a co-contractor records none, nor changes the lead's */
	op(f, OP_CREATE, "region_key", "RK-2", NULL, tu_str(""));
	op(f, OP_SET, "region_key", "RK-2", "key", tu_str(hex));
	op(f, OP_SET, "region_key", "RK-2", "date", tu_str("2026-04-01"));
	op(f, OP_SET, "region_key", "RK-2", "number", tu_int(2));
	assert_int_equal(send_a(f, &f->b), 4);
	assert_why(f, "only the lead records the Region's key");
	op(f, OP_SET, "region_key", "RK-1", "key", tu_str(hex));
	assert_int_equal(send_a(f, &f->b), 1);
	assert_why(f, "the Region's key is never changed nor deleted");
	/* nor does the lead change, delete or misnumber one */
	assert_err(put(f->a, "region_key", "RK-1", &date, 1, PUT_SET), E(PERM));
	assert_err(tu_del(f->a, "region_key", "RK-1"), E(PERM));
	kv[0].v = tu_str(hex);
	assert_err(put(f->a, "region_key", "RK-5", kv, 3, PUT_ADD), E(PERM));
	kv[2].v = tu_int(2);
	assert_err(put(f->a, "region_key", "RK-5", kv, 3, PUT_ADD), E(PERM));
	assert_string_equal(shown(f, "region_key", "RK-5", "number"), "(dead)");
	/* nor records a key that is no key, nor a day that is none (every
	   change-set's values are checked against their kinds): the next key
	   keeps its number */
	kv[0].v = tu_str("zz5a");
	assert_err(put(f->a, "region_key", "RK-2", kv, 3, PUT_ADD), E(SCHEMA));
	kv[0].v = tu_str(hex);
	kv[1].v = tu_str("2026-02-30");
	assert_err(put(f->a, "region_key", "RK-2", kv, 3, PUT_ADD), E(SCHEMA));
	kv[1].v = tu_str("2026-04-01");
	assert_string_equal(shown(f, "region_key", "RK-2", "number"), "(dead)");
	/* a new key replaces it, the first kept */
	record_region_key(f, other.pk, ref, sizeof(ref), &already);
	assert_false(already);
	assert_string_equal(ref, "RK-2");
	assert_ok(store_begin(&f->a->store, false, &txn));
	assert_ok(store_load_authors(txn, &f->a->store));
	assert_ok(perm_region_key(txn, &f->a->store, NULL, &rk));
	store_abort(txn);
	assert_int_equal(rk.number, 2);
	assert_memory_equal(rk.key, other.pk, CONSORT_KEY_BYTES);
	assert_string_equal(rk.ref, "RK-2");
	assert_string_equal(shown(f, "region_key", "RK-1", "key"), hex);
}

/*
 * A decision of the Region: recorded by any member, checked on every node
 * against the Region's key and the order in its author's past, once per
 * request, never changed.
 */
static void
test_decision(void **state)
{
	static const enum dspoil spoils[] = { DS_REF, DS_REASON, DS_OTHER_OP,
		DS_NONCANON, DS_ORDER };
	static const char *const whys[] = { "a decision's ref is D-",
		"fields are what its signed decision says", "holds nothing else",
		"not in its canonical form", "fields are what its signed decision" };
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	struct tu_author region;
	struct kv reason = { "reason", tu_str("Changed") };
	char *req, *req2, *other, *dec, *bad, *sig, ref[sizeof(f->buf)];
	char oref[CONSORT_REF_MAX + 1], oref2[CONSORT_REF_MAX + 1];
	size_t rlen, rlen2, olen, dlen, blen, i;
	bool already;
	unsigned n;

	tu_author_init(&region, 0xe0);
	req = signed_file(request_v2(f, TU_LEAD_SIRET, f->a->pk, false,
	    "2026-04", 700000, 1, NULL, 0), f->a->pk, f->a->sk, &rlen);
	assert_ok(submit(f, req, rlen, oref, sizeof(oref)));
	dec = decision_file(req, rlen, false, 0, region.pk, region.sk, &dlen);
	/* no Region key in B's past */
	n = decision_ops(f, dec, dlen, DS_NONE);
	assert_int_equal(n, 13);
	assert_int_equal(send_a(f, &f->b), n);
	assert_why(f, "no Region key is recorded in its author's past");
	assert_err(receive_decision(f, dec, dlen, &already, &d), E(NOENT));
	record_region_key(f, region.pk, ref, sizeof(ref), &already);
	/* signed by another key than the Region's */
	bad = decision_file(req, rlen, false, 0, f->b.pk, f->b.sk, &blen);
	assert_int_equal(send_a(f, &f->b), decision_ops(f, bad, blen, DS_NONE));
	assert_why(f, "not signed by the Region's key in force");
	assert_err(receive_decision(f, bad, blen, &already, &d), E(PERM));
	free(bad);
	/* its signature altered: well formed, it does not hold */
	assert_non_null(bad = strdup(dec));
	sig = strstr(bad, "\"sig\":\"") + 7;
	*sig = *sig == '0' ? '1' : '0';
	assert_int_equal(send_a(f, &f->b), decision_ops(f, bad, dlen, DS_NONE));
	assert_why(f, "its decision does not match its signature");
	assert_err(receive_decision(f, bad, dlen, &already, &d), E(SIGNATURE));
	free(bad);
	/* fields that are not the decision's, or more than the decision */
	for (i = 0; i < nitems(spoils); i++) {
		n = decision_ops(f, dec, dlen, spoils[i]);
		if (send_a(f, &f->b) != n)
			fail_msg("spoil %zu: not every op refused", i);
		assert_why(f, whys[i]);
	}
	assert_string_equal(shown(f, "path", "PB", "hours"), "98");
	/* a request nobody submitted */
	other = signed_file(request_v2(f, TU_LEAD_SIRET, f->a->pk, false,
	    "2026-05", 1000, 1, NULL, 0), f->a->pk, f->a->sk, &olen);
	bad = decision_file(other, olen, false, 0, region.pk, region.sk, &blen);
	assert_int_equal(send_a(f, &f->b), decision_ops(f, bad, blen, DS_NONE));
	assert_why(f, "answers no order submitted in its author's past");
	assert_err(receive_decision(f, bad, blen, &already, &d), E(NOENT));
	assert_non_null(strstr(d.hint, "submit it first"));
	free(bad);
	free(other);
	/* an accepted amount that is not the request's total cost */
	bad = decision_file(req, rlen, true, 1, region.pk, region.sk, &blen);
	assert_int_equal(send_a(f, &f->b), decision_ops(f, bad, blen, DS_NONE));
	assert_why(f, "an accepted decision's amount is the request's total cost");
	assert_err(receive_decision(f, bad, blen, &already, &d), E(PERM));
	free(bad);
	/* a number that is not the request's */
	bad = decision_file_n(req, rlen, false, 0, 1, region.pk, region.sk,
	    &blen);
	assert_int_equal(send_a(f, &f->b), decision_ops(f, bad, blen, DS_NONE));
	assert_why(f, "a decision names the number of the request it answers");
	free(bad);
	/* right: taken from B; the same again from C, refused */
	n = decision_ops(f, dec, dlen, DS_NONE);
	snprintf(ref, sizeof(ref), "%s", f->buf);
	assert_int_equal(send_a(f, &f->b), 0);
	assert_string_equal(shown(f, "decision", ref, "verdict"), "refused");
	assert_string_equal(shown(f, "decision", ref, "order"), oref);
	assert_string_equal(shown(f, "decision", ref, "reason"),
	    "Pi\xc3\xa8""ces manquantes");
	assert_int_equal(send_a(f, &f->c), decision_ops(f, dec, dlen, DS_NONE));
	assert_why(f, "a decision of the Region is recorded once");
	assert_ok(receive_decision(f, dec, dlen, &already, &d));
	assert_true(already);
	/* another answer to the same request: the Region answers once */
	bad = decision_file(req, rlen, true, 0, region.pk, region.sk, &blen);
	assert_int_equal(send_a(f, &f->c), decision_ops(f, bad, blen, DS_NONE));
	assert_why(f, "the Region answers a request once");
	assert_err(receive_decision(f, bad, blen, &already, &d), E(EXIST));
	free(bad);
	/* never changed nor deleted, by its recorder nor by the lead */
	op(f, OP_SET, "decision", ref, "reason", tu_str("Changed"));
	assert_int_equal(send_a(f, &f->b), 1);
	assert_why(f, "a decision of the Region is never changed nor deleted");
	assert_err(put(f->a, "decision", ref, &reason, 1, PUT_SET), E(PERM));
	assert_err(tu_del(f->a, "decision", ref), E(PERM));
	/* the amendment, accepted, recorded by a subcontractor */
	{
		struct order_file of;
		char h1[65];
		const char *hashes[1] = { h1 };

		assert_ok(order_parse(req, rlen, NULL, &of, NULL));
		util_hex(h1, of.hash, 32);
		order_file_free(&of);
		req2 = signed_file(request_v2(f, TU_LEAD_SIRET, f->a->pk, false,
		    "2026-04", 710000, 2, hashes, 1), f->a->pk, f->a->sk, &rlen2);
	}
	assert_ok(submit(f, req2, rlen2, oref2, sizeof(oref2)));
	free(dec);
	dec = decision_file(req2, rlen2, true, 0, region.pk, region.sk, &dlen);
	decision_ops(f, dec, dlen, DS_NONE);
	snprintf(ref, sizeof(ref), "%s", f->buf);
	assert_int_equal(send_a(f, &f->d), 0);
	assert_string_equal(shown(f, "decision", ref, "verdict"), "accepted");
	assert_string_equal(shown(f, "decision", ref, "amount_cents"), "710000");
	assert_string_equal(shown(f, "decision", ref, "order_number"),
	    "BDC-2026-7");
	assert_string_equal(shown(f, "decision", ref, "order"), oref2);
	/* order list: the first refused, amended by the second, accepted */
	{
		struct store_txn *txn;
		json_t *list, *o1, *o2;

		assert_ok(store_begin(&f->a->store, false, &txn));
		assert_ok(store_load_authors(txn, &f->a->store));
		assert_ok(order_list(txn, &f->a->store, "LOT-A", "2026-04", &list,
		    &d));
		store_abort(txn);
		assert_int_equal(json_array_size(list), 2);
		o1 = json_array_get(list, 0);
		o2 = json_array_get(list, 1);
		assert_string_equal(jr_str(o1, "ref"), oref);
		assert_string_equal(jr_str(o1, "state"), "refused");
		assert_string_equal(jr_str(json_array_get(json_object_get(o1,
		    "decisions"), 0), "reason"), "Pi\xc3\xa8""ces manquantes");
		assert_string_equal(jr_str(json_array_get(json_object_get(o1,
		    "amended_by"), 0), "ref"), oref2);
		assert_int_equal(jr_int(o2, "number"), 2);
		assert_string_equal(jr_str(o2, "state"), "accepted");
		assert_int_equal(jr_int(json_array_get(json_object_get(o2,
		    "decisions"), 0), "amount_cents"), 710000);
		assert_string_equal(jr_str(json_object_get(o2, "sender"), "name"),
		    "Lead Formation");
		json_decref(list);
		assert_ok(store_begin(&f->a->store, false, &txn));
		assert_ok(order_list(txn, &f->a->store, "LOT-A", "2026-05", &list,
		    &d));
		store_abort(txn);
		assert_int_equal(json_array_size(list), 0);
		json_decref(list);
	}
	free(dec);
	free(req);
	free(req2);
}

/*
 * A decision is judged by the Region's key in force in its author's
 * past: one signed by the old key, recorded before the author saw the
 * new one, stands on every node; after, it is refused.
 */
static void
test_decision_new_key(void **state)
{
	struct fix *f = *state;
	struct tu_author region, region2;
	struct cs_dep deps[8];
	struct tu_cs old;
	char *req, *req2, *dec, *dec2, oref[CONSORT_REF_MAX + 1];
	char ref[CONSORT_REF_MAX + 1], first[sizeof(f->buf)];
	size_t rlen, rlen2, dlen, dlen2;
	bool already;
	uint32_t n;

	tu_author_init(&region, 0xe0);
	tu_author_init(&region2, 0xe2);
	req = signed_file(request_v2(f, TU_LEAD_SIRET, f->a->pk, false,
	    "2026-04", 700000, 1, NULL, 0), f->a->pk, f->a->sk, &rlen);
	assert_ok(submit(f, req, rlen, oref, sizeof(oref)));
	req2 = signed_file(request_v2(f, TU_LEAD_SIRET, f->a->pk, false,
	    "2026-06", 5000, 1, NULL, 0), f->a->pk, f->a->sk, &rlen2);
	assert_ok(submit(f, req2, rlen2, oref, sizeof(oref)));
	record_region_key(f, region.pk, ref, sizeof(ref), &already);
	/* B, having seen RK-1 only, records a decision the old key signed */
	n = deps_of(&f->a->store, f->b.pk, deps);
	dec = decision_file(req, rlen, true, 0, region.pk, region.sk, &dlen);
	decision_ops(f, dec, dlen, DS_NONE);
	snprintf(first, sizeof(first), "%s", f->buf);
	old = tu_author_sign(&f->b, f->a->consortium, deps, n,
	    util_now_ms() << 16, &f->cb);
	/* meanwhile the lead records the Region's new key */
	record_region_key(f, region2.pk, ref, sizeof(ref), &already);
	assert_string_equal(ref, "RK-2");
	assert_int_equal(receive(&f->a->store, f->a->consortium, &old), 0);
	assert_string_equal(shown(f, "decision", first, "verdict"), "accepted");
	/* having seen RK-2, the old key's decisions are refused */
	dec2 = decision_file(req2, rlen2, false, 0, region.pk, region.sk, &dlen2);
	assert_int_equal(send_a(f, &f->b), decision_ops(f, dec2, dlen2,
	    DS_NONE));
	assert_why(f, "not signed by the Region's key in force");
	free(dec2);
	dec2 = decision_file(req2, rlen2, false, 0, region2.pk, region2.sk,
	    &dlen2);
	decision_ops(f, dec2, dlen2, DS_NONE);
	assert_int_equal(send_a(f, &f->b), 0);
	tu_cs_free(&old);
	free(dec);
	free(dec2);
	free(req);
	free(req2);
}

/* Counts the register conflicts a scan finds. */
static int
count_conflict(void *ctx, const struct conflict *c)
{
	(void)c;
	++*(unsigned *)ctx;
	return 0;
}

/*
 * Two members who receive the same decision at the same time, neither
 * having seen the other's, record the same values: both taken, one
 * record, no conflict.
 */
static void
test_decision_concurrent(void **state)
{
	struct fix *f = *state;
	struct tu_author region;
	struct cs_dep deps[8];
	struct tu_cs bcs, ccs;
	struct store_txn *txn;
	char *req, *dec, oref[CONSORT_REF_MAX + 1], ref[CONSORT_REF_MAX + 1];
	size_t rlen, dlen;
	unsigned conflicts = 0;
	bool already;
	uint32_t n;

	tu_author_init(&region, 0xe0);
	req = signed_file(request_v2(f, TU_LEAD_SIRET, f->a->pk, false,
	    "2026-04", 700000, 1, NULL, 0), f->a->pk, f->a->sk, &rlen);
	assert_ok(submit(f, req, rlen, oref, sizeof(oref)));
	record_region_key(f, region.pk, ref, sizeof(ref), &already);
	dec = decision_file(req, rlen, true, 0, region.pk, region.sk, &dlen);
	n = deps_of(&f->a->store, f->b.pk, deps);
	decision_ops(f, dec, dlen, DS_NONE);
	bcs = tu_author_sign(&f->b, f->a->consortium, deps, n,
	    util_now_ms() << 16, &f->cb);
	n = deps_of(&f->a->store, f->c.pk, deps);
	decision_ops(f, dec, dlen, DS_NONE);
	ccs = tu_author_sign(&f->c, f->a->consortium, deps, n,
	    util_now_ms() << 16, &f->cb);
	assert_int_equal(receive(&f->a->store, f->a->consortium, &bcs), 0);
	assert_int_equal(receive(&f->a->store, f->a->consortium, &ccs), 0);
	assert_string_equal(shown(f, "decision", f->buf, "order_number"),
	    "BDC-2026-7");
	assert_ok(store_begin(&f->a->store, false, &txn));
	assert_ok(store_load_authors(txn, &f->a->store));
	assert_ok(conflicts_register_scan(txn, &f->a->store, T_decision,
	    count_conflict, &conflicts));
	store_abort(txn);
	assert_int_equal(conflicts, 0);
	tu_cs_free(&bcs);
	tu_cs_free(&ccs);
	free(dec);
	free(req);
}

/* rm's check: a record that live records name is not deleted. */
static void
test_unreferenced(void **state)
{
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	struct edit e;

	assert_ok(edit_begin(f->a, &e));
	assert_err(records_check_unreferenced(&e, schema_type(T_lot), "LOT-A",
	    5, &d), E(REF));
	assert_non_null(strstr(d.what, "live records still name it (session "));
	assert_err(records_check_unreferenced(&e, schema_type(T_session), "SA",
	    2, &d), E(REF));
	assert_non_null(strstr(d.what, "2 live records"));
	assert_err(records_check_unreferenced(&e, schema_type(T_session), "SB",
	    2, &d), E(REF));
	assert_non_null(strstr(d.what, "1 live record still names it (path PB)"));
	assert_ok(records_check_unreferenced(&e, schema_type(T_session), "SN",
	    2, &d));
	assert_ok(records_check_unreferenced(&e, schema_type(T_lot), "LOT-B",
	    5, &d));
	edit_abort(&e);
}

/* The roster as perm.c caches it: roles, keys, parents, the lead. */
static void
test_roster_lookup(void **state)
{
	struct fix *f = *state;
	const struct member *m;
	struct store *s = &f->a->store;
	uint8_t stranger[CONSORT_KEY_BYTES];
	struct store_txn *txn;

	assert_ok(store_begin(s, false, &txn));
	assert_ok(perm_roster(txn, s));
	store_abort(txn);
	assert_int_equal(s->nroster, 4);
	assert_true(perm_is_lead(s, f->a->pk));
	assert_false(perm_is_lead(s, f->b.pk));
	m = perm_member_by_key(s, f->b.pk);
	assert_non_null(m);
	assert_string_equal(m->siret, SIRET_B);
	assert_int_equal(m->role, ROLE_CO);
	assert_true(m->has_key);
	assert_false(m->revoked);
	m = perm_member_by_key(s, f->d.pk);
	assert_non_null(m);
	assert_int_equal(m->role, ROLE_SUB);
	assert_string_equal(m->parent, SIRET_B);
	m = perm_member_by_siret(s, TU_LEAD_SIRET, 14);
	assert_non_null(m);
	assert_int_equal(m->role, ROLE_LEAD);
	assert_memory_equal(m->key, f->a->pk, CONSORT_KEY_BYTES);
	assert_ptr_equal(perm_member_by_siret(s, SIRET_C, 14),
	    perm_member_by_key(s, f->c.pk));
	memset(stranger, 0x5a, sizeof(stranger));
	assert_null(perm_member_by_key(s, stranger));
	assert_null(perm_member_by_siret(s, SIRET_C, 13));
	assert_null(perm_member_by_siret(s, "41852736200128", 14));
}

/* Only the lead edits the roster, the consortium and the lots. */
static void
test_roster_and_lots_lead_only(void **state)
{
	struct fix *f = *state;

	op(f, OP_SET, "lot", "LOT-A", "rate_cents", tu_int(9999));
	assert_int_equal(send_a(f, &f->b), 1);
	assert_why(f, "only the lead edits the roster and the lots");
	assert_string_equal(shown(f, "lot", "LOT-A", "rate_cents"), "1000");
	op(f, OP_CREATE, "lot", "LOT-X", NULL, tu_int(0));
	op(f, OP_SET, "lot", "LOT-X", "sector", tu_str("x"));
	assert_int_equal(send_a(f, &f->c), 2);
	assert_string_equal(shown(f, "lot", "LOT-X", "sector"), "(dead)");
	op(f, OP_SET, "member", SIRET_C, "role", tu_str("lead"));
	assert_int_equal(send_a(f, &f->b), 1);
	assert_string_equal(shown(f, "member", SIRET_C, "role"), "co");
	op(f, OP_SET, "consortium", "consortium", "name", tu_str("Mine"));
	assert_int_equal(send_a(f, &f->d), 1);
	assert_why(f, "only the lead edits the roster and the lots");
	op(f, OP_DELETE, "lot", "LOT-B", NULL, tu_int(0));
	assert_int_equal(send_a(f, &f->d), 1);
	assert_string_equal(shown(f, "lot", "LOT-B", "sector"), "B");
	/* the lead may */
	assert_ok(put(f->a, "lot", "LOT-A", &(struct kv){ "rate_cents",
	    tu_int(1100) }, 1, PUT_SET));
	assert_string_equal(shown(f, "lot", "LOT-A", "rate_cents"), "1100");
}

/*
 * A co-contractor edits trainees and intents whoever recorded them; a
 * subcontractor only those it recorded itself.
 */
static void
test_trainees_and_intents(void **state)
{
	struct kv fam = { "family_name", tu_str("Lead's") };
	struct fix *f = *state;

	assert_ok(put(f->a, "trainee", "TA", &fam, 1, PUT_ADD));
	op(f, OP_SET, "trainee", "TA", "family_name", tu_str("by B"));
	assert_int_equal(send_a(f, &f->b), 0);
	assert_string_equal(shown(f, "trainee", "TA", "family_name"), "by B");
	/* D records its own trainee and intent, and edits them */
	op(f, OP_CREATE, "trainee", "TD", NULL, tu_int(0));
	op(f, OP_SET, "trainee", "TD", "family_name", tu_str("D's"));
	op(f, OP_CREATE, "intent", "ID", NULL, tu_int(0));
	op(f, OP_SET, "intent", "ID", "employer", tu_str("Acme"));
	assert_int_equal(send_a(f, &f->d), 0);
	op(f, OP_SET, "trainee", "TD", "family_name", tu_str("D's again"));
	op(f, OP_SET, "intent", "ID", "job", tu_str("Welder"));
	assert_int_equal(send_a(f, &f->d), 0);
	assert_string_equal(shown(f, "trainee", "TD", "family_name"),
	    "D's again");
	assert_string_equal(shown(f, "intent", "ID", "job"), "Welder");
	/* but not the lead's trainee, nor delete it */
	op(f, OP_SET, "trainee", "TA", "family_name", tu_str("by D"));
	assert_int_equal(send_a(f, &f->d), 1);
	assert_why(f, "a subcontractor edits only the trainees and intents it "
	    "recorded");
	op(f, OP_DELETE, "trainee", "TA", NULL, tu_int(0));
	assert_int_equal(send_a(f, &f->d), 1);
	assert_string_equal(shown(f, "trainee", "TA", "family_name"), "by B");
	/* and B edits D's */
	op(f, OP_SET, "trainee", "TD", "given_name", tu_str("B"));
	assert_int_equal(send_a(f, &f->b), 0);
	assert_string_equal(shown(f, "trainee", "TD", "given_name"), "B");
}

/*
 * A trainee's erasure (its date and reason) is written by the lead or the
 * member who recorded the trainee, no other, not even that member's
 * parent; and nobody unsets it, the lead included.
 */
static void
test_erasure(void **state)
{
	struct kv fam = { "family_name", tu_str("Martin") };
	struct kv unset = { "erased", { VAL_NIL, false, 0, NULL, 0 } };
	struct kv erase[2] = { { "erased", tu_str("2026-03-02") },
		{ "erased_reason", tu_str("asked by the person") } };
	struct fix *f = *state;

	assert_ok(put(f->a, "trainee", "TA", &fam, 1, PUT_ADD));
	op(f, OP_CREATE, "trainee", "TD", NULL, tu_int(0));
	op(f, OP_SET, "trainee", "TD", "family_name", tu_str("Durand"));
	assert_int_equal(send_a(f, &f->d), 0);

	/* a co-contractor may edit the lead's trainee, not erase it */
	op(f, OP_SET, "trainee", "TA", "erased", tu_str("2026-03-01"));
	assert_int_equal(send_a(f, &f->b), 1);
	assert_why(f, "only the lead or the member who recorded a trainee "
	    "erases its personal values");
	op(f, OP_SET, "trainee", "TA", "erased_reason", tu_str("no"));
	assert_int_equal(send_a(f, &f->b), 1);
	assert_string_equal(shown(f, "trainee", "TA", "erased"), "(none)");
	assert_string_equal(shown(f, "trainee", "TA", "erased_reason"),
	    "(none)");
	/* nor D's: neither a third member nor D's parent */
	op(f, OP_SET, "trainee", "TD", "erased", tu_str("2026-03-01"));
	assert_int_equal(send_a(f, &f->c), 1);
	op(f, OP_SET, "trainee", "TD", "erased", tu_str("2026-03-01"));
	assert_int_equal(send_a(f, &f->b), 1);
	assert_why(f, "only the lead or the member who recorded a trainee");
	assert_string_equal(shown(f, "trainee", "TD", "erased"), "(none)");
	/* the subcontractor who recorded it does */
	op(f, OP_SET, "trainee", "TD", "erased", tu_str("2026-03-02"));
	op(f, OP_SET, "trainee", "TD", "erased_reason", tu_str("asked"));
	assert_int_equal(send_a(f, &f->d), 0);
	assert_string_equal(shown(f, "trainee", "TD", "erased"), "2026-03-02");
	assert_string_equal(shown(f, "trainee", "TD", "erased_reason"),
	    "asked");
	/* for good: not unset by its author, nor by the lead */
	op(f, OP_UNSET, "trainee", "TD", "erased", tu_int(0));
	assert_int_equal(send_a(f, &f->d), 1);
	assert_why(f, "an erasure is for good: nobody unsets it");
	op(f, OP_UNSET, "trainee", "TD", "erased_reason", tu_int(0));
	assert_int_equal(send_a(f, &f->d), 1);
	assert_err(put(f->a, "trainee", "TD", &unset, 1, PUT_SET), E(PERM));
	assert_string_equal(shown(f, "trainee", "TD", "erased"), "2026-03-02");
	/* the lead erases its own, and any member's */
	assert_ok(put(f->a, "trainee", "TA", erase, 2, PUT_SET));
	assert_string_equal(shown(f, "trainee", "TA", "erased"), "2026-03-02");
	assert_ok(put(f->a, "trainee", "TD", erase, 1, PUT_SET));
	assert_err(put(f->a, "trainee", "TA", &unset, 1, PUT_SET), E(PERM));
	assert_string_equal(shown(f, "trainee", "TA", "erased_reason"),
	    "asked by the person");
}

/*
 * An intent's outcome and a trainee's exit (R23): the lead, and the
 * provider of a session whose path named the intent or trainee (a
 * co-contractor for its subcontractor's session too), as its change-set
 * saw the path; never another member, though it may edit the intent.
 */
static void
test_outcome(void **state)
{
	struct kv emp = { "employer", tu_str("Acme") };
	struct kv fam = { "family_name", tu_str("Martin") };
	struct kv names[2] = { { "intent", tu_str("IA") },
		{ "trainee", tu_str("TA") } };
	struct kv moved = { "intent", tu_str("IB") };
	struct kv pd[3] = { { "session", tu_str("SD") }, { "intent",
		tu_str("ID") }, { "hours", tu_int(10) } };
	struct kv hired[2] = { { "outcome", tu_str("hired") },
		{ "hired_date", tu_str("2026-07-06") } };
	struct fix *f = *state;
	struct cs_dep deps[8];
	struct tu_cs cs;
	uint32_t nd;

	assert_ok(put(f->a, "intent", "IA", &emp, 1, PUT_ADD));
	assert_ok(put(f->a, "intent", "IB", &emp, 1, PUT_ADD));
	assert_ok(put(f->a, "intent", "IC", &emp, 1, PUT_ADD));
	assert_ok(put(f->a, "intent", "ID", &emp, 1, PUT_ADD));
	assert_ok(put(f->a, "trainee", "TA", &fam, 1, PUT_ADD));
	/* before any path names IA, even its provider-to-be may not */
	op(f, OP_SET, "intent", "IA", "outcome", tu_str("pending"));
	assert_int_equal(send_a(f, &f->b), 1);
	assert_why(f, "an intent's outcome is recorded by the lead or the "
	    "provider of the session whose path names the intent");
	/* the lead points B's PB at IA and TA; B's change-set that had not
	   seen it is refused, the next one, that has, is not */
	nd = deps_of(&f->a->store, f->b.pk, deps);
	assert_ok(put(f->a, "path", "PB", names, 2, PUT_SET));
	op(f, OP_SET, "intent", "IA", "not_hired_reason", tu_str("Late"));
	cs = tu_author_sign(&f->b, f->a->consortium, deps, nd,
	    util_now_ms() << 16, &f->cb);
	assert_int_equal(receive_why(&f->a->store, f->a->consortium, &cs,
	    f->why, sizeof(f->why)), 1);
	tu_cs_free(&cs);
	assert_why(f, "provider of the session whose path names the intent");
	assert_string_equal(shown(f, "intent", "IA", "not_hired_reason"),
	    "(none)");
	op(f, OP_SET, "intent", "IA", "outcome", tu_str("hired"));
	op(f, OP_SET, "intent", "IA", "hired_date", tu_str("2026-07-06"));
	op(f, OP_SET, "intent", "IA", "hired_contract", tu_str("CDI"));
	op(f, OP_SET, "intent", "IA", "hired_weekly_hours", tu_int(35));
	op(f, OP_SET, "trainee", "TA", "exit", tu_str("completed"));
	op(f, OP_SET, "trainee", "TA", "exit_date", tu_str("2026-07-03"));
	assert_int_equal(send_a(f, &f->b), 0);
	assert_string_equal(shown(f, "intent", "IA", "outcome"), "hired");
	assert_string_equal(shown(f, "intent", "IA", "hired_weekly_hours"),
	    "35");
	assert_string_equal(shown(f, "trainee", "TA", "exit"), "completed");
	/* C, a co-contractor who edits intents, records no outcome nor exit */
	op(f, OP_SET, "intent", "IA", "job", tu_str("Welder"));
	assert_int_equal(send_a(f, &f->c), 0);
	op(f, OP_SET, "intent", "IA", "outcome", tu_str("not_hired"));
	op(f, OP_SET, "intent", "IA", "not_hired_reason", tu_str("Forged"));
	assert_int_equal(send_a(f, &f->c), 2);
	op(f, OP_UNSET, "intent", "IA", "hired_date", tu_int(0));
	assert_int_equal(send_a(f, &f->c), 1);
	op(f, OP_SET, "trainee", "TA", "exit", tu_str("dropped_out"));
	assert_int_equal(send_a(f, &f->c), 1);
	assert_why(f, "a trainee's exit is recorded by the lead or the provider "
	    "of a session whose path names the trainee");
	assert_string_equal(shown(f, "intent", "IA", "outcome"), "hired");
	assert_string_equal(shown(f, "intent", "IA", "hired_date"),
	    "2026-07-06");
	assert_string_equal(shown(f, "trainee", "TA", "exit"), "completed");
	/* a path pointed at another intent: its provider records both */
	assert_ok(put(f->a, "path", "PB", &moved, 1, PUT_SET));
	op(f, OP_SET, "intent", "IA", "hired_contract", tu_str("CDD"));
	op(f, OP_SET, "intent", "IB", "outcome", tu_str("pending"));
	assert_int_equal(send_a(f, &f->b), 0);
	assert_string_equal(shown(f, "intent", "IA", "hired_contract"), "CDD");
	/* a path and the outcome of its intent in one change-set */
	op(f, OP_CREATE, "path", "PB2", NULL, tu_str("PB2"));
	op(f, OP_SET, "path", "PB2", "session", tu_str("SB2"));
	op(f, OP_SET, "path", "PB2", "intent", tu_str("IC"));
	op(f, OP_SET, "intent", "IC", "outcome", tu_str("pending"));
	assert_int_equal(send_a(f, &f->b), 0);
	assert_string_equal(shown(f, "intent", "IC", "outcome"), "pending");
	/* a subcontractor for its session's intent, which it did not record,
	   and its parent for it; not for another's */
	assert_ok(put(f->a, "path", "PD", pd, 3, PUT_ADD));
	op(f, OP_SET, "intent", "ID", "outcome", tu_str("hired"));
	op(f, OP_SET, "intent", "ID", "hired_date", tu_str("2026-07-01"));
	assert_int_equal(send_a(f, &f->d), 0);
	op(f, OP_SET, "intent", "ID", "hired_weekly_hours", tu_int(30));
	assert_int_equal(send_a(f, &f->b), 0);
	op(f, OP_SET, "intent", "ID", "job", tu_str("Sub"));
	assert_int_equal(send_a(f, &f->d), 1);
	assert_why(f, "a subcontractor edits only the trainees and intents it "
	    "recorded");
	op(f, OP_SET, "intent", "IB", "outcome", tu_str("hired"));
	assert_int_equal(send_a(f, &f->d), 1);
	assert_string_equal(shown(f, "intent", "ID", "hired_weekly_hours"),
	    "30");
	/* the lead records any, and locally a hire needs its day */
	assert_ok(put(f->a, "intent", "IB", hired, 2, PUT_SET));
	assert_int_equal(put(f->a, "intent", "IC", hired, 1, PUT_SET),
	    E(SCHEMA));
}

/*
 * A revoked member's change-sets after its last counted one are kept but
 * count nowhere; on a node that applied one before the revocation came,
 * the revocation undoes it: both nodes reach one state.
 */
static void
test_revoked(void **state)
{
	uint8_t ha[CONSORT_HASH_BYTES], hs[CONSORT_HASH_BYTES];
	struct kv fam = { "family_name", tu_str("A") };
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	struct cs_dep deps[8];
	struct tu_cs c1, c2, a;
	struct edit e;
	struct store s;
	uint64_t after, seq, i;
	char path[4096], why[256];
	uint32_t n;

	assert_ok(put(f->a, "trainee", "TA", &fam, 1, PUT_ADD));
	op(f, OP_SET, "trainee", "TA", "family_name", tu_str("C1"));
	n = deps_of(&f->a->store, f->c.pk, deps);
	c1 = tu_author_sign(&f->c, f->a->consortium, deps, n,
	    util_now_ms() << 16, &f->cb);
	assert_int_equal(receive(&f->a->store, f->a->consortium, &c1), 0);
	/* C:2, concurrent with the revocation */
	n = deps_of(&f->a->store, f->c.pk, deps);
	op(f, OP_SET, "trainee", "TA", "family_name", tu_str("C2"));
	c2 = tu_author_sign(&f->c, f->a->consortium, deps, n,
	    util_now_ms() << 16, &f->cb);
	seq = tu_head(&f->a->store, f->a->pk).seq;
	assert_ok(edit_begin(f->a, &e));
	assert_ok(roster_revoke(&e, SIRET_C, &after, &d));
	assert_ok(edit_commit(&e));
	assert_int_equal(after, 1);
	assert_int_equal(receive_why(&f->a->store, f->a->consortium, &c2, why,
	    sizeof(why)), 1);
	assert_string_equal(why, "its author was revoked, or its key replaced, before it");
	assert_string_equal(shown(f, "trainee", "TA", "family_name"), "C1");
	/* the lead cannot be revoked, nor a SIRET with no key */
	assert_ok(edit_begin(f->a, &e));
	assert_err(roster_revoke(&e, TU_LEAD_SIRET, &after, &d), E(PERM));
	assert_err(roster_revoke(&e, "41852736200128", &after, &d), E(NOENT));
	edit_abort(&e);

	/* another node gets C:2 before the revocation */
	tu_path(path, sizeof(path), f->dir, "other");
	memset(&s, 0, sizeof(s));	/* no key at rest */
	assert_ok(store_open(&s, path, true));
	memcpy(s.founder, f->a->founder, CONSORT_KEY_BYTES);
	s.has_founder = true;
	for (i = 1; i <= seq; i++) {
		a = tu_stored_cs(&f->a->store, f->a->pk, i);
		(void)receive(&s, f->a->consortium, &a);
		tu_cs_free(&a);
	}
	assert_int_equal(receive(&s, f->a->consortium, &c1), 0);
	assert_int_equal(receive(&s, f->a->consortium, &c2), 0);
	tu_state_hash(&s, hs);
	tu_state_hash(&f->a->store, ha);
	assert_memory_not_equal(ha, hs, CONSORT_HASH_BYTES);
	a = tu_stored_cs(&f->a->store, f->a->pk, seq + 1);
	(void)receive(&s, f->a->consortium, &a);
	tu_cs_free(&a);
	tu_state_hash(&s, hs);
	tu_state_hash(&f->a->store, ha);
	assert_memory_equal(ha, hs, CONSORT_HASH_BYTES);
	store_close(&s);
	tu_cs_free(&c1);
	tu_cs_free(&c2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_path_session, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_provider, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_derogation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_agreement, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attendance, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_lead, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_direct, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_region_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decision, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decision_new_key, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_decision_concurrent, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_verdicts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unreferenced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roster_lookup, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_roster_and_lots_lead_only,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_trainees_and_intents, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_erasure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outcome, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_overlap, setup,
		    teardown),
	};

	return cmocka_run_group_tests_name("perm", tests, tu_group_setup, NULL);
}
