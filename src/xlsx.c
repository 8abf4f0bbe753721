/*
 * The first sheet of an .xlsx workbook, read row by row: libzip opens the
 * archive and expat parses its parts as they are inflated (the package's
 * relationships, the workbook, its relationships, the shared strings, the
 * sheet).  Whatever a hostile file could inflate is bounded (struct
 * xlsx_limits): the archive, each part uncompressed, counted as it is read
 * so that a zip bomb stops at the bound whatever sizes it declares, the
 * shared strings, the rows, the columns and each cell.  A document type
 * declaration, which no workbook holds, is refused, and with it every
 * entity expansion.  A damaged or hostile file is one refusal, never a
 * crash.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <expat.h>
#include <zip.h>

#include "core.h"

#define PART_NAME_MAX 512
#define READ_CHUNK 65536
#define LAST_COLUMN 16384   /* XFD, the last column a workbook may have */

const struct xlsx_limits xlsx_default_limits = {
	.file_bytes = (uint64_t)64 << 20,
	.part_bytes = (uint64_t)256 << 20,
	.strings_bytes = (uint64_t)64 << 20,
	.strings = 1u << 20,
	.rows = 1048576,
	.columns = 64,
	.cell_bytes = CONSORT_STR_MAX,
};

/* A shared string: its bytes in the workbook's buffer. */
struct shared {
	uint64_t off;
	uint32_t len;
	bool toolong;
};

struct xlsx {
	zip_t *z;
	const char *path;
	struct xlsx_limits lim;
	char sheet[PART_NAME_MAX];    /* the first sheet's part */
	bool date1904;
	char *sbuf;                   /* the shared strings, each NUL-ended */
	uint64_t sused, scap;
	struct shared *strs;
	uint32_t nstrs, capstrs;
};

/* One part being parsed, and the first refusal of its handlers. */
struct parse {
	struct xlsx *x;
	XML_Parser p;
	struct consort_diag *d;
	const char *part;
	int err;
	void (*start)(struct parse *, const char *, const char **);
	void (*end)(struct parse *, const char *);
	void (*text)(struct parse *, const char *, int);
	void *state;
};

/* What to do about a refusal: split a sheet over a bound, else save again. */
static const char *
hint_for(int err)
{
	return err == E(TOOBIG) ? _("split the sheet, or save it as CSV") :
	    _("open the workbook in Excel or LibreOffice and save it again as "
	    ".xlsx, or as CSV");
}

/*
 * Fills d with a refusal of the workbook, in the user's language (fmt is
 * marked N_() where given), and returns err.
 */
static int
refuse(struct xlsx *x, struct consort_diag *d, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
refuse(struct xlsx *x, struct consort_diag *d, int err, const char *fmt, ...)
{
	char what[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), _(fmt), ap);
	va_end(ap);
	return consort_diag_set(d, err, x->path, what, hint_for(err));
}

/* Stops the parse on the first refusal of a handler (fmt as refuse's). */
static void
stop(struct parse *ps, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
stop(struct parse *ps, int err, const char *fmt, ...)
{
	char what[400];
	va_list ap;

	if (ps->err == 0) {
		va_start(ap, fmt);
		vsnprintf(what, sizeof(what), _(fmt), ap);
		va_end(ap);
		ps->err = consort_diag_set(ps->d, err, ps->x->path, what,
		    hint_for(err));
	}
	XML_StopParser(ps->p, XML_FALSE);
}

/* The local part of a name read with namespaces ("uri|name": "name"). */
static const char *
local(const char *name)
{
	const char *bar = strrchr(name, '|');

	return bar != NULL ? bar + 1 : name;
}

/* The value of the attribute of that local name, or NULL. */
static const char *
attr(const char **attrs, const char *name)
{
	size_t i;

	for (i = 0; attrs[i] != NULL; i += 2)
		if (strcmp(local(attrs[i]), name) == 0)
			return attrs[i + 1];
	return NULL;
}

/* expat: an element starts. */
static void XMLCALL
on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct parse *ps = ud;

	if (ps->start != NULL && ps->err == 0)
		ps->start(ps, local(name), attrs);
}

