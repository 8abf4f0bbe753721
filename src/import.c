/*
 * Import of JSON Lines (one record per line, "type" and "ref" keys), and
 * of sheets: CSV, or the first sheet of an .xlsx workbook (a header row
 * naming the fields, one --type for all rows; the cells as a French
 * spreadsheet writes them, import-cell.c).
 *
 * Two passes, streaming, so that private memory does not grow with the
 * file.  Pass 1 parses and checks every line (syntax, schema, duplicates,
 * references to records earlier in the file or in the store) and writes
 * nothing to the store; a file with a bad line is refused whole unless
 * skip_bad.  It keeps the good records, parsed, and the set of their ids
 * in scratch files (import-scratch.c).  Pass 2 reads those records back,
 * new ones in the order of their keys (sort_key), and writes the ones that
 * differ from the state, in change-sets of `batch` records, committing
 * whole change-sets now and then (pace) so a crash leaves whole
 * change-sets only.  A second import of the same file finds nothing that
 * differs and appends nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <csv.h>
#include <jansson.h>

#include "core.h"

/*
 * When pass 2 commits (see pace()): a transaction may dirty COMMIT_DIRTY
 * bytes of pages, which LMDB holds in private memory until the commit
 * writes them; private memory past COMMIT_PRIVATE commits at once, and
 * no transaction stays open longer than COMMIT_MS.  Without a count of
 * the bytes written, every COMMIT_FIXED change-sets.
 */
#define COMMIT_DIRTY (24u << 20)
#define COMMIT_PRIVATE (48u << 20)
#define COMMIT_MS 1000
#define COMMIT_FIXED 16
#define CS_SOFT_BYTES (256u << 10)  /* close a change-set past this size */
#define CSV_MAX_COLUMNS 64

/* One record read from the file, values pointing into the reader's buffers. */
struct rec_in {
	uint64_t line;
	const struct schema_type *t;
	const char *ref;
	size_t reflen;
	struct field_input in[SCHEMA_MAX_FIELDS];
	int8_t col[SCHEMA_MAX_FIELDS];  /* a sheet: the column of each field */
	int ref_col;
	unsigned n;
	char made[CONSORT_REF_MAX + 2];  /* a ref its fields make */
};

/* How a row of a sheet goes over the bounds, or holds a formula's error. */
enum { OVER_COLUMNS = 1, OVER_CELL, OVER_ERROR };

struct importer {
	struct node *n;
	const struct import_opts *o;
	struct import_result *res;
	struct consort_diag *d;
	int pass;
	struct store_txn *rtxn; /* pass 1: read the store */
	struct record scratch;
	struct import_seen seen;  /* pass 1: the ids of the good records */
	struct import_keep keep;  /* the good records, from pass 1 to pass 2 */
	char scratch_dir[4096];   /* the store's folder */
	uint8_t rank[SCHEMA_MAX_TYPES];  /* pass 2's order of types */
	bool in_file_order;       /* pass 2 takes the records still to come in
	                             the file's order (sort_key) */
	struct edit e;          /* pass 2 */
	unsigned in_cs;         /* records in the current change-set */
	unsigned since_commit;  /* change-sets since the last commit */
	unsigned commit_at;     /* change-sets the transaction may hold */
	uint64_t began_ms;      /* when the transaction began */
	uint64_t written;       /* bytes written by the process then */
	uint64_t private0;      /* private memory then */
	uint64_t bytes, total;
	bool dry;               /* pass 2 rehearsed in a transaction never kept */
	/* sheet state (CSV, .xlsx): rows numbered as the sheet shows them */
	bool sheet;
	struct import_text text;  /* CSV: encoding and separator */
	struct xlsx *xlsx;        /* .xlsx: the workbook, open for pass 1 */
	bool date1904;            /* .xlsx: serial days of the 1904 system */
	const struct schema_field *cols[CSV_MAX_COLUMNS];
	char *head[CSV_MAX_COLUMNS];  /* the header row as written */
	int ref_col, type_col;
	unsigned ncols;
	bool have_header;
	char *cells[CSV_MAX_COLUMNS];
	size_t cell_len[CSV_MAX_COLUMNS];
	enum sheet_cell kinds[CSV_MAX_COLUMNS];
	char norm[CSV_MAX_COLUMNS][CELL_NORM_MAX];
	unsigned ncells;
	int over;                 /* OVER_*: the row goes over a bound */
	unsigned over_col;
	uint64_t row;
	int last_end;             /* CSV: the byte that ended the last row */
	int csv_err;
};

static int cell_error(struct importer *im, uint64_t row, int col, int err,
    const char *what, const char *hint);

/*
 * Fills the importer's diag with "FILE:LINE: ..." (a sheet: "FILE: row
 * ROW: ...") and returns err.
 */
static int
line_error(struct importer *im, uint64_t line, int err, const char *what,
    const char *hint)
{
	char where[4200];

	if (im->sheet)
		return cell_error(im, line, -1, err, what, hint);

	snprintf(where, sizeof(where), "%s:%llu", im->o->path,
	    (unsigned long long)line);
	return consort_diag_set(im->d, err, where, what, hint);
}

/*
 * Counts a bad line of pass 1 and reports it.  Pass 1 goes on to the end
 * of the file, so that the count of bad lines is exact; a bad line is not
 * kept for pass 2, which so leaves it out with skip_bad.
 */
static int
bad_line(struct importer *im)
{
	im->res->bad++;
	if (im->o->bad != NULL && im->o->bad(im->o->ctx, im->d) != 0)
		return E(INTERRUPTED);
	if (im->d != NULL)
		memset(im->d, 0, sizeof(*im->d));
	return 0;
}

/*
 * Fills the diag for field i of a record (-1: its ref): in a sheet, its
 * cell's row and column; in JSON Lines, the line and the field's name.
 */
static int
field_error(struct importer *im, const struct rec_in *r, int i, int err,
    const char *what, const char *hint)
{
	char msg[512];

	if (im->sheet)
		return cell_error(im, r->line, i < 0 ? r->ref_col : r->col[i],
		    err, what, hint);
	if (i < 0)
		return line_error(im, r->line, err, what, hint);
	snprintf(msg, sizeof(msg), "field %s: %.400s", r->in[i].f->name, what);
	return line_error(im, r->line, err, msg, hint);
}

