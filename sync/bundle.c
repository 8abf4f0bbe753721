/*
 * Bundles: the same messages as a sync session, written to a file for a
 * site that only has a USB stick or e-mail.  Two formats:
 *
 *   plain  = "CSRTBDL1" || consortium id (32) || stream header (24) || frames
 *   sealed = "CSRTBDL2" || consortium id (32) || reader's key (32)
 *            || sealed file key (80) || stream header (24) || frames
 *
 * The frames are those of the transport (transport.h), in one
 * crypto_secretstream: HELLO, BATCH..., then DONE in the FINAL frame.
 * The bundle key is BLAKE2b-256(key = network key, "consort-bundle-1" ||
 * consortium id).  A plain bundle (no personal value) is keyed by it:
 * only members hold the network key, so only they read or write bundles.
 *
 * A bundle made for a member (--for), which carries the personal values
 * that member may read, is sealed to the member's current key: the file
 * key, 32 random bytes, is crypto_box_seal()ed to the X25519 form of the
 * reader's Ed25519 key (crypto_sign_ed25519_pk_to_curve25519), and the
 * stream key is BLAKE2b-256(key = bundle key, "consort-bundle-2" ||
 * reader's key || file key).  Opening it takes both the network key and
 * the reader's secret key: a replaced key, or a copy of the network key
 * alone, reads nothing made for the key in force.  The reader's key is in
 * the clear so that another node says whose bundle it is.
 *
 * A cut file lacks its FINAL frame and an altered one does not
 * authenticate (an altered reader's key or sealed file key does not
 * open); every refusal comes before anything is applied.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle.h"
#include "transport.h"

#define LABEL "consort-bundle-1"
#define LABEL_SEALED "consort-bundle-2"
#define PREFIX_BYTES (8 + CONSORT_HASH_BYTES)
#define FILE_KEY_BYTES 32
#define SEALED_KEY_BYTES (crypto_box_SEALBYTES + FILE_KEY_BYTES)

struct writer {
	FILE *f;
	struct fstream fs;
	uint8_t *buf;
	size_t cap;
	uint8_t *pending;   /* the last message, sealed when the next comes */
	size_t pending_len, pending_cap;
	bool has_pending;
	uint64_t bytes;
	int err;
};

/* The key of a consortium's bundles, from its network key. */
int
bundle_key(struct node *n, uint8_t key[32])
{
	crypto_generichash_state st;
	uint8_t netkey[32];
	int rc;

	if ((rc = node_netkey(n, netkey)) != 0)
		return rc;
	crypto_generichash_init(&st, netkey, sizeof(netkey), 32);
	crypto_generichash_update(&st, (const uint8_t *)LABEL, sizeof(LABEL) - 1);
	crypto_generichash_update(&st, n->consortium, CONSORT_HASH_BYTES);
	crypto_generichash_final(&st, key, 32);
	sodium_memzero(netkey, sizeof(netkey));
	return 0;
}

/*
 * The stream key of a bundle sealed to reader: BLAKE2b-256 keyed by the
 * bundle key over the label, the reader's key and the file key.
 */
static int
sealed_stream_key(struct node *n, const uint8_t *reader,
    const uint8_t filekey[FILE_KEY_BYTES], uint8_t key[32])
{
	crypto_generichash_state st;
	uint8_t bkey[32];
	int rc;

	if ((rc = bundle_key(n, bkey)) != 0)
		return rc;
	crypto_generichash_init(&st, bkey, sizeof(bkey), 32);
	crypto_generichash_update(&st, (const uint8_t *)LABEL_SEALED,
	    sizeof(LABEL_SEALED) - 1);
	crypto_generichash_update(&st, reader, CONSORT_KEY_BYTES);
	crypto_generichash_update(&st, filekey, FILE_KEY_BYTES);
	crypto_generichash_final(&st, key, 32);
	sodium_memzero(bkey, sizeof(bkey));
	return 0;
}

/*
 * Draws a file key, seals it to reader's key into sealed and derives the
 * stream key from it.
 */
static int
seal_file_key(struct node *n, const uint8_t *reader,
    uint8_t sealed[SEALED_KEY_BYTES], uint8_t key[32])
{
	uint8_t filekey[FILE_KEY_BYTES], xpk[crypto_box_PUBLICKEYBYTES];
	int rc;

	if (crypto_sign_ed25519_pk_to_curve25519(xpk, reader) != 0)
		return E(INVAL);
	randombytes_buf(filekey, sizeof(filekey));
	if (crypto_box_seal(sealed, filekey, sizeof(filekey), xpk) != 0)
		rc = E(CRYPTO);
	else
		rc = sealed_stream_key(n, reader, filekey, key);
	sodium_memzero(filekey, sizeof(filekey));
	return rc;
}

