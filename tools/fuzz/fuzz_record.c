/*
 * libFuzzer harness for the stored record decoder and the strict msgpack
 * reader: the state table is local, but a damaged store must be refused,
 * never crash the node.
 */
#include <stdlib.h>

#include "core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One fuzz input. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct record r;
	struct mp_reader rd;
	struct value v;

	record_init(&r);
	(void)record_decode(data, size, &r);
	record_free(&r);
	mp_reader_init(&rd, data, size);
	while (mp_read_value(&rd, &v) == 0)
		;
	return 0;
}
