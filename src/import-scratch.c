/*
 * What an import keeps between its two passes, outside its private
 * memory: the set of (type, entity id) keys the first pass has seen, a
 * hash table in a mapped file, and the good records it read, in a file
 * that the second pass reads back instead of parsing the input again.
 * Both files are made with no name in the store's folder, on the disk
 * that holds the store; their pages are the kernel's page cache, which it
 * may write out and drop, so that an import's private memory stays the
 * same whatever the size of its file.  The records go back in the order of
 * a sort key the caller gives each: the first pass writes them in runs
 * sorted in memory, the second merges the runs.
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
#define KEEP_RUN (8u << 20)     /* records sorted in memory at a time */
#define KEEP_READ (64u << 10)   /* what is read of a run at a time */
#define KEEP_KEY 4              /* where a record's sort key is */
#define KEEP_HEAD (KEEP_KEY + IMPORT_SORT_BYTES + 12)
                                /* length, sort key, line (8), type, n, ref length (2) */
#define KEEP_MAX (1u << 24)     /* no record read back is longer */

_Static_assert(IMPORT_KEY_BYTES <= SEEN_LINE, "a key fits in a slot");

/* Opens a new file with no name in a folder; -1 and errno on failure. */
static int
scratch_open(const char *dir)
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

/* A record of a run in memory: where it is, and its sort key. */
struct import_keep_ent {
	uint8_t key[IMPORT_SORT_BYTES];
	uint32_t off;
};

/* A sorted run of the records file, read back a buffer at a time. */
struct import_keep_run {
	uint64_t start, end;  /* its bytes in the file */
	uint64_t off;         /* the next byte to read */
	uint8_t *buf;         /* [pos, len): read, not yet taken */
	size_t cap, pos, len;
};

/* Makes room for len bytes in a buffer of *cap bytes. */
static int
grow(uint8_t **buf, size_t *cap, size_t len, size_t first)
{
	size_t n = *cap > 0 ? *cap : first;
	uint8_t *p;

	if (len <= *cap)
		return 0;
	while (n < len)
		n *= 2;
	if ((p = realloc(*buf, n)) == NULL)
		return E(NOMEM);
	*buf = p;
	*cap = n;
	return 0;
}

/*
 * Makes room for one more element in an array of n, of *cap, each of size
 * bytes: twice as many, or first; *cap stays as it was on failure.
 */
static int
grow_one(void **p, size_t *cap, size_t n, size_t size, size_t first)
{
	size_t c = *cap > 0 ? *cap * 2 : first;
	void *q;

	if (n < *cap)
		return 0;
	if ((q = realloc(*p, c * size)) == NULL)
		return E(NOMEM);
	*p = q;
	*cap = c;
	return 0;
}

