/* The error table of schema/errors.def: messages, names and diagnostics. */
#include <stdio.h>
#include <string.h>

#include "core.h"

static const char *const messages[] = {
#define XX(name, msg) msg,
#include "../schema/errors.def"
#undef XX
};

static const char *const names[] = {
#define XX(name, msg) "E" #name,
#include "../schema/errors.def"
#undef XX
};

/* Maps a negative error code to its index in the tables, or -1. */
static int
error_index(int err)
{
	int i = -err - (CONSORT__EBASE + 1);

	if (err >= 0 || i < 0 || i >= (int)(sizeof(names) / sizeof(names[0])))
		return -1;
	return i;
}

/* Returns the message of an error code. */
const char *
consort_strerror(int err)
{
	int i = error_index(err);

	if (err == 0)
		return _("success");
	return i < 0 ? _("unknown error") : _(messages[i]);
}

/* Returns the symbolic name of an error code. */
const char *
consort_err_name(int err)
{
	int i = error_index(err);

	if (err == 0)
		return "OK";
	return i < 0 ? "EUNKNOWN" : names[i];
}

/* Copies src into a diagnostic field unless it is that field already. */
static void
diag_copy(char *dst, size_t len, const char *src)
{
	if (src != NULL && src != dst)
		snprintf(dst, len, "%s", src);
}

/*
 * Fills the non-NULL parts of a diagnostic and returns err unchanged.  A
 * part may be the diagnostic's own field (kept as it is).
 */
int
consort_diag_set(struct consort_diag *d, int err, const char *where,
    const char *what, const char *hint)
{
	if (d == NULL)
		return err;
	d->err = err;
	diag_copy(d->where, sizeof(d->where), where);
	diag_copy(d->what, sizeof(d->what), what);
	diag_copy(d->hint, sizeof(d->hint), hint);
	return err;
}
