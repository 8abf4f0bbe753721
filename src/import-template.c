/*
 * An empty sheet for records of a type, for people to fill in and import:
 * row 1 names the columns in French (Référence, then each field's label),
 * as the import reads them.  CSV as French Excel writes it (UTF-8 with its
 * mark, ';', CRLF), or an .xlsx workbook written with libzip: the header
 * in bold and frozen, text columns formatted as text (so that a SIRET
 * keeps its 14 digits), date columns as dates, the words of a list offered
 * in a drop-down, and a second sheet, « Aide », that says what each column
 * holds, which one is required and which ones are personal data.
 */
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "core.h"

#define REF_LABEL "R\xc3\xa9" "f\xc3\xa9rence"
#define SHEET_MAX (256u << 10)   /* the XML of a sheet of the template */

/* The styles of the cells: 0 default, 1 bold header, 2 text, 3 date. */
enum { STYLE_PLAIN, STYLE_HEAD, STYLE_TEXT, STYLE_DATE };

#define NS_MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/" \
	"relationships"
#define NS_PKG "http://schemas.openxmlformats.org/package/2006/"
#define CT "application/vnd.openxmlformats-officedocument.spreadsheetml."
#define XML_HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"

static const char content_types[] = XML_HEAD
    "<Types xmlns=\"" NS_PKG "content-types\">"
    "<Default Extension=\"rels\" ContentType=\"application/"
    "vnd.openxmlformats-package.relationships+xml\"/>"
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
    "<Override PartName=\"/xl/workbook.xml\" ContentType=\"" CT
    "sheet.main+xml\"/>"
    "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"" CT
    "worksheet+xml\"/>"
    "<Override PartName=\"/xl/worksheets/sheet2.xml\" ContentType=\"" CT
    "worksheet+xml\"/>"
    "<Override PartName=\"/xl/styles.xml\" ContentType=\"" CT
    "styles+xml\"/>"
    "</Types>";

static const char package_rels[] = XML_HEAD
    "<Relationships xmlns=\"" NS_PKG "relationships\">"
    "<Relationship Id=\"rId1\" Type=\"" NS_REL "/officeDocument\" "
    "Target=\"xl/workbook.xml\"/></Relationships>";

static const char book_rels[] = XML_HEAD
    "<Relationships xmlns=\"" NS_PKG "relationships\">"
    "<Relationship Id=\"rId1\" Type=\"" NS_REL "/worksheet\" "
    "Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"" NS_REL "/worksheet\" "
    "Target=\"worksheets/sheet2.xml\"/>"
    "<Relationship Id=\"rId3\" Type=\"" NS_REL "/styles\" "
    "Target=\"styles.xml\"/></Relationships>";

/* Plain, bold, text ("@", 49) and date (14, the short date of the locale). */
static const char styles[] = XML_HEAD
    "<styleSheet xmlns=\"" NS_MAIN "\">"
    "<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/></font>"
    "<font><b/><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts>"
    "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill>"
    "<fill><patternFill patternType=\"gray125\"/></fill></fills>"
    "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/>"
    "</border></borders>"
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" "
    "borderId=\"0\"/></cellStyleXfs>"
    "<cellXfs count=\"4\">"
    "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
    "<xf numFmtId=\"49\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" "
    "applyFont=\"1\" applyNumberFormat=\"1\"/>"
    "<xf numFmtId=\"49\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" "
    "applyNumberFormat=\"1\"/>"
    "<xf numFmtId=\"14\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" "
    "applyNumberFormat=\"1\"/>"
    "</cellXfs>"
    "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" "
    "builtinId=\"0\"/></cellStyles></styleSheet>";

/* Appends text with XML's five characters escaped. */
static void
xml_text(struct strbuf *sb, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		switch (s[i]) {
		case '&': strbuf_puts(sb, "&amp;"); break;
		case '<': strbuf_puts(sb, "&lt;"); break;
		case '>': strbuf_puts(sb, "&gt;"); break;
		case '"': strbuf_puts(sb, "&quot;"); break;
		default: strbuf_add(sb, s + i, 1); break;
		}
}

