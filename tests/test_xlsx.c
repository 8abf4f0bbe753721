/*
 * Unit tests of xlsx.c: the first sheet of a workbook read row by row
 * (shared, inline and rich strings, numbers, booleans, errors, sparse rows
 * and cells, the 1904 date system), and hostile or damaged workbooks, each
 * refused once without a crash: a truncated archive, a zip bomb (declared
 * or lying about its size), a missing sheet, a shared string index past
 * the end, a document type with entities, and every bound.
 */

#include <zip.h>

#include "testutil.h"

#define RELS "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas." \
	"openxmlformats.org/package/2006/relationships\">"
#define REL(id, type, target) "<Relationship Id=\"" id "\" Type=\"http://" \
	"schemas.openxmlformats.org/officeDocument/2006/relationships/" type \
	"\" Target=\"" target "\"/>"
#define SHEET(rows) "<?xml version=\"1.0\"?><worksheet xmlns=\"http://" \
	"schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>" \
	rows "</sheetData></worksheet>"
#define SST(strings) "<?xml version=\"1.0\"?><sst xmlns=\"http://schemas." \
	"openxmlformats.org/spreadsheetml/2006/main\">" strings "</sst>"
#define BOOK(pr) "<?xml version=\"1.0\"?><workbook xmlns=\"http://schemas." \
	"openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://" \
	"schemas.openxmlformats.org/officeDocument/2006/relationships\">" pr \
	"<sheets><sheet name=\"Feuil1\" sheetId=\"1\" r:id=\"rId1\"/>" \
	"</sheets></workbook>"

/* The parts of a workbook: name and text (NULL: left out). */
struct part {
	const char *name;
	const char *text;
	size_t len;  /* 0: strlen(text) */
};

static char dir[4096];
static char path[4200];
static struct consort_diag d;

/* A workbook with these parts, others the usual ones. */
static void
write_book(const char *sheet, const char *sst, const struct part *extra,
    size_t nextra)
{
	struct part parts[16] = {
		{ "_rels/.rels", RELS REL("rId1", "officeDocument",
		    "xl/workbook.xml") "</Relationships>", 0 },
		{ "xl/workbook.xml", BOOK(""), 0 },
		{ "xl/_rels/workbook.xml.rels", RELS REL("rId1", "worksheet",
		    "worksheets/sheet1.xml") REL("rId2", "sharedStrings",
		    "/xl/sharedStrings.xml") "</Relationships>", 0 },
		{ "xl/worksheets/sheet1.xml", sheet, 0 },
		{ "xl/sharedStrings.xml", sst, 0 },
	};
	size_t n = 5, i, k;
	zip_source_t *src;
	zip_t *z;
	int err;

	for (i = 0; i < nextra; i++) {
		for (k = 0; k < n && strcmp(parts[k].name, extra[i].name); k++)
			;
		parts[k] = extra[i];
		if (k == n)
			n++;
	}
	unlink(path);
	z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
	assert_non_null(z);
	for (i = 0; i < n; i++) {
		if (parts[i].text == NULL)
			continue;
		src = zip_source_buffer(z, parts[i].text, parts[i].len ?
		    parts[i].len : strlen(parts[i].text), 0);
		assert_non_null(src);
		assert_true(zip_file_add(z, parts[i].name, src,
		    ZIP_FL_ENC_UTF_8) >= 0);
	}
	assert_int_equal(zip_close(z), 0);
}

/* The rows read, as text: "3:A=x|C=y;" per row. */
static char got[8192];

/* Writes each row's cells into got. */
static int
collect(void *ctx, const struct xlsx_row *row)
{
	static const char kinds[] = "tnbe";
	size_t o = strlen(got);
	unsigned i;

	(void)ctx;
	o += (size_t)snprintf(got + o, sizeof(got) - o, "%u%s:", row->row,
	    row->wide ? "+" : "");
	for (i = 0; i < row->n; i++)
		if (row->cells[i].toolong)
			o += (size_t)snprintf(got + o, sizeof(got) - o, "%c=LONG|",
			    'A' + i);
		else if (row->cells[i].len > 0)
			o += (size_t)snprintf(got + o, sizeof(got) - o,
			    "%c%c=%s|", 'A' + i, kinds[row->cells[i].kind],
			    row->cells[i].s);
	snprintf(got + o, sizeof(got) - o, ";");
	return 0;
}

