/*
 * Unit tests of merge.c: records as multi-value registers written by
 * node A and the concurrent authors B and C (three_authors.h): winners,
 * concurrent entries, resolutions, deletes, and one state whatever the
 * order of arrival.
 */
#include "three_authors.h"

/* A later local write replaces an earlier one: one entry. */
static void
test_sequential_local(void **state)
{
	struct fix *f = *state;
	struct view w;

	add_intent(f, "I01", "first");
	put1(f->a, "intent", "I01", "employer", tu_str("second"), PUT_SET);
	w = view_a(f, "intent", "I01", "employer");
	assert_int_equal(w.n, 1);
	assert_true(has(&w, f->a->pk, 4, "second"));
	assert_string_equal(w.win, "second");
	w = view_a(f, "intent", "I01", "job");
	assert_int_equal(w.n, 1);
	assert_true(has(&w, f->a->pk, 3, "Cook"));
	w = view_a(f, "intent", "I01", NULL);
	assert_true(w.alive);
	assert_int_equal(w.n, 1);
	assert_true(has(&w, f->a->pk, 3, "I01"));
	assert_int_equal(count(&f->a->store, T_intent), 1);
}

/* A peer's write that saw A's replaces it; A's next replaces the peer's. */
static void
test_sequential_across_authors(void **state)
{
	struct fix *f = *state;
	struct cs_dep d;
	struct tu_cs b1, a4;
	struct changeset cs;
	uint64_t hlc;
	struct view w;

	add_intent(f, "I01", "alice");
	d = dep_a(f, &hlc);
	op(f, OP_SET, "intent", "I01", "employer", tu_str("bob"));
	/* an older clock does not matter: causality decides */
	b1 = sign(f, &f->b, &d, 1, hlc - 1000);
	assert_ok(apply_a(f, &b1));
	w = view_a(f, "intent", "I01", "employer");
	assert_int_equal(w.n, 1);
	assert_true(has(&w, f->b.pk, 1, "bob"));
	assert_string_equal(w.win, "bob");

	put1(f->a, "intent", "I01", "employer", tu_str("alice again"),
	    PUT_SET);
	w = view_a(f, "intent", "I01", "employer");
	assert_int_equal(w.n, 1);
	assert_true(has(&w, f->a->pk, 4, "alice again"));
	/* A's change-set names B's head among its deps */
	a4 = tu_stored_cs(&f->a->store, f->a->pk, 4);
	assert_ok(cs_decode(a4.p, a4.len, &cs, NULL));
	assert_int_equal(cs.ndeps, 1);
	assert_memory_equal(cs.deps[0].author, f->b.pk, CONSORT_KEY_BYTES);
	assert_int_equal(cs.deps[0].seq, 1);
	assert_memory_equal(cs.deps[0].hash, f->b.prev, CONSORT_HASH_BYTES);
	cs_free(&cs);
	tu_cs_free(&a4);
	tu_cs_free(&b1);
}