/* The set key of (type, ref). */
static void
rec_key(struct importer *im, unsigned type, const char *ref, size_t len,
    uint8_t key[IMPORT_KEY_BYTES])
{
	key[0] = (uint8_t)type;
	node_entity_id(im->n, type, ref, len, key + 1);
}

/*
 * Fills the diag for a failure of the scratch files, in the store's
 * folder; the import stops.
 */
static int
scratch_error(struct importer *im, int err)
{
	char what[200];

	snprintf(what, sizeof(what), _("cannot write the import's scratch "
	    "file in the store's folder: %s"), consort_strerror(err));
	return consort_diag_set(im->d, err, im->scratch_dir, what, NULL);
}

/* Pass 1 checks of a record's references, to records earlier or stored. */
static int
check_refs(struct importer *im, const struct rec_in *r)
{
	uint8_t key[IMPORT_KEY_BYTES];
	char what[400];
	bool alive;
	unsigned i;
	int rc;

	for (i = 0; i < r->n; i++) {
		const struct field_input *in = &r->in[i];

		if (in->f->kind != FK_REF || in->v.kind != VAL_STR)
			continue;
		rec_key(im, in->f->ref_type, in->v.s, in->v.len, key);
		if (import_seen_has(&im->seen, key))
			continue;
		if ((rc = records_ref_alive(im->rtxn, im->n, &im->scratch, in->f,
		    &in->v, &alive)) != 0)
			return rc;
		if (alive)
			continue;
		snprintf(what, sizeof(what), _("no %s \"%.*s\" earlier in the "
		    "file or in the store"), schema_type(in->f->ref_type)->name,
		    (int)in->v.len, in->v.s);
		return field_error(im, r, (int)i, E(REF), what,
		    _("put the referenced record first, or import it before"));
	}
	return 0;
}

/* Refuses a record whose (type, ref) an earlier line holds. */
static int
duplicate(struct importer *im, const struct rec_in *r, uint64_t prior)
{
	char what[400];

	snprintf(what, sizeof(what), im->sheet ? _("%s %.*s already "
	    "appears on row %llu") : _("%s %.*s already appears on line "
	    "%llu"), r->t->name, (int)r->reflen, r->ref,
	    (unsigned long long)prior);
	return field_error(im, r, -1, E(EXIST), what, im->sheet ?
	    _("keep one row per record") : _("keep one line per record"));
}

/*
 * Ranks the types so that each comes after the types its references name
 * (a lot before its sessions, these before their paths); false when
 * references go round, and no such order exists.
 */
static bool
rank_types(uint8_t rank[SCHEMA_MAX_TYPES])
{
	const struct schema_field *f;
	const struct schema_type *t;
	unsigned id, i, round;
	bool moved = true;

	memset(rank, 0, SCHEMA_MAX_TYPES);
	for (round = 0; moved && round < SCHEMA_MAX_TYPES; round++) {
		moved = false;
		for (id = 0; id < SCHEMA_MAX_TYPES; id++) {
			if ((t = schema_type(id)) == NULL)
				continue;
			for (i = 1; i <= t->max_field; i++)
				if ((f = t->fields[i]) != NULL &&
				    f->kind == FK_REF && f->ref_type != id &&
				    f->ref_type < SCHEMA_MAX_TYPES &&
				    rank[id] <= rank[f->ref_type]) {
					rank[id] = (uint8_t)(rank[f->ref_type] + 1);
					moved = true;
				}
		}
	}
	return !moved;
}

/* Whether a record names a record of its own type (an intent it replaces). */
static bool
names_own_type(const struct rec_in *r)
{
	unsigned i;

	for (i = 0; i < r->n; i++)
		if (r->in[i].f->kind == FK_REF && r->in[i].f->ref_type == r->t->id &&
		    r->in[i].v.kind == VAL_STR)
			return true;
	return false;
}

/*
 * The order in which pass 2 writes a record.  New records go by type
 * (rank_types, then type id), then by entity id, so that a transaction's records sit
 * side by side in the tables keyed by id and dirty few pages; a record
 * that names one of its own type goes after the others of its type, in
 * the file's order, so that the one it names is written first.  Nothing
 * a new record's write checks can then differ from the file's order: what
 * it names is written before it, and no new record changes another.  A
 * record already stored is an update, which records after it in the file
 * may depend on: from the first, every record goes after all those before
 * it, in the file's order.
 */
static int
sort_key(struct importer *im, const struct rec_in *r,
    const uint8_t key[IMPORT_KEY_BYTES], uint8_t out[IMPORT_SORT_BYTES])
{
	struct store_val v;
	uint8_t line[8];
	bool in_file_order;
	int rc;

	if (!im->in_file_order) {
		rc = store_get(im->rtxn, &im->n->store, TB_ENTITIES, key,
		    IMPORT_KEY_BYTES, &v);
		if (rc != 0 && rc != E(NOENT))
			return rc;
		im->in_file_order = rc == 0;
	}
	in_file_order = im->in_file_order || names_own_type(r);
	out[0] = im->in_file_order ? UINT8_MAX : im->rank[r->t->id];
	out[1] = im->in_file_order ? 0 : r->t->id;
	out[2] = in_file_order;
	/* 7 bytes of the id: records it does not tell apart name no other */
	util_put_be64(line, r->line);
	memcpy(out + 3, in_file_order ? line + 1 : key + 1, 7);
	return 0;
}

/*
 * Pass 1: checks one record beyond its syntax (references, and that no
 * earlier line holds it) and keeps it for pass 2, or counts it bad.
 */
static int
keep_record(struct importer *im, const struct rec_in *r)
{
	uint8_t key[IMPORT_KEY_BYTES], order[IMPORT_SORT_BYTES];
	uint64_t prior;
	int rc;

	if ((rc = check_refs(im, r)) != 0)
		return store_fault(rc) ? rc : bad_line(im);
	rec_key(im, r->t->id, r->ref, r->reflen, key);
	if ((rc = import_seen_add(&im->seen, key, r->line, &prior)) != 0)
		return scratch_error(im, rc);
	if (prior != 0) {
		duplicate(im, r, prior);
		return bad_line(im);
	}
	if ((rc = sort_key(im, r, key, order)) != 0)
		return rc;
	if ((rc = import_keep_put(&im->keep, order, r->line, r->t, r->ref,
	    r->reflen, r->in, r->n)) != 0)
		return scratch_error(im, rc);
	im->res->records++;
	return 0;
}

