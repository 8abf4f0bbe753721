/*
 * Unit tests of fmt.c: amounts and hours in French and in English (zero,
 * negative, large, groups of thousands, cents kept to two digits), dates
 * and months, the language's name, and CSV cells (separator, decimal
 * mark, quoting, the BOM, formulas defused, control characters removed).
 */
#include "testutil.h"

#include "fmt.h"
#include "order.h"

#define NN FMT_NNBSP
#define NB FMT_NBSP

/* fmt_euros(cents) in a language and output, checked against want. */
static void
euros_is(int64_t cents, enum fmt_lang lang, enum fmt_out out,
    const char *want)
{
	char buf[64];

	assert_ok(fmt_euros(buf, sizeof(buf), cents, lang, out));
	assert_string_equal(buf, want);
}

/* French amounts: U+202F between groups, U+00A0 before the sign. */
static void
test_euros_fr(void **state)
{
	(void)state;
	euros_is(0, FMT_FR, FMT_TEXT, "0,00" NB "€");
	euros_is(5, FMT_FR, FMT_TEXT, "0,05" NB "€");
	euros_is(-5, FMT_FR, FMT_TEXT, "-0,05" NB "€");
	euros_is(99, FMT_FR, FMT_HTML, "0,99" NB "€");
	euros_is(123450, FMT_FR, FMT_HTML, "1" NN "234,50" NB "€");
	euros_is(-123450, FMT_FR, FMT_TEXT, "-1" NN "234,50" NB "€");
	euros_is(100000, FMT_FR, FMT_TEXT, "1" NN "000,00" NB "€");
	euros_is(99999, FMT_FR, FMT_TEXT, "999,99" NB "€");
	euros_is(123456789012, FMT_FR, FMT_TEXT,
	    "1" NN "234" NN "567" NN "890,12" NB "€");
	euros_is(INT64_MAX, FMT_FR, FMT_TEXT, "92" NN "233" NN "720" NN "368"
	    NN "547" NN "758,07" NB "€");
	euros_is(INT64_MIN, FMT_FR, FMT_TEXT, "-92" NN "233" NN "720" NN "368"
	    NN "547" NN "758,08" NB "€");
	/* CSV: no group, a decimal comma, no sign */
	euros_is(123450, FMT_FR, FMT_CSV, "1234,50");
	euros_is(-1205, FMT_FR, FMT_CSV, "-12,05");
	euros_is(0, FMT_FR, FMT_CSV, "0,00");
	euros_is(7, FMT_FR, FMT_CSV, "0,07");
}

/* English amounts are what consort wrote before it spoke French. */
static void
test_euros_en(void **state)
{
	char buf[64];

	(void)state;
	euros_is(1658160, FMT_EN, FMT_TEXT, "16 581,60 €");
	euros_is(1658160, FMT_EN, FMT_HTML, "16&nbsp;581,60&nbsp;€");
	euros_is(651420, FMT_EN, FMT_CSV, "6514.20");
	euros_is(-1205, FMT_EN, FMT_CSV, "-12.05");
	euros_is(0, FMT_EN, FMT_CSV, "0.00");
	/* order_euros keeps its form for the callers that give a separator */
	assert_ok(order_euros(buf, sizeof(buf), -123450, "&nbsp;"));
	assert_string_equal(buf, "-1&nbsp;234,50&nbsp;€");
	assert_ok(order_euros(buf, sizeof(buf), 5, " "));
	assert_string_equal(buf, "0,05 €");
}

/* Amounts that do not fit are refused whole, never cut. */
static void
test_euros_too_big(void **state)
{
	char buf[12];

	(void)state;
	assert_ok(fmt_euros(buf, 10, 100, FMT_FR, FMT_TEXT));  /* "1,00 €" 9 */
	assert_err(fmt_euros(buf, 9, 100, FMT_FR, FMT_TEXT), E(TOOBIG));
	assert_string_equal(buf, "");
	assert_err(fmt_euros(buf, sizeof(buf), 123456789, FMT_FR, FMT_TEXT),
	    E(TOOBIG));
	assert_string_equal(buf, "");
	assert_err(fmt_decimal(buf, sizeof(buf), 1, 19, "", ","), E(INVAL));
}

