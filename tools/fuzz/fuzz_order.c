/*
 * libFuzzer harness for the order-file reader and its renderers: a request
 * file comes from whoever sends it, so any bytes must be refused cleanly
 * or parse, then render as text, CSV and HTML (in French and English),
 * and compare with itself as an amendment, without a crash.  The CSV must
 * hold no control byte but its CR LF line ends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core.h"
#include "order.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Renders with one writer into memory, in a language; returns the bytes
 * (caller frees).
 */
static char *
render(const struct order_file *f, int kind, enum fmt_lang lang, size_t *len)
{
	struct consort_diag d = { 0 };
	char *buf = NULL;
	FILE *m = open_memstream(&buf, len);

	if (m == NULL)
		abort();
	if (kind == 0)
		(void)order_write_csv(m, f->request, lang, &d);
	else if (kind == 1)
		(void)order_write_html(m, f, lang);
	else
		(void)order_write_text(m, f);
	fclose(m);
	return buf;
}

/* One fuzz input. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct consort_diag d = { 0 };
	struct order_file f;
	json_t *diff = NULL;
	char *out, verdict[ORDER_VERDICT_MAX];
	enum fmt_lang lang;
	size_t len, i;

	if (sodium_init() < 0)
		abort();
	if (order_parse((const char *)data, size, NULL, &f, &d) != 0)
		return 0;
	(void)order_verdict_text(&f, verdict, sizeof(verdict));
	for (lang = FMT_FR; lang <= FMT_EN; lang++) {
		out = render(&f, 0, lang, &len);
		for (i = 0; i < len; i++)
			if (((unsigned char)out[i] < 0x20 && out[i] != '\r' &&
			    out[i] != '\n') || out[i] == 0x7f)
				abort();
		free(out);
		free(render(&f, 1, lang, &len));
	}
	free(render(&f, 2, FMT_EN, &len));
	/* elements sharing a key may pair up differently: no check on changes */
	(void)order_diff(f.request, f.request, &diff);
	json_decref(diff);
	order_file_free(&f);
	return 0;
}