/* Milliseconds of a clock that only goes forward. */
static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Notes the start of a transaction of pass 2. */
static void
txn_began(struct importer *im)
{
	im->since_commit = 0;
	im->began_ms = mono_ms();
	im->written = util_written_bytes();
	im->private0 = util_private_bytes();
}

/*
 * Sizes the next transaction from the last, which held `held` change-sets
 * and whose commit wrote `written` bytes: its dirty pages.  As many
 * change-sets as keep those under COMMIT_DIRTY, and at most twice as many
 * as the last held, so that the first commits come soon and the size
 * follows the store: the more records, the fewer share a page.
 */
static void
pace(struct importer *im, uint64_t written, unsigned held)
{
	uint64_t fit;

	if (written == 0 || held == 0) {
		im->commit_at = COMMIT_FIXED;  /* no /proc: as before */
		return;
	}
	fit = (uint64_t)COMMIT_DIRTY * held / written;
	if (fit > 2 * (uint64_t)held)
		fit = 2 * (uint64_t)held;
	im->commit_at = fit > 0 ? (unsigned)fit : 1;
}

/*
 * Whether the transaction should be committed now: it holds the change-sets
 * pace() allowed, has been open COMMIT_MS, or its dirty pages took private
 * memory past COMMIT_PRIVATE.  LMDB keeps the pages of earlier
 * transactions for later ones, so that private memory grows only when a
 * transaction dirties more than any before it did.
 */
static bool
commit_due(struct importer *im)
{
	uint64_t mem;

	if (im->since_commit == 0)
		return false;
	if (im->since_commit >= im->commit_at ||
	    mono_ms() - im->began_ms >= COMMIT_MS)
		return true;
	mem = util_private_bytes();
	return mem > COMMIT_PRIVATE && mem > im->private0;
}

/* Closes the current change-set, and commits when commit_due() says so. */
static int
flush(struct importer *im, bool commit)
{
	uint32_t before = im->e.appended;
	unsigned held;
	uint64_t written;
	int rc;

	if ((rc = edit_flush(&im->e)) != 0)
		return rc;
	im->in_cs = 0;
	if (im->e.appended != before)
		im->since_commit++;
	if (im->dry || !(commit || commit_due(im)))
		return 0;
	held = im->since_commit;
	written = im->written;
	rc = edit_renew(&im->e);
	if (im->e.committed == im->e.appended) {
		/* every record counted so far is in a committed change-set */
		im->res->committed_changesets = im->e.committed;
		im->res->committed_records = im->res->changed;
	}
	txn_began(im);
	if (rc == 0 && held > 0)
		pace(im, im->written > written ? im->written - written : 0, held);
	return rc;
}

/* Pass 2: writes one good record. */
static int
write_record(struct importer *im, const struct import_kept *r)
{
	bool changed;
	int rc;

	if ((rc = records_put(&im->e, r->t, r->ref, r->reflen, r->in, r->n,
	    PUT_UPSERT, false, &changed, im->d)) != 0)
		return line_error(im, r->line, rc, im->d->what, im->d->hint);
	if (!changed)
		return 0;
	if (im->dry) {
		/* one change-set per record, so that a refusal names its line */
		if ((rc = flush(im, false)) != 0)
			return line_error(im, r->line, rc, im->e.diag.what,
			    im->e.diag.hint);
		return 0;
	}
	im->res->changed++;
	if (++im->in_cs >= im->o->batch || csb_size(&im->e.b) >= CS_SOFT_BYTES)
		return flush(im, false);
	return 0;
}

/* Handles one parsed record of pass 1. */
static int
on_record(struct importer *im, const struct rec_in *r)
{
	if (im->pass == 0)
		return 0;  /* import_check_line: the schema alone */
	return keep_record(im, r);
}

/* Handles a line or row refused by the parser or the schema. */
static int
on_bad(struct importer *im, uint64_t line, int err)
{
	if (im->pass == 0)
		return err;
	return bad_line(im);
}

/* Every 512 records: reports progress. */
static void
progress(struct importer *im)
{
	if ((im->res->lines & 511) != 0 || im->n == NULL)
		return;
	if (im->o->progress != NULL)
		im->o->progress(im->o->ctx, im->pass, im->bytes, im->total);
}

/* Turns one JSON member into a field input of the record. */
static int
json_field(struct importer *im, struct rec_in *r, const char *key, json_t *val)
{
	const struct schema_field *f;
	struct field_input *in;
	char what[300];
	int rc;

	if ((f = schema_field_by_name(r->t, key, strlen(key))) == NULL) {
		snprintf(what, sizeof(what), "field %.64s: %s has no such field",
		    key, r->t->name);
		return line_error(im, r->line, E(SCHEMA), what,
		    "see schema/entities.def for the fields of each type");
	}
	in = &r->in[r->n++];
	in->f = f;
	memset(&in->v, 0, sizeof(in->v));
	if (json_is_integer(val)) {
		in->v.kind = VAL_INT;
		in->v.i = json_integer_value(val);
	} else if (json_is_string(val)) {
		in->v.kind = VAL_STR;
		in->v.s = json_string_value(val);
		in->v.len = (uint32_t)json_string_length(val);
	} else if (json_is_boolean(val)) {
		in->v.kind = VAL_BOOL;
		in->v.b = json_is_true(val);
	} else if (json_is_null(val))
		return 0;  /* null unsets the field */
	else {
		snprintf(what, sizeof(what), "field %s: expected %s, not an "
		    "array, object or fraction", f->name, schema_kind_name(f->kind));
		return line_error(im, r->line, E(SCHEMA), what, NULL);
	}
	if ((rc = schema_check_value(f, &in->v, im->d)) != 0)
		return line_error(im, r->line, rc, im->d->what,
		    "fix the value, or import with --skip-bad to leave the line out");
	return 0;
}