/* Seals and writes one message; final marks the last frame. */
static int
write_frame(struct writer *w, const uint8_t *msg, size_t len, bool final)
{
	size_t outlen;
	int rc;

	if (len + FRAME_HEADER_BYTES + FRAME_OVERHEAD > w->cap) {
		free(w->buf);
		w->cap = len + FRAME_HEADER_BYTES + FRAME_OVERHEAD;
		if ((w->buf = malloc(w->cap)) == NULL)
			return E(NOMEM);
	}
	if ((rc = fstream_seal(&w->fs, msg, len, final, w->buf, &outlen)) != 0)
		return rc;
	if (fwrite(w->buf, 1, outlen, w->f) != outlen)
		return E(IO);
	w->bytes += outlen;
	return 0;
}

/*
 * The session's emit(): holds each message back by one, so that the last
 * one (DONE) can go in the FINAL frame.
 */
static int
emit_file(void *ctx, const uint8_t *msg, size_t len)
{
	struct writer *w = ctx;
	uint8_t *p;
	int rc;

	if (w->has_pending && (rc = write_frame(w, w->pending, w->pending_len,
	    false)) != 0)
		return w->err = rc;
	if (len > w->pending_cap) {
		if ((p = realloc(w->pending, len)) == NULL)
			return w->err = E(NOMEM);
		w->pending = p;
		w->pending_cap = len;
	}
	memcpy(w->pending, msg, len);
	w->pending_len = len;
	w->has_pending = true;
	return 0;
}

/*
 * Writes the file's prefix and stream header: a plain bundle's, or with
 * reader (a member's key) a bundle sealed to it.
 */
static int
write_prefix(struct node *n, struct writer *w, const uint8_t *reader)
{
	uint8_t key[32], header[STREAM_HEADER_BYTES];
	uint8_t sealed[SEALED_KEY_BYTES];
	int rc;

	rc = reader == NULL ? bundle_key(n, key) :
	    seal_file_key(n, reader, sealed, key);
	if (rc != 0)
		return rc;
	fstream_init_push(&w->fs, key, header);
	sodium_memzero(key, sizeof(key));
	if (fwrite(reader == NULL ? BUNDLE_MAGIC : BUNDLE_MAGIC_SEALED, 1, 8,
	    w->f) != 8 ||
	    fwrite(n->consortium, 1, CONSORT_HASH_BYTES, w->f) != CONSORT_HASH_BYTES)
		return E(IO);
	w->bytes = PREFIX_BYTES;
	if (reader != NULL) {
		if (fwrite(reader, 1, CONSORT_KEY_BYTES, w->f) != CONSORT_KEY_BYTES ||
		    fwrite(sealed, 1, sizeof(sealed), w->f) != sizeof(sealed))
			return E(IO);
		w->bytes += CONSORT_KEY_BYTES + sizeof(sealed);
	}
	if (fwrite(header, 1, sizeof(header), w->f) != sizeof(header))
		return E(IO);
	w->bytes += sizeof(header);
	return 0;
}

/*
 * Writes every change-set the holder of `since` lacks into a bundle at
 * path ("-": standard output), by the rule of --out (outfile.c): the file
 * appears whole or not at all, mode 0600.  With reader, the bundle is
 * sealed to that key and carries the personal values its member may read.
 */
int
bundle_export(struct node *n, const char *path, const struct sess_vv *since,
    uint32_t nsince, const uint8_t *reader, struct bundle_stats *st,
    struct consort_diag *d)
{
	struct writer w = { 0 };
	struct outfile out;
	struct sess ss;
	int rc;

