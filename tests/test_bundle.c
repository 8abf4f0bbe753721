/*
 * Unit tests of sync/bundle.c: the sync stream written to a file sealed
 * with the network key, and read back.  The lead writes a few change-sets;
 * a co-contractor that joined from an invite imports them.  A bundle that
 * was cut, altered, lengthened or made by another consortium is refused
 * before anything of it is applied.  A bundle made for a member's key
 * opens only on the node of that key, not after the key was replaced.
 */
#include <stdarg.h>
#include <sys/stat.h>

#include "testutil.h"
#include "../sync/bundle.h"
#include "../sync/transport.h"

/* The lead, a member joined by invite, and the bundle's path. */
struct fix {
	char *dir;
	struct node *lead, *co;
	char path[4200];
};

/*
 * Writes one trainee on node n in its own change-set: its family name
 * travels as a commitment, and the ref does not hold it.
 */
static void
add_trainee(struct node *n, const char *ref)
{
	struct consort_diag d = { 0 };
	struct field_input in[1];
	const struct schema_type *t = schema_type_by_name("trainee");
	struct edit e;
	bool changed;

	in[0].f = schema_field_by_name(t, "family_name", 11);
	in[0].v = tu_str("Durand");
	assert_ok(edit_begin(n, &e));
	assert_ok(records_put(&e, t, ref, strlen(ref), in, 1, PUT_ADD, true,
	    &changed, &d));
	assert_ok(edit_commit(&e));
}

/* Writes one record with fields on node n (FIELD, VALUE pairs, NULL-ended). */
static void
put(struct node *n, const char *type, const char *ref, ...)
{
	const struct schema_type *t = schema_type_by_name(type);
	struct consort_diag d = { 0 };
	struct field_input in[4];
	const char *name, *val;
	unsigned k = 0;
	struct edit e;
	bool changed;
	va_list ap;

	va_start(ap, ref);
	while (k < 4 && (name = va_arg(ap, const char *)) != NULL) {
		val = va_arg(ap, const char *);
		in[k].f = schema_field_by_name(t, name, strlen(name));
		assert_non_null(in[k].f);
		assert_ok(schema_parse_text(in[k].f, val, strlen(val), &in[k].v,
		    &d));
		k++;
	}
	va_end(ap);
	assert_ok(edit_begin(n, &e));
	if (records_put(&e, t, ref, strlen(ref), in, k, PUT_UPSERT, false,
	    &changed, &d) != 0)
		fail_msg("put %s %s: %s", type, ref, d.what);
	assert_ok(edit_commit(&e));
}

/* Per-test setup: the lead with four change-sets, and the joined member. */
static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->dir = tu_mkdtemp()) == NULL)
		return -1;
	f->lead = tu_lead_init(f->dir, "lead");
	f->co = tu_member_join(f->lead, f->dir, "co");
	add_trainee(f->lead, "T1");
	add_trainee(f->lead, "T2");
	tu_path(f->path, sizeof(f->path), f->dir, "lead.bundle");
	*state = f;
	return 0;
}

/* Per-test teardown. */
static int
teardown(void **state)
{
	struct fix *f = *state;

	node_close(f->lead);
	node_close(f->co);
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

/* Reads a whole file; the caller frees it. */
static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *p;
	long n;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	rewind(fp);
	p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return p;
}

