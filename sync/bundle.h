/*
 * Bundles: the sync stream in a file sealed with the network key, and for
 * a bundle made for a member, to that member's key too (bundle.c).
 */
#ifndef CONSORT_SYNC_BUNDLE_H
#define CONSORT_SYNC_BUNDLE_H

#include "session.h"

#define BUNDLE_MAGIC "CSRTBDL1"
#define BUNDLE_MAGIC_SEALED "CSRTBDL2"   /* made for one member's key */

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
 * holds that the member may read, the file sealed to that key.  No
 * personal value goes without it.
 */
int bundle_export(struct node *n, const char *path, const struct sess_vv *since,
    uint32_t nsince, const uint8_t *reader, struct bundle_stats *st,
    struct consort_diag *d);
int bundle_key(struct node *n, uint8_t key[32]);
/*
 * Imports a bundle, checked whole before anything applies.  One sealed to
 * a key needs this node's secret key, and is refused (E(PERM)) when made
 * for another key.
 */
int bundle_import(struct node *n, const char *path, struct bundle_stats *st,
    struct consort_diag *d);
/* Whether the file at path starts as a bundle sealed to a member's key. */
bool bundle_is_sealed(const char *path);

#endif