/* Other numbers of decimals, hours. */
static void
test_decimal_hours(void **state)
{
	char buf[64];

	(void)state;
	assert_ok(fmt_decimal(buf, sizeof(buf), -1234567, 2, ".", ","));
	assert_string_equal(buf, "-12.345,67");
	assert_ok(fmt_decimal(buf, sizeof(buf), 1234567, 0, " ", ","));
	assert_string_equal(buf, "1 234 567");
	assert_ok(fmt_decimal(buf, sizeof(buf), 1005, 3, "", ","));
	assert_string_equal(buf, "1,005");
	assert_ok(fmt_decimal(buf, sizeof(buf), -999, 0, " ", ","));
	assert_string_equal(buf, "-999");
	assert_ok(fmt_hours(buf, sizeof(buf), 1176, FMT_FR, FMT_HTML));
	assert_string_equal(buf, "1" NN "176");
	assert_ok(fmt_hours(buf, sizeof(buf), 1176, FMT_FR, FMT_CSV));
	assert_string_equal(buf, "1176");
	assert_ok(fmt_hours(buf, sizeof(buf), 1176, FMT_EN, FMT_TEXT));
	assert_string_equal(buf, "1176");
	assert_ok(fmt_hours(buf, sizeof(buf), 0, FMT_FR, FMT_TEXT));
	assert_string_equal(buf, "0");
	assert_ok(fmt_hours(buf, sizeof(buf), -35, FMT_FR, FMT_TEXT));
	assert_string_equal(buf, "-35");
}

/* Dates, months, yes or no, and the language's name. */
static void
test_dates_words(void **state)
{
	enum fmt_lang lang = FMT_EN;
	char buf[32];

	(void)state;
	fmt_date(buf, sizeof(buf), "2026-03-02", FMT_FR);
	assert_string_equal(buf, "02/03/2026");
	fmt_date(buf, sizeof(buf), "2026-03-02", FMT_EN);
	assert_string_equal(buf, "2026-03-02");
	fmt_date(buf, sizeof(buf), "2026-02-30", FMT_FR);  /* no such day */
	assert_string_equal(buf, "2026-02-30");
	fmt_date(buf, sizeof(buf), "", FMT_FR);
	assert_string_equal(buf, "");
	fmt_date(buf, 5, "2026-03-02", FMT_FR);  /* no room: cut, never past */
	assert_string_equal(buf, "2026");
	fmt_month(buf, sizeof(buf), "2026-03", FMT_FR);
	assert_string_equal(buf, "mars 2026");
	fmt_month(buf, sizeof(buf), "2026-08", FMT_FR);
	assert_string_equal(buf, "août 2026");
	fmt_month(buf, sizeof(buf), "2026-12", FMT_FR);
	assert_string_equal(buf, "décembre 2026");
	fmt_month(buf, sizeof(buf), "2026-13", FMT_FR);
	assert_string_equal(buf, "2026-13");
	fmt_month(buf, sizeof(buf), "2026-03", FMT_EN);
	assert_string_equal(buf, "2026-03");
	assert_string_equal(fmt_yes_no(true, FMT_FR), "oui");
	assert_string_equal(fmt_yes_no(false, FMT_FR), "non");
	assert_string_equal(fmt_yes_no(false, FMT_EN), "no");
	assert_string_equal(fmt_value(buf, sizeof(buf), "intent", "contract",
	    "CDI_INTERIM", FMT_FR), "CDI intérimaire");
	assert_string_equal(fmt_value(buf, sizeof(buf), "intent", "contract",
	    "CDI_INTERIM", FMT_EN), "CDI_INTERIM");
	assert_string_equal(fmt_value(buf, sizeof(buf), "intent", "withdrawn_by",
	    "unknown", FMT_FR), "unknown");  /* no such value: as it is */
	assert_string_equal(fmt_value(buf, sizeof(buf), "nothing", "x", "v",
	    FMT_FR), "v");
	assert_string_equal(fmt_type("intent", FMT_FR), "Intention d'embauche");
	assert_string_equal(fmt_type("intent", FMT_EN), "intent");
	assert_string_equal(fmt_type("nothing", FMT_FR), "nothing");
	assert_true(fmt_lang_parse("fr", &lang) && lang == FMT_FR);
	assert_true(fmt_lang_parse("en", &lang) && lang == FMT_EN);
	assert_false(fmt_lang_parse("FR", &lang));
	assert_false(fmt_lang_parse("fr_FR", &lang));
	assert_false(fmt_lang_parse("", &lang));
	assert_false(fmt_lang_parse(NULL, &lang));
}

/* The bytes one CSV row of cells gives in a language, in a new buffer. */
static char *
csv_row(enum fmt_lang lang, const char *const *cells, size_t n)
{
	struct fmt_csv c;
	char *out = NULL;
	size_t len = 0, i;

	c.f = open_memstream(&out, &len);
	c.lang = lang;
	assert_non_null(c.f);
	fmt_csv_begin(&c);
	for (i = 0; i < n; i++)
		assert_ok(fmt_csv_cell(&c, cells[i], i + 1 == n));
	fclose(c.f);
	return out;
}

