/*
 * libFuzzer harness for order verify: the input is a request file, after a
 * first byte whose low bit says whether the next 32 bytes are a --key.
 * The file is parsed and checked as order verify does; a verdict of valid
 * must mean a signature that holds by the signer the request names, and a
 * key chain, when there is one, that links it to the key given.  The
 * same bytes are read as a decision of the Region too (order verify tells
 * them apart), whose body must be whole when it reads.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core.h"
#include "order.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One fuzz input. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct consort_diag d = { 0 };
	struct order_file f;
	struct decision x;
	const uint8_t *key = NULL;
	char text[ORDER_VERDICT_MAX];

	if (sodium_init() < 0)
		abort();
	if (size > 0 && (data[0] & 1) && size >= 33) {
		key = data + 1;
		data += 33;
		size -= 33;
	} else if (size > 0) {
		data++;
		size--;
	}
	if (order_parse((const char *)data, size, key, &f, &d) != 0)
		return 0;
	if (order_verdict_text(&f, text, sizeof(text)) != 0)
		abort();  /* sized for the longest verdict */
	if (order_verdict(&f) == ORDER_VALID && (!f.valid || !f.has_named ||
	    memcmp(f.key, f.named, CONSORT_KEY_BYTES) != 0 ||
	    (key != NULL && !f.has_chain &&
	    memcmp(key, f.key, CONSORT_KEY_BYTES) != 0) ||
	    (f.has_chain && (f.chain_rc != 0 || (key != NULL &&
	    memcmp(key, f.chain_from, CONSORT_KEY_BYTES) != 0)))))
		abort();
	if (strncmp(text, order_verdict(&f) == ORDER_VALID ? "valid" :
	    order_verdict(&f) == ORDER_BAD_SIGNATURE ? "INVALID" :
	    order_verdict(&f) == ORDER_BAD_CHAIN ? "KEY" : "NOT", 3) != 0)
		abort();
	order_file_free(&f);
	/* the same bytes as order verify reads them: a request or a decision */
	if (order_parse_as(NULL, (const char *)data, size, key, &f, &d) != 0)
		return 0;
	if (strcmp(f.member, "decision") == 0 &&
	    decision_read(f.decision, &x, &d) == 0 &&
	    (strlen(x.request) != 64 || (x.accepted ? x.number == NULL :
	    x.reason == NULL)))
		abort();
	order_file_free(&f);
	return 0;
}
