/*
 * What an import keeps between its two passes, outside its private
 * memory: the set of (type, entity id) keys the first pass has seen, a
 * hash table in a mapped file, and the good records it read, in a file
 * that the second pass reads back instead of parsing the input again.
 * Both files are made with no name in the node's folder, on the disk
 * that holds its store; their pages are the kernel's page cache, which it
 * may write out and drop, so that an import's private memory stays the
 * same whatever the size of its file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core.h"

#define SEEN_SLOT 32            /* key, padding, line (8 bytes, 0: empty) */
#define SEEN_LINE 24            /* where a slot's line is */
#define SEEN_FIRST (1u << 15)   /* slots of the first table: 1 MiB */
#define KEEP_IOBUF (64u << 10)  /* the records file's stdio buffer */
#define KEEP_HEAD 16            /* length (4), line (8), type, n, ref length (2) */
#define KEEP_MAX (1u << 24)     /* no record read back is longer */

_Static_assert(IMPORT_KEY_BYTES <= SEEN_LINE, "a key fits in a slot");

/* Opens a new file with no name in a folder; -1 and errno on failure. */
static int
scratch_open_in(const char *dir)
{
	char path[4096];
	int fd;

	if ((fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) >= 0 ||
	    (errno != EOPNOTSUPP && errno != EISDIR))
		return fd;
	/* a file system without O_TMPFILE: a name, removed at once */
	if ((size_t)snprintf(path, sizeof(path), "%s/consort-import-XXXXXX",
	    dir) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkostemp(path, O_CLOEXEC)) >= 0)
		unlink(path);
	return fd;
}

/*
 * Opens a scratch file in the node's folder, or in TMPDIR when the user
 * may not write there (a node opened read-only: its import checks the
 * file, then is refused as the store is).
 */
static int
scratch_open(const char *dir)
{
	const char *tmp;
	int fd;

	if ((fd = scratch_open_in(dir)) >= 0 ||
	    (errno != EACCES && errno != EPERM && errno != EROFS))
		return fd;
	tmp = getenv("TMPDIR");
	return scratch_open_in(tmp != NULL && tmp[0] ? tmp : "/tmp");
}

/* The slot of a key in a table of cap slots (an empty one if absent). */
static uint8_t *
seen_slot(uint8_t *map, size_t cap, const uint8_t *key)
{
	uint64_t h, line;
	uint8_t *p;

	memcpy(&h, key + 1, sizeof(h));  /* an entity id is a hash already */
	for (h &= cap - 1;; h = (h + 1) & (cap - 1)) {
		p = map + h * SEEN_SLOT;
		memcpy(&line, p + SEEN_LINE, sizeof(line));
		if (line == 0 || memcmp(p, key, IMPORT_KEY_BYTES) == 0)
			return p;
	}
}

/*
 * Maps a new table of cap empty slots.  Its blocks are reserved first, so
 * that a full disk is an error here rather than a fault when a page of
 * the map is written.
 */
static int
seen_map(const char *dir, size_t cap, uint8_t **map)
{
	size_t len = cap * SEEN_SLOT;
	int fd, rc;

	if ((fd = scratch_open(dir)) < 0)
		return util_errno(errno);
	if ((rc = posix_fallocate(fd, 0, (off_t)len)) != 0) {
		close(fd);
		return util_errno(rc);
	}
	*map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	rc = *map == MAP_FAILED ? util_errno(errno) : 0;
	close(fd);  /* the map keeps the file */
	return rc;
}

/* Moves the set into a table twice as large. */
static int
seen_grow(struct import_seen *s)
{
	size_t cap = s->cap > 0 ? s->cap * 2 : SEEN_FIRST, i;
	uint8_t *map, *p;
	uint64_t line;
	int rc;

	if ((rc = seen_map(s->dir, cap, &map)) != 0)
		return rc;
	for (i = 0; i < s->cap; i++) {
		p = s->map + i * SEEN_SLOT;
		memcpy(&line, p + SEEN_LINE, sizeof(line));
		if (line != 0)
			memcpy(seen_slot(map, cap, p), p, SEEN_SLOT);
	}
	if (s->map != NULL)
		munmap(s->map, s->cap * SEEN_SLOT);
	s->map = map;
	s->cap = cap;
	return 0;
}