	memset(st, 0, sizeof(*st));
	if ((rc = outfile_open(&out, path, 0600, d)) != 0)
		return rc;
	w.f = out.f;
	if ((rc = write_prefix(n, &w, reader)) == 0 &&
	    (rc = sess_start(&ss, n, NULL, emit_file, &w)) == 0) {
		ss.file = true;
		ss.bundle_for = reader;
		if ((rc = sess_plan_since(&ss, since, nsince)) == 0)
			rc = sess_pump(&ss);
		if (rc == 0 && w.err != 0)
			rc = w.err;
		if (rc == 0 && w.has_pending)
			rc = write_frame(&w, w.pending, w.pending_len, true);
		st->changesets = ss.st.sent;
		st->openings = ss.st.openings_sent;
		sess_free(&ss);
	}
	st->bytes = w.bytes;
	free(w.buf);
	free(w.pending);
	if (rc != 0) {
		outfile_abort(&out);
		return consort_diag_set(d, rc, path, d->what[0] ? d->what :
		    consort_strerror(rc), NULL);
	}
	return outfile_commit(&out, d);
}

struct reader {
	FILE *f;
	const char *path;
	struct fstream fs;
	uint8_t *body, *plain;
	bool final;
	uint64_t frames;
};

/* Refuses the bundle, naming it. */
static int
bad(struct reader *r, struct consort_diag *d, int err, const char *what)
{
	return consort_diag_set(d, err, r->path, what,
	    _("ask for the bundle again; "
	    "nothing of this one was applied"));
}

/* Copies the SIRET of the member key speaks for into out ("" if none). */
static void
siret_of(const struct store *s, const uint8_t *key, char out[15])
{
	const struct member *m = perm_member_by_key(s, key);

	snprintf(out, 15, "%s", m != NULL ? m->siret : "");
}

/*
 * Refuses a bundle sealed to another key than this node's, naming that
 * key and, when the roster knows it, its member; a key of this node's
 * member replaced since asks for a new bundle, and a node whose own key
 * was replaced sends to the node of the new one.
 */
static int
not_for_this_node(struct node *n, struct reader *r, const uint8_t *key,
    struct consort_diag *d)
{
	struct store *s = &n->store;
	struct store_txn *txn;
	char hex[2 * CONSORT_KEY_BYTES + 1], theirs[15] = "", ours[15] = "";
	char what[sizeof(d->what)], hint[sizeof(d->hint)];
	bool replaced = false, ours_replaced = false;

	util_hex(hex, key, CONSORT_KEY_BYTES);
	hex[16] = '\0';
	if (store_begin(s, false, &txn) == 0) {
		if (perm_roster(txn, s) == 0) {
			siret_of(s, key, theirs);
			siret_of(s, n->pk, ours);
			replaced = theirs[0] != '\0' && !perm_key_current(s, key);
			ours_replaced = ours[0] != '\0' &&
			    !perm_key_current(s, n->pk);
		}
		store_abort(txn);
	}
	if (ours_replaced) {
		snprintf(what, sizeof(what), _("the bundle was made for key "
		    "%s…, not for this node's key, which member %s replaced "
		    "since"), hex, ours);
		snprintf(hint, sizeof(hint), "%s", _("import it on the node "
		    "that holds the member's new key; nothing of this one was "
		    "applied"));
	} else if (replaced && strcmp(theirs, ours) == 0) {
		snprintf(what, sizeof(what), _("the bundle was made for key "
		    "%s…, which member %s replaced since: this node holds its "
		    "new key"), hex, theirs);
		snprintf(hint, sizeof(hint), _("ask for a new bundle made "
		    "with --for %s; nothing of this one was applied"), ours);
	} else {
		if (theirs[0] != '\0')
			snprintf(what, sizeof(what), _("the bundle was made for "
			    "key %s… of member %s, not for this node's key"),
			    hex, theirs);
		else
			snprintf(what, sizeof(what), _("the bundle was made for "
			    "key %s…, not for this node's key"), hex);
		if (ours[0] != '\0')
			snprintf(hint, sizeof(hint), _("ask for a bundle made "
			    "with --for %s, or a plain one (without --for); "
			    "nothing of this one was applied"), ours);
		else
			snprintf(hint, sizeof(hint), _("ask for a bundle made "
			    "with --for your SIRET, or a plain one (without "
			    "--for); nothing of this one was applied"));
	}
	return consort_diag_set(d, E(PERM), r->path, what, hint);
}

/*
 * Reads the reader's key and the sealed file key of a bundle sealed to a
 * key; refuses one made for another key than this node's.
 */
