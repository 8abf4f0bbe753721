/*
 * A person's rights (GDPR) over a trainee's personal values, as the
 * commands erase, subject and retention use them (src/cmd/cmd-erase.c,
 * cmd-subject.c, cmd-retention.c; schema/DESIGN.md, "Personal data").
 */
#ifndef CONSORT_RIGHTS_H
#define CONSORT_RIGHTS_H

#include "core.h"

#define RIGHTS_REF_BUF (CONSORT_REF_MAX + 1)
#define RIGHTS_DATE_BUF 11

/*
 * Tells whether a text holds one of a trainee's personal values as this
 * node reads them: a string of two bytes or more (ASCII letters compared
 * without case), or a number (the birth year) standing on its own; not
 * an enumeration's value nor a day (the trainee's exit and its date).
 * @param r the trainee, opened (personal_open_record()); every competing
 *	value counts
 * @return the personal field whose value the text holds, or NULL
 */
const struct schema_field *rights_text_names(const struct record *r,
    const char *text, size_t len);

/*
 * Counts a record's personal values: the openings this node holds under
 * its id (sealed at rest), and all of them (the commitments the record
 * shows).
 * @return 0, or an error of store_walk_next()
 */
int rights_openings(struct store_txn *txn, struct store *s,
    const struct record *r, unsigned *held, unsigned *total);

/*
 * Adds to the edit's change-set the erasure of a trainee's personal
 * values: erased = date and erased_reason = reason, which every node that
 * applies it follows by deleting the values it holds (merge.c).  A
 * deleted trainee may be erased: the erasure refuses its values for good.
 * @param date YYYY-MM-DD
 * @param reason 1..500 bytes of UTF-8, none of the trainee's values
 * @param held set to the number of its values this node held (and the
 *	erasure deletes)
 * @param d names the trainee and what was refused
 * @return 0, or E(NOENT) (no trainee of that ref on this node), E(ERASED)
 *	(erased already: d says when and why), E(SCHEMA) (a bad date or
 *	reason, or a reason that holds one of the trainee's values),
 *	E(BADUTF8), or an error of state_lookup() or personal_open_record()
 */
int rights_erase(struct edit *e, const char *ref, size_t reflen,
    const char *date, const char *reason, size_t reasonlen, unsigned *held,
    struct consort_diag *d);

/* The last session of a trainee's paths, as its sessions are taken in. */
struct rights_last {
	char session[RIGHTS_REF_BUF];  /* the session that ends last */
	char end[RIGHTS_DATE_BUF];     /* its end, YYYY-MM-DD */
	unsigned sessions;             /* the sessions taken in */
	bool open;                     /* one has no end: not over */
};

/* Starts the tally of one trainee: no session yet. */
void rights_last_init(struct rights_last *l);
/*
 * Takes one session of the trainee's paths into the tally.
 * @param end the session's end (a DATE value), or NULL when unset: the
 *	trainee's training is then not over
 */
void rights_last_add(struct rights_last *l, const char *session, size_t len,
    const struct value *end);
/*
 * Whether the trainee's last session ended before date: at least one
 * session, every one with an end, the latest strictly before date.
 */
bool rights_last_before(const struct rights_last *l, const char *date);

/* Called on a trainee past its retention: 0 to go on, an error to stop. */
typedef int (*rights_ended_fn)(void *ctx, const struct record *trainee,
    const struct rights_last *last);

/*
 * Calls fn, in ref order, on every live trainee whose values are not
 * erased and whose last session (the latest end among the live sessions
 * of its live paths) ended before a date.
 * @param before YYYY-MM-DD
 * @param d names a stored record that does not decode
 * @return 0, fn's error, E(NOMEM), or an error of state_foreach_d()
 */
int rights_retention(struct store_txn *txn, struct store *s,
    const char *before, rights_ended_fn fn, void *ctx,
    struct consort_diag *d);

#endif
