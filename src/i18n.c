/*
 * The messages of consort in the user's language, through GNU gettext
 * (its catalogues are bound in main.c), except while a command writes
 * output meant for programs: that stays in English.
 */
#include <libintl.h>

#include "core.h"

/* Set while every message stays in English. */
static bool untranslated;

/* Keeps the messages in English from now on (on) or translates them again. */
void
i18n_untranslated(bool on)
{
	untranslated = on;
}

/* Whether the messages stay in English now. */
bool
i18n_is_untranslated(void)
{
	return untranslated;
}

/*
 * The message msgid in the user's language: its translation, or msgid
 * itself when there is none, or while the messages stay in English.
 */
const char *
i18n_gettext(const char *msgid)
{
	if (msgid == NULL || msgid[0] == '\0' || untranslated)
		return msgid;
	return gettext(msgid);
}