/* Checks a JSON record's type and ref members. */
static int
json_head(struct importer *im, struct rec_in *r, json_t *obj)
{
	json_t *type = json_object_get(obj, "type"), *ref = json_object_get(obj, "ref");
	char what[300];
	int rc;

	if (!json_is_string(type) || !json_is_string(ref))
		return line_error(im, r->line, E(SCHEMA), "a record needs string "
		    "\"type\" and \"ref\" members", NULL);
	if ((r->t = schema_type_by_name(json_string_value(type))) == NULL ||
	    (r->t->flags & SCHEMA_ROSTER)) {
		snprintf(what, sizeof(what), "unknown record type \"%.40s\"",
		    json_string_value(type));
		return line_error(im, r->line, E(SCHEMA), what, "types: lot, "
		    "session, trainee, intent, path, derogation");
	}
	r->ref = json_string_value(ref);
	r->reflen = json_string_length(ref);
	if ((rc = schema_check_ref(r->ref, r->reflen, im->d)) != 0)
		return line_error(im, r->line, rc, im->d->what, NULL);
	return 0;
}

/* Parses one JSON line into a record and hands it to the pass. */
static int
json_line(struct importer *im, const char *buf, size_t len, uint64_t line)
{
	struct rec_in r = { .line = line };
	json_error_t jerr;
	const char *key;
	json_t *obj, *val;
	char what[300];
	int rc = 0;

	obj = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (obj == NULL || !json_is_object(obj)) {
		snprintf(what, sizeof(what), "not a JSON object: %s",
		    obj ? "another JSON value" : jerr.text);
		json_decref(obj);
		line_error(im, line, E(SCHEMA), what, "one JSON object per line");
		return on_bad(im, line, E(SCHEMA));
	}
	if ((rc = json_head(im, &r, obj)) == 0) {
		json_object_foreach(obj, key, val) {
			if (strcmp(key, "type") == 0 || strcmp(key, "ref") == 0)
				continue;
			if ((rc = json_field(im, &r, key, val)) != 0)
				break;
		}
	}
	rc = rc != 0 ? on_bad(im, line, rc) : on_record(im, &r);
	json_decref(obj);
	return rc;
}

/* Reads one line of at most CONSORT_LINE_MAX bytes; 0 at end of file. */
static int
read_line(FILE *f, char *buf, size_t *len, bool *toolong)
{
	int c;

	*len = 0;
	*toolong = false;
	while ((c = getc_unlocked(f)) != EOF && c != '\n') {
		if (*len < CONSORT_LINE_MAX)
			buf[(*len)++] = (char)c;
		else
			*toolong = true;
	}
	if (c == EOF && *len == 0 && !*toolong)
		return ferror(f) ? E(IO) : 0;
	return 1;
}

/* Runs one pass over a JSON Lines file. */
static int
scan_jsonl(struct importer *im, FILE *f)
{
	char *buf = malloc(CONSORT_LINE_MAX);
	uint64_t line = 0;
	bool toolong;
	size_t len;
	int rc;

	if (buf == NULL)
		return E(NOMEM);
	while ((rc = read_line(f, buf, &len, &toolong)) == 1) {
		line++;
		im->bytes += len + 1;
		im->res->lines = line;
		progress(im);
		if (toolong) {
			line_error(im, line, E(TOOBIG), "line longer than 65536 bytes",
			    "one record per line");
			rc = on_bad(im, line, E(TOOBIG));
		} else if (len == 0 || (len == 1 && buf[0] == '\r'))
			rc = 0;  /* blank lines are allowed */
		else
			rc = json_line(im, buf, len, line);
		if (rc != 0)
			break;
	}
	free(buf);
	return rc < 0 ? rc : 0;
}

/* The letters of column i, as a sheet names it (0: A, 26: AA). */
static void
col_name(unsigned i, char out[8])
{
	char rev[8];
	unsigned n = i + 1, k = 0, j;

	while (n > 0 && k < 7) {
		n--;
		rev[k++] = (char)('A' + n % 26);
		n /= 26;
	}
	for (j = 0; j < k; j++)
		out[j] = rev[k - 1 - j];
	out[k] = '\0';
}

/*
 * Fills the importer's diag for a cell of a sheet: where is the file, what
 * starts with the row and the column as the sheet shows them (row 1 is the
 * header; the column's letter and its header as written), or the row
 * alone when col < 0.
 */
static int
cell_error(struct importer *im, uint64_t row, int col, int err,
    const char *what, const char *hint)
{
	char msg[sizeof(im->d->what)], letters[8];
	const char *h = col >= 0 && col < CSV_MAX_COLUMNS ? im->head[col] : NULL;

	if (col < 0)
		snprintf(msg, sizeof(msg), _("row %llu: %.460s"),
		    (unsigned long long)row, what);
	else {
		col_name((unsigned)col, letters);
		if (h != NULL && h[0] != '\0')
			snprintf(msg, sizeof(msg), _("row %llu, column %s "
			    "\"%.80s\": %.370s"), (unsigned long long)row, letters,
			    h, what);
		else
			snprintf(msg, sizeof(msg), _("row %llu, column %s: %.450s"),
			    (unsigned long long)row, letters, what);
	}
	return consort_diag_set(im->d, err, im->o->path, msg, hint);
}

/* The French name of a record's ref column, for every type. */
#define REF_LABEL "R\xc3\xa9" "f\xc3\xa9rence"

/* Whether a header cell names what name or label names, loosely. */
static bool
header_is(const char *cell, size_t len, const char *name, const char *label)
{
	return import_cell_same(cell, len, name, strlen(name)) ||
	    (label != NULL && import_cell_same(cell, len, label, strlen(label)));
}

/*
 * The field a header cell names, by its French label or its name,
 * loosely (case, accents, spaces), or NULL.
 */
static const struct schema_field *
header_field(const struct schema_type *t, const char *name, size_t len)
{
	const struct schema_field *f;
	unsigned i;

	for (i = 1; i <= t->max_field; i++)
		if ((f = t->fields[i]) != NULL &&
		    header_is(name, len, f->name, f->label))
			return f;
	return NULL;
}

/* The columns a sheet of t may have, for a refusal: "Référence, ...". */
static void
expected_columns(const struct schema_type *t, char *buf, size_t size)
{
	size_t o = (size_t)snprintf(buf, size, "%s", REF_LABEL);
	unsigned i;

	for (i = 1; i <= t->max_field && o < size; i++)
		if (t->fields[i] != NULL)
			o += (size_t)snprintf(buf + o, size - o, ", %s",
			    t->fields[i]->label);
}

/* Frees the header names kept for messages. */
static void
head_clear(struct importer *im)
{
	unsigned i;

	for (i = 0; i < CSV_MAX_COLUMNS; i++) {
		free(im->head[i]);
		im->head[i] = NULL;
	}
}