/* expat: an element ends. */
static void XMLCALL
on_end(void *ud, const XML_Char *name)
{
	struct parse *ps = ud;

	if (ps->end != NULL && ps->err == 0)
		ps->end(ps, local(name));
}

/* expat: text, in pieces. */
static void XMLCALL
on_text(void *ud, const XML_Char *s, int len)
{
	struct parse *ps = ud;

	if (ps->text != NULL && ps->err == 0)
		ps->text(ps, s, len);
}

/* expat: a document type declaration, which no workbook part holds. */
static void XMLCALL
on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int internal)
{
	struct parse *ps = ud;

	(void)name, (void)sysid, (void)pubid, (void)internal;
	stop(ps, E(SCHEMA), N_("%s declares a document type, which no workbook "
	    "part does"), ps->part);
}

/* Checks the declared size and encryption of a part before reading it. */
static int
part_stat(struct xlsx *x, zip_uint64_t idx, const char *name,
    struct consort_diag *d)
{
	zip_stat_t st;

	zip_stat_init(&st);
	if (zip_stat_index(x->z, idx, 0, &st) != 0)
		return refuse(x, d, E(SCHEMA), N_("damaged: %s"), zip_strerror(x->z));
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) &&
	    st.encryption_method != ZIP_EM_NONE)
		return consort_diag_set(d, E(SCHEMA), x->path, _("the workbook is "
		    "protected by a password"), _("save it without a password"));
	if ((st.valid & ZIP_STAT_SIZE) && st.size > x->lim.part_bytes)
		return refuse(x, d, E(TOOBIG), N_("%s would inflate to %llu bytes, "
		    "over the bound of %llu"), name, (unsigned long long)st.size,
		    (unsigned long long)x->lim.part_bytes);
	return 0;
}

/* Feeds an open part to the parser, counting what it inflates. */
static int
part_feed(struct parse *ps, zip_file_t *zf)
{
	struct xlsx *x = ps->x;
	uint64_t total = 0;
	zip_int64_t n;
	void *buf;

	do {
		if ((buf = XML_GetBuffer(ps->p, READ_CHUNK)) == NULL)
			return E(NOMEM);
		if ((n = zip_fread(zf, buf, READ_CHUNK)) < 0)
			return refuse(x, ps->d, E(SCHEMA), N_("damaged: %s cannot be "
			    "read (%s)"), ps->part, zip_file_strerror(zf));
		if ((total += (uint64_t)n) > x->lim.part_bytes)
			return refuse(x, ps->d, E(TOOBIG), N_("%s inflates to over "
			    "%llu bytes"), ps->part,
			    (unsigned long long)x->lim.part_bytes);
		if (XML_ParseBuffer(ps->p, (int)n, n == 0) != XML_STATUS_OK) {
			if (ps->err != 0)
				return ps->err;
			return refuse(x, ps->d, E(SCHEMA), N_("damaged: %s is not "
			    "well-formed XML (%s, line %lu)"), ps->part,
			    XML_ErrorString(XML_GetErrorCode(ps->p)),
			    (unsigned long)XML_GetCurrentLineNumber(ps->p));
		}
	} while (n > 0 && ps->err == 0);
	return ps->err;
}

/*
 * Parses a part of the archive with the handlers of ps.  A missing part
 * is refused, or is E(NOENT) without a word when optional.
 */
static int
parse_part(struct xlsx *x, const char *name, bool optional, struct parse *ps,
    struct consort_diag *d)
{
	zip_int64_t idx;
	zip_file_t *zf;
	int rc;