/* The fields of t in their wire order, which is the template's. */
static unsigned
template_fields(const struct schema_type *t,
    const struct schema_field *out[SCHEMA_MAX_FIELDS])
{
	unsigned i, n = 0;

	for (i = 1; i <= t->max_field; i++)
		if (t->fields[i] != NULL)
			out[n++] = t->fields[i];
	return n;
}

/* The letters of column i (0: A). */
static void
col_letters(unsigned i, char out[4])
{
	if (i < 26)
		snprintf(out, 4, "%c", 'A' + i);
	else
		snprintf(out, 4, "%c%c", 'A' + i / 26 - 1, 'A' + i % 26);
}

/* The cell style a column of f takes: text, date, or plain for numbers. */
static int
column_style(const struct schema_field *f)
{
	if (f == NULL)
		return STYLE_TEXT;  /* the refs */
	switch (f->kind) {
	case FK_INT:
	case FK_BOOL:
		return STYLE_PLAIN;
	case FK_DATE:
		return STYLE_DATE;
	default:
		return STYLE_TEXT;
	}
}

/* Appends one inline-string cell. */
static void
xml_cell(struct strbuf *sb, unsigned col, unsigned row, int style,
    const char *s)
{
	char letters[4];

	col_letters(col, letters);
	strbuf_printf(sb, "<c r=\"%s%u\" s=\"%d\" t=\"inlineStr\"><is><t>",
	    letters, row, style);
	xml_text(sb, s, strlen(s));
	strbuf_puts(sb, "</t></is></c>");
}

/* Appends the drop-down of a list's French words (or its own words). */
static void
xml_list(struct strbuf *sb, const struct schema_field *f, unsigned col)
{
	const char *list = f->kind == FK_BOOL ? "Oui|Non" :
	    f->values[0] ? f->values : f->extra;
	char letters[4];
	size_t i;

	col_letters(col, letters);
	strbuf_printf(sb, "<dataValidation type=\"list\" allowBlank=\"1\" "
	    "sqref=\"%s2:%s1048576\"><formula1>&quot;", letters, letters);
	for (i = 0; list[i] != '\0'; i++)
		if (list[i] == '|')
			strbuf_puts(sb, ",");
		else
			xml_text(sb, list + i, 1);
	strbuf_puts(sb, "&quot;</formula1></dataValidation>");
}

/* The first sheet: the header, frozen; its columns styled by kind. */
static void
sheet_columns(struct strbuf *sb, const struct schema_type *t)
{
	const struct schema_field *f[SCHEMA_MAX_FIELDS];
	unsigned n = template_fields(t, f), i, lists = 0;

	strbuf_puts(sb, XML_HEAD "<worksheet xmlns=\"" NS_MAIN "\">"
	    "<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\" "
	    "topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"
	    "</sheetView></sheetViews><cols>");
	for (i = 0; i <= n; i++)
		strbuf_printf(sb, "<col min=\"%u\" max=\"%u\" width=\"%u\" "
		    "style=\"%d\" customWidth=\"1\"/>", i + 1, i + 1,
		    i == 0 ? 14 : (unsigned)strlen(f[i - 1]->label) + 6,
		    column_style(i == 0 ? NULL : f[i - 1]));
	strbuf_puts(sb, "</cols><sheetData><row r=\"1\">");
	xml_cell(sb, 0, 1, STYLE_HEAD, REF_LABEL);
	for (i = 0; i < n; i++)
		xml_cell(sb, i + 1, 1, STYLE_HEAD, f[i]->label);
	strbuf_puts(sb, "</row></sheetData>");
	for (i = 0; i < n; i++)
		lists += f[i]->kind == FK_ENUM || f[i]->kind == FK_BOOL;
	if (lists > 0) {
		strbuf_printf(sb, "<dataValidations count=\"%u\">", lists);
		for (i = 0; i < n; i++)
			if (f[i]->kind == FK_ENUM || f[i]->kind == FK_BOOL)
				xml_list(sb, f[i], i + 1);
		strbuf_puts(sb, "</dataValidations>");
	}
	strbuf_puts(sb, "</worksheet>");
}

