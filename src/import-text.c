/*
 * The bytes of a CSV file as spreadsheets write it: UTF-8 with or without
 * a byte-order mark, or Windows-1252 (French Excel's "CSV (séparateur:
 * point-virgule)"), told apart by a look at the whole file before the
 * import reads it; the separator, ';', ',' or tab, told by the header
 * line; and a reader that hands the CSV parser UTF-8 whatever the file
 * holds, converted by iconv.
 */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>

#include "core.h"

#define CHUNK 8192

/* Whether c is one of the five bytes Windows-1252 leaves undefined. */
static bool
cp1252_undefined(unsigned char c)
{
	return c == 0x81 || c == 0x8d || c == 0x8f || c == 0x90 || c == 0x9d;
}

/*
 * Where the last whole UTF-8 sequence of b ends: the bytes after it start
 * a sequence that the next chunk completes.
 */
static size_t
utf8_cut(const unsigned char *b, size_t n)
{
	size_t k, need;

	for (k = 1; k <= 3 && k <= n; k++) {
		if ((b[n - k] & 0xc0) == 0x80)
			continue;
		if (b[n - k] < 0xc0)
			return n;
		need = b[n - k] >= 0xf0 ? 4 : b[n - k] >= 0xe0 ? 3 : 2;
		return need > k ? n - k : n;
	}
	return n;
}

/* Refuses a file that is no text a spreadsheet writes. */
static int
not_text(struct consort_diag *d, const char *path, const char *what,
    const char *hint)
{
	return consort_diag_set(d, E(BADUTF8), path, what, hint);
}

/* Looks at the first bytes: a UTF-8 mark to skip, or a file to refuse. */
static int
sniff_start(FILE *f, const char *path, struct import_text *t,
    struct consort_diag *d)
{
	unsigned char b[4];
	size_t n = fread(b, 1, sizeof(b), f);

	t->skip = n >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf ? 3 : 0;
	if (n >= 2 && ((b[0] == 0xff && b[1] == 0xfe) ||
	    (b[0] == 0xfe && b[1] == 0xff)))
		return not_text(d, path, _("UTF-16 text (\"Unicode text\")"),
		    _("save the sheet as \"CSV UTF-8\", or as CSV separated by "
		    "semicolons"));
	if (n == 4 && b[0] == 0xd0 && b[1] == 0xcf && b[2] == 0x11 &&
	    b[3] == 0xe0)
		return not_text(d, path, _("an Excel 97-2003 workbook (.xls), "
		    "which consort does not read"), _("save it as .xlsx or CSV"));
	if (fseek(f, t->skip, SEEK_SET) != 0)
		return consort_diag_set(d, E(IO), path, strerror(errno), NULL);
	return 0;
}

/* Counts the separators of the header line outside quotes, byte by byte. */
struct header_look {
	bool done, quoted;
	unsigned semicolons, commas, tabs;
};

/* Takes one byte of the header line. */
static void
header_byte(struct header_look *h, unsigned char c)
{
	if (h->done)
		return;
	if (c == '"')
		h->quoted = !h->quoted;
	else if (h->quoted)
		return;
	else if (c == '\n' || c == '\r')
		h->done = true;
	else if (c == ';')
		h->semicolons++;
	else if (c == ',')
		h->commas++;
	else if (c == '\t')
		h->tabs++;
}

/* The separator the header uses most: ';' then tab then ',' on a tie. */
static char
header_sep(const struct header_look *h)
{
	if (h->semicolons >= h->tabs && h->semicolons >= h->commas &&
	    h->semicolons > 0)
		return ';';
	if (h->tabs >= h->commas && h->tabs > 0)
		return '\t';
	return ',';
}

/* Tells the encoding and the separator of a CSV file (see core.h). */
int
import_text_sniff(FILE *f, const char *path, char sep, struct import_text *t,
    struct consort_diag *d)
{
	unsigned char buf[CHUNK + 4];
	struct header_look h = { 0 };
	size_t n, i, carry = 0, cut;
	uint64_t line = 1, undefined = 0;
	bool utf8 = true;
	int rc;

