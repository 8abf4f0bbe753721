/*
 * libFuzzer harness for the change-set decoder: any byte string must be
 * refused cleanly or decode into a change-set that re-encodes to the same
 * bytes (the decoder accepts only the canonical form).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Re-encodes a decoded change-set's body and checks it is the input's. */
static void
check_canonical(const struct changeset *cs)
{
	struct cs_builder b;
	msgpack_sbuffer out;
	uint32_t i;
	uint8_t sk[64] = { 0 };

	csb_init(&b);
	msgpack_sbuffer_init(&out);
	for (i = 0; i < cs->nops; i++)
		csb_op(&b, cs->ops[i].kind, cs->ops[i].type, cs->ops[i].id,
		    cs->ops[i].field, &cs->ops[i].val);
	if (csb_sign(&b, cs, sk, &out) != 0 ||
	    out.size != cs->body_len + CONSORT_SIG_BYTES ||
	    memcmp(out.data, cs->body, cs->body_len) != 0)
		abort();
	msgpack_sbuffer_destroy(&out);
	csb_free(&b);
}

/* One fuzz input. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct consort_diag d;
	struct changeset cs;
	static int ready;

	if (!ready) {
		if (sodium_init() < 0)
			abort();
		ready = 1;
	}
	if (cs_decode(data, size, &cs, &d) != 0)
		return 0;
	(void)cs_verify(&cs);
	check_canonical(&cs);
	cs_free(&cs);
	return 0;
}
