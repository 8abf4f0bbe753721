/*
 * libFuzzer harness for one JSON Lines import line: parsed and checked
 * against the schema as the first pass of an import does, with no node
 * (import_check_line).  Any bytes must be refused with a reason or pass.
 */
#include <stdlib.h>

#include "core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One fuzz input. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct consort_diag d = { 0 };
	int rc;

	rc = import_check_line(IMPORT_JSONL, NULL, NULL, (const char *)data,
	    size, &d);
	if (rc != 0 && (rc != d.err || d.what[0] == '\0'))
		abort();  /* every refusal says why */
	return 0;
}