	memset(t, 0, sizeof(*t));
	if ((rc = sniff_start(f, path, t, d)) != 0)
		return rc;
	while ((n = fread(buf + carry, 1, CHUNK, f)) > 0) {
		for (i = carry; i < carry + n; i++) {
			if (buf[i] == 0) {
				char what[120];

				snprintf(what, sizeof(what), _("a NUL byte on line "
				    "%llu: not a text file"), (unsigned long long)line);
				return not_text(d, path, what, _("give a CSV file "
				    "(UTF-8 or Windows-1252) or an .xlsx workbook"));
			}
			line += buf[i] == '\n';
			header_byte(&h, buf[i]);
			if (undefined == 0 && cp1252_undefined(buf[i]))
				undefined = line;
		}
		n += carry;
		cut = utf8_cut(buf, n);
		if (utf8 && !util_utf8_valid(buf, cut))
			utf8 = false;
		carry = n - cut;
		memmove(buf, buf + cut, carry);
	}
	if (ferror(f))
		return consort_diag_set(d, E(IO), path, strerror(errno), NULL);
	if (carry > 0)
		utf8 = false;  /* a sequence cut by the end of the file */
	t->sep = sep ? sep : header_sep(&h);
	if (utf8)
		return 0;
	if (t->skip > 0)
		return not_text(d, path, _("starts with the UTF-8 mark but holds "
		    "bytes that are not UTF-8"), _("save the sheet again as \"CSV "
		    "UTF-8\""));
	if (undefined > 0) {
		char what[160];

		snprintf(what, sizeof(what), _("neither UTF-8 nor Windows-1252 "
		    "text (a byte that Windows-1252 does not define on line "
		    "%llu)"), (unsigned long long)undefined);
		return not_text(d, path, what, _("save the sheet as \"CSV "
		    "UTF-8\""));
	}
	t->cp1252 = true;
	return 0;
}

/* Starts reading a sniffed file from its first byte after the mark. */
int
import_text_open(struct import_text_reader *r, FILE *f,
    const struct import_text *t, const char *path, struct consort_diag *d)
{
	memset(r, 0, sizeof(*r));
	r->f = f;
	r->cd = (iconv_t)-1;
	if (fseek(f, t->skip, SEEK_SET) != 0)
		return consort_diag_set(d, E(IO), path, strerror(errno), NULL);
	if (t->cp1252 && (r->cd = iconv_open("UTF-8", "CP1252")) == (iconv_t)-1)
		return consort_diag_set(d, E(IO), path, _("this system cannot "
		    "convert Windows-1252 text (iconv)"), _("save the sheet as "
		    "\"CSV UTF-8\""));
	return 0;
}

/*
 * Reads the next chunk as UTF-8 into *buf (*len bytes); *len is 0 at the
 * end of the file.  Returns 0 or E(IO).
 */
int
import_text_read(struct import_text_reader *r, const char **buf, size_t *len)
{
	char *in, *out;
	size_t n, inleft, outleft;

	n = fread(r->in, 1, sizeof(r->in), r->f);
	if (n == 0) {
		*len = 0;
		return ferror(r->f) ? E(IO) : 0;
	}
	if (r->cd == (iconv_t)-1) {
		*buf = r->in;
		*len = n;
		return 0;
	}
	in = r->in;
	inleft = n;
	out = r->out;
	outleft = sizeof(r->out);
	/* one byte in, at most three out: the sniff checked every byte */
	if (iconv(r->cd, &in, &inleft, &out, &outleft) == (size_t)-1)
		return E(IO);
	*buf = r->out;
	*len = sizeof(r->out) - outleft;
	return 0;
}

/* Ends the reading (the file itself stays open). */
void
import_text_close(struct import_text_reader *r)
{
	if (r->cd != (iconv_t)-1)
		iconv_close(r->cd);
	r->cd = (iconv_t)-1;
}