/* Concurrent writes keep both entries; the larger (hlc, author) is shown. */
static void
test_concurrent_winner(void **state)
{
	struct kv alice = { "employer", tu_str("alice") };
	struct rec employers[3] = {
		{ "intent", "I01", &alice, 1, PUT_SET },
		{ "intent", "I02", &alice, 1, PUT_SET },
		{ "intent", "I03", &alice, 1, PUT_SET },
	};
	struct fix *f = *state;
	struct cs_dep d2;
	struct tu_cs b1, b2, b3;
	uint64_t h3;
	struct view w;
	char *json;

	add_intent(f, "I01", "a1");
	add_intent(f, "I02", "a2");
	add_intent(f, "I03", "a3");
	d2 = dep_a(f, NULL);		/* A:5, the last creation */
	/* A writes all three employers in A:6, not knowing B */
	assert_ok(put_recs(f->a, employers, 3));
	h3 = tu_head(&f->a->store, f->a->pk).hlc;
	assert_int_equal(tu_head(&f->a->store, f->a->pk).seq, 6);
	/* B, having seen the creations only, writes each with another clock */
	op(f, OP_SET, "intent", "I01", "employer", tu_str("bob"));
	b1 = sign(f, &f->b, &d2, 1, h3 + 1);
	op(f, OP_SET, "intent", "I02", "employer", tu_str("bob"));
	b2 = sign(f, &f->b, &d2, 1, h3 - 1);
	op(f, OP_SET, "intent", "I03", "employer", tu_str("bob"));
	b3 = sign(f, &f->b, &d2, 1, h3);
	assert_ok(apply_a(f, &b1));
	assert_ok(apply_a(f, &b2));
	assert_ok(apply_a(f, &b3));

	/* a later clock wins */
	w = view_a(f, "intent", "I01", "employer");
	assert_int_equal(w.n, 2);
	assert_true(has(&w, f->a->pk, 6, "alice"));
	assert_true(has(&w, f->b.pk, 1, "bob"));
	assert_string_equal(w.win, "bob");
	/* an earlier clock loses, even from a later change-set of B */
	w = view_a(f, "intent", "I02", "employer");
	assert_int_equal(w.n, 2);
	assert_true(has(&w, f->a->pk, 6, "alice"));
	assert_true(has(&w, f->b.pk, 2, "bob"));
	assert_string_equal(w.win, "alice");
	/* equal clocks: the larger author key wins */
	w = view_a(f, "intent", "I03", "employer");
	assert_int_equal(w.n, 2);
	assert_true(has(&w, f->b.pk, 3, "bob"));
	assert_string_equal(w.win, memcmp(f->b.pk, f->a->pk,
	    CONSORT_KEY_BYTES) > 0 ? "bob" : "alice");
	/* untouched fields keep their single entry */
	w = view_a(f, "intent", "I02", "job");
	assert_int_equal(w.n, 1);

	/* the export shows the displayed values */
	json = tu_export(&f->a->store);
	assert_non_null(strstr(json, "\"I01\":{\"employer\":\"bob\""));
	assert_non_null(strstr(json, "\"I02\":{\"employer\":\"alice\""));
	free(json);
	tu_cs_free(&b1);
	tu_cs_free(&b2);
	tu_cs_free(&b3);
}

/* With equal clocks the larger author key is shown, in any arrival order. */
static void
test_tie_on_author_key(void **state)
{
	struct fix *f = *state;
	const char *big;
	struct tu_cs b1, c1;
	struct cs_dep d3;
	struct store s;
	struct view w;
	unsigned i;

	add_intent(f, "I01", "a");
	d3 = dep_a(f, NULL);
	op(f, OP_SET, "intent", "I01", "employer", tu_str("bob"));
	b1 = sign(f, &f->b, &d3, 1, 1000);
	op(f, OP_SET, "intent", "I01", "employer", tu_str("carol"));
	c1 = sign(f, &f->c, &d3, 1, 1000);
	big = memcmp(f->b.pk, f->c.pk, CONSORT_KEY_BYTES) > 0 ? "bob" : "carol";
	/* node A gets B:1 first, a fresh store C:1 first */
	assert_ok(apply_a(f, &b1));
	assert_ok(apply_a(f, &c1));
	fresh_store(f, "other", &s);
	for (i = 1; i <= 3; i++) {
		struct tu_cs a = tu_stored_cs(&f->a->store, f->a->pk, i);

		assert_ok(tu_apply_cs(&s, f->a->consortium, &a));
		tu_cs_free(&a);
	}
	assert_ok(tu_apply_cs(&s, f->a->consortium, &c1));
	assert_ok(tu_apply_cs(&s, f->a->consortium, &b1));
	w = view_a(f, "intent", "I01", "employer");
	assert_int_equal(w.n, 2);
	assert_string_equal(w.win, big);
	assert_string_equal(w.val[0], "bob");	/* arrival order differs... */
	w = view(&s, f->a->founder, "intent", "I01", "employer");
	assert_int_equal(w.n, 2);
	assert_string_equal(w.win, big);	/* ...the winner does not */
	assert_string_equal(w.val[0], "carol");
	store_close(&s);
	tu_cs_free(&b1);
	tu_cs_free(&c1);
}

