/*
 * forge: a dishonest member's consort, for the end-to-end tests.  It signs
 * with the node's own key one change-set holding exactly the ops it is
 * told, without the local checks consort makes before it signs, and
 * appends it to the node's log the way a received change-set is (ops the
 * rules refuse are stored and skipped), so that consort sync or bundle
 * export then carry it to the other members, who must refuse it.
 *
 *   forge DIR [--clear-personal] OP... where OP is one of
 *     create TYPE REF
 *     set TYPE REF FIELD VALUE      (VALUE checked against the field's
 *                                    kind; @FILE: the file's bytes)
 *     unset TYPE REF FIELD
 *     delete TYPE REF
 *
 * A personal field's value is signed as a commitment under a random salt,
 * as consort does, and the node keeps its opening.  With --clear-personal
 * it is signed in clear, which no node decodes, the forging node's own
 * included: the change-set is then put in its log as it is, unapplied,
 * for consort sync or bundle export to carry.
 *
 * Prints "forged change-set SEQ: N ops, M refused here" (or "not
 * decodable here"); exit 0, or 1 with the reason on stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define OPENINGS_MAX 64

static const uint8_t zero_hash[CONSORT_HASH_BYTES];

/* The personal values signed as commitments, whose openings are kept. */
struct forged {
	bool clear;	/* --clear-personal: values signed in clear */
	struct personal_opening open[OPENINGS_MAX];
	char *text[OPENINGS_MAX];
	unsigned nopen;
};

/* Prints the failure and exits 1. */
static void
die(const char *what, int rc, const struct consort_diag *d)
{
	fprintf(stderr, "forge: %s: %s%s%s%s\n", what, consort_err_name(rc),
	    d != NULL && d->where[0] ? " " : "", d != NULL ? d->where : "",
	    d != NULL && d->what[0] ? d->what : "");
	exit(1);
}

/* Reads a whole file into a malloc'd buffer. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "forge: cannot read %s: %s\n", path, strerror(errno));
		exit(1);
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Orders deps by author key. */
static int
cmp_dep(const void *a, const void *b)
{
	return memcmp(((const struct cs_dep *)a)->author,
	    ((const struct cs_dep *)b)->author, CONSORT_KEY_BYTES);
}

/*
 * Adds a set of a personal field as a commitment to v (a fresh salt), and
 * notes its opening; with --clear-personal, the value itself.
 */
static void
set_personal(struct forged *fg, struct cs_builder *b,
    const struct schema_type *t, const uint8_t id[CONSORT_EID_BYTES],
    const struct schema_field *f, const struct value *v)
{
	struct personal_opening *o;
	struct value c;

	if (fg->clear) {
		csb_op(b, OP_SET, t->id, id, f->id, v);
		return;
	}
	if (fg->nopen == OPENINGS_MAX) {
		fprintf(stderr, "forge: more than %d personal values\n",
		    OPENINGS_MAX);
		exit(1);
	}
	o = &fg->open[fg->nopen];
	memset(o, 0, sizeof(*o));
	o->type = t->id;
	o->field = f->id;
	memcpy(o->id, id, CONSORT_EID_BYTES);
	o->value = *v;
	if (v->kind == VAL_STR) {  /* v's string is argv's or a freed file's */
		if ((fg->text[fg->nopen] = strndup(v->s, v->len)) == NULL)
			die("value", E(NOMEM), NULL);
		o->value.s = fg->text[fg->nopen];
	}
	personal_commit_new(t->id, id, f->id, v, o->salt, o->commitment);
	c.kind = VAL_BIN;
	c.s = (const char *)o->commitment;
	c.len = CONSORT_COMMIT_BYTES;
	csb_op(b, OP_SET, t->id, id, f->id, &c);
	fg->nopen++;
}

/*
 * Keeps the openings of the forged commitments (not for a record erased
 * already: the forgery is signed all the same).
 */
static void
keep_openings(struct node *n, struct store_txn *txn, struct forged *fg)
{
	struct consort_diag d = { 0 };
	unsigned i;
	int rc;

	for (i = 0; i < fg->nopen; i++) {
		rc = personal_put(txn, &n->store, &fg->open[i], &d);
		if (rc != 0 && rc != E(ERASED))
			die("opening", rc, &d);
		free(fg->text[i]);
	}
}

