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
 * The members whose values name an element of each list of a request
 * (schema/order.md, "Diff"), by the list's member name: an element keeps
 * its name wherever it moves in its list.
 */
static const struct list_key {
	const char *list;
	const char *fields[3];
} list_keys[] = {
	{ "sessions", { "ref" } },
	{ "socle", { "ref" } },
	{ "paths", { "ref" } },
	{ "derogations", { "ref" } },
	{ "lines", { "path" } },
	{ "not_financed", { "path" } },
	{ "withdrawn", { "intent" } },
	{ "warnings", { "rule", "type", "ref" } },
	{ "by_provider", { "siret" } },
	{ "heads", { "author" } },
	{ "replaces", { "sha256" } },
	{ "requested_directly", { "session" } },
	{ "rates", { "since" } },
};

/* What names an element of a list no entry above describes, if it has it. */
static const char *const fallback_keys[] = { "ref", "path", "intent",
	"siret" };

/* One element of a list with its key. */
struct keyed {
	char *key;
	size_t idx;
};

/* The keys of a list's elements: by position, and sorted to look up. */
struct klist {
	struct keyed *sorted;
	char **at;              /* at[i]: the key of element i */
	size_t n;
};

/* The key fields of a list, or NULL when none is known. */
static const struct list_key *
list_key_of(const char *list)
{
	size_t i;

	for (i = 0; list != NULL && i < nitems(list_keys); i++)
		if (strcmp(list_keys[i].list, list) == 0)
			return &list_keys[i];
	return NULL;
}

/*
 * The key that matches an array element across two requests: its key
 * fields joined by spaces, or its position "#N" when it has none; E(TOOBIG)
 * when it does not fit (two long keys must never be cut into one).
 */
static int
elem_key(const struct list_key *lk, const json_t *e, size_t idx, char *buf,
    size_t len)
{
	struct strbuf sb;
	const char *v;
	size_t i, n = 0;

	strbuf_init(&sb, buf, len);
	for (i = 0; lk != NULL && i < nitems(lk->fields) && lk->fields[i]; i++) {
		if (!(v = jr_str(e, lk->fields[i]))[0])
			continue;
		strbuf_printf(&sb, "%s%s", n++ ? " " : "", v);
	}
	for (i = 0; lk == NULL && n == 0 && i < nitems(fallback_keys); i++)
		if ((v = jr_str(e, fallback_keys[i]))[0]) {
			strbuf_puts(&sb, v);
			n++;
		}
	if (n == 0)
		strbuf_printf(&sb, "#%zu", idx);
	return strbuf_end(&sb);
}

/* Orders keyed elements by key, then position. */
static int
cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c != 0 ? c : x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Frees the keys of a list. */
static void
klist_free(struct klist *k)
{
	size_t i;

	for (i = 0; k->sorted != NULL && i < k->n; i++)
		free(k->sorted[i].key);
	free(k->sorted);
	free(k->at);
	memset(k, 0, sizeof(*k));
}

/*
 * Names a second element of the same key "KEY #2", a third "KEY #3" (in
 * list order), so that each key names one element.
 */
static int
klist_number(struct klist *k)
{
	char buf[DIFF_KEY_MAX], *p;
	struct strbuf sb;
	size_t i, first = 0;

	for (i = 1; i < k->n; i++) {
		/* the run's first element keeps its key */
		if (strcmp(k->sorted[i].key, k->sorted[first].key) != 0) {
			first = i;
			continue;
		}
		strbuf_init(&sb, buf, sizeof(buf));
		strbuf_printf(&sb, "%s #%zu", k->sorted[first].key, i - first + 1);
		if (strbuf_end(&sb) != 0)
			return E(TOOBIG);
		if ((p = strdup(buf)) == NULL)
			return E(NOMEM);
		free(k->sorted[i].key);
		k->sorted[i].key = p;
	}
	return 0;
}