/* What a column of kind f holds, in French, for the help sheet. */
static void
describe(struct strbuf *sb, const struct schema_field *f)
{
	const char *list = f->values[0] ? f->values : f->extra;
	size_t i;

	switch (f->kind) {
	case FK_STR:
	case FK_TEXT:
		strbuf_printf(sb, "texte, %lld octets au plus (une lettre "
		    "accentu\xc3\xa9" "e en compte deux)", (long long)f->hi);
		return;
	case FK_INT:
		strbuf_printf(sb, "nombre entier de %lld \xc3\xa0 %lld%s",
		    (long long)f->lo, (long long)f->hi,
		    strstr(f->name, "_cents") ? ", en centimes (14,10 \xe2\x82\xac"
		    " s'\xc3\xa9" "crit 1410)" : "");
		return;
	case FK_BOOL:
		strbuf_puts(sb, "Oui ou Non");
		return;
	case FK_DATE:
		strbuf_puts(sb, "date JJ/MM/AAAA");
		return;
	case FK_PERIOD:
		strbuf_puts(sb, "mois MM/AAAA");
		return;
	case FK_SIRET:
		strbuf_puts(sb, "SIRET : 14 chiffres, espaces permis");
		return;
	case FK_KEY:
		strbuf_puts(sb, "cl\xc3\xa9 publique : 64 caract\xc3\xa8res "
		    "hexad\xc3\xa9" "cimaux");
		return;
	case FK_REF:
		strbuf_printf(sb, "R\xc3\xa9" "f\xc3\xa9rence d'un enregistrement "
		    "\xc2\xab %s \xc2\xbb", schema_type(f->ref_type)->label);
		return;
	case FK_ENUM:
	case FK_SET:
		strbuf_puts(sb, f->kind == FK_ENUM ? "une valeur parmi : " :
		    "une ou plusieurs valeurs, s\xc3\xa9par\xc3\xa9" "es par des "
		    "virgules, parmi : ");
		for (i = 0; list[i] != '\0'; i++)
			if (list[i] == '|')
				strbuf_puts(sb, ", ");
			else
				strbuf_add(sb, list + i, 1);
		return;
	}
}