/* Three concurrent writes keep three entries; one that saw all leaves one. */
static void
test_three_way_then_resolve(void **state)
{
	struct fix *f = *state;
	struct cs_dep d2;
	struct tu_cs b1, c1;
	uint64_t h2;
	struct view w;

	add_intent(f, "I01", "a");
	d2 = dep_a(f, &h2);
	put1(f->a, "intent", "I01", "employer", tu_str("alice"), PUT_SET);
	op(f, OP_SET, "intent", "I01", "employer", tu_str("bob"));
	b1 = sign(f, &f->b, &d2, 1, h2 + 1);
	op(f, OP_SET, "intent", "I01", "employer", tu_str("carol"));
	c1 = sign(f, &f->c, &d2, 1, UINT64_C(1) << 62);
	assert_ok(apply_a(f, &c1));
	assert_ok(apply_a(f, &b1));
	w = view_a(f, "intent", "I01", "employer");
	assert_int_equal(w.n, 3);
	assert_true(has(&w, f->a->pk, 4, "alice"));
	assert_true(has(&w, f->b.pk, 1, "bob"));
	assert_true(has(&w, f->c.pk, 1, "carol"));
	assert_string_equal(w.win, "carol");

	/* writing the displayed value again is a change: it resolves */
	put1(f->a, "intent", "I01", "employer", tu_str("carol"), PUT_SET);
	assert_int_equal(tu_head(&f->a->store, f->a->pk).seq, 5);
	w = view_a(f, "intent", "I01", "employer");
	assert_int_equal(w.n, 1);
	assert_true(has(&w, f->a->pk, 5, "carol"));
	/* and once resolved, the same value again appends nothing */
	put1(f->a, "intent", "I01", "employer", tu_str("carol"), PUT_SET);
	assert_int_equal(tu_head(&f->a->store, f->a->pk).seq, 5);
	tu_cs_free(&b1);
	tu_cs_free(&c1);
}

/* A peer's write whose deps cover every competing entry resolves them. */
static void
test_resolve_by_peer(void **state)
{
	struct fix *f = *state;
	struct cs_dep d2, deps[2];
	struct tu_cs b1, c1, b2;
	uint64_t h2;
	struct view w;

	add_intent(f, "I01", "a");
	d2 = dep_a(f, &h2);
	put1(f->a, "intent", "I01", "employer", tu_str("alice"), PUT_SET);
	op(f, OP_SET, "intent", "I01", "employer", tu_str("bob"));
	b1 = sign(f, &f->b, &d2, 1, h2 + 1);
	op(f, OP_SET, "intent", "I01", "employer", tu_str("carol"));
	c1 = sign(f, &f->c, &d2, 1, h2 + 2);
	assert_ok(apply_a(f, &b1));
	assert_ok(apply_a(f, &c1));
	assert_int_equal(view_a(f, "intent", "I01", "employer").n, 3);

	/* B has seen C:1 but not A:4: A's entry stays */
	deps[0] = d2;
	deps[1] = dep_tip(&f->c);
	op(f, OP_SET, "intent", "I01", "employer", tu_str("bob2"));
	b2 = sign(f, &f->b, deps, 2, 5);
	assert_ok(apply_a(f, &b2));
	w = view_a(f, "intent", "I01", "employer");
	assert_int_equal(w.n, 2);
	assert_true(has(&w, f->a->pk, 4, "alice"));
	assert_true(has(&w, f->b.pk, 2, "bob2"));
	assert_string_equal(w.win, "alice");	/* hlc 5 is older */
	tu_cs_free(&b2);

	/* B has now seen A:4 too */
	deps[0] = dep_a(f, NULL);
	op(f, OP_SET, "intent", "I01", "employer", tu_str("bob3"));
	b2 = sign(f, &f->b, deps, 2, 6);
	assert_ok(apply_a(f, &b2));
	w = view_a(f, "intent", "I01", "employer");
	assert_int_equal(w.n, 1);
	assert_true(has(&w, f->b.pk, 3, "bob3"));
	tu_cs_free(&b1);
	tu_cs_free(&c1);
	tu_cs_free(&b2);
}

