#include "store/kv.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "base/xalloc.h"

static const char *const type_names[] = { "integer", "real", "text", "blob",
					  "timestamp" };

/* The value column takes every type: in SQLite it has none and keeps
 * each value's own; where columns are typed, it is text and a blob goes
 * in as hex (store_sql_any_type). */
static void kv_ddl(struct store *s, struct buf *b)
{
	const char *any = store_sql_any_type(store_sql(s));

	buf_addf(b, "CREATE TABLE IF NOT EXISTS hearth_kv (\n"
		 "  key TEXT PRIMARY KEY NOT NULL,\n"
		 "  type TEXT NOT NULL CHECK (type IN "
		 "('integer','real','text','blob','timestamp')),\n"
		 "  value%s%s,\n"
		 "  updated TIMESTAMP NOT NULL\n"
		 ")", *any ? " " : "", any);
}

static void hex(struct buf *b, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf_addf(b, "%02x", p[i]);
}

/* A blob kept as hex text: its bytes into out (n / 2 of them). */
static int unhex(const char *p, size_t n, unsigned char *out)
{
	size_t i;
	unsigned v;

	if (n % 2)
		return -1;
	for (i = 0; i < n; i += 2) {
		if (sscanf(p + i, "%2x", &v) != 1)
			return -1;
		out[i / 2] = (unsigned char)v;
	}
	return 0;
}

void kv_value_release(struct kv_value *v)
{
	free(v->p);
	v->p = NULL;
	v->len = 0;
}

const char *kv_type_name(enum kv_type t)
{
	return type_names[t];
}