/* Adds a key with the line that defines it; *prior: the earlier line, or 0. */
int
import_seen_add(struct import_seen *s, const uint8_t key[IMPORT_KEY_BYTES],
    uint64_t line, uint64_t *prior)
{
	uint8_t *p;
	int rc;

	*prior = 0;
	if ((s->n + 1) * 2 > s->cap && (rc = seen_grow(s)) != 0)
		return rc;
	p = seen_slot(s->map, s->cap, key);
	memcpy(prior, p + SEEN_LINE, sizeof(*prior));
	if (*prior != 0)
		return 0;
	memcpy(p, key, IMPORT_KEY_BYTES);
	memcpy(p + SEEN_LINE, &line, sizeof(line));
	s->n++;
	return 0;
}

/* Whether a key is in the set. */
bool
import_seen_has(const struct import_seen *s,
    const uint8_t key[IMPORT_KEY_BYTES])
{
	uint64_t line;

	if (s->cap == 0)
		return false;
	memcpy(&line, seen_slot(s->map, s->cap, key) + SEEN_LINE, sizeof(line));
	return line != 0;
}

/* Drops the set and its file. */
void
import_seen_free(struct import_seen *s)
{
	if (s->map != NULL)
		munmap(s->map, s->cap * SEEN_SLOT);
	s->map = NULL;
	s->cap = s->n = 0;
}

/* Makes room for len bytes in the record buffer. */
static int
keep_room(struct import_keep *k, size_t len)
{
	uint8_t *p;
	size_t cap = k->cap > 0 ? k->cap : 4096;

	if (len <= k->cap)
		return 0;
	while (cap < len)
		cap *= 2;
	if ((p = realloc(k->buf, cap)) == NULL)
		return E(NOMEM);
	k->buf = p;
	k->cap = cap;
	return 0;
}

/* Opens the records file. */
static int
keep_open(struct import_keep *k)
{
	int fd, rc;

	if ((fd = scratch_open(k->dir)) < 0)
		return util_errno(errno);
	if ((k->iobuf = malloc(KEEP_IOBUF)) == NULL ||
	    (k->f = fdopen(fd, "w+")) == NULL) {
		rc = k->iobuf == NULL ? E(NOMEM) : util_errno(errno);
		close(fd);
		free(k->iobuf);
		k->iobuf = NULL;
		return rc;
	}
	setvbuf(k->f, k->iobuf, _IOFBF, KEEP_IOBUF);
	return 0;
}

/* Appends a good record of the first pass to the records file. */
int
import_keep_put(struct import_keep *k, uint64_t line,
    const struct schema_type *t, const char *ref, size_t reflen,
    const struct field_input *in, unsigned n)
{
	const struct value *v;
	size_t len = KEEP_HEAD + reflen, o;
	uint32_t u32;
	uint16_t u16;
	unsigned i;
	int rc;

	if (k->f == NULL && (rc = keep_open(k)) != 0)
		return rc;
	for (i = 0; i < n; i++)
		len += 2 + (in[i].v.kind == VAL_STR || in[i].v.kind == VAL_BIN ?
		    4 + in[i].v.len : 8);
	if (len > KEEP_MAX || reflen > UINT16_MAX || n > SCHEMA_MAX_FIELDS)
		return E(TOOBIG);
	if ((rc = keep_room(k, len)) != 0)
		return rc;
	u32 = (uint32_t)(len - 4);
	u16 = (uint16_t)reflen;
	memcpy(k->buf, &u32, 4);
	memcpy(k->buf + 4, &line, 8);
	k->buf[12] = t->id;
	k->buf[13] = (uint8_t)n;
	memcpy(k->buf + 14, &u16, 2);
	memcpy(k->buf + KEEP_HEAD, ref, reflen);
	o = KEEP_HEAD + reflen;
	for (i = 0; i < n; i++) {
		v = &in[i].v;
		k->buf[o++] = in[i].f->id;
		k->buf[o++] = (uint8_t)(v->kind | (v->b ? 0x80 : 0));
		if (v->kind == VAL_STR || v->kind == VAL_BIN) {
			memcpy(k->buf + o, &v->len, 4);
			memcpy(k->buf + o + 4, v->s, v->len);
			o += 4 + v->len;
		} else {
			memcpy(k->buf + o, &v->i, 8);
			o += 8;
		}
	}
	if (fwrite(k->buf, 1, len, k->f) != len)
		return util_errno(errno);
	k->bytes += len;
	return 0;
}

