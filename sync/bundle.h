/* Bundles: the sync stream in a file sealed with the network key (bundle.c). */
#ifndef CONSORT_SYNC_BUNDLE_H
#define CONSORT_SYNC_BUNDLE_H

#include "session.h"

#define BUNDLE_MAGIC "CSRTBDL1"

struct bundle_stats {
	uint64_t changesets;
	uint64_t openings;       /* personal values written */
	uint64_t bytes;
	struct log_receipt recv;
	struct openings_receipt openings_recv;
};

/*
 * Writes every change-set the holder of `since` lacks into a bundle at
 * path; with reader (a member's key), also the personal values this node
 * holds that the member may read.  No personal value goes without it.
 */
int bundle_export(struct node *n, const char *path, const struct sess_vv *since,
    uint32_t nsince, const uint8_t *reader, struct bundle_stats *st,
    struct consort_diag *d);
int bundle_key(struct node *n, uint8_t key[32]);
int bundle_import(struct node *n, const char *path, struct bundle_stats *st,
    struct consort_diag *d);

#endif
