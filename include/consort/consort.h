/*
 * consort — offline-first sync of a training-provider consortium's records.
 *
 * Public constants, error codes and the diagnostic structure shared by the
 * library and its command line.  Every function of the library returns 0 on
 * success or a negative CONSORT_E* code (schema/errors.def); a function that
 * can say more about a refusal fills a struct consort_diag given by the
 * caller.  The library never prints and never exits.
 */
#ifndef CONSORT_CONSORT_H
#define CONSORT_CONSORT_H

#include <stddef.h>
#include <stdint.h>

#define CONSORT_VERSION "0.1.0"

/* Wire format version of change-sets (schema/changeset.md). */
#define CONSORT_CS_VERSION 2

/* Hard bounds on untrusted input (schema/changeset.md, "Bounds"). */
#define CONSORT_CS_MAX_BYTES (1u << 20)  /* a whole signed change-set */
#define CONSORT_CS_MAX_OPS 16384         /* ops in one change-set */
#define CONSORT_CS_MAX_DEPS 4096         /* deps in one change-set */
#define CONSORT_STR_MAX 4096             /* any string value, in bytes */
#define CONSORT_REF_MAX 128              /* a record's ref, in bytes */
#define CONSORT_LINE_MAX 65536           /* one line of an imported file */

#define CONSORT_KEY_BYTES 32   /* Ed25519 public key */
#define CONSORT_SIG_BYTES 64   /* Ed25519 signature */
#define CONSORT_HASH_BYTES 32  /* BLAKE2b-256: change-set and consortium ids */
#define CONSORT_EID_BYTES 16   /* entity id */
#define CONSORT_COMMIT_BYTES 32 /* a personal value's commitment */
#define CONSORT_SALT_BYTES 32   /* the salt of a commitment */

enum consort_error {
	CONSORT_OK = 0,
#define XX(name, msg) CONSORT_E##name,
	CONSORT__EBASE = 999,
#include "../../schema/errors.def"
#undef XX
};

/*
 * What a refusal was about: `where` names the place (file:line, record,
 * field, change-set), `what` the cause, `hint` what the user can do.  Empty
 * strings when unknown.  Initialise with { 0 }.
 */
struct consort_diag {
	char where[256];
	char what[1024];  /* room for the translations, longer than English */
	char hint[512];
	int err;  /* the error it explains */
};

/*
 * Returns the message of an error code.
 * @param err 0 or a negative CONSORT_E* code
 * @return a static string, never NULL
 */
const char *consort_strerror(int err);

/*
 * Returns the symbolic name of an error code ("ESIGNATURE").
 * @param err 0 or a negative CONSORT_E* code
 * @return a static string, never NULL
 */
const char *consort_err_name(int err);

/* Fills a diagnostic (any of the three may be NULL) and returns err. */
int consort_diag_set(struct consort_diag *d, int err, const char *where,
    const char *what, const char *hint);

#endif