/* Adds the ops of argv to the builder; returns how many. */
static unsigned
add_ops(struct node *n, struct forged *fg, struct cs_builder *b, int argc,
    char **argv)
{
	const struct schema_type *t;
	const struct schema_field *f = NULL;
	struct consort_diag d = { 0 };
	uint8_t id[CONSORT_EID_BYTES];
	struct value v;
	unsigned nops = 0;
	size_t len;
	char *text;
	int i = 0, kind, need;

	while (i < argc) {
		const char *k = argv[i];

		kind = strcmp(k, "create") == 0 ? OP_CREATE : strcmp(k, "set") == 0 ?
		    OP_SET : strcmp(k, "unset") == 0 ? OP_UNSET :
		    strcmp(k, "delete") == 0 ? OP_DELETE : -1;
		need = kind == OP_SET ? 5 : kind == OP_UNSET ? 4 : 3;
		if (kind < 0 || i + need > argc) {
			fprintf(stderr, "forge: bad op at \"%s\"\n", k);
			exit(1);
		}
		if ((t = schema_type_by_name(argv[i + 1])) == NULL) {
			fprintf(stderr, "forge: no type %s\n", argv[i + 1]);
			exit(1);
		}
		node_entity_id(n, t->id, argv[i + 2], strlen(argv[i + 2]), id);
		memset(&v, 0, sizeof(v));
		if (kind == OP_SET || kind == OP_UNSET) {
			f = schema_field_by_name(t, argv[i + 3], strlen(argv[i + 3]));
			if (f == NULL) {
				fprintf(stderr, "forge: no field %s\n", argv[i + 3]);
				exit(1);
			}
		}
		if (kind == OP_CREATE) {
			v.kind = VAL_STR;
			v.s = argv[i + 2];
			v.len = (uint32_t)strlen(argv[i + 2]);
		} else if (kind == OP_SET && argv[i + 4][0] == '@') {
			text = slurp(argv[i + 4] + 1, &len);
			v.kind = VAL_STR;
			v.s = text;
			v.len = (uint32_t)len;
			if (schema_check_value(f, &v, &d) != 0)
				die(argv[i + 4], E(SCHEMA), &d);
			if (f->personal)
				set_personal(fg, b, t, id, f, &v);
			else
				csb_op(b, OP_SET, t->id, id, f->id, &v);
			free(text);
			nops++;
			i += need;
			continue;
		} else if (kind == OP_SET &&
		    schema_parse_text(f, argv[i + 4], strlen(argv[i + 4]), &v, &d) != 0)
			die(argv[i + 4], E(SCHEMA), &d);
		if (kind == OP_SET && f->personal) {
			set_personal(fg, b, t, id, f, &v);
			nops++;
			i += need;
			continue;
		}
		csb_op(b, (unsigned)kind, t->id, id, f != NULL && kind != OP_CREATE &&
		    kind != OP_DELETE ? f->id : 0, &v);
		nops++;
		i += need;
	}
	return nops;
}

/*
 * Puts a change-set no node decodes in the log as it is, and moves the
 * author's head to it, without applying it.
 */
static void
append_undecodable(struct node *n, struct store_txn *txn,
    struct changeset *hdr, const msgpack_sbuffer *out)
{
	struct head h;
	int rc;

	keys_hash(hdr->id, out->data, out->size - CONSORT_SIG_BYTES);
	memset(&h, 0, sizeof(h));
	h.seq = hdr->seq;
	memcpy(h.id, hdr->id, CONSORT_HASH_BYTES);
	h.hlc = hdr->hlc;
	if ((rc = store_author_idx(txn, &n->store, hdr->author, &h.idx)) != 0 ||
	    (rc = store_put_change(txn, &n->store, hdr, (const uint8_t *)out->data,
	    out->size)) != 0 ||
	    (rc = store_set_head(txn, &n->store, hdr->author, &h)) != 0)
		die("append", rc, NULL);
}

