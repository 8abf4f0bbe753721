/*
 * libFuzzer harness for an .xlsx workbook imported with no node: the first
 * byte picks the records' type, the rest is the workbook, opened from
 * memory within small bounds and its first sheet parsed and checked as
 * the first pass of an import does (import_check_sheet).  Any bytes must
 * pass or be refused with a reason, never crash, leak or read past a
 * bound.
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
	struct xlsx_limits lim = xlsx_default_limits;
	const struct schema_type *t;
	struct consort_diag d = { 0 };
	int rc;

	if (size < 1)
		return 0;
	t = schema_type_by_name(types[data[0] % nitems(types)]);
	lim.part_bytes = 4u << 20;
	lim.strings_bytes = 1u << 20;
	lim.strings = 4096;
	lim.rows = 4096;
	rc = import_check_sheet(IMPORT_XLSX, t, data + 1, size - 1, &lim, &d);
	if (rc != 0 && rc != E(NOMEM) && d.what[0] == '\0')
		abort();  /* every refusal says why */
	return 0;
}