static int
read_sealed(struct node *n, struct reader *r,
    uint8_t sealed[SEALED_KEY_BYTES], struct consort_diag *d)
{
	uint8_t reader[CONSORT_KEY_BYTES];

	if (fread(reader, 1, sizeof(reader), r->f) != sizeof(reader) ||
	    fread(sealed, 1, SEALED_KEY_BYTES, r->f) != SEALED_KEY_BYTES)
		return bad(r, d, E(TRUNCATED), _("the bundle is cut short"));
	if (sodium_memcmp(reader, n->pk, CONSORT_KEY_BYTES) != 0)
		return not_for_this_node(n, r, reader, d);
	return 0;
}

/*
 * Opens the file key sealed to this node's key with its secret key, and
 * derives the stream key from it.
 */
static int
open_file_key(struct node *n, struct reader *r,
    const uint8_t sealed[SEALED_KEY_BYTES], uint8_t key[32],
    struct consort_diag *d)
{
	uint8_t filekey[FILE_KEY_BYTES], xpk[crypto_box_PUBLICKEYBYTES];
	uint8_t xsk[crypto_box_SECRETKEYBYTES];
	int rc;

	if (!n->have_sk)
		return consort_diag_set(d, E(KEY), r->path, _("the bundle is "
		    "sealed to this node's key, and its secret half is not "
		    "loaded"), _("give the passphrase with --passphrase-file "
		    "FILE"));
	if (crypto_sign_ed25519_pk_to_curve25519(xpk, n->pk) != 0 ||
	    crypto_sign_ed25519_sk_to_curve25519(xsk, n->sk) != 0)
		return E(CRYPTO);
	rc = crypto_box_seal_open(filekey, sealed, SEALED_KEY_BYTES, xpk, xsk);
	sodium_memzero(xsk, sizeof(xsk));
	if (rc != 0)
		return bad(r, d, E(SIGNATURE), _("the bundle's file key does "
		    "not open with this node's key: the bundle was altered"));
	rc = sealed_stream_key(n, n->pk, filekey, key);
	sodium_memzero(filekey, sizeof(filekey));
	return rc;
}

/* Opens the file and checks its prefix; starts the stream. */
static int
reader_open(struct node *n, struct reader *r, struct consort_diag *d)
{
	uint8_t prefix[PREFIX_BYTES], header[STREAM_HEADER_BYTES], key[32];
	uint8_t sealed[SEALED_KEY_BYTES];
	bool for_reader;
	int rc;

	if ((r->f = fopen(r->path, "rb")) == NULL)
		return consort_diag_set(d, E(IO), r->path, strerror(errno),
		    _("check the file name"));
	if (fread(prefix, 1, sizeof(prefix), r->f) != sizeof(prefix) ||
	    (memcmp(prefix, BUNDLE_MAGIC, 8) != 0 &&
	    memcmp(prefix, BUNDLE_MAGIC_SEALED, 8) != 0))
		return bad(r, d, E(BADTYPE), _("not a consort bundle"));
	for_reader = memcmp(prefix, BUNDLE_MAGIC_SEALED, 8) == 0;
	if (memcmp(prefix + 8, n->consortium, CONSORT_HASH_BYTES) != 0)
		return consort_diag_set(d, E(CONSORTIUM), r->path,
		    _("a bundle of another "
		    "consortium"), _("bundles only travel between "
		    "members of one consortium"));
	if (for_reader && (rc = read_sealed(n, r, sealed, d)) != 0)
		return rc;
	if (fread(header, 1, sizeof(header), r->f) != sizeof(header))
		return bad(r, d, E(TRUNCATED), _("the bundle is cut short"));
	if ((rc = for_reader ? open_file_key(n, r, sealed, key, d) :
	    bundle_key(n, key)) != 0)
		return rc;
	rc = fstream_init_pull(&r->fs, key, header);
	sodium_memzero(key, sizeof(key));
	r->body = malloc(FRAME_MAX_WIRE);
	r->plain = malloc(FRAME_MAX_WIRE);
	if (r->body == NULL || r->plain == NULL)
		return E(NOMEM);
	return rc != 0 ? bad(r, d, E(SIGNATURE), _("the bundle does not open "
	    "with this consortium's network key")) : 0;
}