/* An unset concurrent with a set keeps both; a nil winner shows no value. */
static void
test_concurrent_unset(void **state)
{
	struct fix *f = *state;
	struct cs_dep d2;
	struct tu_cs b1;
	uint64_t h2;
	struct view w;

	add_intent(f, "I01", "a");
	d2 = dep_a(f, &h2);
	put1(f->a, "intent", "I01", "employer", tu_str("alice"), PUT_SET);
	op(f, OP_UNSET, "intent", "I01", "employer", tu_int(0));
	b1 = sign(f, &f->b, &d2, 1, UINT64_MAX);
	assert_ok(apply_a(f, &b1));
	w = view_a(f, "intent", "I01", "employer");
	assert_int_equal(w.n, 2);
	assert_true(has(&w, f->b.pk, 1, "(nil)"));
	assert_true(has(&w, f->a->pk, 4, "alice"));
	assert_string_equal(w.win, "(none)");
	tu_cs_free(&b1);
}

/* Delete vs concurrent update: the record is gone, the update's entry stays. */
static void
test_delete_vs_update(void **state)
{
	struct fix *f = *state;
	uint8_t ha[CONSORT_HASH_BYTES], hs[CONSORT_HASH_BYTES];
	struct tu_cs a[4], b1;
	struct store s;
	struct cs_dep d2;
	uint64_t h2;
	struct view w;
	unsigned i;
	char *json;

	add_intent(f, "I01", "a");
	d2 = dep_a(f, &h2);
	op(f, OP_SET, "intent", "I01", "employer", tu_str("bob"));
	b1 = sign(f, &f->b, &d2, 1, h2 + 1);
	assert_ok(tu_del(f->a, "intent", "I01"));		/* A:4 */
	assert_ok(apply_a(f, &b1));

	w = view_a(f, "intent", "I01", NULL);
	assert_true(w.found);
	assert_false(w.alive);
	assert_int_equal(w.n, 1);
	assert_true(has(&w, f->a->pk, 4, "(nil)"));
	w = view_a(f, "intent", "I01", "employer");
	assert_int_equal(w.n, 1);
	assert_true(has(&w, f->b.pk, 1, "bob"));
	w = view_a(f, "intent", "I01", "job");
	assert_int_equal(w.n, 0);
	assert_int_equal(count(&f->a->store, T_intent), 0);
	json = tu_export(&f->a->store);
	assert_string_equal(json, "{}");
	free(json);

	/* the other order gives the same state */
	for (i = 0; i < 4; i++)
		a[i] = tu_stored_cs(&f->a->store, f->a->pk, i + 1);
	fresh_store(f, "other", &s);
	for (i = 0; i < 3; i++)
		assert_ok(tu_apply_cs(&s, f->a->consortium, &a[i]));
	assert_ok(tu_apply_cs(&s, f->a->consortium, &b1));
	w = view(&s, f->a->founder, "intent", "I01", "employer");
	assert_int_equal(w.n, 1);
	assert_string_equal(w.win, "bob");
	assert_ok(tu_apply_cs(&s, f->a->consortium, &a[3]));
	tu_state_hash(&f->a->store, ha);
	tu_state_hash(&s, hs);
	assert_memory_equal(ha, hs, CONSORT_HASH_BYTES);
	store_close(&s);

	/* a write that has seen the delete brings the record back, alone */
	put1(f->a, "intent", "I01", "employer", tu_str("again"), PUT_ADD);
	w = view_a(f, "intent", "I01", "employer");
	assert_int_equal(w.n, 1);
	assert_true(has(&w, f->a->pk, 5, "again"));
	assert_true(view_a(f, "intent", "I01", NULL).alive);
	assert_int_equal(view_a(f, "intent", "I01", NULL).n, 1);
	for (i = 0; i < 4; i++)
		tu_cs_free(&a[i]);
	tu_cs_free(&b1);
}

/* Applies change-sets to a fresh store in the given order; returns its hash. */
static void
replay_in_order(struct fix *f, const char *name, struct tu_cs cs[NCS],
    const int *order, unsigned n, uint8_t hash[CONSORT_HASH_BYTES],
    char **json)
{
	struct store s;
	unsigned i;

	fresh_store(f, name, &s);
	for (i = 0; i < n; i++)
		if (tu_apply_cs(&s, f->a->consortium, &cs[order[i]]) != 0)
			fail_msg("%s: change-set %u of the order refused", name,
			    i);
	tu_state_hash(&s, hash);
	if (json != NULL)
		*json = tu_export(&s);
	store_close(&s);
}