	if ((idx = zip_name_locate(x->z, name, ZIP_FL_NOCASE)) < 0)
		return optional ? E(NOENT) : refuse(x, d, E(SCHEMA), N_("damaged: "
		    "no part %s"), name);
	if ((rc = part_stat(x, (zip_uint64_t)idx, name, d)) != 0)
		return rc;
	if ((zf = zip_fopen_index(x->z, (zip_uint64_t)idx, 0)) == NULL)
		return refuse(x, d, E(SCHEMA), N_("damaged: %s cannot be opened "
		    "(%s)"), name, zip_strerror(x->z));
	if ((ps->p = XML_ParserCreateNS(NULL, '|')) == NULL) {
		zip_fclose(zf);
		return E(NOMEM);
	}
	ps->x = x;
	ps->d = d;
	ps->part = name;
	ps->err = 0;
	XML_SetUserData(ps->p, ps);
	XML_SetElementHandler(ps->p, on_start, on_end);
	XML_SetCharacterDataHandler(ps->p, on_text);
	XML_SetStartDoctypeDeclHandler(ps->p, on_doctype);
	rc = part_feed(ps, zf);
	XML_ParserFree(ps->p);
	zip_fclose(zf);
	return rc;
}

/* What a relationships part says: the targets looked for. */
struct rels {
	const char *want_id;                /* the sheet's, or NULL */
	char target[PART_NAME_MAX];         /* of want_id */
	char type[PART_NAME_MAX];
	char office[PART_NAME_MAX];         /* the workbook (package rels) */
	char strings[PART_NAME_MAX];        /* the shared strings */
};

/* Whether s ends with suffix. */
static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Keeps a relationship's target if it is one looked for. */
static void
rels_start(struct parse *ps, const char *name, const char **attrs)
{
	struct rels *r = ps->state;
	const char *id = attr(attrs, "Id"), *type = attr(attrs, "Type");
	const char *target = attr(attrs, "Target");

	if (strcmp(name, "Relationship") != 0 || type == NULL || target == NULL)
		return;
	if (r->want_id != NULL && id != NULL && strcmp(id, r->want_id) == 0) {
		snprintf(r->target, sizeof(r->target), "%s", target);
		snprintf(r->type, sizeof(r->type), "%s", type);
	}
	if (ends_with(type, "/officeDocument") && !r->office[0])
		snprintf(r->office, sizeof(r->office), "%s", target);
	if (ends_with(type, "/sharedStrings") && !r->strings[0])
		snprintf(r->strings, sizeof(r->strings), "%s", target);
}

/*
 * The name in the archive of a target relative to the part from (rels
 * name targets relative to their part's folder, or from the root with
 * '/'); false when it does not fit or climbs above the root.
 */
static bool
resolve(const char *from, const char *target, char *out, size_t size)
{
	const char *slash = strrchr(from, '/'), *seg = target, *end;
	size_t o = 0, n;

	if (target[0] == '/')
		seg = target + 1;
	else if (slash != NULL) {
		o = (size_t)(slash - from) + 1;
		if (o >= size)
			return false;
		memcpy(out, from, o);
	}
	for (; *seg != '\0'; seg = *end ? end + 1 : end) {
		end = strchr(seg, '/');
		n = end != NULL ? (size_t)(end - seg) : strlen(seg);
		if (end == NULL)
			end = seg + n;
		if (n == 0 || (n == 1 && seg[0] == '.'))
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			if (o == 0)
				return false;
			for (o--; o > 0 && out[o - 1] != '/'; o--)
				;
			continue;
		}
		if (o + n + 1 >= size)
			return false;
		memcpy(out + o, seg, n);
		o += n;
		if (*end == '/')
			out[o++] = '/';
	}
	out[o] = '\0';
	return o > 0;
}

/* What the workbook part says: its first sheet, its date system. */
struct book {
	char rid[PART_NAME_MAX];
	bool date1904;
};

/* Keeps the first sheet's relationship id and the date system. */
static void
book_start(struct parse *ps, const char *name, const char **attrs)
{
	struct book *b = ps->state;
	const char *v;

	if (strcmp(name, "sheet") == 0 && !b->rid[0] &&
	    (v = attr(attrs, "id")) != NULL)
		snprintf(b->rid, sizeof(b->rid), "%s", v);
	else if (strcmp(name, "workbookPr") == 0 &&
	    (v = attr(attrs, "date1904")) != NULL)
		b->date1904 = strcmp(v, "1") == 0 || strcmp(v, "true") == 0;
}

