/*
 * json.c - rows from a JSON object or array of objects, an element at a
 * time: the array's brackets and commas are read here, each element by
 * jansson (json_loadb with JSON_DISABLE_EOF_CHECK stops at the element's
 * end and says how far it read).  Errors carry the line and column of
 * the whole body, counted the way jansson counts them (lines from 1,
 * columns in characters, after the offending text).
 */
#include "ingest/json.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

enum { START, IN_ARRAY, AFTER_ELEMENT, AFTER_OBJECT, DONE };

struct json_rows {
	struct ingest_parser base;
	const char *s;
	size_t len, pos;
	int line, col;   /* of s + pos, as jansson counts them */
	int state;
	long element;    /* the next element's index */
	json_t *obj;     /* the row's element */
	const char **cols, **vals;
	size_t *lens;
	enum ingest_kind *kinds;
	char (*num)[32]; /* numbers formatted as text */
	size_t alloc;
};

/* Move over n bytes, keeping line and column. */
static void advance(struct json_rows *r, size_t n)
{
	const unsigned char *p = (const unsigned char *)r->s + r->pos;
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\n') {
			r->line++;
			r->col = 0;
		} else if ((p[i] & 0xc0) != 0x80) {
			r->col++; /* the first byte of a character */
		}
	}
	r->pos += n;
	r->base.src->pos = r->pos;
}

static void skip_space(struct json_rows *r)
{
	size_t n = 0;

	while (r->pos + n < r->len && strchr(" \t\r\n", r->s[r->pos + n]) &&
	       r->s[r->pos + n])
		n++;
	advance(r, n);
}

/* An error at the current position (after the byte that is wrong, as
 * jansson says it). */
static int syntax(struct json_rows *r, const char *what,
		  struct hearth_err *err)
{
	if (r->pos < r->len)
		advance(r, 1);
	r->base.failed_at = r->element;
	return err_set(err, "line %d, column %d: %s", r->line, r->col, what);
}

/* jansson's error for the text at pos, in the body's lines and columns. */
static int jansson_error(struct json_rows *r, const json_error_t *e,
			 struct hearth_err *err)
{
	int line = r->line + e->line - 1;
	int col = e->line == 1 ? r->col + e->column : e->column;

	r->base.failed_at = r->element;
	return err_set(err, "line %d, column %d: %s", line, col, e->text);
}

/* Parse the value at pos (an element, or the whole body when it is not
 * an object or an array) and move past it; NULL with err set when it is
 * not JSON. */
static json_t *value(struct json_rows *r, size_t flags, struct hearth_err *err)
{
	json_error_t e;
	json_t *v = json_loadb(r->s + r->pos, r->len - r->pos,
			       flags | JSON_DISABLE_EOF_CHECK, &e);

	if (!v) {
		jansson_error(r, &e, err);
		return NULL;
	}
	advance(r, e.position);
	return v;
}

static void grow(struct json_rows *r, size_t n)
{
	if (n <= r->alloc)
		return;
	r->alloc = n * 2;
	r->cols = xreallocarray(r->cols, r->alloc, sizeof(*r->cols));
	r->vals = xreallocarray(r->vals, r->alloc, sizeof(*r->vals));
	r->lens = xreallocarray(r->lens, r->alloc, sizeof(*r->lens));
	r->kinds = xreallocarray(r->kinds, r->alloc, sizeof(*r->kinds));
	r->num = xreallocarray(r->num, r->alloc, sizeof(*r->num));
}

/* The element's keys and values into the row. */
static int fill_row(struct json_rows *r, struct ingest_row *row,
		    struct hearth_err *err)
{
	const char *key;
	json_t *v;
	size_t i = 0;