/* Opens the workbook and reads its sheet into got; returns the error. */
static int
read_book(const struct xlsx_limits *lim)
{
	struct xlsx *x;
	int rc;

	got[0] = '\0';
	memset(&d, 0, sizeof(d));
	if ((rc = xlsx_open(path, lim, &x, &d)) != 0) {
		assert_null(x);
		assert_true(d.what[0] != '\0');
		return rc;
	}
	rc = xlsx_rows(x, collect, NULL, &d);
	xlsx_close(x);
	if (rc != 0)
		assert_true(d.what[0] != '\0');
	return rc;
}

/* Asserts a refusal of the workbook saying why. */
static void
refused(const struct xlsx_limits *lim, int err, const char *why)
{
	assert_err(read_book(lim), err);
	if (strstr(d.what, why) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", d.what, why);
	assert_string_equal(d.where, path);
}

/* Per-test setup: a temporary directory. */
static int
setup(void **state)
{
	char *t = tu_mkdtemp();

	(void)state;
	if (t == NULL)
		return -1;
	snprintf(dir, sizeof(dir), "%s", t);
	free(t);
	snprintf(path, sizeof(path), "%s/book.xlsx", dir);
	return 0;
}

/* Per-test teardown. */
static int
teardown(void **state)
{
	char *t = strdup(dir);

	(void)state;
	tu_rmtree(t);
	return 0;
}

/* Every kind of cell, sparse rows and cells, rich and phonetic strings. */
static void
test_xlsx_cells(void **state)
{
	(void)state;
	write_book(SHEET(
	    "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c>"
	    "<c r=\"C1\" t=\"s\"><v>1</v></c></row>"
	    "<row r=\"2\" s=\"3\" customFormat=\"1\"/>"
	    "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>in</t></is></c>"
	    "<c r=\"B3\"><v>46091</v></c><c r=\"C3\" t=\"b\"><v>1</v></c>"
	    "<c r=\"D3\" t=\"e\"><v>#N/A</v></c>"
	    "<c r=\"E3\" t=\"str\"><f>A3&amp;\"x\"</f><v>inx</v></c>"
	    "<c r=\"F3\" s=\"2\"/></row>"
	    "<row><c t=\"s\"><v>2</v></c><c><v>1.5</v></c></row>"),
	    SST("<si><t>R\xc3\xa9" "f\xc3\xa9rence</t></si>"
	    "<si><r><t>Date de </t></r><r><t>d\xc3\xa9" "but</t></r>"
	    "<rPh><t>phon</t></rPh></si><si><t xml:space=\"preserve\"> a </t>"
	    "</si>"), NULL, 0);
	assert_ok(read_book(NULL));
	assert_string_equal(got, "1:At=R\xc3\xa9" "f\xc3\xa9rence|Ct=Date de "
	    "d\xc3\xa9" "but|;3:At=in|Bn=46091|Cb=1|De=#N/A|Et=inx|;"
	    "4:At= a |Bn=1.5|;");
}

/* The 1904 date system is told; a workbook without shared strings reads. */
static void
test_xlsx_date1904(void **state)
{
	static const struct part book[] = {
		{ "xl/workbook.xml", BOOK("<workbookPr date1904=\"1\"/>"), 0 },
		{ "xl/_rels/workbook.xml.rels", RELS REL("rId1", "worksheet",
		    "worksheets/../worksheets/./sheet1.xml") "</Relationships>", 0 },
	};
	struct xlsx *x;

	(void)state;
	write_book(SHEET("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>"), NULL,
	    book, nitems(book));
	assert_ok(xlsx_open(path, NULL, &x, &d));
	assert_true(xlsx_date1904(x));
	xlsx_close(x);
	assert_ok(read_book(NULL));
	assert_string_equal(got, "1:An=1|;");
}

/* A truncated archive, a file that is none, an .ods, a chart first. */
static void
test_xlsx_not_workbooks(void **state)
{
	static const struct part ods[] = {
		{ "_rels/.rels", NULL, 0 },
		{ "mimetype", "application/vnd.oasis.opendocument.spreadsheet", 0 },
		{ "content.xml", "<x/>", 0 },
	};
	static const struct part chart[] = {
		{ "xl/_rels/workbook.xml.rels", RELS REL("rId1", "chartsheet",
		    "chartsheets/sheet1.xml") "</Relationships>", 0 },
	};
	struct stat st;

	(void)state;
	write_book(SHEET("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>"),
	    SST(""), NULL, 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(truncate(path, st.st_size / 2), 0);
	refused(NULL, E(SCHEMA), "not a readable .xlsx workbook");
	tu_write_file(path, "ref;Nom\n");
	refused(NULL, E(SCHEMA), "not a readable .xlsx workbook");
	write_book(NULL, NULL, ods, nitems(ods));
	refused(NULL, E(SCHEMA), "OpenDocument spreadsheet (.ods)");
	write_book(SHEET(""), SST(""), chart, nitems(chart));
	refused(NULL, E(SCHEMA), "not a worksheet");
}

/* A sheet the workbook names but the archive lacks; a workbook of none. */
static void
test_xlsx_missing_sheet(void **state)
{
	static const struct part nosheet[] = {
		{ "xl/workbook.xml", "<workbook><sheets/></workbook>", 0 },
	};
	static const struct part norel[] = {
		{ "xl/_rels/workbook.xml.rels", RELS "</Relationships>", 0 },
	};

	(void)state;
	write_book(NULL, SST(""), NULL, 0);
	refused(NULL, E(SCHEMA), "no part xl/worksheets/sheet1.xml");
	write_book(SHEET(""), SST(""), nosheet, nitems(nosheet));
	refused(NULL, E(SCHEMA), "the workbook has no sheet");
	write_book(SHEET(""), SST(""), norel, nitems(norel));
	refused(NULL, E(SCHEMA), "the first sheet has no part");
}

/* Shared string indexes past the end, or no number, are refused. */
static void
test_xlsx_shared_index(void **state)
{
	static const char *const bad[] = { "1", "4294967296",
		"99999999999999999999999", "-1", "0x1", "" };
	char sheet[512];
	size_t i;

	(void)state;
	for (i = 0; i < nitems(bad); i++) {
		snprintf(sheet, sizeof(sheet), SHEET("<row r=\"1\"><c r=\"A1\" "
		    "t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>%s</v></c>"
		    "</row>"), bad[i]);
		write_book(sheet, SST("<si><t>a</t></si>"), NULL, 0);
		if (bad[i][0] == '\0') {
			assert_ok(read_book(NULL));  /* no value: empty */
			assert_string_equal(got, "1:At=a|;");
			continue;
		}
		refused(NULL, E(SCHEMA), "names shared string");
	}
}

/* A zip bomb stops at the bound, whether it declares its size or lies. */
static void
test_xlsx_zip_bomb(void **state)
{
	struct xlsx_limits lim = xlsx_default_limits;
	size_t n = 4u << 20, i;
	char *big = malloc(n + 200), *file;
	struct part part = { "xl/worksheets/sheet1.xml", big, 0 };
	uint8_t le[4] = { 0 }, small[4] = { 0x10, 0, 0, 0 };
	FILE *f;
	long size;
	int patched = 0;

	(void)state;
	assert_non_null(big);
	strcpy(big, "<worksheet><sheetData>");
	memset(big + strlen(big), ' ', n);
	strcpy(big + 22 + n, "</sheetData></worksheet>");
	part.len = strlen(big);
	write_book(NULL, SST(""), &part, 1);
	lim.part_bytes = 1u << 20;
	refused(&lim, E(TOOBIG), "would inflate to");
	/* the same archive claiming 16 bytes in both its headers */
	for (i = 0; i < 4; i++)
		le[i] = (uint8_t)(part.len >> (8 * i));
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	file = malloc((size_t)size);
	assert_int_equal(fread(file, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	for (i = 0; i + 4 <= (size_t)size; i++)
		if (memcmp(file + i, le, 4) == 0) {
			memcpy(file + i, small, 4);
			patched++;
		}
	assert_int_equal(patched, 2);
	f = fopen(path, "wb");
	fwrite(file, 1, (size_t)size, f);
	fclose(f);
	free(file);
	/* counted as it inflates */
	refused(&lim, E(TOOBIG), "sheet1.xml inflates to over 1048576 bytes");
	free(big);
}

/* A document type, with or without entities, is refused. */
static void
test_xlsx_doctype(void **state)
{
	(void)state;
	write_book(SHEET(""), "<?xml version=\"1.0\"?><!DOCTYPE sst ["
	    "<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">"
	    "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>"
	    "<sst><si><t>&c;&c;&c;&c;</t></si></sst>", NULL, 0);
	refused(NULL, E(SCHEMA), "declares a document type");
	write_book("<!DOCTYPE worksheet SYSTEM \"file:///etc/passwd\">"
	    "<worksheet/>", SST(""), NULL, 0);
	refused(NULL, E(SCHEMA), "declares a document type");
	write_book(SHEET("<row r=\"1\"><c r=\"A1\"><v>1</v></c>"), SST(""),
	    NULL, 0);
	refused(NULL, E(SCHEMA), "not well-formed XML");
}

/* The bounds of strings, rows, columns, cells, and the archive. */
static void
test_xlsx_bounds(void **state)
{
	struct xlsx_limits lim = xlsx_default_limits;

	(void)state;
	write_book(SHEET(""), SST("<si><t>a</t></si><si><t>b</t></si>"
	    "<si><t>c</t></si>"), NULL, 0);
	lim.strings = 2;
	refused(&lim, E(TOOBIG), "more than 2 shared strings");
	lim = xlsx_default_limits;
	lim.strings_bytes = 5;
	refused(&lim, E(TOOBIG), "shared strings over 5 bytes");
	lim = xlsx_default_limits;
	lim.file_bytes = 100;
	refused(&lim, E(TOOBIG), "over the bound of 100");

	lim = xlsx_default_limits;
	write_book(SHEET("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>"
	    "<row r=\"11\"><c r=\"A11\"><v>1</v></c></row>"), SST(""), NULL, 0);
	lim.rows = 10;
	refused(&lim, E(TOOBIG), "more than 10 rows");
	write_book(SHEET("<row r=\"2\"/><row r=\"1\"/>"), SST(""), NULL, 0);
	refused(NULL, E(SCHEMA), "row \"1\" after row 2");
	write_book(SHEET("<row r=\"1\"><c r=\"B2\"><v>1</v></c></row>"),
	    SST(""), NULL, 0);
	refused(NULL, E(SCHEMA), "cell \"B2\" in row 1");
	write_book(SHEET("<row r=\"1\"><c r=\"XFE1\"><v>1</v></c></row>"),
	    SST(""), NULL, 0);
	refused(NULL, E(SCHEMA), "cell \"XFE1\"");

	/* past the columns read: noted if it holds a value, else unseen */
	lim = xlsx_default_limits;
	lim.columns = 2;
	write_book(SHEET("<row r=\"1\"><c r=\"A1\"><v>1</v></c>"
	    "<c r=\"Z1\" s=\"1\"/></row><row r=\"2\"><c r=\"A2\"><v>2</v></c>"
	    "<c r=\"C2\"><v>3</v></c></row>"), SST(""), NULL, 0);
	assert_ok(read_book(&lim));
	assert_string_equal(got, "1:An=1|;2+:An=2|;");
	/* a cell over the bound is noted, not kept */
	lim.cell_bytes = 4;
	write_book(SHEET("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>"
	    "abcde</t></is></c><c r=\"B1\" t=\"s\"><v>0</v></c></row>"),
	    SST("<si><t>ABCDEF</t></si>"), NULL, 0);
	assert_ok(read_book(&lim));
	assert_string_equal(got, "1:A=LONG|B=LONG|;");
}

/* A row handler's refusal stops the reading with its error. */
static int
refuse_row(void *ctx, const struct xlsx_row *row)
{
	(void)ctx;
	return row->row == 2 ? consort_diag_set(&d, E(SCHEMA), "here",
	    "row 2 refused", NULL) : 0;
}

/* The reading stops at the first row the handler refuses. */
static void
test_xlsx_handler_stops(void **state)
{
	struct xlsx *x;

	(void)state;
	write_book(SHEET("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>"
	    "<row r=\"2\"><c r=\"A2\"><v>1</v></c></row>"
	    "<row r=\"3\"><c r=\"A3\"><v>1</v></c></row>"), SST(""), NULL, 0);
	assert_ok(xlsx_open(path, NULL, &x, &d));
	assert_err(xlsx_rows(x, refuse_row, NULL, &d), E(SCHEMA));
	assert_string_equal(d.what, "row 2 refused");
	/* a second pass reads again from the start */
	got[0] = '\0';
	assert_ok(xlsx_rows(x, collect, NULL, &d));
	assert_string_equal(got, "1:An=1|;2:An=1|;3:An=1|;");
	xlsx_close(x);
}

/* Reads the workbook written into a new buffer. */
static char *
slurp(size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(1 << 20);

	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

/*
 * A workbook checked as an import's first pass does: the 1904 date system
 * applies to its serial days; a bad cell is named by its row and column.
 */
static void
test_xlsx_import_check(void **state)
{
	static const struct part book[] = {
		{ "xl/workbook.xml", BOOK("<workbookPr date1904=\"true\"/>"), 0 },
	};
	const struct schema_type *t = schema_type_by_name("session");
	char *buf;
	size_t len;

	(void)state;
	write_book(SHEET("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c>"
	    "<c r=\"B1\" t=\"s\"><v>1</v></c></row>"
	    "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>2</v></c>"
	    "<c r=\"B2\"><v>44629</v></c></row>"
	    "<row r=\"3\"><c r=\"A3\" t=\"s\"><v>3</v></c>"
	    "<c r=\"B3\"><v>44629.5</v></c></row>"),
	    SST("<si><t>R\xc3\xa9" "f\xc3\xa9rence</t></si><si><t>Date de "
	    "d\xc3\xa9" "but</t></si><si><t>S1</t></si><si><t>S2</t></si>"),
	    book, nitems(book));
	buf = slurp(&len);
	memset(&d, 0, sizeof(d));
	assert_err(import_check_sheet(IMPORT_XLSX, t, buf, len, NULL, &d),
	    E(SCHEMA));
	assert_string_equal(d.where, "sheet");
	assert_string_equal(d.what, "row 3, column B \"Date de d\xc3\xa9" "but\": "
	    "a date and a time of day: keep the date alone");
	/* the same, CSV: the serial number of a text cell is no date */
	memset(&d, 0, sizeof(d));
	assert_err(import_check_sheet(IMPORT_CSV, t, "ref;start\r\nS1;44629\r\n",
	    21, NULL, &d), E(SCHEMA));
	assert_non_null(strstr(d.what, "row 2, column B \"start\": expected a "
	    "date"));
	assert_ok(import_check_sheet(IMPORT_CSV, t, "ref;start\r\nS1;10/03/2026"
	    "\r\n", 26, NULL, &d));
	assert_err(import_check_sheet(IMPORT_CSV, t, "", 0, NULL, &d),
	    E(SCHEMA));
	free(buf);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_xlsx_cells),
		T(test_xlsx_date1904),
		T(test_xlsx_not_workbooks),
		T(test_xlsx_missing_sheet),
		T(test_xlsx_shared_index),
		T(test_xlsx_zip_bomb),
		T(test_xlsx_doctype),
		T(test_xlsx_bounds),
		T(test_xlsx_handler_stops),
		T(test_xlsx_import_check),
	};
#undef T

	return cmocka_run_group_tests_name("xlsx", tests, tu_group_setup, NULL);
}