/* A shared string or a cell being read: its text so far, bounded. */
struct textbuf {
	char *s;
	size_t len, max;
	bool toolong;
};

/* Appends text, marking it too long past the bound. */
static void
text_add(struct textbuf *t, const char *s, size_t len)
{
	if (t->toolong || t->len + len > t->max) {
		t->toolong = true;
		return;
	}
	memcpy(t->s + t->len, s, len);
	t->len += len;
}

/* Where the shared strings part is: in its <si>, its <t>, a <rPh>. */
struct strings_state {
	bool in_si, in_t, in_rph;
	struct textbuf t;
};

/* Keeps one shared string, within the bounds. */
static void
strings_push(struct parse *ps, struct textbuf *t)
{
	struct xlsx *x = ps->x;
	size_t len = t->toolong ? 0 : t->len;
	void *p;

	if (x->nstrs >= x->lim.strings) {
		stop(ps, E(TOOBIG), N_("more than %u shared strings"), x->lim.strings);
		return;
	}
	if (x->sused + len + 1 > x->lim.strings_bytes) {
		stop(ps, E(TOOBIG), N_("shared strings over %llu bytes"),
		    (unsigned long long)x->lim.strings_bytes);
		return;
	}
	if (x->nstrs == x->capstrs) {
		x->capstrs = x->capstrs ? x->capstrs * 2 : 256;
		if ((p = realloc(x->strs, x->capstrs * sizeof(*x->strs))) == NULL) {
			stop(ps, E(NOMEM), N_("out of memory"));
			return;
		}
		x->strs = p;
	}
	while (x->sused + len + 1 > x->scap) {
		x->scap = x->scap ? x->scap * 2 : 65536;
		if ((p = realloc(x->sbuf, x->scap)) == NULL) {
			stop(ps, E(NOMEM), N_("out of memory"));
			return;
		}
		x->sbuf = p;
	}
	memcpy(x->sbuf + x->sused, t->s, len);
	x->sbuf[x->sused + len] = '\0';
	x->strs[x->nstrs++] = (struct shared){ x->sused, (uint32_t)len,
	    t->toolong };
	x->sused += len + 1;
}

/* Shared strings: an element starts. */
static void
strings_start(struct parse *ps, const char *name, const char **attrs)
{
	struct strings_state *st = ps->state;

	(void)attrs;
	if (strcmp(name, "si") == 0) {
		st->in_si = true;
		st->t.len = 0;
		st->t.toolong = false;
	} else if (strcmp(name, "rPh") == 0)
		st->in_rph = true;  /* a phonetic reading, not the text */
	else if (strcmp(name, "t") == 0 && st->in_si && !st->in_rph)
		st->in_t = true;
}

/* Shared strings: an element ends. */
static void
strings_end(struct parse *ps, const char *name)
{
	struct strings_state *st = ps->state;

	if (strcmp(name, "t") == 0)
		st->in_t = false;
	else if (strcmp(name, "rPh") == 0)
		st->in_rph = false;
	else if (strcmp(name, "si") == 0 && st->in_si) {
		st->in_si = false;
		strings_push(ps, &st->t);
	}
}

/* Shared strings: text. */
static void
strings_text(struct parse *ps, const char *s, int len)
{
	struct strings_state *st = ps->state;

	if (st->in_t)
		text_add(&st->t, s, (size_t)len);
}

/* Reads the shared strings part, if the workbook has one. */
static int
load_strings(struct xlsx *x, const char *name, struct consort_diag *d)
{
	struct strings_state st = { 0 };
	struct parse ps = { 0 };
	int rc;

	if ((st.t.s = malloc(x->lim.cell_bytes + 1)) == NULL)
		return E(NOMEM);
	st.t.max = x->lim.cell_bytes;
	ps.start = strings_start;
	ps.end = strings_end;
	ps.text = strings_text;
	ps.state = &st;
	rc = parse_part(x, name, false, &ps, d);
	free(st.t.s);
	return rc;
}