/* The same change-sets in different causal orders give one state hash. */
static void
test_order_independence(void **state)
{
	static const int y[] = { A1, A2, A3, C1, B1, B2, A4, C2, A5 };
	static const int z[] = { A1, A2, A3, B1, A4, C1, C2, B2, A5 };
	static const int partial[] = { A1, A2, A3, B1, A4, C1, C2, B2 };
	uint8_t hx[CONSORT_HASH_BYTES], hy[CONSORT_HASH_BYTES],
	    hz[CONSORT_HASH_BYTES], hp[CONSORT_HASH_BYTES];
	struct fix *f = *state;
	struct tu_cs cs[NCS];
	char *jx, *jy, *jz;
	struct view w;
	unsigned i;

	scenario(f, cs);
	tu_state_hash(&f->a->store, hx);
	jx = tu_export(&f->a->store);
	assert_string_equal(jx, "{\"intent\":{"
	    "\"I01\":{\"employer\":\"C2\",\"evidence\":\"FB\","
	    "\"job\":\"Chef\",\"months\":24,\"status\":\"confirmed\"},"
	    "\"I02\":{\"employer\":\"revived\"}}}");
	w = view_a(f, "intent", "I01", "employer");
	assert_int_equal(w.n, 1);
	assert_true(has(&w, f->c.pk, 2, "C2"));
	w = view_a(f, "intent", "I01", "months");
	assert_int_equal(w.n, 1);
	assert_true(has(&w, f->b.pk, 2, "24"));
	w = view_a(f, "intent", "I02", NULL);
	assert_int_equal(w.n, 1);
	assert_true(has(&w, f->b.pk, 2, "I02"));
	w = view_a(f, "intent", "I01", "status");
	assert_int_equal(w.n, 3);
	assert_true(has(&w, f->a->pk, 4, "confirmed"));
	assert_true(has(&w, f->b.pk, 1, "withdrawn"));
	assert_true(has(&w, f->c.pk, 1, "declared"));
	w = view_a(f, "intent", "I01", "evidence");
	assert_int_equal(w.n, 2);
	assert_true(has(&w, f->a->pk, 4, "FA"));
	assert_true(has(&w, f->b.pk, 2, "FB"));

	replay_in_order(f, "y", cs, y, nitems(y), hy, &jy);
	replay_in_order(f, "z", cs, z, nitems(z), hz, &jz);
	assert_memory_equal(hx, hy, CONSORT_HASH_BYTES);
	assert_memory_equal(hx, hz, CONSORT_HASH_BYTES);
	assert_string_equal(jx, jy);
	assert_string_equal(jx, jz);
	/* without A:5 the state differs: the hash covers it */
	replay_in_order(f, "p", cs, partial, nitems(partial), hp, NULL);
	assert_memory_not_equal(hx, hp, CONSORT_HASH_BYTES);
	free(jx);
	free(jy);
	free(jz);
	for (i = 0; i < NCS; i++)
		tu_cs_free(&cs[i]);
}

/* Applies A:1..A:n then x into one store, and x right after A:2 into another. */
static void
both_orders(struct fix *f, struct tu_cs *x, unsigned n, int *r_late,
    int *r_early, bool *same)
{
	static int k;
	uint8_t h1[32], h2[32];
	struct store s1, s2;
	char n1[16], n2[16];
	unsigned i;

	snprintf(n1, sizeof(n1), "o1-%d", k);
	snprintf(n2, sizeof(n2), "o2-%d", k++);
	fresh_store(f, n1, &s1);
	fresh_store(f, n2, &s2);
	*r_early = -1;
	for (i = 1; i <= n; i++) {
		struct tu_cs a = tu_stored_cs(&f->a->store, f->a->pk, i);

		assert_ok(tu_apply_cs(&s1, f->a->consortium, &a));
		assert_ok(tu_apply_cs(&s2, f->a->consortium, &a));
		if (i == 2)
			*r_early = tu_apply_cs(&s2, f->a->consortium, x);
		tu_cs_free(&a);
	}
	*r_late = tu_apply_cs(&s1, f->a->consortium, x);
	tu_state_hash(&s1, h1);
	tu_state_hash(&s2, h2);
	*same = memcmp(h1, h2, 32) == 0;
	store_close(&s1);
	store_close(&s2);
}

