/*
 * Import of JSON Lines (one record per line, "type" and "ref" keys) and CSV
 * (a header row of field names, one --type for all rows).
 *
 * Two passes over the file, streaming, so memory does not grow with its
 * size beyond a set of entity ids.  Pass 1 checks every line (syntax, schema,
 * duplicates, references to records earlier in the file or in the store)
 * and writes nothing; a file with a bad line is refused whole unless
 * skip_bad.  Pass 2 writes the records that differ from the state, in
 * change-sets of `batch` records, committing every few change-sets so a
 * crash leaves whole change-sets only.  A second import of the same file
 * finds nothing that differs and appends nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <csv.h>
#include <jansson.h>

#include "core.h"

#define COMMIT_EVERY 16             /* change-sets per LMDB transaction */
#define CS_SOFT_BYTES (256u << 10)  /* close a change-set past this size */
#define CSV_MAX_COLUMNS 64

/* One record read from the file, values pointing into the reader's buffers. */
struct rec_in {
	uint64_t line;
	const struct schema_type *t;
	const char *ref;
	size_t reflen;
	struct field_input in[SCHEMA_MAX_FIELDS];
	unsigned n;
	char made[CONSORT_REF_MAX + 2];  /* a ref its fields make */
};

/* An open-addressing set of entity ids (with the type) seen in pass 1. */
struct idset {
	uint8_t (*keys)[1 + CONSORT_EID_BYTES];
	uint64_t *lines;
	size_t cap, n;
};

struct importer {
	struct node *n;
	const struct import_opts *o;
	struct import_result *res;
	struct consort_diag *d;
	int pass;
	struct store_txn *rtxn; /* pass 1: read the store */
	struct record scratch;
	struct idset seen;
	uint64_t *bad;          /* pass 1: bad line numbers, increasing */
	size_t nbad, capbad, nextbad;
	struct edit e;          /* pass 2 */
	unsigned in_cs;         /* records in the current change-set */
	unsigned since_commit;  /* change-sets since the last commit */
	uint64_t bytes, total;
	bool dry;               /* pass 2 rehearsed in a transaction never kept */
	/* CSV state */
	const struct schema_field *cols[CSV_MAX_COLUMNS];
	int ref_col, type_col;
	unsigned ncols;
	char *cells[CSV_MAX_COLUMNS];
	size_t cell_len[CSV_MAX_COLUMNS];
	unsigned ncells;
	uint64_t row, line, row_line;
	int csv_err;
};

/* Position of a key in the set (an empty slot if absent). */
static size_t
idset_slot(const struct idset *s, const uint8_t *key)
{
	size_t h;

	memcpy(&h, key + 1, sizeof(h));
	for (h &= s->cap - 1;; h = (h + 1) & (s->cap - 1))
		if (s->lines[h] == 0 || memcmp(s->keys[h], key, 17) == 0)
			return h;
}

/* Inserts a key with the line that defines it; returns the earlier line if any. */
static int
idset_add(struct idset *s, const uint8_t *key, uint64_t line, uint64_t *prior)
{
	struct idset old = *s;
	size_t i, h;

	*prior = 0;
	if ((s->n + 1) * 2 > s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->keys = calloc(s->cap, sizeof(*s->keys));
		s->lines = calloc(s->cap, sizeof(*s->lines));
		if (s->keys == NULL || s->lines == NULL) {
			free(s->keys);
			free(s->lines);
			*s = old;
			return E(NOMEM);
		}
		for (i = 0; i < old.cap; i++)
			if (old.lines[i] != 0) {
				h = idset_slot(s, old.keys[i]);
				memcpy(s->keys[h], old.keys[i], 17);
				s->lines[h] = old.lines[i];
			}
		free(old.keys);
		free(old.lines);
	}
	h = idset_slot(s, key);
	if (s->lines[h] != 0) {
		*prior = s->lines[h];
		return 0;
	}
	memcpy(s->keys[h], key, 17);
	s->lines[h] = line;
	s->n++;
	return 0;
}