/* Writes all of len bytes at off. */
static int
write_at(int fd, const uint8_t *p, size_t len, uint64_t off)
{
	ssize_t n;

	while (len > 0) {
		if ((n = pwrite(fd, p, len, (off_t)off)) < 0) {
			if (errno == EINTR)
				continue;
			return util_errno(errno);
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/* Orders the records of a run by sort key (unique: see import.c). */
static int
cmp_ent(const void *a, const void *b)
{
	return memcmp(((const struct import_keep_ent *)a)->key,
	    ((const struct import_keep_ent *)b)->key, IMPORT_SORT_BYTES);
}

/* Writes the records in memory to the end of the file, sorted: a run. */
static int
keep_spill(struct import_keep *k)
{
	struct import_keep_run *run;
	uint8_t *out;
	size_t i, o = 0, len;
	uint32_t u32;
	int rc;

	if (k->nents == 0)
		return 0;
	if ((rc = grow_one((void **)&k->runs, &k->capruns, k->nruns,
	    sizeof(*k->runs), 16)) != 0)
		return rc;
	if ((rc = grow(&k->buf, &k->cap, KEEP_READ, KEEP_READ)) != 0)
		return rc;
	out = k->buf;
	qsort(k->ents, k->nents, sizeof(*k->ents), cmp_ent);
	run = &k->runs[k->nruns];
	run->start = run->off = k->bytes;
	for (i = 0; i < k->nents; i++) {
		memcpy(&u32, k->run + k->ents[i].off, 4);
		len = 4 + (size_t)u32;
		if (o + len > k->cap && o > 0) {
			if ((rc = write_at(k->fd, out, o, k->bytes)) != 0)
				return rc;
			k->bytes += o;
			o = 0;
		}
		if (len > k->cap) {  /* larger than the buffer: straight */
			if ((rc = write_at(k->fd, k->run + k->ents[i].off, len,
			    k->bytes)) != 0)
				return rc;
			k->bytes += len;
			continue;
		}
		memcpy(out + o, k->run + k->ents[i].off, len);
		o += len;
	}
	if (o > 0 && (rc = write_at(k->fd, out, o, k->bytes)) != 0)
		return rc;
	k->bytes += o;
	run->end = k->bytes;
	run->buf = NULL;
	run->cap = run->pos = run->len = 0;
	k->nruns++;
	k->nents = 0;
	k->runlen = 0;
	return 0;
}

/* The bytes a record takes in the file, with its length's four. */
static size_t
keep_len(size_t reflen, const struct field_input *in, unsigned n)
{
	size_t len = KEEP_HEAD + reflen;
	unsigned i;

	for (i = 0; i < n; i++)
		len += 2 + (in[i].v.kind == VAL_STR || in[i].v.kind == VAL_BIN ?
		    4 + in[i].v.len : 8);
	return len;
}

/* Writes a record of len bytes (keep_len) at p, as keep_decode reads it. */
static void
keep_encode(uint8_t *p, size_t len, const uint8_t key[IMPORT_SORT_BYTES],
    uint64_t line, const struct schema_type *t, const char *ref,
    size_t reflen, const struct field_input *in, unsigned n)
{
	const struct value *v;
	uint32_t u32 = (uint32_t)(len - 4);
	uint16_t u16 = (uint16_t)reflen;
	size_t o = KEEP_KEY + IMPORT_SORT_BYTES;
	unsigned i;

	memcpy(p, &u32, 4);
	memcpy(p + KEEP_KEY, key, IMPORT_SORT_BYTES);
	memcpy(p + o, &line, 8);
	p[o + 8] = t->id;
	p[o + 9] = (uint8_t)n;
	memcpy(p + o + 10, &u16, 2);
	memcpy(p + KEEP_HEAD, ref, reflen);
	o = KEEP_HEAD + reflen;
	for (i = 0; i < n; i++) {
		v = &in[i].v;
		p[o++] = in[i].f->id;
		p[o++] = (uint8_t)(v->kind | (v->b ? 0x80 : 0));
		if (v->kind == VAL_STR || v->kind == VAL_BIN) {
			memcpy(p + o, &v->len, 4);
			memcpy(p + o + 4, v->s, v->len);
			o += 4 + v->len;
		} else {
			memcpy(p + o, &v->i, 8);
			o += 8;
		}
	}
}

/* Keeps a good record of the first pass, to come back in key order. */
int
import_keep_put(struct import_keep *k, const uint8_t key[IMPORT_SORT_BYTES],
    uint64_t line, const struct schema_type *t, const char *ref,
    size_t reflen, const struct field_input *in, unsigned n)
{
	struct import_keep_ent *ent;
	size_t len = keep_len(reflen, in, n);
	int rc;

	if (!k->open) {
		if ((k->fd = scratch_open(k->dir)) < 0)
			return util_errno(errno);
		k->open = true;
	}
	if (len > KEEP_MAX || reflen > UINT16_MAX || n > SCHEMA_MAX_FIELDS)
		return E(TOOBIG);
	if (k->runlen + len > KEEP_RUN && (rc = keep_spill(k)) != 0)
		return rc;
	if ((rc = grow(&k->run, &k->runcap, k->runlen + len, 1u << 16)) != 0)
		return rc;
	if ((rc = grow_one((void **)&k->ents, &k->capents, k->nents,
	    sizeof(*k->ents), 1024)) != 0)
		return rc;
	ent = &k->ents[k->nents++];
	memcpy(ent->key, key, IMPORT_SORT_BYTES);
	ent->off = (uint32_t)k->runlen;
	keep_encode(k->run + k->runlen, len, key, line, t, ref, reflen, in, n);
	k->runlen += len;
	k->kept++;
	return 0;
}

/*
 * Makes the next record of a run whole in its buffer: 1, 0 at the run's
 * end, or an error.
 */
static int
run_fill(int fd, struct import_keep_run *r)
{
	uint32_t len;
	size_t want = 4;
	ssize_t n;
	int rc;

	for (;;) {
		if (r->len - r->pos >= 4) {
			memcpy(&len, r->buf + r->pos, 4);
			if (len > KEEP_MAX || len < KEEP_HEAD - 4)
				return E(IO);
			want = 4 + (size_t)len;
		}
		if (r->len - r->pos >= want)
			return 1;
		if (r->off >= r->end)
			return r->len == r->pos ? 0 : E(IO);
		if (r->pos > 0) {
			memmove(r->buf, r->buf + r->pos, r->len - r->pos);
			r->len -= r->pos;
			r->pos = 0;
		}
		if ((rc = grow(&r->buf, &r->cap, want > KEEP_READ ? want :
		    KEEP_READ, KEEP_READ)) != 0)
			return rc;
		n = pread(fd, r->buf + r->len, r->cap - r->len < r->end - r->off ?
		    r->cap - r->len : (size_t)(r->end - r->off), (off_t)r->off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? util_errno(errno) : E(IO);
		r->len += (size_t)n;
		r->off += (uint64_t)n;
	}
}

/* Whether run a's next record comes before run b's. */
static bool
run_before(const struct import_keep *k, size_t a, size_t b)
{
	const struct import_keep_run *ra = &k->runs[a], *rb = &k->runs[b];
	int c = memcmp(ra->buf + ra->pos + KEEP_KEY, rb->buf + rb->pos + KEEP_KEY,
	    IMPORT_SORT_BYTES);

	return c < 0 || (c == 0 && a < b);
}

/* Moves the heap's entry i down to its place. */
static void
heap_down(struct import_keep *k, size_t i)
{
	size_t l, m, t;

	for (;;) {
		l = 2 * i + 1;
		m = i;
		if (l < k->nheap && run_before(k, k->heap[l], k->heap[m]))
			m = l;
		if (l + 1 < k->nheap && run_before(k, k->heap[l + 1], k->heap[m]))
			m = l + 1;
		if (m == i)
			return;
		t = k->heap[i];
		k->heap[i] = k->heap[m];
		k->heap[m] = t;
		i = m;
	}
}

/*
 * Reads the records from the first, in key order: the second pass (or its
 * rehearsal) begins.  The records still in memory become the last run.
 */
int
import_keep_rewind(struct import_keep *k)
{
	size_t i;
	int rc;

	k->read = 0;
	k->nheap = 0;
	if (!k->open)
		return 0;
	if ((rc = keep_spill(k)) != 0)
		return rc;
	free(k->run);  /* the first pass is over */
	free(k->ents);
	k->run = NULL;
	k->ents = NULL;
	k->runcap = k->capents = 0;
	if (k->heap == NULL && k->nruns > 0 &&
	    (k->heap = calloc(k->nruns, sizeof(*k->heap))) == NULL)
		return E(NOMEM);
	for (i = 0; i < k->nruns; i++) {
		k->runs[i].off = k->runs[i].start;
		k->runs[i].pos = k->runs[i].len = 0;
		if ((rc = run_fill(k->fd, &k->runs[i])) < 0)
			return rc;
		if (rc == 1)
			k->heap[k->nheap++] = i;
	}
	for (i = k->nheap / 2; i-- > 0;)
		heap_down(k, i);
	return 0;
}

/* Decodes the record in the buffer (len bytes after its length). */
static int
keep_decode(struct import_keep *k, size_t len, struct import_kept *r)
{
	const uint8_t *p = k->buf + KEEP_KEY + IMPORT_SORT_BYTES;
	const uint8_t *end = k->buf + 4 + len;
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
 * Reads the next record back, in key order; its strings stay valid until
 * the next call.  Returns 1, 0 at the end, or an error.
 */
int
import_keep_next(struct import_keep *k, struct import_kept *r)
{
	struct import_keep_run *run;
	uint32_t len;
	int rc;

	if (k->nheap == 0)
		return 0;
	run = &k->runs[k->heap[0]];
	memcpy(&len, run->buf + run->pos, 4);
	if ((rc = grow(&k->buf, &k->cap, 4 + (size_t)len, KEEP_READ)) != 0)
		return rc;
	memcpy(k->buf, run->buf + run->pos, 4 + (size_t)len);
	run->pos += 4 + (size_t)len;
	k->read += 4 + (uint64_t)len;
	if ((rc = run_fill(k->fd, run)) < 0)
		return rc;
	if (rc == 0) {
		free(run->buf);  /* done with: its memory goes */
		run->buf = NULL;
		run->cap = 0;
		k->heap[0] = k->heap[--k->nheap];
	}
	heap_down(k, 0);
	if ((rc = keep_decode(k, len, r)) != 0)
		return rc;
	return 1;
}

/* Closes the records file, which goes with it; k can be used again. */
void
import_keep_free(struct import_keep *k)
{
	const char *dir = k->dir;
	size_t i;

	if (k->open)
		close(k->fd);
	for (i = 0; i < k->nruns; i++)
		free(k->runs[i].buf);
	free(k->runs);
	free(k->heap);
	free(k->run);
	free(k->ents);
	free(k->buf);
	memset(k, 0, sizeof(*k));
	k->dir = dir;
}