/* Signs the ops as the node's next change-set and appends it to its log. */
int
main(int argc, char **argv)
{
	static struct forged fg;
	struct consort_diag d = { 0 };
	struct log_receipt rcpt = { 0 };
	struct changeset hdr;
	struct cs_builder b;
	msgpack_sbuffer out;
	struct head h, self;
	uint8_t clock[8];
	struct store *s;
	struct node *n;
	struct store_txn *txn;
	uint32_t i;
	unsigned nops;
	int rc;

	if (argc > 2 && strcmp(argv[2], "--clear-personal") == 0) {
		fg.clear = true;
		memmove(argv + 2, argv + 3, (size_t)(argc - 3) * sizeof(*argv));
		argc--;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: forge DIR [--clear-personal] OP...\n");
		return 2;
	}
	if ((rc = node_open(argv[1], &n, &d)) != 0 ||
	    (rc = node_unlock(n, NULL, 0, &d)) != 0)
		die(argv[1], rc, &d);
	s = &n->store;
	csb_init(&b);
	nops = add_ops(n, &fg, &b, argc - 2, argv + 2);
	if ((rc = store_begin(s, true, &txn)) != 0 ||
	    (rc = store_load_authors(txn, s)) != 0)
		die("store", rc, NULL);
	keep_openings(n, txn, &fg);
	memset(&hdr, 0, sizeof(hdr));
	memset(&self, 0, sizeof(self));
	if ((hdr.deps = calloc(s->nauthors + 1, sizeof(*hdr.deps))) == NULL)
		die("deps", E(NOMEM), NULL);
	for (i = 0; i < s->nauthors; i++) {
		if ((rc = store_head(txn, s, s->authors[i], &h)) != 0)
			die("heads", rc, NULL);
		if (memcmp(s->authors[i], n->pk, CONSORT_KEY_BYTES) == 0) {
			self = h;
			continue;
		}
		memcpy(hdr.deps[hdr.ndeps].author, s->authors[i], CONSORT_KEY_BYTES);
		hdr.deps[hdr.ndeps].seq = h.seq;
		memcpy(hdr.deps[hdr.ndeps].hash, h.id, CONSORT_HASH_BYTES);
		hdr.ndeps++;
	}
	qsort(hdr.deps, hdr.ndeps, sizeof(*hdr.deps), cmp_dep);
	memcpy(hdr.consortium, n->consortium, CONSORT_HASH_BYTES);
	memcpy(hdr.author, n->pk, CONSORT_KEY_BYTES);
	hdr.seq = self.seq + 1;
	memcpy(hdr.prev, self.seq ? self.id : zero_hash, CONSORT_HASH_BYTES);
	hdr.hlc = node_hlc_next(n);
	msgpack_sbuffer_init(&out);
	if ((rc = csb_sign(&b, &hdr, n->sk, &out)) != 0)
		die("sign", rc, NULL);
	util_put_be64(clock, n->hlc);
	if (fg.clear) {
		append_undecodable(n, txn, &hdr, &out);
		if ((rc = store_put(txn, s, TB_META, "hlc", 3, clock, 8, 0)) != 0 ||
		    (rc = store_commit(txn)) != 0)
			die("append", rc, NULL);
		printf("forged change-set %llu: %u ops, not decodable here\n",
		    (unsigned long long)hdr.seq, nops);
		msgpack_sbuffer_destroy(&out);
		csb_free(&b);
		free(hdr.deps);
		node_close(n);
		return 0;
	}
	/* stored as a received change-set: refused ops kept, skipped */
	if ((rc = log_receive(txn, s, (uint8_t *)out.data, out.size,
	    n->consortium, &rcpt, &d)) != 0 ||
	    (rc = store_put(txn, s, TB_META, "hlc", 3, clock, 8, 0)) != 0 ||
	    (rc = store_commit(txn)) != 0)
		die("append", rc, &d);
	printf("forged change-set %llu: %u ops, %llu refused here\n",
	    (unsigned long long)hdr.seq, nops,
	    (unsigned long long)rcpt.refused_ops);
	msgpack_sbuffer_destroy(&out);
	csb_free(&b);
	free(hdr.deps);
	node_close(n);
	return 0;
}