	grow(r, json_object_size(r->obj));
	json_object_foreach(r->obj, key, v) {
		r->cols[i] = key;
		r->vals[i] = r->num[i];
		switch (json_typeof(v)) {
		case JSON_STRING:
			r->vals[i] = json_string_value(v);
			r->lens[i] = json_string_length(v);
			r->kinds[i] = INGEST_TEXT;
			break;
		case JSON_INTEGER:
			r->lens[i] = (size_t)snprintf(r->num[i], sizeof(r->num[i]),
						      "%" JSON_INTEGER_FORMAT,
						      json_integer_value(v));
			r->kinds[i] = INGEST_INT;
			break;
		case JSON_REAL:
			/* %.17g round-trips every double. */
			r->lens[i] = (size_t)snprintf(r->num[i], sizeof(r->num[i]),
						      "%.17g", json_real_value(v));
			r->kinds[i] = INGEST_REAL;
			break;
		case JSON_TRUE:
		case JSON_FALSE:
			r->vals[i] = json_is_true(v) ? "1" : "0";
			r->lens[i] = 1;
			r->kinds[i] = INGEST_INT;
			break;
		case JSON_NULL:
			r->vals[i] = NULL;
			r->lens[i] = 0;
			r->kinds[i] = INGEST_NONE;
			break;
		default:
			r->base.failed_at = r->element;
			return err_set(err, "element %ld: key '%s': nested values "
				       "are not allowed (want a number, string, "
				       "boolean or null)", r->element, key);
		}
		i++;
	}
	memset(row, 0, sizeof(*row));
	row->cols = r->cols;
	row->vals = r->vals;
	row->lens = r->lens;
	row->kinds = r->kinds;
	row->ncols = i;
	row->at = r->element++;
	return 1;
}

/* The element at pos, which must be an object. */
static int element(struct json_rows *r, struct ingest_row *row,
		   struct hearth_err *err)
{
	json_decref(r->obj);
	r->obj = value(r, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, err);
	if (!r->obj)
		return -1;
	if (!json_is_object(r->obj)) {
		r->base.failed_at = r->element;
		return err_set(err, "element %ld: not an object (want an array "
			       "of objects)", r->element);
	}
	return fill_row(r, row, err);
}

/* Only white space may follow the body's value. */
static int at_end(struct json_rows *r, struct hearth_err *err)
{
	skip_space(r);
	r->state = DONE;
	if (r->pos < r->len)
		return syntax(r, "end of file expected", err);
	return 0;
}

static int rows_next(struct ingest_parser *base, struct ingest_row *row,
		     struct hearth_err *err)
{
	struct json_rows *r = (struct json_rows *)base;
	json_t *v;

	skip_space(r);
	switch (r->state) {
	case START:
		if (r->pos < r->len && r->s[r->pos] == '[') {
			advance(r, 1);
			r->state = IN_ARRAY;
			skip_space(r);
			if (r->pos < r->len && r->s[r->pos] == ']') {
				advance(r, 1);
				return at_end(r, err);
			}
			r->state = AFTER_ELEMENT;
			return element(r, row, err);
		}
		if (r->pos < r->len && r->s[r->pos] == '{') {
			r->state = AFTER_OBJECT;
			return element(r, row, err);
		}
		/* Neither: jansson's own words for it. */
		v = value(r, JSON_REJECT_DUPLICATES, err);
		json_decref(v);
		return -1;
	case AFTER_ELEMENT:
		if (r->pos < r->len && r->s[r->pos] == ']') {
			advance(r, 1);
			return at_end(r, err);
		}
		if (r->pos >= r->len || r->s[r->pos] != ',')
			return syntax(r, "',' or ']' expected", err);
		advance(r, 1);
		skip_space(r);
		if (r->pos >= r->len)
			return syntax(r, "an object expected near end of file",
				      err);
		return element(r, row, err);
	case AFTER_OBJECT:
		return at_end(r, err);
	default:
		return 0;
	}
}

static void rows_free(struct ingest_parser *base)
{
	struct json_rows *r = (struct json_rows *)base;

	json_decref(r->obj);
	free(r->cols);
	free(r->vals);
	free(r->lens);
	free(r->kinds);
	free(r->num);
	free(r);
}

static const struct ingest_parser_ops json_rows_ops = {
	"element", rows_next, rows_free,
};

struct ingest_parser *json_rows(struct ingest_src *src)
{
	struct json_rows *r = xcalloc(1, sizeof(*r));

	r->base.ops = &json_rows_ops;
	r->base.src = src;
	r->s = src->mem;
	r->len = src->memlen;
	r->line = 1;
	return &r->base;
}