/* Reads and opens the next frame; *len 0 with rc 0 at the end of the file. */
static int
reader_next(struct reader *r, size_t *len, struct consort_diag *d)
{
	uint8_t hdr[FRAME_HEADER_BYTES];
	size_t n, blen;
	int rc;

	*len = 0;
	n = fread(hdr, 1, sizeof(hdr), r->f);
	if (n == 0 && feof(r->f))
		return r->final ? 0 : bad(r, d, E(TRUNCATED),
		    _("the bundle is cut short: its last frame is missing"));
	if (n != sizeof(hdr) || r->final)
		return bad(r, d, r->final ? E(TRAILING) : E(TRUNCATED),
		    r->final ? _("bytes after the bundle's last frame") :
		    _("the bundle is cut short"));
	if ((rc = frame_length(hdr, &blen)) != 0)
		return bad(r, d, rc, _("a frame announces an impossible "
		    "length"));
	if (fread(r->body, 1, blen, r->f) != blen)
		return bad(r, d, E(TRUNCATED), _("the bundle is cut short"));
	if ((rc = fstream_open(&r->fs, r->body, blen, r->plain, len, &r->final)) != 0)
		return bad(r, d, E(SIGNATURE),
		    _("a frame does not authenticate: the "
		    "bundle was altered"));
	r->frames++;
	return *len == 0 ? bad(r, d, E(BADTYPE), _("an empty frame")) : 0;
}

/* Walks a BATCH: checks each change-set (pass 1) or receives it (pass 2). */
static int
batch_items(struct node *n, struct reader *r, struct mp_reader *m,
    struct store_txn *txn, struct bundle_stats *st, struct consort_diag *d)
{
	struct changeset cs;
	const uint8_t *p;
	uint64_t no;
	uint32_t i, count, len;
	int rc;

	if (mp_read_uint(m, &no) != 0 || mp_read_array(m, &count) != 0)
		return bad(r, d, E(BADTYPE), _("a malformed batch"));
	for (i = 0; i < count; i++) {
		if (mp_read_bin(m, &p, &len) != 0)
			return bad(r, d, E(BADTYPE), _("a malformed batch"));
		if (txn != NULL) {
			if ((rc = log_receive(txn, &n->store, p, len, n->consortium,
			    &st->recv, d)) != 0)
				return rc;
			continue;
		}
		if ((rc = cs_decode(p, len, &cs, d)) != 0)
			return rc;
		rc = cs_verify(&cs) != 0 ? bad(r, d, E(SIGNATURE),
		    _("a change-set's signature does not hold")) : 0;
		cs_free(&cs);
		if (rc != 0)
			return rc;
		st->changesets++;
	}
	return 0;
}

/*
 * An OPENINGS message of a bundle: checks each value against its
 * commitment (first pass), or keeps those this node may read (second).
 */
static int
openings_pass(struct node *n, struct reader *r, struct mp_reader *m,
    uint32_t count, bool apply, struct bundle_stats *st, struct consort_diag *d)
{
	struct store_txn *txn = NULL;
	bool final;
	int rc;

	if (count != 3 || mp_read_bool(m, &final) != 0)
		return bad(r, d, E(BADTYPE), _("a malformed message"));
	if (!apply) {
		rc = openings_items(NULL, &n->store, m, &st->openings_recv, d);
		return rc == E(BADTYPE) ? bad(r, d, rc,
		    _("a malformed message")) : rc;
	}
	if (n->store.atrest == NULL)
		return 0;  /* the key is sealed: the values stay out */
	if ((rc = store_begin(&n->store, true, &txn)) != 0)
		return rc;
	if ((rc = wants_refresh(txn, &n->store, n->pk, &final)) == 0)
		rc = openings_items(txn, &n->store, m, &st->openings_recv, d);
	if (rc == 0)
		return store_commit(txn);
	store_abort(txn);
	return rc;
}

/* Batches applied in one transaction and not committed yet (pass 2). */
struct group {
	struct store_txn *txn;
	uint32_t batches;
	size_t bytes;
	struct sess_mem mem;  /* private memory, from the import's start */
};

/* Commits the group, if one is open: one durable commit for its batches. */
static int
group_commit(struct group *g)
{
	int rc = g->txn != NULL ? store_commit(g->txn) : 0;

	g->txn = NULL;
	g->batches = 0;
	g->bytes = 0;
	return rc;
}

/* Opens a group's transaction; a long import writes index keys at its end. */
static int
group_begin(struct node *n, struct group *g, const struct bundle_stats *st)
{
	int rc;

	if ((rc = store_begin(&n->store, true, &g->txn)) != 0)
		return rc;
	if (st->recv.ops >= 8 * n->store.index_defer_min)
		index_defer(&n->store);
	return 0;
}

/*
 * Applies one BATCH in a transaction nested in the group's, so that a
 * refused batch leaves nothing and the batches before it stay.
 */