/* A set concurrent with the record's creation converges in either order. */
static void
test_set_before_create_converges(void **state)
{
	struct fix *f = *state;
	struct cs_dep d2 = dep_a(f, NULL);
	struct tu_cs x;
	int late, early;
	bool same;

	add_intent(f, "I01", "alice");		/* A:3 creates I01 */
	op(f, OP_SET, "intent", "I01", "job", tu_str("bob"));
	x = sign(f, &f->b, &d2, 1, 1);		/* B:1, concurrent with A:3 */
	both_orders(f, &x, 3, &late, &early, &same);
	assert_int_equal(late, 0);
	assert_int_equal(early, 0);
	assert_true(same);
	tu_cs_free(&x);
}

/* A create whose ref does not derive the entity id is refused, in any order. */
static void
test_create_with_foreign_ref_refused(void **state)
{
	struct fix *f = *state;
	struct cs_dep d2 = dep_a(f, NULL);
	struct tu_cs x;
	int late, early;
	bool same;

	add_intent(f, "I01", "alice");
	op(f, OP_CREATE, "intent", "I01", NULL, tu_str("I99"));
	x = sign(f, &f->b, &d2, 1, 1);
	both_orders(f, &x, 3, &late, &early, &same);
	assert_true(same);
	tu_cs_free(&x);
}

/* Deps are closed transitively: C saw A:3 through B:1, so replaces it. */
static void
test_transitive_causality(void **state)
{
	struct fix *f = *state;
	struct tu_cs b1, c1;
	struct cs_dep d3, db;
	struct view w;

	add_intent(f, "I01", "alice");		/* A:3 */
	d3 = dep_a(f, NULL);
	op(f, OP_SET, "intent", "I01", "job", tu_str("b"));
	b1 = sign(f, &f->b, &d3, 1, 1);		/* B:1 has seen A:3 */
	db = dep_tip(&f->b);
	op(f, OP_SET, "intent", "I01", "employer", tu_str("carol"));
	c1 = sign(f, &f->c, &db, 1, 2);		/* C:1 has seen B:1, so A:3 */
	assert_ok(apply_a(f, &b1));
	assert_ok(apply_a(f, &c1));
	w = view_a(f, "intent", "I01", "employer");
	assert_int_equal(w.n, 1);
	assert_string_equal(w.win, "carol");
	tu_cs_free(&b1);
	tu_cs_free(&c1);
}


/* A resolution and a new write concurrent with it conflict again, with those two. */
static void
test_resolve_vs_new_concurrent_write(void **state)
{
	struct fix *f = *state;
	struct cs_dep d2, d3;
	struct tu_cs b1, b2;
	uint64_t h2;
	struct view w;

	add_intent(f, "I01", "a");
	d2 = dep_a(f, &h2);
	put1(f->a, "intent", "I01", "employer", tu_str("alice"), PUT_SET);
	op(f, OP_SET, "intent", "I01", "employer", tu_str("bob"));
	b1 = sign(f, &f->b, &d2, 1, h2 + 1);		/* concurrent with alice */
	assert_ok(apply_a(f, &b1));
	w = view_a(f, "intent", "I01", "employer");
	assert_int_equal(w.n, 2);
	/* A resolves, having seen both */
	put1(f->a, "intent", "I01", "employer", tu_str("resolved"), PUT_SET);
	w = view_a(f, "intent", "I01", "employer");
	assert_int_equal(w.n, 1);
	assert_string_equal(w.win, "resolved");
	/* B, not having seen the resolution, writes again */
	d3 = d2;
	op(f, OP_SET, "intent", "I01", "employer", tu_str("bobby"));
	b2 = sign(f, &f->b, &d3, 1, h2 + 2);
	assert_ok(apply_a(f, &b2));
	w = view_a(f, "intent", "I01", "employer");
	assert_int_equal(w.n, 2);
	assert_true(has(&w, f->b.pk, 2, "bobby"));
	assert_true(has(&w, f->a->pk, tu_head(&f->a->store, f->a->pk).seq,
	    "resolved"));
	tu_cs_free(&b1);
	tu_cs_free(&b2);
}