/* Computes the keys of the elements of list a (named list in its object). */
static int
klist_make(const char *list, const json_t *a, struct klist *k)
{
	const struct list_key *lk = list_key_of(list);
	char buf[DIFF_KEY_MAX];
	size_t i, n = json_array_size(a);
	int rc;

	memset(k, 0, sizeof(*k));
	if ((k->sorted = calloc(n + 1, sizeof(*k->sorted))) == NULL ||
	    (k->at = calloc(n + 1, sizeof(*k->at))) == NULL) {
		klist_free(k);
		return E(NOMEM);
	}
	for (i = 0; i < n; i++, k->n++) {
		if ((rc = elem_key(lk, json_array_get(a, i), i, buf,
		    sizeof(buf))) != 0) {
			klist_free(k);
			return rc;
		}
		k->sorted[i].idx = i;
		if ((k->sorted[i].key = strdup(buf)) == NULL) {
			klist_free(k);
			return E(NOMEM);
		}
	}
	qsort(k->sorted, n, sizeof(*k->sorted), cmp_keyed);
	if ((rc = klist_number(k)) != 0) {
		klist_free(k);
		return rc;
	}
	qsort(k->sorted, n, sizeof(*k->sorted), cmp_keyed);
	for (i = 0; i < n; i++)
		k->at[k->sorted[i].idx] = k->sorted[i].key;
	return 0;
}

/* Orders a key against a keyed element (bsearch). */
static int
cmp_key_elem(const void *key, const void *elem)
{
	return strcmp(key, ((const struct keyed *)elem)->key);
}

/* The position of the element of a key in a list, or -1. */
static long
klist_find(const struct klist *k, const char *key)
{
	const struct keyed *e;

	if (k->n == 0)
		return -1;
	e = bsearch(key, k->sorted, k->n, sizeof(*k->sorted), cmp_key_elem);
	return e != NULL ? (long)e->idx : -1;
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

/* The log state always moves; line numbers follow the lines. */
static bool
left_out(const char *at, const char *k, int depth)
{
	return (depth == 0 && strcmp(k, "state") == 0) ||
	    (strncmp(at, "lines[", 6) == 0 && strcmp(k, "n") == 0);
}

static void diff_value(struct jb *b, json_t *out, const char *at,
    const char *name, const json_t *x, const json_t *y, int depth);

/*
 * Compares two lists, each element matched by its key (list_keys): one
 * in old only is removed, one in new only added, and the order of the
 * elements is not compared.
 */
static void
diff_list(struct jb *b, json_t *out, char *sub, const char *at,
    const char *name, const json_t *x, const json_t *y, int depth)
{
	struct klist kx, ky;
	long j;
	size_t i;
	int rc;

	if ((rc = klist_make(name, x, &kx)) != 0) {
		b->err = rc;
		return;
	}
	if ((rc = klist_make(name, y, &ky)) != 0) {
		klist_free(&kx);
		b->err = rc;
		return;
	}
	for (i = 0; b->err == 0 && i < kx.n; i++) {
		if (!place(b, sub, at, kx.at[i], true))
			break;
		j = klist_find(&ky, kx.at[i]);
		diff_value(b, out, sub, NULL, json_array_get(x, i), j < 0 ? NULL :
		    json_array_get(y, (size_t)j), depth + 1);
	}
	for (i = 0; b->err == 0 && i < ky.n; i++) {
		if (klist_find(&kx, ky.at[i]) >= 0)
			continue;
		if (!place(b, sub, at, ky.at[i], true))
			break;
		diff_value(b, out, sub, NULL, NULL, json_array_get(y, i), depth + 1);
	}
	klist_free(&kx);
	klist_free(&ky);
}

/*
 * Compares two values at a place of the request, recursively; name is the
 * value's member name in its object (NULL for an element of a list).
 */
static void
diff_value(struct jb *b, json_t *out, const char *at, const char *name,
    const json_t *x, const json_t *y, int depth)
{
	const char *k;
	const json_t *v;
	char *sub;

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
	if (json_is_array(x)) {
		diff_list(b, out, sub, at, name, x, y, depth);
		free(sub);
		return;
	}
	json_object_foreach((json_t *)x, k, v) {
		if (left_out(at, k, depth))
			continue;
		if (!place(b, sub, at, k, false))
			break;
		diff_value(b, out, sub, k, v, json_object_get(y, k), depth + 1);
	}
	json_object_foreach((json_t *)y, k, v) {
		if (json_object_get(x, k) != NULL || left_out(at, k, depth))
			continue;
		if (!place(b, sub, at, k, false))
			break;
		diff_value(b, out, sub, k, NULL, v, depth + 1);
	}
	free(sub);
}

/*
 * Compares two request bodies: {"lot", "period", "same_period", "changes":
 * [{"op": "added" | "removed" | "changed", "at": PLACE, "old", "new"}]},
 * where PLACE names the elements of every list by their key
 * (sessions[S1].paths[P2].hours, totals.by_provider[SIRET].cost_cents).
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
	diff_value(&b, c, "", NULL, old, new, 0);
	jb_put(&b, o, "changes", c);
	if (b.err != 0) {
		json_decref(o);
		return b.err;
	}
	*out = o;
	return 0;
}