/* The help sheet: each column, what it holds, required, personal. */
static void
sheet_help(struct strbuf *sb, const struct schema_type *t)
{
	const struct schema_field *f[SCHEMA_MAX_FIELDS];
	unsigned n = template_fields(t, f), i;
	char text[600];
	struct strbuf what;

	strbuf_puts(sb, XML_HEAD "<worksheet xmlns=\"" NS_MAIN "\"><cols>"
	    "<col min=\"1\" max=\"1\" width=\"32\" customWidth=\"1\"/>"
	    "<col min=\"2\" max=\"2\" width=\"70\" customWidth=\"1\"/>"
	    "<col min=\"3\" max=\"4\" width=\"14\" customWidth=\"1\"/></cols>"
	    "<sheetData><row r=\"1\">");
	xml_cell(sb, 0, 1, STYLE_HEAD, "Colonne");
	xml_cell(sb, 1, 1, STYLE_HEAD, "Contenu attendu");
	xml_cell(sb, 2, 1, STYLE_HEAD, "Obligatoire");
	xml_cell(sb, 3, 1, STYLE_HEAD, "Donn\xc3\xa9" "e personnelle");
	strbuf_puts(sb, "</row><row r=\"2\">");
	xml_cell(sb, 0, 2, STYLE_PLAIN, REF_LABEL);
	xml_cell(sb, 1, 2, STYLE_PLAIN, "identifiant de l'enregistrement, "
	    "unique dans la feuille ; une ligne d\xc3\xa9j\xc3\xa0 import\xc3\xa9"
	    "e est mise \xc3\xa0 jour");
	xml_cell(sb, 2, 2, STYLE_PLAIN, "oui");
	xml_cell(sb, 3, 2, STYLE_PLAIN, "non");
	strbuf_puts(sb, "</row>");
	for (i = 0; i < n; i++) {
		strbuf_init(&what, text, sizeof(text));
		describe(&what, f[i]);
		strbuf_printf(sb, "<row r=\"%u\">", i + 3);
		xml_cell(sb, 0, i + 3, STYLE_PLAIN, f[i]->label);
		xml_cell(sb, 1, i + 3, STYLE_PLAIN, strbuf_end(&what) == 0 ?
		    text : "");
		xml_cell(sb, 2, i + 3, STYLE_PLAIN, "non");
		xml_cell(sb, 3, i + 3, STYLE_PLAIN, f[i]->personal ? "oui" :
		    "non");
		strbuf_puts(sb, "</row>");
	}
	strbuf_printf(sb, "<row r=\"%u\">", n + 4);
	xml_cell(sb, 0, n + 4, STYLE_PLAIN, "Une cellule vide laisse le champ "
	    "tel qu'il est. Les donn\xc3\xa9" "es personnelles ne sont "
	    "transmises qu'aux membres qui y ont droit.");
	strbuf_puts(sb, "</row></sheetData></worksheet>");
}

/* The workbook: the template's sheet, named after the type, then « Aide ». */
static void
workbook(struct strbuf *sb, const struct schema_type *t)
{
	strbuf_puts(sb, XML_HEAD "<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\""
	    NS_REL "\"><bookViews><workbookView activeTab=\"0\"/></bookViews>"
	    "<sheets><sheet name=\"");
	xml_text(sb, t->label, strlen(t->label) > 31 ? 31 : strlen(t->label));
	strbuf_puts(sb, "\" sheetId=\"1\" r:id=\"rId1\"/><sheet name=\"Aide\" "
	    "sheetId=\"2\" r:id=\"rId2\"/></sheets></workbook>");
}

/* Adds a part to the archive; the text must outlive zip_close. */
static int
add_part(zip_t *z, const char *name, const char *text, size_t len)
{
	zip_source_t *src;

	if ((src = zip_source_buffer(z, text, len, 0)) == NULL)
		return E(NOMEM);
	if (zip_file_add(z, name, src, ZIP_FL_ENC_UTF_8) < 0) {
		zip_source_free(src);
		return E(NOMEM);
	}
	return 0;
}

/* Reads a whole memory source into a new buffer. */
static int
source_bytes(zip_source_t *src, char **buf, size_t *len)
{
	zip_int64_t n;

	if (zip_source_open(src) != 0)
		return E(IO);
	if (zip_source_seek(src, 0, SEEK_END) != 0 ||
	    (n = zip_source_tell(src)) < 0 ||
	    zip_source_seek(src, 0, SEEK_SET) != 0 ||
	    (*buf = malloc((size_t)n + 1)) == NULL) {
		zip_source_close(src);
		return E(NOMEM);
	}
	*len = (size_t)n;
	if (zip_source_read(src, *buf, (zip_uint64_t)n) != n) {
		zip_source_close(src);
		free(*buf);
		return E(IO);
	}
	zip_source_close(src);
	return 0;
}