/* Refuses an archive that is no .xlsx workbook, saying what it is. */
static int
not_xlsx(struct xlsx *x, struct consort_diag *d)
{
	if (zip_name_locate(x->z, "mimetype", 0) >= 0 &&
	    zip_name_locate(x->z, "content.xml", 0) >= 0)
		return consort_diag_set(d, E(SCHEMA), x->path, _("an OpenDocument "
		    "spreadsheet (.ods), which consort does not read"),
		    _("save it as .xlsx or CSV"));
	return refuse(x, d, E(SCHEMA), N_("a zip archive, but no .xlsx workbook "
	    "(no _rels/.rels)"));
}

/* Finds the first sheet's part, the shared strings and the date system. */
static int
find_parts(struct xlsx *x, struct consort_diag *d)
{
	struct rels pkg = { 0 }, wb = { 0 };
	struct book book = { 0 };
	struct parse ps = { 0 };
	char book_name[PART_NAME_MAX], strings[PART_NAME_MAX];
	int rc;

	ps.start = rels_start;
	ps.state = &pkg;
	if ((rc = parse_part(x, "_rels/.rels", true, &ps, d)) == E(NOENT))
		return not_xlsx(x, d);
	if (rc != 0)
		return rc;
	/* the package's targets are relative to its root */
	if (!resolve("", pkg.office[0] ? pkg.office :
	    "/xl/workbook.xml", book_name, sizeof(book_name)))
		return refuse(x, d, E(SCHEMA), N_("damaged: the workbook's name"));
	memset(&ps, 0, sizeof(ps));
	ps.start = book_start;
	ps.state = &book;
	if ((rc = parse_part(x, book_name, false, &ps, d)) != 0)
		return rc;
	if (!book.rid[0])
		return refuse(x, d, E(SCHEMA), N_("the workbook has no sheet"));
	x->date1904 = book.date1904;
	/* xl/workbook.xml's relationships are in xl/_rels/workbook.xml.rels */
	{
		const char *slash = strrchr(book_name, '/');
		char rels_name[PART_NAME_MAX];
		int dir = slash ? (int)(slash - book_name + 1) : 0;

		if (snprintf(rels_name, sizeof(rels_name), "%.*s_rels/%s.rels",
		    dir, book_name, book_name + dir) >= (int)sizeof(rels_name))
			return refuse(x, d, E(SCHEMA), N_("damaged: a part name"));
		memset(&ps, 0, sizeof(ps));
		wb.want_id = book.rid;
		ps.start = rels_start;
		ps.state = &wb;
		if ((rc = parse_part(x, rels_name, false, &ps, d)) != 0)
			return rc;
	}
	if (!wb.target[0] || !resolve(book_name, wb.target, x->sheet,
	    sizeof(x->sheet)))
		return refuse(x, d, E(SCHEMA), N_("damaged: the first sheet has no "
		    "part"));
	if (!ends_with(wb.type, "/worksheet"))
		return consort_diag_set(d, E(SCHEMA), x->path, _("the first sheet "
		    "is not a worksheet (a chart?)"), _("put the records on the "
		    "first sheet"));
	if (wb.strings[0] && !resolve(book_name, wb.strings, strings,
	    sizeof(strings)))
		return refuse(x, d, E(SCHEMA), N_("damaged: the shared strings' name"));
	return wb.strings[0] ? load_strings(x, strings, d) : 0;
}

/* A new workbook of path (for messages), within lim; NULL if no memory. */
static struct xlsx *
xlsx_new(const char *path, const struct xlsx_limits *lim)
{
	struct xlsx *x = calloc(1, sizeof(*x));

	if (x != NULL) {
		x->path = path;
		x->lim = lim != NULL ? *lim : xlsx_default_limits;
	}
	return x;
}