/* Reads the records file from its start: the second pass begins. */
int
import_keep_rewind(struct import_keep *k)
{
	k->read = 0;
	if (k->f == NULL)
		return 0;
	if (fflush(k->f) != 0 || fseeko(k->f, 0, SEEK_SET) != 0)
		return util_errno(errno);
	return 0;
}

/* Decodes the record in the buffer (len bytes after its length). */
static int
keep_decode(struct import_keep *k, size_t len, struct import_kept *r)
{
	const uint8_t *p = k->buf + 4, *end = k->buf + 4 + len;
	const struct schema_field *f;
	struct value *v;
	uint16_t reflen;
	unsigned i;

	if (len < KEEP_HEAD - 4)
		return E(IO);
	memcpy(&r->line, p, 8);
	memcpy(&reflen, p + 10, 2);
	r->t = schema_type(p[8]);
	r->n = p[9];
	r->ref = (const char *)p + 12;
	r->reflen = reflen;
	p += 12 + reflen;
	if (r->t == NULL || r->n > SCHEMA_MAX_FIELDS || p > end)
		return E(IO);
	for (i = 0; i < r->n; i++) {
		if (end - p < 2 || p[0] > r->t->max_field ||
		    (f = r->t->fields[p[0]]) == NULL)
			return E(IO);
		r->in[i].f = f;
		v = &r->in[i].v;
		memset(v, 0, sizeof(*v));
		v->kind = (enum value_kind)(p[1] & 0x7f);
		v->b = (p[1] & 0x80) != 0;
		p += 2;
		if (end - p < (v->kind == VAL_STR || v->kind == VAL_BIN ? 4 : 8))
			return E(IO);
		if (v->kind == VAL_STR || v->kind == VAL_BIN) {
			memcpy(&v->len, p, 4);
			if ((size_t)(end - p - 4) < v->len)
				return E(IO);
			v->s = (const char *)p + 4;
			p += 4 + v->len;
		} else {
			memcpy(&v->i, p, 8);
			p += 8;
		}
	}
	return p == end ? 0 : E(IO);
}

/*
 * Reads the next record back: its strings stay in the file's buffer
 * until the next call.  Returns 1, 0 at the end, or an error.
 */
int
import_keep_next(struct import_keep *k, struct import_kept *r)
{
	uint32_t len;
	int rc;

	if (k->f == NULL)
		return 0;
	if (fread(&len, 4, 1, k->f) != 1)
		return ferror(k->f) ? util_errno(errno) : 0;
	if (len > KEEP_MAX || (rc = keep_room(k, (size_t)len + 4)) != 0)
		return len > KEEP_MAX ? E(IO) : rc;
	if (fread(k->buf + 4, 1, len, k->f) != len)
		return ferror(k->f) ? util_errno(errno) : E(IO);
	k->read += 4 + (uint64_t)len;
	if ((rc = keep_decode(k, len, r)) != 0)
		return rc;
	return 1;
}

/* Closes the records file, which goes with it. */
void
import_keep_free(struct import_keep *k)
{
	if (k->f != NULL)
		fclose(k->f);
	free(k->iobuf);
	free(k->buf);
	k->f = NULL;
	k->iobuf = NULL;
	k->buf = NULL;
	k->cap = 0;
	k->bytes = k->read = 0;
}