/* Builds the .xlsx workbook in memory (libzip writes no file itself). */
static int
xlsx_bytes(const char *sheet1, size_t len1, const char *sheet2, size_t len2,
    const char *book, size_t blen, char **buf, size_t *len)
{
	zip_source_t *mem;
	zip_error_t ze;
	zip_t *z;
	int rc = 0;

	zip_error_init(&ze);
	if ((mem = zip_source_buffer_create(NULL, 0, 0, &ze)) == NULL)
		return E(NOMEM);
	zip_source_keep(mem);
	if ((z = zip_open_from_source(mem, ZIP_TRUNCATE, &ze)) == NULL) {
		zip_source_free(mem);
		return E(NOMEM);
	}
	if ((rc = add_part(z, "[Content_Types].xml", content_types,
	    sizeof(content_types) - 1)) != 0 ||
	    (rc = add_part(z, "_rels/.rels", package_rels,
	    sizeof(package_rels) - 1)) != 0 ||
	    (rc = add_part(z, "xl/workbook.xml", book, blen)) != 0 ||
	    (rc = add_part(z, "xl/_rels/workbook.xml.rels", book_rels,
	    sizeof(book_rels) - 1)) != 0 ||
	    (rc = add_part(z, "xl/styles.xml", styles, sizeof(styles) - 1)) != 0 ||
	    (rc = add_part(z, "xl/worksheets/sheet1.xml", sheet1, len1)) != 0 ||
	    (rc = add_part(z, "xl/worksheets/sheet2.xml", sheet2, len2)) != 0) {
		zip_discard(z);
		zip_source_free(mem);
		return rc;
	}
	if (zip_close(z) != 0) {
		zip_discard(z);
		zip_source_free(mem);
		return E(NOMEM);
	}
	rc = source_bytes(mem, buf, len);
	zip_source_free(mem);
	return rc;
}

/* The template as an .xlsx workbook, in a new buffer. */
static int
template_xlsx(const struct schema_type *t, char **buf, size_t *len)
{
	char *mem = malloc(3 * SHEET_MAX);
	struct strbuf s1, s2, book;
	int rc;

	if (mem == NULL)
		return E(NOMEM);
	strbuf_init(&s1, mem, SHEET_MAX);
	strbuf_init(&s2, mem + SHEET_MAX, SHEET_MAX);
	strbuf_init(&book, mem + 2 * SHEET_MAX, SHEET_MAX);
	sheet_columns(&s1, t);
	sheet_help(&s2, t);
	workbook(&book, t);
	if ((rc = strbuf_end(&s1)) == 0 && (rc = strbuf_end(&s2)) == 0 &&
	    (rc = strbuf_end(&book)) == 0)
		rc = xlsx_bytes(s1.buf, s1.len, s2.buf, s2.len, book.buf,
		    book.len, buf, len);
	free(mem);
	return rc;
}

/* The template as CSV: the mark, the header, CRLF, in a new buffer. */
static int
template_csv(const struct schema_type *t, char **buf, size_t *len)
{
	const struct schema_field *f[SCHEMA_MAX_FIELDS];
	unsigned n = template_fields(t, f), i;
	struct strbuf sb;
	int rc;

	if ((*buf = malloc(8192)) == NULL)
		return E(NOMEM);
	strbuf_init(&sb, *buf, 8192);
	strbuf_puts(&sb, "\xef\xbb\xbf" REF_LABEL);
	for (i = 0; i < n; i++)
		strbuf_printf(&sb, ";%s", f[i]->label);
	strbuf_puts(&sb, "\r\n");
	if ((rc = strbuf_end(&sb)) != 0) {
		free(*buf);
		return rc;
	}
	*len = sb.len;
	return 0;
}

/* Writes the template of t to path ("-": standard output); see core.h. */
int
import_template(const struct schema_type *t, bool xlsx, const char *path,
    struct consort_diag *d)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	rc = xlsx ? template_xlsx(t, &buf, &len) : template_csv(t, &buf, &len);
	if (rc != 0)
		return consort_diag_set(d, rc, path, _("the template could not be "
		    "made"), NULL);
	rc = outfile_write(path, buf, len, 0644, d);
	free(buf);
	return rc;
}