/* Reads the parts of an archive libzip could not open, or did. */
static int
xlsx_start(struct xlsx *x, int zerr, struct xlsx **out,
    struct consort_diag *d)
{
	zip_error_t ze;
	int rc;

	if (x->z == NULL) {
		zip_error_init_with_code(&ze, zerr);
		rc = refuse(x, d, E(SCHEMA), N_("not a readable .xlsx workbook (%s)"),
		    zip_error_strerror(&ze));
		zip_error_fini(&ze);
		free(x);
		return rc;
	}
	if ((rc = find_parts(x, d)) != 0) {
		xlsx_close(x);
		return rc;
	}
	*out = x;
	return 0;
}

/* Opens an .xlsx workbook and reads all but its sheet (see core.h). */
int
xlsx_open(const char *path, const struct xlsx_limits *lim, struct xlsx **out,
    struct consort_diag *d)
{
	struct xlsx *x;
	struct stat st;
	int zerr = 0, rc;

	*out = NULL;
	if ((x = xlsx_new(path, lim)) == NULL)
		return E(NOMEM);
	if (stat(path, &st) == 0 && (uint64_t)st.st_size > x->lim.file_bytes) {
		rc = refuse(x, d, E(TOOBIG), N_("a workbook of %llu bytes, over the "
		    "bound of %llu"), (unsigned long long)st.st_size,
		    (unsigned long long)x->lim.file_bytes);
		free(x);
		return rc;
	}
	x->z = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
	return xlsx_start(x, zerr, out, d);
}

/* Opens a workbook held in memory, which must outlive it (see core.h). */
int
xlsx_open_mem(const void *buf, size_t len, const char *name,
    const struct xlsx_limits *lim, struct xlsx **out, struct consort_diag *d)
{
	zip_source_t *src;
	zip_error_t ze;
	struct xlsx *x;
	int zerr;

	*out = NULL;
	if ((x = xlsx_new(name, lim)) == NULL)
		return E(NOMEM);
	if (len > x->lim.file_bytes) {
		free(x);
		return consort_diag_set(d, E(TOOBIG), name, _("a workbook over "
		    "the bound"), NULL);
	}
	zip_error_init(&ze);
	if ((src = zip_source_buffer_create(buf, len, 0, &ze)) == NULL) {
		zip_error_fini(&ze);
		free(x);
		return E(NOMEM);
	}
	if ((x->z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS,
	    &ze)) == NULL)
		zip_source_free(src);
	zerr = zip_error_code_zip(&ze);
	zip_error_fini(&ze);
	return xlsx_start(x, zerr, out, d);
}

/* Whether the workbook counts days from 1904 rather than 1900. */
bool
xlsx_date1904(const struct xlsx *x)
{
	return x->date1904;
}

/* Closes the workbook. */
void
xlsx_close(struct xlsx *x)
{
	if (x == NULL)
		return;
	if (x->z != NULL)
		zip_discard(x->z);
	free(x->sbuf);
	free(x->strs);
	free(x);
}

/* Where the sheet part is: the row and the cell being read. */
struct sheet_state {
	xlsx_row_fn fn;
	void *ctx;
	struct xlsx_row row;
	struct xlsx_cell *cells;      /* lim.columns of them */
	char *mem;                    /* their bytes */
	uint32_t last_row;
	long col, last_col;           /* the cell's column (0: A) */
	char type[16];                /* its t attribute */
	bool in_row, in_c, in_v, in_is, in_t, in_rph;
	struct textbuf v;
};

/* Reads a cell reference "C5": its column (0: A) and row; false if none. */
static bool
cell_ref(const char *s, long *col, uint32_t *row)
{
	long c = 0;
	uint64_t r = 0;
	size_t i = 0;

	for (; s[i] >= 'A' && s[i] <= 'Z' && i < 3; i++)
		c = c * 26 + (s[i] - 'A' + 1);
	if (i == 0 || c > LAST_COLUMN)
		return false;
	for (; s[i] >= '0' && s[i] <= '9' && r <= UINT32_MAX; i++)
		r = r * 10 + (uint64_t)(s[i] - '0');
	if (s[i] != '\0' || r > UINT32_MAX)
		return false;
	*col = c - 1;
	*row = (uint32_t)r;
	return true;
}