int kv_type_parse(const char *s, enum kv_type *out)
{
	size_t i;

	for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (!strcmp(s, type_names[i])) {
			*out = (enum kv_type)i;
			return 0;
		}
	if (!strcmp(s, "int"))
		*out = KV_INTEGER;
	else if (!strcmp(s, "float") || !strcmp(s, "double"))
		*out = KV_REAL;
	else if (!strcmp(s, "string"))
		*out = KV_TEXT;
	else if (!strcmp(s, "time"))
		*out = KV_TIMESTAMP;
	else
		return -1;
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int kv_value_parse(const char *text, enum kv_type type, int guess,
		   struct kv_value *out, struct hearth_err *err)
{
	char *end;
	size_t n = strlen(text), i;

	memset(out, 0, sizeof(*out));
	if (guess) {
		errno = 0;
		out->i = strtoll(text, &end, 10);
		if (n && !*end && errno == 0 && !isspace((unsigned char)*text)) {
			out->type = KV_INTEGER;
			return 0;
		}
		out->r = strtod(text, &end);
		if (n && !*end && isfinite(out->r) && !strpbrk(text, "xXnN ") &&
		    !isspace((unsigned char)*text)) {
			out->type = KV_REAL;
			return 0;
		}
		type = KV_TEXT;
	}
	out->type = type;
	switch (type) {
	case KV_INTEGER:
		errno = 0;
		out->i = strtoll(text, &end, 10);
		if (!n || *end || errno)
			return err_set(err, "'%.64s' is not an integer", text);
		return 0;
	case KV_REAL:
		out->r = strtod(text, &end);
		if (!n || *end || !isfinite(out->r) || strpbrk(text, "xXnN"))
			return err_set(err, "'%.64s' is not a real number", text);
		return 0;
	case KV_TEXT:
		out->p = (unsigned char *)xstrdup(text);
		out->len = n;
		return 0;
	case KV_BLOB:
		if (n >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
			text += 2;
			n -= 2;
		}
		if (n % 2)
			return err_set(err, "blob '%.64s': want an even number "
				       "of hex digits", text);
		out->p = xmalloc(n / 2 + 1);
		out->len = n / 2;
		for (i = 0; i < n / 2; i++) {
			int hi = hexval((unsigned char)text[2 * i]);
			int lo = hexval((unsigned char)text[2 * i + 1]);
			if (hi < 0 || lo < 0) {
				kv_value_release(out);
				return err_set(err, "blob '%.64s': not hex", text);
			}
			out->p[i] = (unsigned char)(hi * 16 + lo);
		}
		return 0;
	case KV_TIMESTAMP:
		if (timefmt_parse(text, timefmt_now(), TIMEFMT_LOCAL, &out->i,
				  err) < 0)
			return -1;
		/* Stored as ISO text, which has four digits for the year:
		 * another year could be stored but never read back. */
		if (!timefmt_storable(out->i))
			return err_set(err, "timestamp '%.64s' is not in years "
				       "0001 to 9999", text);
		return 0;
	}
	return err_set(err, "unknown type");
}

void kv_value_format(const struct kv_value *v, struct buf *b)
{
	char tmp[64];

	switch (v->type) {
	case KV_INTEGER:
		buf_addf(b, "%lld", (long long)v->i);
		break;
	case KV_REAL:
		buf_addf(b, "%.17g", v->r);
		break;
	case KV_TEXT:
		buf_add(b, v->p, v->len);
		break;
	case KV_BLOB:
		hex(b, v->p, v->len);
		break;
	case KV_TIMESTAMP:
		timefmt_format(v->i, TIMEFMT_ISO_Z, tmp, sizeof(tmp));
		buf_addstr(b, tmp);
		break;
	}
}

int kv_key_check(const char *key, struct hearth_err *err)
{
	size_t n = strlen(key), i;

	if (n == 0 || n > 255)
		return err_set(err, "key must be 1 to 255 bytes long");
	for (i = 0; i < n; i++)
		if (iscntrl((unsigned char)key[i]))
			return err_set(err, "key contains a control character");
	return 0;
}

int kv_set_text(struct store *s, const char *key, const char *txt,
		struct hearth_err *err)
{
	struct kv_value v = KV_VALUE_INIT;

	v.type = KV_TEXT;
	v.p = (unsigned char *)txt;
	v.len = strlen(txt);
	return kv_set(s, key, &v, err);
}

int kv_set_time(struct store *s, const char *key, int64_t t,
		struct hearth_err *err)
{
	struct kv_value v = KV_VALUE_INIT;

	v.type = KV_TIMESTAMP;
	v.i = t;
	return kv_set(s, key, &v, err);
}

int kv_set(struct store *s, const char *key, const struct kv_value *v,
	   struct hearth_err *err)
{
	struct store_stmt *st = NULL;
	struct buf ddl = BUF_INIT;
	char now[64], ts[64];
	int ret = -1;

	if (kv_key_check(key, err) < 0)
		return -1;
	kv_ddl(s, &ddl);
	ret = store_create(s, ddl.s, err);
	buf_reset(&ddl);
	if (ret < 0)
		goto out;
	ret = -1;
	if (store_prepare(s,
			  "INSERT INTO hearth_kv (key, type, value, updated) "
			  "VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
			  "type = excluded.type, value = excluded.value, "
			  "updated = excluded.updated",
			  &st, err) < 0)
		return -1;
	store_bind_text(st, 1, key, strlen(key));
	store_bind_text(st, 2, type_names[v->type], strlen(type_names[v->type]));
	switch (v->type) {
	case KV_INTEGER:
		store_bind_int(st, 3, v->i);
		break;
	case KV_REAL:
		store_bind_real(st, 3, v->r);
		break;
	case KV_TEXT:
		store_bind_text(st, 3, (const char *)v->p, v->len);
		break;
	case KV_BLOB:
		if (*store_sql_any_type(store_sql(s))) {
			hex(&ddl, v->p, v->len);
			store_bind_text(st, 3, ddl.s ? ddl.s : "", ddl.len);
		} else {
			store_bind_blob(st, 3, v->p ? (const void *)v->p : "",
					v->len);
		}
		break;
	case KV_TIMESTAMP:
		timefmt_format(v->i, TIMEFMT_SQL, ts, sizeof(ts));
		store_bind_text(st, 3, ts, strlen(ts));
		break;
	}
	timefmt_format(timefmt_now(), TIMEFMT_SQL, now, sizeof(now));
	store_bind_text(st, 4, now, strlen(now));
	if (store_step(st, err) < 0)
		goto out;
	ret = 0;
out:
	store_finalize(st);
	buf_release(&ddl);
	return ret;
}

/* Read a row (type, value) into a value. */
static int row_value(struct store_stmt *st, int ti, int vi, struct kv_value *out,
		     struct hearth_err *err)
{
	const char *tn = store_column_text(st, ti, NULL);
	const void *p;
	size_t len;
	char quoted[65];

	memset(out, 0, sizeof(*out));
	if (kv_type_parse(tn, &out->type) < 0)
		return err_set(err, "hearth_kv holds unknown type '%.32s'", tn);
	switch (out->type) {
	case KV_INTEGER:
		out->i = store_column_int(st, vi);
		break;
	case KV_REAL:
		out->r = store_column_real(st, vi);
		break;
	case KV_TEXT:
		p = store_column_text(st, vi, &len);
		out->p = (unsigned char *)xstrndup(p, len);
		out->len = len;
		break;
	case KV_BLOB:
		if (store_column_type(st, vi) == STORE_TEXT) {
			p = store_column_text(st, vi, &len);
			out->p = xmalloc(len / 2 + 1);
			out->len = len / 2;
			if (unhex(p, len, out->p) < 0)
				return err_set(err, "hearth_kv holds a bad blob");
			break;
		}
		p = store_column_blob(st, vi, &len);
		out->p = xmalloc(len + 1);
		if (len)
			memcpy(out->p, p, len);
		out->len = len;
		break;
	case KV_TIMESTAMP:
		p = store_column_text(st, vi, &len);
		if (timefmt_parse_value(p, len, TIMEFMT_UTC, &out->i) < 0)
			return err_set(err, "hearth_kv holds a bad timestamp "
				       "'%s'", err_quote(quoted, sizeof(quoted),
							 p, p ? len : 0));
		break;
	}
	return 0;
}

int kv_get(struct store *s, const char *key, struct kv_value *out,
	   struct hearth_err *err)
{
	struct store_stmt *st = NULL;
	int ret, rc;

	if ((ret = store_has_table(s, "hearth_kv", err)) <= 0)
		return ret;
	if (store_prepare(s, "SELECT type, value FROM hearth_kv WHERE key = ?",
			  &st, err) < 0)
		return -1;
	store_bind_text(st, 1, key, strlen(key));
	rc = store_step(st, err);
	ret = rc;
	if (rc == 1 && row_value(st, 0, 1, out, err) < 0) {
		err_prefix(err, "key '%.64s'", key);
		ret = -1;
	}
	store_finalize(st);
	return ret;
}

int kv_del(struct store *s, const char *key, struct hearth_err *err)
{
	struct store_stmt *st = NULL;
	int ret, rc;

	if ((ret = store_has_table(s, "hearth_kv", err)) <= 0)
		return ret;
	if (store_prepare(s, "DELETE FROM hearth_kv WHERE key = ?", &st, err) < 0)
		return -1;
	store_bind_text(st, 1, key, strlen(key));
	rc = store_step(st, err);
	ret = rc < 0 ? -1 : store_changes(s) > 0;
	store_finalize(st);
	return ret;
}

int kv_list(struct store *s, const char *prefix,
	    int (*fn)(void *ctx, const char *key, const struct kv_value *v),
	    void *ctx, struct hearth_err *err)
{
	struct store_stmt *st = NULL;
	struct kv_value v = KV_VALUE_INIT;
	int ret, rc;

	if ((ret = store_has_table(s, "hearth_kv", err)) <= 0)
		return ret;
	/* substr() rather than LIKE: keys may contain % and _. */
	if (store_prepare(s,
			  "SELECT key, type, value FROM hearth_kv WHERE "
			  "substr(key, 1, length(CAST(?1 AS TEXT))) = "
			  "CAST(?1 AS TEXT) ORDER BY key",
			  &st, err) < 0)
		return -1;
	store_bind_text(st, 1, prefix ? prefix : "", prefix ? strlen(prefix) : 0);
	ret = -1;
	while ((rc = store_step(st, err)) == 1) {
		int stop;
		if (row_value(st, 1, 2, &v, err) < 0) {
			err_prefix(err, "key '%.64s'",
				   store_column_text(st, 0, NULL));
			goto out;
		}
		stop = fn(ctx, store_column_text(st, 0, NULL), &v);
		kv_value_release(&v);
		if (stop)
			break;
	}
	if (rc < 0)
		goto out;
	ret = 0;
out:
	kv_value_release(&v);
	store_finalize(st);
	return ret;
}