/* Writes bytes to a file. */
static void
spit(const char *path, const uint8_t *p, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(p, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* The heads of a node, as a version vector for bundle_export's since. */
static uint32_t
heads_of(struct node *n, struct sess_vv *vv, uint32_t max)
{
	struct store *s = &n->store;
	struct head h;
	struct store_txn *txn;
	uint32_t i, k = 0;

	assert_ok(store_begin(s, false, &txn));
	assert_ok(store_load_authors(txn, s));
	for (i = 0; i < s->nauthors && k < max; i++) {
		assert_ok(store_head(txn, s, s->authors[i], &h));
		if (h.seq == 0)
			continue;
		memcpy(vv[k].author, s->authors[i], CONSORT_KEY_BYTES);
		vv[k].seq = h.seq;
		memcpy(vv[k].head, h.id, CONSORT_HASH_BYTES);
		k++;
	}
	store_abort(txn);
	return k;
}

/* Whether two nodes' states are the same. */
static bool
same_state(struct node *a, struct node *b)
{
	uint8_t ha[CONSORT_HASH_BYTES], hb[CONSORT_HASH_BYTES];

	tu_state_hash(&a->store, ha);
	tu_state_hash(&b->store, hb);
	return memcmp(ha, hb, sizeof(ha)) == 0;
}

/* Imports the file at path into the member; returns the error. */
static int
import(struct fix *f, const char *path, struct bundle_stats *st,
    struct consort_diag *d)
{
	memset(d, 0, sizeof(*d));
	return bundle_import(f->co, path, st, d);
}

/* Whether node n shows trainee ref's family name as name (not sealed). */
static bool
reads(struct node *n, const char *ref, const char *name)
{
	struct store_txn *txn;
	const struct value *v;
	struct record r;
	bool ok;

	record_init(&r);
	n->store.open_personal = true;
	assert_ok(store_begin(&n->store, false, &txn));
	assert_ok(state_lookup(txn, &n->store, n->founder, T_trainee, ref,
	    strlen(ref), &r));
	v = state_field(&n->store, &r, F_trainee_family_name);
	ok = v != NULL && tu_is_str(v, name);
	store_abort(txn);
	record_free(&r);
	n->store.open_personal = false;
	return ok;
}

/*
 * Everything the lead holds goes into a 0600 file the member imports to
 * the lead's state; importing it again changes nothing.
 */
static void
test_export_import(void **state)
{
	struct fix *f = *state;
	struct bundle_stats out, in;
	struct consort_diag d = { 0 };
	struct stat st;
	uint8_t *p;
	size_t len;

	assert_false(same_state(f->lead, f->co));
	assert_ok(bundle_export(f->lead, f->path, NULL, 0, NULL, &out, &d));
	assert_int_equal(out.changesets, 4);	/* genesis, binding, T1, T2 */
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal((uint64_t)st.st_size, out.bytes);
	p = slurp(f->path, &len);
	assert_memory_equal(p, BUNDLE_MAGIC, 8);
	assert_memory_equal(p + 8, f->lead->consortium, CONSORT_HASH_BYTES);
	free(p);

	assert_ok(import(f, f->path, &in, &d));
	assert_int_equal(in.recv.applied, 3);	/* the genesis is held */
	assert_int_equal(in.recv.held, 1);
	assert_true(same_state(f->lead, f->co));
	assert_int_equal(tu_head(&f->co->store, f->lead->pk).seq, 4);
	assert_ok(import(f, f->path, &in, &d));
	assert_int_equal(in.recv.applied, 0);
	assert_int_equal(in.recv.held, 4);
	assert_true(same_state(f->lead, f->co));
}

/* A bundle since a version vector carries only what its holder lacks. */
static void
test_since(void **state)
{
	struct fix *f = *state;
	struct bundle_stats st;
	struct consort_diag d = { 0 };
	struct sess_vv vv[8];
	uint32_t n;

	n = heads_of(f->co, vv, 8);
	assert_int_equal(n, 1);		/* the genesis */
	assert_ok(bundle_export(f->lead, f->path, vv, n, NULL, &st, &d));
	assert_int_equal(st.changesets, 3);
	assert_ok(import(f, f->path, &st, &d));
	assert_int_equal(st.recv.applied, 3);
	assert_int_equal(st.recv.held, 0);
	/* the member's own change-set goes back the same way */
	add_trainee(f->co, "T3");
	n = heads_of(f->lead, vv, 8);
	assert_ok(bundle_export(f->co, f->path, vv, n, NULL, &st, &d));
	assert_int_equal(st.changesets, 1);
	assert_ok(bundle_import(f->lead, f->path, &st, &d));
	assert_int_equal(st.recv.applied, 1);
	assert_true(same_state(f->lead, f->co));
	/* nothing lacking: a bundle with no change-set at all */
	n = heads_of(f->co, vv, 8);
	assert_ok(bundle_export(f->lead, f->path, vv, n, NULL, &st, &d));
	assert_int_equal(st.changesets, 0);
	assert_ok(import(f, f->path, &st, &d));
	assert_int_equal(st.recv.applied + st.recv.held, 0);
}

/*
 * Every altered byte and every cut is refused, and the member's store is
 * as it was: the first pass reads the whole file before anything applies.
 */
static void
test_altered_or_cut(void **state)
{
	uint8_t before[CONSORT_HASH_BYTES], after[CONSORT_HASH_BYTES];
	struct fix *f = *state;
	struct bundle_stats st;
	struct consort_diag d = { 0 };
	char bad[4300];
	uint8_t *p;
	size_t len, i;
	int rc;

	assert_ok(bundle_export(f->lead, f->path, NULL, 0, NULL, &st, &d));
	p = slurp(f->path, &len);
	tu_state_hash(&f->co->store, before);
	snprintf(bad, sizeof(bad), "%s/bad.bundle", f->dir);
	for (i = 0; i < len; i++) {
		p[i] ^= 0x20;
		spit(bad, p, len);
		p[i] ^= 0x20;
		rc = import(f, bad, &st, &d);
		if (rc >= 0 || st.recv.applied + st.recv.held != 0)
			fail_msg("byte %zu altered: %s, %llu applied", i,
			    consort_err_name(rc),
			    (unsigned long long)st.recv.applied);
		if (i < 8)
			assert_int_equal(rc, E(BADTYPE));
		else if (i < 8 + CONSORT_HASH_BYTES)
			assert_int_equal(rc, E(CONSORTIUM));
		assert_non_null(strstr(d.where, "bad.bundle"));
	}
	for (i = 0; i < len; i += i < 64 ? 1 : 7) {
		spit(bad, p, i);
		rc = import(f, bad, &st, &d);
		if (rc >= 0 || st.recv.applied + st.recv.held != 0)
			fail_msg("cut at %zu of %zu: %s", i, len,
			    consort_err_name(rc));
	}
	spit(bad, p, len - 1);
	assert_err(import(f, bad, &st, &d), E(TRUNCATED));
	assert_string_equal(d.what, "the bundle is cut short");
	/* a byte after the last frame */
	p = realloc(p, len + 1);
	assert_non_null(p);
	p[len] = 0;
	spit(bad, p, len + 1);
	assert_err(import(f, bad, &st, &d), E(TRAILING));
	tu_state_hash(&f->co->store, after);
	assert_memory_equal(before, after, CONSORT_HASH_BYTES);
	assert_int_equal(tu_head(&f->co->store, f->lead->pk).seq, 1);
	/* the good file still imports */
	assert_ok(import(f, f->path, &st, &d));
	assert_true(same_state(f->lead, f->co));
	free(p);
}

/* Another consortium's bundle, a file that is none, a missing file. */
static void
test_refusals(void **state)
{
	struct fix *f = *state;
	struct bundle_stats st;
	struct consort_diag d = { 0 };
	struct node *other;
	char path[4300];

	other = tu_node_init(f->dir, "other", NULL);
	snprintf(path, sizeof(path), "%s/other.bundle", f->dir);
	assert_ok(bundle_export(other, path, NULL, 0, NULL, &st, &d));
	assert_int_equal(st.changesets, 1);
	assert_err(import(f, path, &st, &d), E(CONSORTIUM));
	assert_string_equal(d.what, "a bundle of another consortium");
	/* and the other way round */
	assert_ok(bundle_export(f->lead, f->path, NULL, 0, NULL, &st, &d));
	assert_err(bundle_import(other, f->path, &st, &d), E(CONSORTIUM));
	node_close(other);

	tu_write_file(path, "CSRTINV1 not a bundle at all, but long enough\n");
	assert_err(import(f, path, &st, &d), E(BADTYPE));
	assert_string_equal(d.what, "not a consort bundle");
	snprintf(path, sizeof(path), "%s/missing.bundle", f->dir);
	assert_err(import(f, path, &st, &d), E(IO));
	assert_int_equal(tu_head(&f->co->store, f->lead->pk).seq, 1);
}

/*
 * A bundle sealed with another network key under this consortium's id
 * does not open; one the member can read is the lead's own.
 */
static void
test_wrong_network_key(void **state)
{
	struct fix *f = *state;
	struct bundle_stats st;
	struct consort_diag d = { 0 };
	uint8_t key[32], netkey[32];
	char path[4300], keypath[4300];

	assert_ok(bundle_key(f->lead, key));
	assert_ok(bundle_key(f->co, netkey));
	assert_memory_equal(key, netkey, 32);
	assert_ok(bundle_export(f->lead, f->path, NULL, 0, NULL, &st, &d));
	/* the member's network key replaced by another one */
	snprintf(path, sizeof(path), "%s/co/network.key", f->dir);
	snprintf(keypath, sizeof(keypath), "%s/co/key", f->dir);
	assert_int_equal(unlink(path), 0);
	randombytes_buf(netkey, sizeof(netkey));
	assert_ok(keys_netkey_write(path, netkey, keypath));
	assert_ok(bundle_key(f->co, netkey));
	assert_memory_not_equal(key, netkey, 32);
	assert_err(import(f, f->path, &st, &d), E(SIGNATURE));
	assert_int_equal(tu_head(&f->co->store, f->lead->pk).seq, 1);
	/* sealed to the member's key, it needs the network key too */
	assert_ok(bundle_export(f->lead, f->path, NULL, 0, f->co->pk, &st, &d));
	assert_err(import(f, f->path, &st, &d), E(SIGNATURE));
	assert_int_equal(tu_head(&f->co->store, f->lead->pk).seq, 1);
}

/* Offsets in a sealed bundle: the reader's key, the sealed file key, the stream. */
#define AT_READER (8 + CONSORT_HASH_BYTES)
#define AT_SEALED (AT_READER + CONSORT_KEY_BYTES)
#define AT_HEADER (AT_SEALED + crypto_box_SEALBYTES + 32)
#define AT_FRAMES (AT_HEADER + STREAM_HEADER_BYTES)

/*
 * A bundle made for the member's key starts with the second magic and
 * that key; the member imports it and reads the trainee of its session.
 * A bundle without a reader keeps the first format and no value.
 */
static void
test_sealed_round_trip(void **state)
{
	struct fix *f = *state;
	struct bundle_stats out, in;
	struct consort_diag d = { 0 };
	uint8_t *p;
	size_t len;

	put(f->lead, "lot", "L1", "sector", "Batiment", "territory", "44",
	    "rate_cents", "1000", NULL);
	put(f->lead, "session", "SC", "provider", TU_CO_SIRET, "lot", "L1",
	    NULL);
	put(f->lead, "path", "P1", "trainee", "T1", "session", "SC", NULL);
	assert_ok(bundle_export(f->lead, f->path, NULL, 0, f->co->pk, &out, &d));
	assert_int_equal(out.openings, 1);	/* T1's family name */
	assert_true(bundle_is_sealed(f->path));
	p = slurp(f->path, &len);
	assert_int_equal(len, out.bytes);
	assert_memory_equal(p, BUNDLE_MAGIC_SEALED, 8);
	assert_memory_equal(p + 8, f->lead->consortium, CONSORT_HASH_BYTES);
	assert_memory_equal(p + AT_READER, f->co->pk, CONSORT_KEY_BYTES);
	free(p);
	assert_ok(import(f, f->path, &in, &d));
	assert_int_equal(in.openings_recv.kept, 1);
	assert_true(same_state(f->lead, f->co));
	assert_true(reads(f->co, "T1", "Durand"));
	assert_false(reads(f->co, "T2", "Durand"));

	assert_ok(bundle_export(f->lead, f->path, NULL, 0, NULL, &out, &d));
	assert_int_equal(out.openings, 0);
	assert_false(bundle_is_sealed(f->path));
}

/*
 * A bundle made for another key is refused, naming that key (and its
 * member when the roster knows it); the reader's key rewritten to the
 * importer's does not open; without its secret key loaded, the node
 * cannot open a bundle made for it.
 */
static void
test_sealed_wrong_key(void **state)
{
	uint8_t before[CONSORT_HASH_BYTES], after[CONSORT_HASH_BYTES];
	uint8_t other[CONSORT_KEY_BYTES], other_sk[64], *p;
	struct fix *f = *state;
	struct bundle_stats st;
	struct consort_diag d = { 0 };
	char hex[65], bad[4300], path[4300];
	size_t len;

	tu_state_hash(&f->co->store, before);
	crypto_sign_keypair(other, other_sk);
	assert_ok(bundle_export(f->lead, f->path, NULL, 0, other, &st, &d));
	assert_err(import(f, f->path, &st, &d), E(PERM));
	util_hex(hex, other, CONSORT_KEY_BYTES);
	hex[16] = '\0';
	assert_non_null(strstr(d.what, hex));
	assert_non_null(strstr(d.what, "not for this node's key"));
	/* the member's own binding has not reached it yet */
	assert_non_null(strstr(d.hint, "--for your SIRET"));
	assert_non_null(strstr(d.where, "lead.bundle"));

	/* the member's bundle on the lead, whose roster knows the member */
	assert_ok(bundle_export(f->lead, f->path, NULL, 0, f->co->pk, &st, &d));
	memset(&d, 0, sizeof(d));
	assert_err(bundle_import(f->lead, f->path, &st, &d), E(PERM));
	assert_non_null(strstr(d.what, "of member " TU_CO_SIRET));
	assert_non_null(strstr(d.hint, "--for " TU_LEAD_SIRET));
	/* ... with the lead's key in place of the reader's: no file key */
	p = slurp(f->path, &len);
	memcpy(p + AT_READER, f->lead->pk, CONSORT_KEY_BYTES);
	snprintf(bad, sizeof(bad), "%s/bad.bundle", f->dir);
	spit(bad, p, len);
	free(p);
	memset(&d, 0, sizeof(d));
	assert_err(bundle_import(f->lead, bad, &st, &d), E(SIGNATURE));
	assert_non_null(strstr(d.what, "file key"));

	/* the member's node opened without its secret key */
	tu_path(path, sizeof(path), f->dir, "co");
	node_close(f->co);
	assert_ok(node_open(path, &f->co, &d));
	tu_nosync(f->co);
	assert_false(f->co->have_sk);
	assert_err(import(f, f->path, &st, &d), E(KEY));
	tu_state_hash(&f->co->store, after);
	assert_memory_equal(before, after, CONSORT_HASH_BYTES);
	assert_ok(node_unlock(f->co, NULL, 0, &d));
	assert_ok(import(f, f->path, &st, &d));
	assert_true(same_state(f->lead, f->co));
}

/*
 * Every altered byte and every cut of a sealed bundle is refused and
 * nothing applies: the reader's key says another key, the sealed file key
 * does not open, the stream does not authenticate.
 */
static void
test_sealed_altered_or_cut(void **state)
{
	uint8_t before[CONSORT_HASH_BYTES], after[CONSORT_HASH_BYTES];
	struct fix *f = *state;
	struct bundle_stats st;
	struct consort_diag d = { 0 };
	char bad[4300];
	uint8_t *p;
	size_t len, i;
	int rc, want;

	assert_ok(bundle_export(f->lead, f->path, NULL, 0, f->co->pk, &st, &d));
	p = slurp(f->path, &len);
	assert_true(len > AT_FRAMES);
	tu_state_hash(&f->co->store, before);
	snprintf(bad, sizeof(bad), "%s/bad.bundle", f->dir);
	for (i = 0; i < len; i += i < AT_FRAMES + 16 ? 1 : 5) {
		p[i] ^= 0x20;
		spit(bad, p, len);
		p[i] ^= 0x20;
		rc = import(f, bad, &st, &d);
		if (rc >= 0 || st.recv.applied + st.recv.held != 0)
			fail_msg("byte %zu altered: %s, %llu applied", i,
			    consort_err_name(rc),
			    (unsigned long long)st.recv.applied);
		want = i < 8 ? E(BADTYPE) : i < AT_READER ? E(CONSORTIUM) :
		    i < AT_SEALED ? E(PERM) : E(SIGNATURE);
		if (i < AT_FRAMES && rc != want)
			fail_msg("byte %zu altered: %s, expected %s", i,
			    consort_err_name(rc), consort_err_name(want));
		if (i >= AT_SEALED && i < AT_HEADER)
			assert_non_null(strstr(d.what, "file key"));
	}
	for (i = 0; i < len; i += i < AT_FRAMES + 16 ? 1 : 5) {
		spit(bad, p, i);
		rc = import(f, bad, &st, &d);
		if (rc >= 0 || st.recv.applied + st.recv.held != 0)
			fail_msg("cut at %zu of %zu: %s", i, len,
			    consort_err_name(rc));
		if (i >= 8 + CONSORT_HASH_BYTES && i < AT_FRAMES)
			assert_int_equal(rc, E(TRUNCATED));
	}
	tu_state_hash(&f->co->store, after);
	assert_memory_equal(before, after, CONSORT_HASH_BYTES);
	assert_ok(import(f, f->path, &st, &d));
	assert_true(same_state(f->lead, f->co));
	free(p);
}

/*
 * After the member replaced its key, a bundle made for the old key is
 * refused on its node (the key was replaced: a new bundle is needed), and
 * one made for the new key opens.
 */
static void
test_sealed_replaced_key(void **state)
{
	uint8_t old[CONSORT_KEY_BYTES], new_pk[CONSORT_KEY_BYTES];
	struct fix *f = *state;
	struct bundle_stats st;
	struct consort_diag d = { 0 };
	char old_path[4300];

	assert_ok(bundle_export(f->lead, f->path, NULL, 0, NULL, &st, &d));
	assert_ok(import(f, f->path, &st, &d));
	memcpy(old, f->co->pk, CONSORT_KEY_BYTES);
	add_trainee(f->lead, "T3");
	tu_path(old_path, sizeof(old_path), f->dir, "old.bundle");
	assert_ok(bundle_export(f->lead, old_path, NULL, 0, old, &st, &d));
	assert_ok(node_rotate(f->co, NULL, 0, new_pk, &d));
	assert_memory_equal(f->co->pk, new_pk, CONSORT_KEY_BYTES);
	assert_memory_not_equal(old, new_pk, CONSORT_KEY_BYTES);
	assert_err(import(f, old_path, &st, &d), E(PERM));
	assert_non_null(strstr(d.what, "replaced since"));
	assert_non_null(strstr(d.hint, "new bundle"));
	assert_non_null(strstr(d.hint, "--for " TU_CO_SIRET));
	assert_int_equal(tu_head(&f->co->store, f->lead->pk).seq, 4);
	assert_ok(bundle_export(f->lead, f->path, NULL, 0, new_pk, &st, &d));
	assert_ok(import(f, f->path, &st, &d));
	assert_int_equal(st.recv.applied, 1);	/* T3 */
	assert_int_equal(tu_head(&f->co->store, f->lead->pk).seq, 5);
}

/* An export that cannot write its file leaves no file behind. */
static void
test_export_fails(void **state)
{
	struct fix *f = *state;
	struct bundle_stats st;
	struct consort_diag d = { 0 };
	char path[4300];

	snprintf(path, sizeof(path), "%s/missing/b.bundle", f->dir);
	assert_true(bundle_export(f->lead, path, NULL, 0, NULL, &st, &d) < 0);
	assert_int_not_equal(access(path, F_OK), 0);
	/* a folder in the way */
	snprintf(path, sizeof(path), "%s/co", f->dir);
	assert_true(bundle_export(f->lead, path, NULL, 0, NULL, &st, &d) < 0);
	assert_int_equal(access(f->path, F_OK), -1);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_export_import),
		T(test_since),
		T(test_altered_or_cut),
		T(test_refusals),
		T(test_wrong_network_key),
		T(test_export_fails),
		T(test_sealed_round_trip),
		T(test_sealed_wrong_key),
		T(test_sealed_altered_or_cut),
		T(test_sealed_replaced_key),
	};
#undef T

	return cmocka_run_group_tests_name("bundle", tests, tu_group_setup,
	    NULL);
}
