/*
 * Comparing two order requests (an amendment): the changes from one to
 * the other, each with its place in the request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core.h"
#include "order.h"

/* The bytes of an element's key and of a place in a diff, NUL included. */
#define DIFF_KEY_MAX 1024

#define DIFF_AT_MAX 4096

/*
 * The key that matches an array element across two requests; E(TOOBIG)
 * when it does not fit (two long keys must never be cut into one).
 */
static int
elem_key(const json_t *e, size_t idx, char *buf, size_t len)
{
	struct strbuf sb;

	strbuf_init(&sb, buf, len);
	if (json_is_object(e) && jr_str(e, "message")[0])
		strbuf_printf(&sb, "%s %s %s %s", jr_str(e, "rule"), jr_str(e, "ref"),
		    jr_str(e, "path"), jr_str(e, "intent"));
	else if (json_is_object(e) && jr_str(e, "ref")[0])
		strbuf_puts(&sb, jr_str(e, "ref"));
	else if (json_is_object(e) && jr_str(e, "path")[0])
		strbuf_puts(&sb, jr_str(e, "path"));
	else
		strbuf_printf(&sb, "#%zu", idx);
	return strbuf_end(&sb);
}

/* The element of an array with a key, or NULL. */
static const json_t *
elem_find(struct jb *b, const json_t *a, const char *key)
{
	char k[DIFF_KEY_MAX];
	size_t i;

	for (i = 0; i < json_array_size(a); i++) {
		if (elem_key(json_array_get(a, i), i, k, sizeof(k)) != 0) {
			b->err = b->err ? b->err : E(TOOBIG);
			return NULL;
		}
		if (strcmp(k, key) == 0)
			return json_array_get(a, i);
	}
	return NULL;
}

/* Appends one change {op, at, old?, new?}. */
static void
change(struct jb *b, json_t *out, const char *op, const char *at,
    const json_t *old, const json_t *new)
{
	json_t *c = json_object();

	jb_put_str(b, c, "op", op);
	jb_put_str(b, c, "at", at);
	if (old != NULL)
		jb_put(b, c, "old", json_deep_copy(old));
	if (new != NULL)
		jb_put(b, c, "new", json_deep_copy(new));
	jb_push(b, out, c);
}

/* The place of a member or element below at: "at.k" or "at[k]". */
static bool
place(struct jb *b, char *sub, const char *at, const char *k, bool elem)
{
	struct strbuf sb;

	strbuf_init(&sb, sub, DIFF_AT_MAX);
	if (elem)
		strbuf_printf(&sb, "%s[%s]", at, k);
	else
		strbuf_printf(&sb, "%s%s%s", at, at[0] ? "." : "", k);
	if (strbuf_end(&sb) != 0) {
		b->err = b->err ? b->err : E(TOOBIG);
		return false;
	}
	return true;
}

/* Compares two values at a place of the request, recursively. */
static void
diff_value(struct jb *b, json_t *out, const char *at, const json_t *x,
    const json_t *y, int depth)
{
	char *sub, key[DIFF_KEY_MAX];
	const char *k;
	const json_t *v;
	size_t i;

	if (b->err != 0 || depth > 16)
		return;
	if (x == NULL || y == NULL) {
		change(b, out, x == NULL ? "added" : "removed", at, x, y);
		return;
	}
	if (!(json_is_object(x) && json_is_object(y)) &&
	    !(json_is_array(x) && json_is_array(y))) {
		if (!json_equal((json_t *)x, (json_t *)y))
			change(b, out, "changed", at, x, y);
		return;
	}
	if ((sub = malloc(DIFF_AT_MAX)) == NULL) {
		b->err = E(NOMEM);
		return;
	}
	if (json_is_object(x)) {
		json_object_foreach((json_t *)x, k, v) {
			/* the log state always moves; line numbers follow the lines */
			if ((depth == 0 && strcmp(k, "state") == 0) ||
			    (strncmp(at, "lines[", 6) == 0 && strcmp(k, "n") == 0))
				continue;
			if (!place(b, sub, at, k, false))
				break;
			diff_value(b, out, sub, v, json_object_get(y, k), depth + 1);
		}
		json_object_foreach((json_t *)y, k, v) {
			if (json_object_get(x, k) != NULL)
				continue;
			if (!place(b, sub, at, k, false))
				break;
			diff_value(b, out, sub, NULL, v, depth + 1);
		}
	} else {
		for (i = 0; b->err == 0 && i < json_array_size(x); i++) {
			if (elem_key(json_array_get(x, i), i, key, sizeof(key)) != 0 ||
			    !place(b, sub, at, key, true)) {
				b->err = b->err ? b->err : E(TOOBIG);
				break;
			}
			diff_value(b, out, sub, json_array_get(x, i),
			    elem_find(b, y, key), depth + 1);
		}
		for (i = 0; b->err == 0 && i < json_array_size(y); i++) {
			if (elem_key(json_array_get(y, i), i, key, sizeof(key)) != 0) {
				b->err = E(TOOBIG);
				break;
			}
			if (elem_find(b, x, key) != NULL || b->err != 0)
				continue;
			if (!place(b, sub, at, key, true))
				break;
			diff_value(b, out, sub, NULL, json_array_get(y, i), depth + 1);
		}
	}
	free(sub);
}

/*
 * Compares two request bodies: {"lot", "period", "same_period", "changes":
 * [{"op": "added" | "removed" | "changed", "at": PLACE, "old", "new"}]},
 * where PLACE names array elements by ref (sessions[S1].paths[P2].hours).
 * The log state (heads) and line numbers are left out.
 */
int
order_diff(const json_t *old, const json_t *new, json_t **out)
{
	struct jb b = { 0 };
	json_t *o = json_object(), *c = json_array();

	*out = NULL;
	jb_put_str(&b, o, "lot", jr_str(json_object_get(new, "lot"), "ref"));
	jb_put_str(&b, o, "period", jr_str(new, "period"));
	jb_put_bool(&b, o, "same_period", strcmp(jr_str(json_object_get(old, "lot"),
	    "ref"), jr_str(json_object_get(new, "lot"), "ref")) == 0 &&
	    strcmp(jr_str(old, "period"), jr_str(new, "period")) == 0);
	diff_value(&b, c, "", old, new, 0);
	jb_put(&b, o, "changes", c);
	if (b.err != 0) {
		json_decref(o);
		return b.err;
	}
	*out = o;
	return 0;
}