/*
 * Reads the header row: a "ref" column, an optional "type" one, and the
 * type's fields, each named loosely and once; a column with no name is
 * left out, and must stay empty.
 */
static int
sheet_header(struct importer *im)
{
	int slot[SCHEMA_MAX_FIELDS + 3];  /* 1 + column, by field id; ref, type */
	char what[sizeof(im->d->what)], list[360], letters[8];
	const char *name;
	size_t len;
	unsigned i, k;

	memset(slot, 0, sizeof(slot));
	im->ref_col = im->type_col = -1;
	im->ncols = im->ncells;
	for (i = 0; i < im->ncells; i++) {
		name = im->cells[i];
		len = im->cell_len[i];
		import_cell_trim(&name, &len);
		if ((im->head[i] = strndup(name, len)) == NULL)
			return E(NOMEM);
		im->cols[i] = NULL;
		if (len == 0)
			continue;
		if (header_is(name, len, "ref", REF_LABEL))
			k = SCHEMA_MAX_FIELDS + 1;
		else if (header_is(name, len, "type", NULL))
			k = SCHEMA_MAX_FIELDS + 2;
		else if ((im->cols[i] = header_field(im->o->type, name,
		    len)) != NULL)
			k = im->cols[i]->id;
		else {
			expected_columns(im->o->type, list, sizeof(list));
			snprintf(what, sizeof(what), _("not a column of %s (%s); "
			    "the columns are %s"), im->o->type->label,
			    im->o->type->name, list);
			return cell_error(im, 1, (int)i, E(SCHEMA), what,
			    _("name each column by its French name, or its English "
			    "one (consort help fields TYPE); consort import "
			    "--template TYPE writes them"));
		}
		if (slot[k] != 0) {
			col_name((unsigned)slot[k] - 1, letters);
			snprintf(what, sizeof(what), _("column %s names it "
			    "already"), letters);
			return cell_error(im, 1, (int)i, E(SCHEMA), what,
			    _("name each column once"));
		}
		slot[k] = (int)i + 1;
	}
	im->ref_col = slot[SCHEMA_MAX_FIELDS + 1] - 1;
	im->type_col = slot[SCHEMA_MAX_FIELDS + 2] - 1;
	if (im->ref_col < 0 && im->o->type->id != T_attendance) {
		snprintf(what, sizeof(what), _("no \"%s\" (ref) column"),
		    REF_LABEL);
		return cell_error(im, 1, -1, E(SCHEMA), what, _("the header row "
		    "must name the column of the records' refs"));
	}
	return 0;
}

/*
 * Gives a row without a ref the one its fields make (attendance's
 * PATH@YYYY-MM-DD or PATH@YYYY-MM, records_derived_ref), or refuses it.
 */
static int
sheet_made_ref(struct importer *im, struct rec_in *r)
{
	if (r->reflen > 0)
		return 0;
	if (!records_derived_ref(r->t, r->in, r->n, r->made, sizeof(r->made)))
		return line_error(im, r->line, E(SCHEMA), _("no ref, and none "
		    "made: attendance names its path and one day (date) or one "
		    "month (month), which make its ref"), _("fix the row, or "
		    "import with --skip-bad"));
	r->ref = r->made;
	r->reflen = strlen(r->made);
	return 0;
}

/* The trimmed text of cell i (an .xlsx number as a whole number). */
static const char *
cell_text(struct importer *im, unsigned i, size_t *len)
{
	const char *s = im->cells[i];

	*len = im->cell_len[i];
	import_cell_text(im->kinds[i], &s, len, im->norm[i]);
	return s;
}

/* Whether every cell of the row is empty or spaces. */
static bool
row_empty(struct importer *im)
{
	size_t len;
	unsigned i;

	for (i = 0; i < im->ncells; i++) {
		cell_text(im, i, &len);
		if (len > 0)
			return false;
	}
	return true;
}

/* Turns one data row of a sheet into a record. */
static int
sheet_record(struct importer *im, struct rec_in *r)
{
	char what[300];
	const char *s;
	size_t len;
	unsigned i;
	int rc;

	r->t = im->o->type;
	r->ref_col = im->ref_col;
	if (im->ncells != im->ncols && im->xlsx == NULL) {
		snprintf(what, sizeof(what), _("%u cells where the header has %u"),
		    im->ncells, im->ncols);
		return line_error(im, r->line, E(SCHEMA), what, NULL);
	}
	if (im->type_col >= 0) {
		s = cell_text(im, (unsigned)im->type_col, &len);
		if (len > 0 && !header_is(s, len, r->t->name, r->t->label))
			return cell_error(im, r->line, im->type_col, E(SCHEMA),
			    _("the type column differs from --type"), NULL);
	}
	r->ref = "";
	r->reflen = 0;
	if (im->ref_col >= 0)
		r->ref = cell_text(im, (unsigned)im->ref_col, &r->reflen);
	if ((r->reflen > 0 || r->t->id != T_attendance) &&
	    (rc = schema_check_ref(r->ref, r->reflen, im->d)) != 0)
		return cell_error(im, r->line, im->ref_col, rc, im->d->what, NULL);
	for (i = 0; i < im->ncells; i++) {
		if (i >= im->ncols || im->cols[i] == NULL) {
			cell_text(im, i, &len);
			if (len > 0 && (i >= im->ncols || im->head[i][0] == '\0'))
				return cell_error(im, r->line, (int)i, E(SCHEMA),
				    _("a value under a column with no name"),
				    _("name the column in row 1, or empty it"));
			continue;
		}
		if ((rc = import_cell_value(im->cols[i], im->kinds[i],
		    im->cells[i], im->cell_len[i], im->date1904, im->norm[i],
		    &r->in[r->n].v, im->d)) != 0)
			return cell_error(im, r->line, (int)i, rc, im->d->what,
			    _("fix the cell, or import with --skip-bad"));
		if (r->in[r->n].v.kind == VAL_NIL)
			continue;  /* an empty cell leaves the field alone */
		r->in[r->n].f = im->cols[i];
		r->col[r->n++] = (int8_t)i;
	}
	return sheet_made_ref(im, r);
}

/*
 * Handles one row of a sheet (CSV or .xlsx), its cells in im->cells: the
 * header (row 1), or a record; a row of empty cells is skipped.
 */