/* A French row: BOM, ";", quotes only for ";" and '"', CRLF. */
static void
test_csv_fr(void **state)
{
	static const char *const cells[] = { "Maçon", "a;b", "M1,M2",
		"dit \"fils\"", "-12,05", "1234,50", "", "x\ny" };
	char *s;

	(void)state;
	s = csv_row(FMT_FR, cells, nitems(cells));
	assert_string_equal(s, FMT_BOM "Maçon;\"a;b\";M1,M2;\"dit \"\"fils\"\"\";"
	    "-12,05;1234,50;;xy\r\n");
	free(s);
}

/* An English row is what consort wrote before: ",", no BOM. */
static void
test_csv_en(void **state)
{
	static const char *const cells[] = { "Maçon", "a;b", "M1,M2", "-12.05",
		"-12,05" };
	char *s;

	(void)state;
	s = csv_row(FMT_EN, cells, nitems(cells));
	assert_string_equal(s, "Maçon,a;b,\"M1,M2\",-12.05,\"'-12,05\"\r\n");
	free(s);
}

/* Cells a spreadsheet would evaluate get an apostrophe; numbers do not. */
static void
test_csv_formulas(void **state)
{
	static const char *const cells[] = { "=1+1", "+33 6", "-x", "@SUM(A1)",
		"\tcmd", "\xef\xbc\x9d" "1", "=a;b", "-0,50", "-12.05", "1e1f",
		"-", "=" };
	char *s;

	(void)state;
	s = csv_row(FMT_FR, cells, nitems(cells));
	/* the tab is removed as a control character, which defuses it too */
	assert_string_equal(s, FMT_BOM "'=1+1;'+33 6;'-x;'@SUM(A1);cmd;'"
	    "\xef\xbc\x9d" "1;\"'=a;b\";-0,50;'-12.05;1e1f;'-;'=\r\n");
	free(s);
}

/* Typed cells: integers, euros, dates and booleans in each language. */
static void
test_csv_typed(void **state)
{
	struct fmt_csv c;
	char *out = NULL;
	size_t len = 0;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		c.f = open_memstream(&out, &len);
		c.lang = i == 0 ? FMT_FR : FMT_EN;
		assert_ok(fmt_csv_int(&c, -3, false));
		assert_ok(fmt_csv_euros(&c, 651420, false));
		assert_ok(fmt_csv_euros(&c, -5, false));
		assert_ok(fmt_csv_date(&c, "2026-03-02", false));
		assert_ok(fmt_csv_date(&c, "", false));
		assert_ok(fmt_csv_bool(&c, true, false));
		assert_ok(fmt_csv_bool(&c, false, true));
		fclose(c.f);
		assert_string_equal(out, i == 0 ?
		    "-3;6514,20;-0,05;02/03/2026;;oui;non\r\n" :
		    "-3,6514.20,-0.05,2026-03-02,,true,false\r\n");
		free(out);
		out = NULL;
	}
}

/* Padding counts characters, not bytes. */
static void
test_pad(void **state)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	(void)state;
	fmt_pad(f, "1" NN "234,50" NB "€", 12, true);
	putc('|', f);
	fmt_pad(f, "Compétences", 12, false);
	putc('|', f);
	fmt_pad(f, "toolongtext", 4, false);
	fclose(f);
	assert_string_equal(out, "  1" NN "234,50" NB "€|Compétences |toolongtext");
	free(out);
}

/* fmt_html escapes what HTML reads as markup, and only that. */
static void
test_html(void **state)
{
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);

	(void)state;
	assert_non_null(m);
	fmt_html(m, "a<b>&\"c'\xc3\xa9</style>", 19);
	fmt_html(m, "xyz", 0);
	fclose(m);
	assert_string_equal(out, "a&lt;b&gt;&amp;&quot;c&#39;\xc3\xa9&lt;/style&gt;");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_euros_fr),
		cmocka_unit_test(test_euros_en),
		cmocka_unit_test(test_euros_too_big),
		cmocka_unit_test(test_decimal_hours),
		cmocka_unit_test(test_dates_words),
		cmocka_unit_test(test_csv_fr),
		cmocka_unit_test(test_csv_en),
		cmocka_unit_test(test_csv_formulas),
		cmocka_unit_test(test_csv_typed),
		cmocka_unit_test(test_pad),
	};

	return cmocka_run_group_tests_name("fmt", tests, NULL, NULL);
}
