/*
 * libFuzzer harness for one CSV import line: the first byte picks the
 * records' type, the bytes up to the first newline are the header row and
 * the rest the row, parsed and checked against the schema as the first
 * pass of an import does, with no node (import_check_line).
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One fuzz input. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = { "lot", "session", "trainee",
		"intent", "path", "derogation" };
	const struct schema_type *t;
	struct consort_diag d = { 0 };
	const uint8_t *nl;
	char *header;
	size_t hlen;
	int rc;

	if (size < 1)
		return 0;
	t = schema_type_by_name(types[data[0] % nitems(types)]);
	data++;
	size--;
	nl = memchr(data, '\n', size);
	hlen = nl != NULL ? (size_t)(nl - data) : size;
	if ((header = malloc(hlen + 1)) == NULL)
		abort();
	memcpy(header, data, hlen);
	header[hlen] = '\0';
	if (nl != NULL) {
		data += hlen + 1;
		size -= hlen + 1;
	} else
		size = 0;
	rc = import_check_line(IMPORT_CSV, t, header, (const char *)data, size,
	    &d);
	if (rc != 0 && rc != E(NOMEM) && d.what[0] == '\0')
		abort();  /* every refusal says why */
	free(header);
	return 0;
}