static int
apply_batch(struct node *n, struct reader *r, struct mp_reader *m,
    struct group *g, size_t len, struct bundle_stats *st,
    struct consort_diag *d)
{
	struct log_receipt before = st->recv;
	struct store_txn *txn;
	uint64_t refused;
	int rc;

	if (g->txn == NULL && (rc = group_begin(n, g, st)) != 0)
		return rc;
	if ((rc = store_begin_nested(&n->store, g->txn, &txn)) != 0)
		return rc;
	rc = batch_items(n, r, m, txn, st, d);
	if (rc == 0)
		rc = log_finish_batch(txn, &n->store, n->consortium, &st->recv, d);
	if (rc == 0) {
		/* LMDB ends a nested transaction whose commit fails */
		if ((rc = store_commit(txn)) == 0) {
			g->batches++;
			g->bytes += len;
			return sess_group_full(g->batches, g->bytes, &g->mem) ?
			    group_commit(g) : 0;
		}
	} else if (store_abort_nested(&n->store, txn, g->txn) != 0 &&
	    !store_fault(rc))
		rc = E(STORE);  /* the parent cannot be read back: drop it */
	if (store_fault(rc)) {  /* the store failed: keep nothing unsure */
		store_abort(g->txn);
		g->txn = NULL;
	}
	refused = st->recv.refused;
	st->recv = before;  /* what the refused batch counted is undone */
	st->recv.refused = refused;
	return rc;
}

/*
 * One pass over the bundle: check everything, or apply it, the batches
 * that follow one another sharing a durable commit as a sync's do.
 */
static int
pass(struct node *n, struct reader *r, bool apply, struct bundle_stats *st,
    struct consort_diag *d)
{
	struct group g = { 0 };
	struct mp_reader m;
	uint64_t kind;
	uint32_t count;
	size_t len;
	int rc, crc;

	sess_mem_start(&g.mem);
	while ((rc = reader_next(r, &len, d)) == 0 && len > 0) {
		mp_reader_init(&m, r->plain, len);
		if (mp_read_array(&m, &count) != 0 || mp_read_uint(&m, &kind) != 0) {
			rc = bad(r, d, E(BADTYPE), _("a malformed message"));
			break;
		}
		if (kind == SM_BATCH) {
			rc = apply ? apply_batch(n, r, &m, &g, len, st, d) :
			    batch_items(n, r, &m, NULL, st, d);
		} else if (kind == SM_OPENINGS) {
			/* the openings read the records the batches made */
			if ((rc = group_commit(&g)) == 0)
				rc = openings_pass(n, r, &m, count, apply, st, d);
		}
		/* HELLO and DONE carry nothing to apply */
		if (rc != 0)
			break;
	}
	/* what applied before an error is kept, as the sync keeps it */
	crc = group_commit(&g);
	if (crc == 0 && apply)
		crc = index_catch_up(&n->store);
	return rc != 0 ? rc : crc;
}

/* Frees a reader. */
static void
reader_close(struct reader *r)
{
	if (r->f != NULL)
		fclose(r->f);
	free(r->body);
	free(r->plain);
	memset(r, 0, sizeof(*r));
}

/*
 * Imports a bundle: a first pass checks every frame and every signature
 * and applies nothing; the second applies batch by batch.  Change-sets held
 * already are skipped, so a bundle imported twice changes nothing.
 */
int
bundle_import(struct node *n, const char *path, struct bundle_stats *st,
    struct consort_diag *d)
{
	struct reader r = { 0 };
	int rc;

	memset(st, 0, sizeof(*st));
	r.path = path;
	if ((rc = reader_open(n, &r, d)) == 0)
		rc = pass(n, &r, false, st, d);
	reader_close(&r);
	if (rc != 0)
		return rc;
	r.path = path;
	if ((rc = reader_open(n, &r, d)) == 0)
		rc = pass(n, &r, true, st, d);
	reader_close(&r);
	return rc;
}

/* Whether the file at path starts as a bundle sealed to a member's key. */
bool
bundle_is_sealed(const char *path)
{
	char magic[8];
	FILE *f;
	bool sealed;

	if ((f = fopen(path, "rb")) == NULL)
		return false;
	sealed = fread(magic, 1, sizeof(magic), f) == sizeof(magic) &&
	    memcmp(magic, BUNDLE_MAGIC_SEALED, 8) == 0;
	fclose(f);
	return sealed;
}
