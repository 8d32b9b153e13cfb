/*
 * kv.h - the typed key-value store (table hearth_kv).
 *
 * Values keep their type: what goes in as an integer comes out as an
 * integer, a blob as the same bytes, a timestamp as the same instant.
 * The table is created on first write; reads of a database without it
 * simply find nothing.
 */
#ifndef HEARTH_KV_H
#define HEARTH_KV_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "store/store.h"

enum kv_type { KV_INTEGER, KV_REAL, KV_TEXT, KV_BLOB, KV_TIMESTAMP };

struct kv_value {
	enum kv_type type;
	int64_t i;          /* KV_INTEGER; KV_TIMESTAMP: microseconds, UTC */
	double r;           /* KV_REAL */
	unsigned char *p;   /* KV_TEXT (NUL-terminated) and KV_BLOB: owned */
	size_t len;
};

#define KV_VALUE_INIT { KV_TEXT, 0, 0.0, NULL, 0 }

void kv_value_release(struct kv_value *v);

const char *kv_type_name(enum kv_type t);
int kv_type_parse(const char *s, enum kv_type *out);

/*
 * kv_value_parse: text as typed on the command line into a value of type
 * `type`; with `guess` set the type is inferred (integer, then real, else
 * text).  Blobs are given in hex.  Timestamps take whatever timefmt_parse
 * takes.  Errors name the text and the type.
 */
int kv_value_parse(const char *text, enum kv_type type, int guess,
		   struct kv_value *out, struct hearth_err *err);
/* kv_value_format: the value as text (blob as hex, timestamp as ISO 8601
 * UTC), appended to b. */
void kv_value_format(const struct kv_value *v, struct buf *b);

/* kv_key_check: keys are 1..255 bytes of printable text. */
int kv_key_check(const char *key, struct hearth_err *err);

int kv_set(struct store *s, const char *key, const struct kv_value *v,
	   struct hearth_err *err);
/* kv_set_text, kv_set_time: kv_set of a KV_TEXT (txt, NUL-terminated)
 * or a KV_TIMESTAMP (UTC microseconds) value: the status a poller
 * writes. */
int kv_set_text(struct store *s, const char *key, const char *txt,
		struct hearth_err *err);
int kv_set_time(struct store *s, const char *key, int64_t t,
		struct hearth_err *err);
/* kv_get: 1 and *out filled (release it), 0 when absent, -1 on error. */
int kv_get(struct store *s, const char *key, struct kv_value *out,
	   struct hearth_err *err);
/* kv_del: 1 when deleted, 0 when absent, -1 on error. */
int kv_del(struct store *s, const char *key, struct hearth_err *err);

/* kv_list: call fn for each key starting with prefix (NULL: all), in key
 * order; fn returning non-zero stops the walk. */
int kv_list(struct store *s, const char *prefix,
	    int (*fn)(void *ctx, const char *key, const struct kv_value *v),
	    void *ctx, struct hearth_err *err);

#endif