/* Starts a row: its number (given, or the one after the last). */
static void
row_start(struct parse *ps, struct sheet_state *st, const char **attrs)
{
	const char *r = attr(attrs, "r");
	unsigned long long n;
	char *end;

	n = st->last_row + 1ull;
	if (r != NULL) {
		n = strtoull(r, &end, 10);
		if (*end != '\0' || *r < '0' || *r > '9' || n == 0 ||
		    n <= st->last_row) {
			stop(ps, E(SCHEMA), N_("damaged: row \"%.20s\" after row %u"),
			    r, st->last_row);
			return;
		}
	}
	if (n > ps->x->lim.rows) {
		stop(ps, E(TOOBIG), N_("more than %u rows"), ps->x->lim.rows);
		return;
	}
	st->row.row = (uint32_t)n;
	st->row.n = 0;
	st->row.wide = false;
	st->last_col = -1;
	st->in_row = true;
}

/* Starts a cell: its column (given, or the one after the last) and type. */
static void
cell_start(struct parse *ps, struct sheet_state *st, const char **attrs)
{
	const char *r = attr(attrs, "r"), *t = attr(attrs, "t");
	uint32_t row;

	st->col = st->last_col + 1;
	if (r != NULL && (!cell_ref(r, &st->col, &row) ||
	    row != st->row.row)) {
		stop(ps, E(SCHEMA), N_("damaged: cell \"%.20s\" in row %u"), r,
		    st->row.row);
		return;
	}
	if (st->col >= LAST_COLUMN) {
		stop(ps, E(SCHEMA), N_("damaged: a cell past the last column, in "
		    "row %u"), st->row.row);
		return;
	}
	st->last_col = st->col;
	snprintf(st->type, sizeof(st->type), "%s", t != NULL ? t : "n");
	st->v.len = 0;
	st->v.toolong = false;
	st->in_c = true;
}

/* Sheet: an element starts. */
static void
sheet_start(struct parse *ps, const char *name, const char **attrs)
{
	struct sheet_state *st = ps->state;

	if (strcmp(name, "row") == 0)
		row_start(ps, st, attrs);
	else if (strcmp(name, "c") == 0 && st->in_row)
		cell_start(ps, st, attrs);
	else if (strcmp(name, "v") == 0 && st->in_c)
		st->in_v = true;
	else if (strcmp(name, "is") == 0 && st->in_c)
		st->in_is = true;
	else if (strcmp(name, "rPh") == 0)
		st->in_rph = true;
	else if (strcmp(name, "t") == 0 && st->in_is && !st->in_rph)
		st->in_t = true;
}

/* The text of a cell whose value names a shared string. */
static bool
shared_text(struct parse *ps, struct sheet_state *st, struct xlsx_cell *c)
{
	struct xlsx *x = ps->x;
	unsigned long long i = 0;
	size_t k;

	for (k = 0; k < st->v.len; k++) {
		if (st->v.s[k] < '0' || st->v.s[k] > '9' || i > UINT32_MAX)
			break;
		i = i * 10 + (unsigned)(st->v.s[k] - '0');
	}
	if (st->v.len == 0 || k < st->v.len || i >= x->nstrs) {
		stop(ps, E(SCHEMA), N_("damaged: row %u names shared string "
		    "\"%.20s\" of %u"), st->row.row, st->v.s, x->nstrs);
		return false;
	}
	c->s = x->sbuf + x->strs[i].off;
	c->len = x->strs[i].len;
	c->toolong = x->strs[i].toolong;
	return true;
}