/* Whether a key is in the set. */
static bool
idset_has(const struct idset *s, const uint8_t *key)
{
	return s->cap > 0 && s->lines[idset_slot(s, key)] != 0;
}

/* Fills the importer's diag with "FILE:LINE: ..." and returns err. */
static int
line_error(struct importer *im, uint64_t line, int err, const char *what,
    const char *hint)
{
	char where[4200];

	snprintf(where, sizeof(where), "%s:%llu", im->o->path,
	    (unsigned long long)line);
	return consort_diag_set(im->d, err, where, what, hint);
}

/*
 * Records a bad line of pass 1 and reports it.  Pass 1 goes on to the end
 * of the file, so that the count of bad lines is exact; their numbers are
 * kept only for skip_bad, whose pass 2 leaves them out.
 */
static int
bad_line(struct importer *im, uint64_t line, int err)
{
	uint64_t *p;

	(void)err;
	if (im->o->skip_bad && im->nbad == im->capbad) {
		im->capbad = im->capbad ? im->capbad * 2 : 64;
		if ((p = realloc(im->bad, im->capbad * sizeof(*p))) == NULL)
			return E(NOMEM);
		im->bad = p;
	}
	if (im->o->skip_bad)
		im->bad[im->nbad++] = line;
	im->res->bad++;
	if (im->o->bad != NULL && im->o->bad(im->o->ctx, im->d) != 0)
		return E(INTERRUPTED);
	if (im->d != NULL)
		memset(im->d, 0, sizeof(*im->d));
	return 0;
}

/* The 17-byte set key of (type, ref). */
static void
rec_key(struct importer *im, unsigned type, const char *ref, size_t len,
    uint8_t key[17])
{
	key[0] = (uint8_t)type;
	node_entity_id(im->n, type, ref, len, key + 1);
}

/* Pass 1 checks of one record beyond its syntax: duplicates and references. */
static int
check_record(struct importer *im, const struct rec_in *r)
{
	uint8_t key[17];
	uint64_t prior;
	char what[400];
	bool alive;
	unsigned i;
	int rc;

	for (i = 0; i < r->n; i++) {
		const struct field_input *in = &r->in[i];

		if (in->f->kind != FK_REF || in->v.kind != VAL_STR)
			continue;
		rec_key(im, in->f->ref_type, in->v.s, in->v.len, key);
		if (idset_has(&im->seen, key))
			continue;
		if ((rc = records_ref_alive(im->rtxn, im->n, &im->scratch, in->f,
		    &in->v, &alive)) != 0)
			return rc;
		if (alive)
			continue;
		snprintf(what, sizeof(what), "field %s: no %s \"%.*s\" earlier in "
		    "the file or in the store", in->f->name,
		    schema_type(in->f->ref_type)->name, (int)in->v.len, in->v.s);
		return line_error(im, r->line, E(REF), what,
		    "put the referenced record first, or import it before");
	}
	rec_key(im, r->t->id, r->ref, r->reflen, key);
	if ((rc = idset_add(&im->seen, key, r->line, &prior)) != 0)
		return rc;
	if (prior != 0) {
		snprintf(what, sizeof(what), "%s %.*s already appears on line %llu",
		    r->t->name, (int)r->reflen, r->ref, (unsigned long long)prior);
		return line_error(im, r->line, E(EXIST), what,
		    "keep one line per record");
	}
	return 0;
}

/* Closes the current change-set, and commits every COMMIT_EVERY of them. */
static int
flush(struct importer *im, bool commit)
{
	uint32_t before = im->e.appended;
	int rc;

	if ((rc = edit_flush(&im->e)) != 0)
		return rc;
	im->in_cs = 0;
	if (im->e.appended != before)
		im->since_commit++;
	if (!im->dry && (commit || im->since_commit >= COMMIT_EVERY)) {
		im->since_commit = 0;
		rc = edit_renew(&im->e);
		if (im->e.committed == im->e.appended) {
			/* every record counted so far is in a committed change-set */
			im->res->committed_changesets = im->e.committed;
			im->res->committed_records = im->res->changed;
		}
		return rc;
	}
	return 0;
}