static int
sheet_row(struct importer *im)
{
	struct rec_in r = { .line = im->row };
	char what[80];
	int rc;

	if (im->over == OVER_COLUMNS) {
		snprintf(what, sizeof(what), _("more than %u columns"),
		    CSV_MAX_COLUMNS);
		rc = cell_error(im, r.line, -1, E(TOOBIG), what, NULL);
	} else if (im->over == OVER_CELL) {
		snprintf(what, sizeof(what), _("a cell over %u bytes"),
		    CONSORT_STR_MAX);
		rc = cell_error(im, r.line, (int)im->over_col, E(TOOBIG), what,
		    NULL);
	} else if (im->over == OVER_ERROR)
		rc = cell_error(im, r.line, (int)im->over_col, E(SCHEMA),
		    _("the cell holds an error of its formula"), _("fix the formula, "
		    "or type the value"));
	else
		rc = 0;
	if (rc != 0)
		return im->have_header ? on_bad(im, r.line, rc) : rc;
	if (!im->have_header) {
		if (im->row != 1 || row_empty(im))
			return cell_error(im, 1, -1, E(SCHEMA), _("empty: the first "
			    "row must name the columns"), NULL);
		im->have_header = true;
		return sheet_header(im);
	}
	if (row_empty(im))
		return 0;
	if ((rc = sheet_record(im, &r)) != 0)
		return on_bad(im, r.line, rc);
	return on_record(im, &r);
}

/* Frees the cells of the current row. */
static void
cells_clear(struct importer *im)
{
	unsigned i;

	for (i = 0; i < im->ncells && i < CSV_MAX_COLUMNS; i++)
		free(im->cells[i]);
	im->ncells = 0;
	im->over = 0;
}

/* Adds a cell to the current row (over the bounds: marks the row). */
static int
cells_add(struct importer *im, const char *s, size_t len,
    enum sheet_cell kind)
{
	unsigned i = im->ncells;

	if (i >= CSV_MAX_COLUMNS) {
		im->over = OVER_COLUMNS;
		return 0;
	}
	if (len > CONSORT_STR_MAX && im->over == 0) {
		im->over = OVER_CELL;
		im->over_col = i;
	}
	if (len > CONSORT_STR_MAX)
		len = 0;
	if ((im->cells[i] = malloc(len + 1)) == NULL)
		return E(NOMEM);
	if (len > 0)  /* an empty cell of a sparse row has no text */
		memcpy(im->cells[i], s, len);
	im->cells[i][len] = '\0';
	im->cell_len[i] = len;
	im->kinds[i] = kind;
	im->ncells++;
	return 0;
}

/* libcsv: one cell. */
static void
csv_cell(void *s, size_t len, void *data)
{
	struct importer *im = data;
	int rc;

	if ((rc = cells_add(im, s, len, SHEET_TEXT)) != 0 && im->csv_err == 0)
		im->csv_err = rc;
}

/*
 * libcsv: the end of a row, ended by the byte c (-1: the end of the
 * file).  Every line end outside quotes ends a row, so that the rows are
 * numbered as a sheet shows them, blank ones included; the LF of a CRLF
 * ends nothing more.
 */
static void
csv_row(int c, void *data)
{
	struct importer *im = data;
	bool crlf = im->ncells == 0 && c == '\n' && im->last_end == '\r';
	int rc = 0;

	im->last_end = c;
	if (crlf)
		return;
	im->row++;
	im->res->lines = im->row;
	if (im->csv_err == 0)
		rc = sheet_row(im);
	progress(im);
	if (rc != 0 && im->csv_err == 0)
		im->csv_err = rc;
	cells_clear(im);
}

/* Runs one pass over a CSV file, as the sniff found it. */
static int
scan_csv(struct importer *im, FILE *f)
{
	struct import_text_reader tr;
	struct csv_parser p;
	const char *buf;
	size_t n, since_row = 0;
	uint64_t rows;
	int rc;

	if ((rc = import_text_open(&tr, f, &im->text, im->o->path, im->d)) != 0)
		return rc;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL |
	    CSV_REPALL_NL) != 0) {
		import_text_close(&tr);
		return E(NOMEM);
	}
	csv_set_delim(&p, (unsigned char)im->text.sep);
	im->row = 0;
	im->last_end = 0;
	im->csv_err = 0;
	im->have_header = false;
	while (im->csv_err == 0) {
		if (import_text_read(&tr, &buf, &n) != 0) {
			im->csv_err = consort_diag_set(im->d, E(IO), im->o->path,
			    strerror(errno), _("check that the file is readable"));
			break;
		}
		if (n == 0)
			break;
		rows = im->row;
		if (csv_parse(&p, buf, n, csv_cell, csv_row, im) != n &&
		    im->csv_err == 0)
			im->csv_err = cell_error(im, im->row + 1, -1, E(SCHEMA),
			    csv_strerror(csv_error(&p)), _("check the quotes of that "
			    "row"));
		im->bytes = (uint64_t)ftello(f);
		since_row = im->row == rows ? since_row + n : 0;
		if (since_row > CONSORT_LINE_MAX && im->csv_err == 0)
			im->csv_err = cell_error(im, im->row + 1, -1, E(TOOBIG),
			    _("a row longer than 65536 bytes"), NULL);
	}
	if (im->csv_err == 0 && csv_fini(&p, csv_cell, csv_row, im) != 0 &&
	    im->csv_err == 0)
		im->csv_err = cell_error(im, im->row + 1, -1, E(SCHEMA), _("a quoted "
		    "cell is never closed"), _("close the quote that this row opens"));
	cells_clear(im);
	head_clear(im);
	csv_free(&p);
	import_text_close(&tr);
	if (im->csv_err == 0 && !im->have_header)
		im->csv_err = cell_error(im, 1, -1, E(SCHEMA), _("empty file: no "
		    "header row"), NULL);
	return im->csv_err;
}

