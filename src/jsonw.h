/* The streaming JSON writer of jsonw.c. */
#ifndef CONSORT_JSONW_H
#define CONSORT_JSONW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct value;

#define JSONW_MAX_DEPTH 32

struct jsonw {
	FILE *f;
	int depth;
	bool after_key;
	uint64_t count[JSONW_MAX_DEPTH];
};

void jw_init(struct jsonw *w, FILE *f);
void jw_obj(struct jsonw *w);
void jw_obj_end(struct jsonw *w);
void jw_arr(struct jsonw *w);
void jw_arr_end(struct jsonw *w);
void jw_key(struct jsonw *w, const char *k);
void jw_keyn(struct jsonw *w, const char *k, size_t len);
void jw_str(struct jsonw *w, const char *s);
void jw_strn(struct jsonw *w, const char *s, size_t len);
void jw_int(struct jsonw *w, int64_t i);
void jw_bool(struct jsonw *w, bool b);
void jw_null(struct jsonw *w);
void jw_hex(struct jsonw *w, const uint8_t *p, size_t len);
void jw_value(struct jsonw *w, const struct value *v);

#endif