/*
 * A personal field merges as any other, on its commitments: concurrent
 * writes keep both entries and the later clock wins, in any order of
 * arrival and on a node that opens none of them (one state hash); node A
 * reads its own value, never B's, and its export leaves out what it
 * cannot read.
 */
static void
test_personal_commitments(void **state)
{
	uint8_t ha[CONSORT_HASH_BYTES], hs[CONSORT_HASH_BYTES];
	struct fix *f = *state;
	struct tu_cs a[4], b1, b2;
	struct cs_dep d3, deps[1];
	struct store s;
	struct view w;
	uint64_t h3;
	unsigned i;
	char *json;

	add_trainee(f, "T01", "Martin");			/* A:3 */
	d3 = dep_a(f, &h3);
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("Durand"));
	b1 = sign(f, &f->b, &d3, 1, h3 + 1);
	usleep(2000);
	put1(f->a, "trainee", "T01", "family_name", tu_str("Bernard"),
	    PUT_SET);						/* A:4 */
	assert_ok(apply_a(f, &b1));
	w = view_a(f, "trainee", "T01", "family_name");
	assert_int_equal(w.n, 2);
	assert_true(has(&w, f->a->pk, 4, "Bernard"));
	assert_true(has(&w, f->b.pk, 1, "(commitment)"));
	assert_string_equal(w.win, "Bernard");
	json = tu_export(&f->a->store);
	assert_null(strstr(json, "Bernard"));
	assert_null(strstr(json, "family_name"));
	free(json);
	f->a->store.open_personal = true;
	json = tu_export(&f->a->store);
	assert_non_null(strstr(json, "\"family_name\":\"Bernard\""));
	assert_non_null(strstr(json, "\"given_name\":\"Ann\""));
	free(json);

	/* another store, B's first, without any opening: the same state */
	for (i = 0; i < 4; i++)
		a[i] = tu_stored_cs(&f->a->store, f->a->pk, i + 1);
	fresh_store(f, "other", &s);
	for (i = 0; i < 3; i++)
		assert_ok(tu_apply_cs(&s, f->a->consortium, &a[i]));
	assert_ok(tu_apply_cs(&s, f->a->consortium, &b1));
	assert_ok(tu_apply_cs(&s, f->a->consortium, &a[3]));
	tu_state_hash(&f->a->store, ha);
	tu_state_hash(&s, hs);
	assert_memory_equal(ha, hs, CONSORT_HASH_BYTES);
	w = view(&s, f->a->founder, "trainee", "T01", "family_name");
	assert_int_equal(w.n, 2);
	assert_string_equal(w.val[0], "(commitment)");
	assert_string_equal(w.val[1], "(commitment)");
	assert_string_equal(w.win, "(commitment)");
	store_close(&s);

	/* B, having seen A:4, writes again: one entry, that A cannot read */
	deps[0] = dep_a(f, NULL);
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("Petit"));
	b2 = sign(f, &f->b, deps, 1, h3 + 5);
	assert_ok(apply_a(f, &b2));
	w = view_a(f, "trainee", "T01", "family_name");
	assert_int_equal(w.n, 1);
	assert_true(has(&w, f->b.pk, 2, "(commitment)"));
	json = tu_export(&f->a->store);
	assert_null(strstr(json, "family_name"));
	assert_non_null(strstr(json, "\"given_name\":\"Ann\""));
	free(json);
	for (i = 0; i < 4; i++)
		tu_cs_free(&a[i]);
	tu_cs_free(&b1);
	tu_cs_free(&b2);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_sequential_local),
		T(test_sequential_across_authors),
		T(test_concurrent_winner),
		T(test_tie_on_author_key),
		T(test_three_way_then_resolve),
		T(test_resolve_by_peer),
		T(test_concurrent_unset),
		T(test_delete_vs_update),
		T(test_order_independence),
		T(test_set_before_create_converges),
		T(test_create_with_foreign_ref_refused),
		T(test_transitive_causality),
		T(test_resolve_vs_new_concurrent_write),
		T(test_personal_commitments),
	};
#undef T

	return cmocka_run_group_tests_name("merge", tests, tu_group_setup, NULL);
}