/* xlsx.c: one row that holds a value, as the sheet numbers it. */
static int
xlsx_row(void *ctx, const struct xlsx_row *xr)
{
	struct importer *im = ctx;
	unsigned i, n = xr->n;
	int rc = 0;

	im->row = xr->row;
	im->res->lines = im->row;
	if (im->have_header && n < im->ncols)
		n = im->ncols;  /* the empty cells at the end of a sparse row */
	for (i = 0; i < n && rc == 0; i++) {
		const struct xlsx_cell *c = &xr->cells[i];

		rc = cells_add(im, i < xr->n ? c->s : "", i < xr->n ? c->len : 0,
		    i < xr->n ? c->kind : SHEET_TEXT);
		if (i < xr->n && c->toolong && im->over == 0) {
			im->over = OVER_CELL;
			im->over_col = i;
		} else if (i < xr->n && c->kind == SHEET_ERROR && im->over == 0) {
			im->over = OVER_ERROR;
			im->over_col = i;
		}
	}
	if (xr->wide && im->over == 0)
		im->over = OVER_COLUMNS;
	if (rc == 0)
		rc = sheet_row(im);
	progress(im);
	cells_clear(im);
	return rc;
}

/* Runs one pass over the first sheet of an .xlsx workbook. */
static int
scan_xlsx(struct importer *im)
{
	int rc;

	im->row = 0;
	im->have_header = false;
	rc = xlsx_rows(im->xlsx, xlsx_row, im, im->d);
	cells_clear(im);
	head_clear(im);
	if (rc == 0 && !im->have_header)
		rc = cell_error(im, 1, -1, E(SCHEMA), _("empty sheet: no header row"),
		    NULL);
	return rc;
}

/* Skips a UTF-8 byte-order mark, which spreadsheets write first. */
static void
skip_bom(FILE *f)
{
	unsigned char b[3];

	if (fread(b, 1, 3, f) != 3 || b[0] != 0xef || b[1] != 0xbb || b[2] != 0xbf)
		rewind(f);
}

/* Runs one pass over the file. */
static int
scan(struct importer *im, enum import_format fmt)
{
	FILE *f;
	int rc;

	if ((f = fopen(im->o->path, "r")) == NULL)
		return consort_diag_set(im->d, E(IO), im->o->path, strerror(errno),
		    "check the file name");
	im->bytes = 0;
	if (fmt == IMPORT_XLSX)
		rc = scan_xlsx(im);
	else if (fmt == IMPORT_CSV)
		rc = scan_csv(im, f);
	else {
		skip_bom(f);
		rc = scan_jsonl(im, f);
	}
	if ((rc == 0 || rc == E(IO)) && ferror(f))
		rc = consort_diag_set(im->d, E(IO), im->o->path, strerror(errno),
		    "check that the file is readable");
	fclose(f);
	return rc;
}

/* Whether the file starts as a zip archive does ("PK\3\4"). */
static bool
zip_magic(const char *path)
{
	unsigned char b[4];
	FILE *f = fopen(path, "rb");
	bool zip;

	if (f == NULL)
		return false;
	zip = fread(b, 1, 4, f) == 4 && memcmp(b, "PK\3\4", 4) == 0;
	fclose(f);
	return zip;
}

/*
 * Guesses the format when not given: a zip archive or a .xlsx name is a
 * workbook; else from the file name.
 */
static enum import_format
guess_format(const struct import_opts *o)
{
	size_t len = strlen(o->path);

	if (o->format != IMPORT_AUTO)
		return o->format;
	if (zip_magic(o->path) ||
	    (len >= 5 && strcasecmp(o->path + len - 5, ".xlsx") == 0))
		return IMPORT_XLSX;
	if (len >= 4 && strcmp(o->path + len - 4, ".csv") == 0)
		return IMPORT_CSV;
	if ((len >= 6 && strcmp(o->path + len - 6, ".jsonl") == 0) ||
	    (len >= 5 && strcmp(o->path + len - 5, ".json") == 0))
		return IMPORT_JSONL;
	return o->type != NULL ? IMPORT_CSV : IMPORT_JSONL;
}

/* Looks at a CSV file once, before its passes: encoding and separator. */
static int
sniff_csv(struct importer *im)
{
	FILE *f;
	int rc;

	if ((f = fopen(im->o->path, "rb")) == NULL)
		return consort_diag_set(im->d, E(IO), im->o->path,
		    strerror(errno), "check the file name");
	rc = import_text_sniff(f, im->o->path, im->o->separator, &im->text,
	    im->d);
	fclose(f);
	return rc;
}

/* Pass 1: check everything, write nothing. */
static int
pass_check(struct importer *im, enum import_format fmt)
{
	int rc;

	im->pass = 1;
	if ((rc = store_begin(&im->n->store, false, &im->rtxn)) != 0)
		return rc;
	rc = scan(im, fmt);
	store_abort(im->rtxn);
	im->rtxn = NULL;
	import_seen_free(&im->seen);  /* pass 2 needs the records alone */
	if (rc == 0 && im->res->bad > 0 && !im->o->skip_bad)
		rc = E(SCHEMA);
	return rc;
}

/* Pass 2: writes the records pass 1 kept, one by one. */
static int
replay(struct importer *im)
{
	struct import_kept r;
	int rc;

	if ((rc = import_keep_rewind(&im->keep)) != 0)
		return scratch_error(im, rc);
	im->bytes = 0;
	im->total = im->keep.bytes;
	while ((rc = import_keep_next(&im->keep, &r)) == 1) {
		im->res->lines = r.line;
		im->bytes = im->keep.read;
		progress(im);
		if ((rc = write_record(im, &r)) != 0)
			return rc;
	}
	return rc < 0 ? scratch_error(im, rc) : 0;
}

/* Pass 2: write the good records in change-sets (or rehearse it, dry). */
static int
pass_write(struct importer *im, bool dry)
{
	uint64_t lines = im->res->lines;
	int rc;

	im->pass = 2;
	im->dry = dry;
	im->commit_at = 1;
	if ((rc = edit_begin(im->n, &im->e)) != 0)
		return rc;
	/* many records: their index keys are written sorted, at the end */
	if (!dry && im->keep.kept >= im->n->store.index_defer_min)
		index_defer(&im->n->store);
	txn_began(im);
	rc = replay(im);
	im->res->lines = lines;
	if (rc != 0 || (rc = flush(im, true)) != 0) {
		if (im->e.diag.what[0] && !im->d->what[0])
			*im->d = im->e.diag;
		edit_abort(&im->e);  /* a failed commit left no txn, but buffers */
		return rc;
	}
	if (!dry)
		im->res->changesets = im->e.appended;
	edit_abort(&im->e);  /* dry: nothing kept; else the last renew's empty txn */
	im->in_cs = 0;
	return 0;
}