/* Ends a cell: its value, by its type, into the row's cells. */
static void
cell_end(struct parse *ps, struct sheet_state *st)
{
	struct xlsx_cell *c;
	bool empty = st->v.len == 0 && !st->v.toolong;

	st->in_c = st->in_v = st->in_is = st->in_t = false;
	st->v.s[st->v.len] = '\0';
	if (empty)
		return;
	if ((unsigned long)st->col >= ps->x->lim.columns) {
		st->row.wide = true;  /* a value past the columns read */
		return;
	}
	c = &st->cells[st->col];
	c->s = st->mem + (size_t)st->col * (ps->x->lim.cell_bytes + 1);
	memcpy((char *)c->s, st->v.s, st->v.len + 1);
	c->len = st->v.len;
	c->toolong = st->v.toolong;
	c->kind = SHEET_TEXT;
	if (strcmp(st->type, "s") == 0 && !shared_text(ps, st, c))
		return;
	if (strcmp(st->type, "n") == 0)
		c->kind = SHEET_NUMBER;
	else if (strcmp(st->type, "b") == 0)
		c->kind = SHEET_BOOL;
	else if (strcmp(st->type, "e") == 0)
		c->kind = SHEET_ERROR;
	else if (strcmp(st->type, "d") == 0 && c->len > 10 &&
	    strncmp(c->s + 10, "T00:00:00", 9) == 0)
		c->len = 10;  /* an ISO date at midnight: the day */
	if (c->len > 0 || c->toolong)
		if ((unsigned)st->col + 1 > st->row.n)
			st->row.n = (unsigned)st->col + 1;
}

/* Ends a row: hands it over if it holds a value, then empties the cells. */
static void
row_end(struct parse *ps, struct sheet_state *st)
{
	int rc;

	st->in_row = false;
	st->last_row = st->row.row;
	if (st->row.n > 0 || st->row.wide) {
		st->row.cells = st->cells;
		if ((rc = st->fn(st->ctx, &st->row)) != 0) {
			ps->err = rc;  /* explained by the callback */
			XML_StopParser(ps->p, XML_FALSE);
		}
	}
	memset(st->cells, 0, ps->x->lim.columns * sizeof(*st->cells));
}

/* Sheet: an element ends. */
static void
sheet_end(struct parse *ps, const char *name)
{
	struct sheet_state *st = ps->state;

	if (strcmp(name, "c") == 0 && st->in_c)
		cell_end(ps, st);
	else if (strcmp(name, "row") == 0 && st->in_row)
		row_end(ps, st);
	else if (strcmp(name, "v") == 0)
		st->in_v = false;
	else if (strcmp(name, "is") == 0)
		st->in_is = false;
	else if (strcmp(name, "t") == 0)
		st->in_t = false;
	else if (strcmp(name, "rPh") == 0)
		st->in_rph = false;
}

/* Sheet: text, kept in a value or an inline string. */
static void
sheet_text(struct parse *ps, const char *s, int len)
{
	struct sheet_state *st = ps->state;

	if (st->in_v || st->in_t)
		text_add(&st->v, s, (size_t)len);
}

/* Reads the first sheet row by row (see core.h). */
int
xlsx_rows(struct xlsx *x, xlsx_row_fn fn, void *ctx, struct consort_diag *d)
{
	struct sheet_state st = { 0 };
	struct parse ps = { 0 };
	size_t cell = x->lim.cell_bytes + 1;
	int rc;

	st.fn = fn;
	st.ctx = ctx;
	st.cells = calloc(x->lim.columns, sizeof(*st.cells));
	st.mem = malloc(x->lim.columns * cell);
	st.v.s = malloc(cell);
	st.v.max = x->lim.cell_bytes;
	if (st.cells == NULL || st.mem == NULL || st.v.s == NULL)
		rc = E(NOMEM);
	else {
		ps.start = sheet_start;
		ps.end = sheet_end;
		ps.text = sheet_text;
		ps.state = &st;
		rc = parse_part(x, x->sheet, false, &ps, d);
	}
	free(st.cells);
	free(st.mem);
	free(st.v.s);
	return rc;
}