/* Pass 2: writes one good record. */
static int
write_record(struct importer *im, const struct rec_in *r)
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

/* Handles one parsed record in the current pass. */
static int
on_record(struct importer *im, const struct rec_in *r)
{
	int rc;

	if (im->pass == 0)
		return 0;  /* import_check_line: the schema alone */
	if (im->pass == 1) {
		if ((rc = check_record(im, r)) != 0)
			return store_fault(rc) ? rc : bad_line(im, r->line, rc);
		im->res->records++;
		return 0;
	}
	while (im->nextbad < im->nbad && im->bad[im->nextbad] < r->line)
		im->nextbad++;
	if (im->nextbad < im->nbad && im->bad[im->nextbad] == r->line)
		return 0;
	return write_record(im, r);
}

/* Handles a line or row refused by the parser or the schema. */
static int
on_bad(struct importer *im, uint64_t line, int err)
{
	if (im->pass == 0)
		return err;
	if (im->pass == 1)
		return bad_line(im, line, err);
	return 0;  /* already known from pass 1 */
}

/* Every 512 records: reports progress and unmaps the store pages read. */
static void
progress(struct importer *im)
{
	if ((im->res->lines & 511) != 0 || im->n == NULL)
		return;
	store_release_map(&im->n->store);
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

/* Reads the CSV header row: "ref", optional "type", then field names. */
static int
csv_header(struct importer *im)
{
	char what[300];
	unsigned i;

	im->ref_col = im->type_col = -1;
	im->ncols = im->ncells;
	for (i = 0; i < im->ncells; i++) {
		const char *name = im->cells[i];

		for (unsigned k = 0; k < i; k++)
			if (strcmp(im->cells[k], name) == 0) {
				snprintf(what, sizeof(what), "column %u: \"%.60s\" "
				    "already names column %u", i + 1, name, k + 1);
				return line_error(im, 1, E(SCHEMA), what,
				    "name each column once");
			}
		im->cols[i] = NULL;
		if (strcmp(name, "ref") == 0)
			im->ref_col = (int)i;
		else if (strcmp(name, "type") == 0)
			im->type_col = (int)i;
		else if ((im->cols[i] = schema_field_by_name(im->o->type, name,
		    im->cell_len[i])) == NULL) {
			snprintf(what, sizeof(what), "column %u: %s has no field "
			    "\"%.60s\"", i + 1, im->o->type->name, name);
			return line_error(im, 1, E(SCHEMA), what,
			    "name the columns after the type's fields");
		}
	}
	if (im->ref_col < 0 && im->o->type->id != T_attendance)
		return line_error(im, 1, E(SCHEMA), "no \"ref\" column",
		    "the header row must name a ref column");
	return 0;
}

/*
 * Gives a row without a ref the one its fields make (attendance's
 * PATH@YYYY-MM-DD or PATH@YYYY-MM, records_derived_ref), or refuses it.
 */
static int
csv_made_ref(struct importer *im, struct rec_in *r)
{
	if (r->reflen > 0)
		return 0;
	if (!records_derived_ref(r->t, r->in, r->n, r->made, sizeof(r->made)))
		return line_error(im, r->line, E(SCHEMA), "no ref, and none "
		    "made: attendance names its path and one day (date) or one "
		    "month (month), which make its ref", "fix the row, or "
		    "import with --skip-bad");
	r->ref = r->made;
	r->reflen = strlen(r->made);
	return 0;
}

/* Turns one CSV data row into a record. */
static int
csv_record(struct importer *im, struct rec_in *r)
{
	char what[300];
	unsigned i;
	int rc;

	r->t = im->o->type;
	if (im->ncells != im->ncols) {
		snprintf(what, sizeof(what), "%u cells where the header has %u",
		    im->ncells, im->ncols);
		return line_error(im, r->line, E(SCHEMA), what, NULL);
	}
	if (im->type_col >= 0 && strcmp(im->cells[im->type_col], r->t->name) != 0)
		return line_error(im, r->line, E(SCHEMA), "the type column differs "
		    "from --type", NULL);
	r->ref = im->ref_col >= 0 ? im->cells[im->ref_col] : "";
	r->reflen = im->ref_col >= 0 ? im->cell_len[im->ref_col] : 0;
	if ((r->reflen > 0 || r->t->id != T_attendance) &&
	    (rc = schema_check_ref(r->ref, r->reflen, im->d)) != 0)
		return line_error(im, r->line, rc, im->d->what, NULL);
	for (i = 0; i < im->ncells; i++) {
		if (im->cols[i] == NULL || im->cell_len[i] == 0)
			continue;  /* an empty cell leaves the field alone */
		r->in[r->n].f = im->cols[i];
		if ((rc = schema_parse_text(im->cols[i], im->cells[i],
		    im->cell_len[i], &r->in[r->n].v, im->d)) != 0)
			return line_error(im, r->line, rc, im->d->what,
			    "fix the cell, or import with --skip-bad");
		r->n++;
	}
	return csv_made_ref(im, r);
}

/* libcsv: one cell. */
static void
csv_cell(void *s, size_t len, void *data)
{
	struct importer *im = data;
	size_t i;

	for (i = 0; i < len; i++)
		im->line += ((char *)s)[i] == '\n';
	if (im->ncells >= CSV_MAX_COLUMNS || len > CONSORT_STR_MAX) {
		im->ncells = CSV_MAX_COLUMNS + 1;
		return;
	}
	if ((im->cells[im->ncells] = malloc(len + 1)) == NULL) {
		im->csv_err = E(NOMEM);
		return;
	}
	memcpy(im->cells[im->ncells], s, len);
	im->cells[im->ncells][len] = '\0';
	im->cell_len[im->ncells++] = len;
}

/* Frees the cells of the current row. */
static void
csv_clear(struct importer *im)
{
	unsigned i;

	for (i = 0; i < im->ncells && i < CSV_MAX_COLUMNS; i++)
		free(im->cells[i]);
	im->ncells = 0;
}

/* libcsv: end of a row. */
static void
csv_row(int c, void *data)
{
	struct importer *im = data;
	struct rec_in r = { .line = im->row_line };
	int rc = 0;

	(void)c;
	im->row++;
	im->line++;
	im->res->lines = im->row;
	if (im->csv_err != 0)
		goto out;
	if (im->ncells > CSV_MAX_COLUMNS) {
		line_error(im, r.line, E(TOOBIG), "too many cells or a cell over "
		    "4096 bytes", NULL);
		rc = im->row == 1 ? E(TOOBIG) : on_bad(im, r.line, E(TOOBIG));
	} else if (im->row == 1)
		rc = csv_header(im);
	else if ((rc = csv_record(im, &r)) != 0)
		rc = on_bad(im, r.line, rc);
	else
		rc = on_record(im, &r);
	progress(im);
out:
	if (rc != 0 && im->csv_err == 0)
		im->csv_err = rc;
	csv_clear(im);
	im->row_line = im->line + 1;
}

/* Runs one pass over a CSV file. */
static int
scan_csv(struct importer *im, FILE *f)
{
	struct csv_parser p;
	char buf[4096];
	size_t n, since_row = 0;
	uint64_t rows;

	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return E(NOMEM);
	im->row = im->line = 0;
	im->row_line = 1;
	im->csv_err = 0;
	while (im->csv_err == 0 && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
		rows = im->row;
		if (csv_parse(&p, buf, n, csv_cell, csv_row, im) != n) {
			line_error(im, im->line + 1, E(SCHEMA), csv_strerror(
			    csv_error(&p)), "check the quotes of that line");
			im->csv_err = E(SCHEMA);
		}
		im->bytes += n;
		since_row = im->row == rows ? since_row + n : 0;
		if (since_row > CONSORT_LINE_MAX && im->csv_err == 0)
			im->csv_err = line_error(im, im->line + 1, E(TOOBIG),
			    "a row longer than 65536 bytes", NULL);
	}
	if (im->csv_err == 0 && csv_fini(&p, csv_cell, csv_row, im) != 0 &&
	    im->csv_err == 0)
		im->csv_err = line_error(im, im->row_line, E(SCHEMA), "a quoted cell "
		    "is never closed", "close the quote that this line opens");
	csv_clear(im);
	csv_free(&p);
	if (im->csv_err == 0 && im->row == 0)
		im->csv_err = line_error(im, 1, E(SCHEMA), "empty file: no header row",
		    NULL);
	return im->csv_err;
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
	skip_bom(f);
	rc = fmt == IMPORT_CSV ? scan_csv(im, f) : scan_jsonl(im, f);
	if ((rc == 0 || rc == E(IO)) && ferror(f))
		rc = consort_diag_set(im->d, E(IO), im->o->path, strerror(errno),
		    "check that the file is readable");
	fclose(f);
	return rc;
}

/* Guesses the format from the file name when not given. */
static enum import_format
guess_format(const struct import_opts *o)
{
	size_t len = strlen(o->path);

	if (o->format != IMPORT_AUTO)
		return o->format;
	if (len >= 4 && strcmp(o->path + len - 4, ".csv") == 0)
		return IMPORT_CSV;
	if ((len >= 6 && strcmp(o->path + len - 6, ".jsonl") == 0) ||
	    (len >= 5 && strcmp(o->path + len - 5, ".json") == 0))
		return IMPORT_JSONL;
	return o->type != NULL ? IMPORT_CSV : IMPORT_JSONL;
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
	if (rc == 0 && im->res->bad > 0 && !im->o->skip_bad)
		rc = E(SCHEMA);
	return rc;
}

/* Pass 2: write the good records in change-sets (or rehearse it, dry). */
static int
pass_write(struct importer *im, enum import_format fmt, bool dry)
{
	uint64_t records = im->res->records;
	int rc;

	im->pass = 2;
	im->dry = dry;
	im->res->records = records;
	if ((rc = edit_begin(im->n, &im->e)) != 0)
		return rc;
	if ((rc = scan(im, fmt)) != 0 || (rc = flush(im, true)) != 0) {
		if (im->e.diag.what[0] && !im->d->what[0])
			*im->d = im->e.diag;
		edit_abort(&im->e);  /* a failed commit left no txn, but buffers */
		return rc;
	}
	if (!dry)
		im->res->changesets = im->e.appended;
	edit_abort(&im->e);  /* dry: nothing kept; else the last renew's empty txn */
	im->in_cs = 0;
	im->since_commit = 0;
	im->nextbad = 0;
	return 0;
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

/* Imports a JSON Lines or CSV file (see the top of this file). */
int
import_file(struct node *n, const struct import_opts *o,
    struct import_result *res, struct consort_diag *d)
{
	struct importer im;
	struct stat st;
	enum import_format fmt = guess_format(o);
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&im, 0, sizeof(im));
	im.n = n;
	im.o = o;
	im.res = res;
	im.d = d;
	if (fmt == IMPORT_CSV && o->type == NULL)
		return consort_diag_set(d, E(INVAL), o->path, "a CSV file needs "
		    "the records' type", "give it with --type TYPE");
	if (stat(o->path, &st) != 0)
		return consort_diag_set(d, E(IO), o->path, strerror(errno),
		    "check the file name");
	if (!S_ISREG(st.st_mode))
		return consort_diag_set(d, E(IO), o->path, "not a regular file",
		    "give the file to import, not a folder or a device");
	im.total = (uint64_t)st.st_size;
	rc = pass_check(&im, fmt);
	if (rc == 0 && needs_rehearsal(n))
		rc = pass_write(&im, fmt, true);
	if (rc == 0)
		rc = pass_write(&im, fmt, false);
	record_free(&im.scratch);
	free(im.seen.keys);
	free(im.seen.lines);
	free(im.bad);
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
	rc = scan_csv(&im, f);
	fclose(f);
	free(buf);
	return rc;
}
