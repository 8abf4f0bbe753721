/*
 * libFuzzer harness for the bundle reader.  A node is made once; each input
 * becomes a bundle file of that node's consortium whose frames, sealed with
 * its real bundle key, carry slices of the input (the first byte of each
 * slice gives its length), the last one FINAL unless the input says
 * otherwise.  So the reader's message and change-set parsing sees arbitrary
 * plaintext; bundle_import must refuse cleanly or apply, never crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "core.h"
#include "bundle.h"
#include "transport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct node *node;
static char path[4096];
static uint8_t key[32];

/* Makes the node the bundles are read into, once. */
static void
setup(void)
{
	struct genesis g = { "Fuzz", "FUZZ", { "Lead", "41852736200127" }, NULL, 0 };
	struct consort_diag d = { 0 };
	char dir[] = "/tmp/consort-fuzz-bundle.XXXXXX";

	if (sodium_init() < 0 || mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/node", dir);
	if (node_init(path, &g, NULL, 0, &node, &d) != 0 ||
	    bundle_key(node, key) != 0)
		abort();
	store_set_sync(&node->store, false);
	snprintf(path, sizeof(path), "%s/in.bundle", dir);
}

/* Writes the input as a bundle file. */
static void
write_bundle(const uint8_t *data, size_t size)
{
	uint8_t header[STREAM_HEADER_BYTES], out[300];
	struct fstream fs;
	size_t i = 1, len, outlen;
	bool final_last = size == 0 || (data[0] & 1) == 0;
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		abort();
	fwrite(BUNDLE_MAGIC, 1, 8, f);
	fwrite(node->consortium, 1, CONSORT_HASH_BYTES, f);
	fstream_init_push(&fs, key, header);
	fwrite(header, 1, sizeof(header), f);
	while (i < size) {
		len = data[i++];
		if (len > size - i)
			len = size - i;
		if (fstream_seal(&fs, data + i, len, final_last && i + len >= size,
		    out, &outlen) != 0)
			abort();
		fwrite(out, 1, outlen, f);
		i += len;
	}
	fclose(f);
}

/* One fuzz input. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct consort_diag d = { 0 };
	struct bundle_stats st;

	if (node == NULL)
		setup();
	write_bundle(data, size);
	(void)bundle_import(node, path, &st, &d);
	unlink(path);
	return 0;
}