/*
 * Writes the index keys pass 2 deferred, whatever became of it (what it
 * committed needs them); a failure there is the import's error unless it
 * had one, and leaves the index to the rebuild of the next writer.
 */
static int
catch_up(struct importer *im, int rc)
{
	int err;

	if ((err = index_catch_up(&im->n->store)) == 0 || rc != 0)
		return rc;
	return consort_diag_set(im->d, err, _("the order index"),
	    consort_strerror(err), _("the records are imported; the next "
	    "command that writes to this node rebuilds the index"));
}

/*
 * Whether the importer's records could be refused by the permission rules:
 * a member other than the lead rehearses the import first, so that a file
 * with one record it may not write is refused whole, naming the line.
 */
static bool
needs_rehearsal(const struct node *n)
{
	return n->store.has_founder && !perm_is_lead(&n->store, n->pk);
}

/* Imports a JSON Lines, CSV or .xlsx file (see the top of this file). */
int
import_file(struct node *n, const struct import_opts *o,
    struct import_result *res, struct consort_diag *d)
{
	struct importer im;
	struct stat st;
	enum import_format fmt;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&im, 0, sizeof(im));
	im.n = n;
	im.o = o;
	im.res = res;
	im.d = d;
	if ((rc = node_path(im.scratch_dir, sizeof(im.scratch_dir), n->dir,
	    "store")) != 0)
		return rc;
	im.seen.dir = im.keep.dir = im.scratch_dir;
	im.in_file_order = !rank_types(im.rank);
	if (stat(o->path, &st) != 0)
		return consort_diag_set(d, E(IO), o->path, strerror(errno),
		    "check the file name");
	if (!S_ISREG(st.st_mode))
		return consort_diag_set(d, E(IO), o->path, "not a regular file",
		    "give the file to import, not a folder or a device");
	fmt = guess_format(o);
	if (fmt != IMPORT_JSONL && o->type == NULL)
		return consort_diag_set(d, E(INVAL), o->path, fmt == IMPORT_CSV ?
		    _("a CSV file needs the records' type") : _("a workbook needs "
		    "the records' type"), _("give it with --type TYPE"));
	im.total = (uint64_t)st.st_size;
	im.sheet = fmt != IMPORT_JSONL;
	res->rows = im.sheet;
	if (fmt == IMPORT_CSV && (rc = sniff_csv(&im)) != 0)
		return rc;
	if (fmt == IMPORT_XLSX) {
		if ((rc = xlsx_open(o->path, NULL, &im.xlsx, d)) != 0)
			return rc;
		im.date1904 = xlsx_date1904(im.xlsx);
		im.total = 0;  /* no share of the file read to show */
	}
	if (n->store.readonly && !n->store.scratch)
		rc = E(READONLY);  /* before any work, as every write */
	else
		rc = pass_check(&im, fmt);
	xlsx_close(im.xlsx);
	if (rc == 0 && needs_rehearsal(n))
		rc = pass_write(&im, true);
	if (rc == 0)
		rc = pass_write(&im, false);
	rc = catch_up(&im, rc);
	record_free(&im.scratch);
	import_seen_free(&im.seen);
	import_keep_free(&im.keep);
	return rc;
}

/*
 * Checks one line against the schema alone, with no node: a JSON Lines
 * record, or a CSV row under a header row (header, NUL-terminated) of
 * records of the given type.  The parsing and checks of the first pass of
 * import_file, less duplicates and references to other records; for tests
 * and fuzzing.  Returns 0 or the error of the line, explained in d.
 */
int
import_check_line(enum import_format fmt, const struct schema_type *type,
    const char *header, const char *line, size_t len, struct consort_diag *d)
{
	struct import_opts o = { 0 };
	struct import_result res;
	struct importer im;
	size_t hlen;
	char *buf;
	FILE *f;
	int rc;

	memset(&res, 0, sizeof(res));
	memset(&im, 0, sizeof(im));
	o.path = "line";
	o.format = fmt;
	o.type = type;
	im.o = &o;
	im.res = &res;
	im.d = d;
	if (fmt != IMPORT_CSV)
		return json_line(&im, line, len, 1);
	if (type == NULL || header == NULL)
		return E(INVAL);
	hlen = strlen(header);
	if ((buf = malloc(hlen + 1 + len + 1)) == NULL)
		return E(NOMEM);
	memcpy(buf, header, hlen);
	buf[hlen] = '\n';
	memcpy(buf + hlen + 1, line, len);
	if ((f = fmemopen(buf, hlen + 1 + len, "r")) == NULL) {
		free(buf);
		return E(NOMEM);
	}
	im.sheet = true;
	if ((rc = import_text_sniff(f, o.path, 0, &im.text, d)) == 0)
		rc = scan_csv(&im, f);
	fclose(f);
	free(buf);
	return rc;
}

/* Checks a whole CSV or .xlsx sheet with no node (see core.h). */
int
import_check_sheet(enum import_format fmt, const struct schema_type *type,
    const void *buf, size_t len, const struct xlsx_limits *lim,
    struct consort_diag *d)
{
	struct import_opts o = { 0 };
	struct import_result res;
	struct importer im;
	FILE *f;
	int rc;

	if (type == NULL || (fmt != IMPORT_CSV && fmt != IMPORT_XLSX))
		return E(INVAL);
	memset(&res, 0, sizeof(res));
	memset(&im, 0, sizeof(im));
	o.path = "sheet";
	o.format = fmt;
	o.type = type;
	im.o = &o;
	im.res = &res;
	im.d = d;
	im.sheet = true;
	if (fmt == IMPORT_XLSX) {
		if ((rc = xlsx_open_mem(buf, len, o.path, lim, &im.xlsx, d)) != 0)
			return rc;
		im.date1904 = xlsx_date1904(im.xlsx);
		rc = scan_xlsx(&im);
		xlsx_close(im.xlsx);
		return rc;
	}
	if (len == 0)  /* fmemopen takes no empty buffer */
		return cell_error(&im, 1, -1, E(SCHEMA), _("empty file: no header "
		    "row"), NULL);
	if ((f = fmemopen((void *)buf, len, "r")) == NULL)
		return E(NOMEM);
	if ((rc = import_text_sniff(f, o.path, 0, &im.text, d)) == 0)
		rc = scan_csv(&im, f);
	fclose(f);
	return rc;
}
