/*
 * lp.c - InfluxDB line protocol:
 *
 *   measurement[,tag=value...] field=value[,field=value...] [timestamp]
 *
 * with the escaping rules of InfluxDB 1.x/2.x: `\,` `\ ` `\=` in names,
 * tag keys/values and field keys; `\"` and `\\` in string field values.
 */
#include <stdlib.h>
#include <string.h>

#include "ingest/lp.h"
#include "base/timefmt.h"
#include "base/xalloc.h"

#define LP_MAX_LINE (1u << 20)

struct lp_off {
	size_t key, val, vlen;
	enum lp_kind kind;
	int is_tag;
};

void lp_init(struct lp_parser *p, struct ingest_src *src,
	     enum lp_precision precision)
{
	memset(p, 0, sizeof(*p));
	p->src = src;
	p->precision = precision;
	buf_init(&p->line, LP_MAX_LINE);
	buf_init(&p->data, 2 * LP_MAX_LINE + 64);
}

void lp_release(struct lp_parser *p)
{
	buf_release(&p->line);
	buf_release(&p->data);
	free(p->pairs);
	memset(p, 0, sizeof(*p));
}

int lp_parse_precision(const char *s, enum lp_precision *out)
{
	if (!s || !*s || !strcmp(s, "ns") || !strcmp(s, "n"))
		*out = LP_NS;
	else if (!strcmp(s, "us") || !strcmp(s, "u"))
		*out = LP_US;
	else if (!strcmp(s, "ms"))
		*out = LP_MS;
	else if (!strcmp(s, "s"))
		*out = LP_S;
	else if (!strcmp(s, "m"))
		*out = LP_M;
	else if (!strcmp(s, "h"))
		*out = LP_H;
	else
		return -1;
	return 0;
}

/* One line (without its newline) into *line and *len; 0 at end.  A line
 * that lies whole in the source's current chunk (always so for an HTTP
 * body) is used where it is: the chunk stays put until the next peek,
 * which is the next call.  Only a line crossing file chunks is copied
 * into p->line. */
static int read_line(struct lp_parser *p, const char **line, size_t *len,
		     struct hearth_err *err)
{
	const char *chunk, *nl;
	long n;
	int any = 0;

	n = ingest_src_peek(p->src, &chunk);
	if (n < 0)
		return err_set(err, "line %ld: read error", p->lineno + 1);
	if (n == 0)
		return 0;
	nl = memchr(chunk, '\n', (size_t)n);
	if (nl || !p->src->f || p->src->eof) {
		size_t l = nl ? (size_t)(nl - chunk) : (size_t)n;
		if (l > LP_MAX_LINE)
			return err_set(err, "line %ld: longer than %u bytes",
				       p->lineno + 1, LP_MAX_LINE);
		ingest_src_skip(p->src, nl ? l + 1 : l);
		*line = chunk;
		*len = l;
		return 1;
	}
	buf_reset(&p->line);
	for (;;) {
		if (any) {
			n = ingest_src_peek(p->src, &chunk);
			if (n < 0)
				return err_set(err, "line %ld: read error",
					       p->lineno + 1);
			if (n == 0)
				break;
			nl = memchr(chunk, '\n', (size_t)n);
		}
		any = 1;
		if (buf_add(&p->line, chunk, nl ? (size_t)(nl - chunk) : (size_t)n) < 0)
			return err_set(err, "line %ld: longer than %u bytes",
				       p->lineno + 1, LP_MAX_LINE);
		ingest_src_skip(p->src, nl ? (size_t)(nl - chunk) + 1 : (size_t)n);
		if (nl)
			break;
	}
	*line = p->line.s;
	*len = p->line.len;
	return 1;
}

/* lp_next reserves room for the whole parsed line in p->data first (see
 * there), so the parse appends without checks. */
static void put(struct lp_parser *p, const char *s, size_t n)
{
	memcpy(p->data.s + p->data.len, s, n);
	p->data.len += n;
}

static void putch(struct lp_parser *p, char c)
{
	p->data.s[p->data.len++] = c;
}

/* Copy an escaped token from *pp up to an unescaped byte in `stops`;
 * returns its offset in p->data.  stops holds 2 or 3 bytes (a NUL byte in
 * the input stops a token too, which makes the line invalid, as it is).
 * This is the inner loop of a bulk import. */
static size_t token(struct lp_parser *p, const char **pp, const char *end,
		    const char *stops)
{
	const char *s = *pp;
	const char s0 = stops[0], s1 = stops[1], s2 = stops[2];
	size_t off = p->data.len;
	char *d = p->data.s + off;

	while (s < end) {
		char c = *s;
		if (c == s0 || c == s1 || c == s2)
			break;
		if (c == '\\' && s + 1 < end &&
		    (s[1] == ',' || s[1] == ' ' || s[1] == '=' || s[1] == '\\' ||
		     s[1] == '"'))
			c = *++s;
		*d++ = c;
		s++;
	}
	*d++ = '\0';
	p->data.len = (size_t)(d - p->data.s);
	*pp = s;
	return off;
}

static int is_digit(char c)
{
	return (unsigned char)(c - '0') < 10;
}

/* A decimal float as InfluxDB writes it: [-+]digits[.digits][e[-+]digits]. */
static int is_float(const char *s, size_t n)
{
	size_t i = 0, digits = 0;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	while (i < n && is_digit(s[i]))
		i++, digits++;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && is_digit(s[i]))
			i++, digits++;
	}
	if (!digits)
		return 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t e = 0;
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		while (i < n && is_digit(s[i]))
			i++, e++;
		if (!e)
			return 0;
	}
	return i == n;
}

/* The key is passed as its offset in p->data: appending the value may
 * move p->data. */
static int field_value(struct lp_parser *p, const char **pp, const char *end,
		       struct lp_off *o, struct hearth_err *err)
{
	const char *s = *pp, *start;
#define key (p->data.s + o->key)
	size_t n;
	int maybe_bool;
	char c, quoted[41];

	o->val = p->data.len;
	if (s < end && *s == '"') {
		s++;
		while (s < end && *s != '"') {
			if (*s == '\\' && s + 1 < end && (s[1] == '"' || s[1] == '\\'))
				s++;
			putch(p, *s++);
		}
		if (s >= end)
			return err_set(err, "line %ld: field %s: string not closed",
				       p->lineno, key);
		s++;
		o->vlen = p->data.len - o->val;
		o->kind = LP_STRING;
		putch(p, '\0');
		*pp = s;
		return 0;
	}
	start = s;
	while (s < end && *s != ',' && *s != ' ')
		s++;
	n = (size_t)(s - start);
	*pp = s;
	if (n == 0)
		return err_set(err, "line %ld: field %s has no value", p->lineno,
			       key);
	/* Most values are numbers: test the first byte before the words. */
	c = *start;
	maybe_bool = n <= 5 && (c == 't' || c == 'T' || c == 'f' || c == 'F');
	if (maybe_bool && ((n == 1 && strchr("tT", c)) ||
	    (n == 4 && (!strncmp(start, "true", 4) || !strncmp(start, "True", 4) ||
			!strncmp(start, "TRUE", 4))))) {
		o->kind = LP_BOOL;
		putch(p, '1');
	} else if (maybe_bool && ((n == 1 && strchr("fF", c)) ||
		   (n == 5 && (!strncmp(start, "false", 5) ||
			       !strncmp(start, "False", 5) ||
			       !strncmp(start, "FALSE", 5))))) {
		o->kind = LP_BOOL;
		putch(p, '0');
	} else if (start[n - 1] == 'i' || start[n - 1] == 'u') {
		size_t k = start[0] == '-' ? 1 : 0;
		if (n - 1 == k)
			goto bad;
		for (; k < n - 1; k++)
			if (!is_digit(start[k]))
				goto bad;
		if (start[n - 1] == 'u' && start[0] == '-')
			goto bad;
		o->kind = start[n - 1] == 'i' ? LP_INT : LP_UINT;
		put(p, start, n - 1);
	} else {
		if (!is_float(start, n))
			goto bad;
		o->kind = LP_FLOAT;
		put(p, start, n);
	}
	o->vlen = p->data.len - o->val;
	putch(p, '\0');
	return 0;
bad:
	return err_set(err, "line %ld: field %s: bad value '%s'", p->lineno,
		       key, err_quote(quoted, sizeof(quoted), start, n));
#undef key
}

static void add_pair(struct lp_parser *p, const struct lp_off *o)
{
	XGROW(p->pairs, p->npairs + 1, p->alloc);
	/* Offsets for now; turned into pointers once the line is parsed,
	 * because p->data may move while it grows. */
	p->pairs[p->npairs].key = (const char *)(uintptr_t)o->key;
	p->pairs[p->npairs].val = (const char *)(uintptr_t)o->val;
	p->pairs[p->npairs].vlen = o->vlen;
	p->pairs[p->npairs].kind = o->is_tag ? LP_STRING : o->kind;
	p->npairs++;
}

/* The timestamp at *pp, up to a space or the end; *pp moves past it.
 * Read in the same pass that finds its end. */
static int parse_time(struct lp_parser *p, const char **pp, const char *end,
		      struct lp_point *pt, struct hearth_err *err)
{
	int64_t v = 0;
	int neg = 0;
	const char *s = *pp, *start = s;
	char quoted[41];

	if (s < end && *s == '-') {
		neg = 1;
		s++;
	}
	if (s == end || *s == ' ')
		goto bad;
	for (; s < end && *s != ' '; s++) {
		if (!is_digit(*s))
			goto bad;
		if (v > (INT64_MAX - 9) / 10)
			goto bad;
		v = v * 10 + (*s - '0');
	}
	/* Constant factors: a division by a variable costs more than the
	 * rest of this function. */
	switch (p->precision) {
	case LP_NS:
		v /= 1000;
		break;
	case LP_US:
		break;
	case LP_MS:
		if (v > INT64_MAX / 1000)
			goto bad;
		v *= 1000;
		break;
	case LP_S:
		if (v > INT64_MAX / US_PER_SEC)
			goto bad;
		v *= US_PER_SEC;
		break;
	case LP_M:
		if (v > INT64_MAX / (60 * US_PER_SEC))
			goto bad;
		v *= 60 * US_PER_SEC;
		break;
	case LP_H:
		if (v > INT64_MAX / (3600 * US_PER_SEC))
			goto bad;
		v *= 3600 * US_PER_SEC;
		break;
	}
	pt->time = neg ? -v : v;
	pt->has_time = 1;
	*pp = s;
	return 0;
bad:
	while (s < end && *s != ' ')
		s++;
	return err_set(err, "line %ld: bad timestamp '%s'", p->lineno,
		       err_quote(quoted, sizeof(quoted), start,
				 (size_t)(s - start)));
}

int lp_next(struct lp_parser *p, struct lp_point *pt, struct hearth_err *err)
{
	const char *s, *end;
	struct lp_off o;
	size_t meas, i, len = 0, ntags = 0;
	int rc;

	for (;;) {
		rc = read_line(p, &s, &len, err);
		if (rc <= 0)
			return rc;
		p->lineno++;
		end = s + len;
		if (end > s && end[-1] == '\r')
			end--;
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (s < end && *s != '#')
			break;
	}
	/* Every token of the line, unescaped, plus a NUL each: no more than
	 * the line's bytes and one NUL per separator, so at most 2 * len + 1
	 * bytes, well under p->data's cap (the line is at most LP_MAX_LINE). */
	buf_reset(&p->data);
	buf_reserve(&p->data, 2 * len + 2);
	p->npairs = 0;
	memset(pt, 0, sizeof(*pt));
	pt->line = p->lineno;

	meas = token(p, &s, end, ", ");
	if (p->data.s[meas] == '\0')
		return err_set(err, "line %ld: no measurement name", p->lineno);
	while (s < end && *s == ',') {
		s++;
		memset(&o, 0, sizeof(o));
		o.is_tag = 1;
		o.key = token(p, &s, end, "=, ");
		if (s >= end || *s != '=' || p->data.s[o.key] == '\0')
			return err_set(err, "line %ld: bad tag (want key=value)",
				       p->lineno);
		s++;
		o.val = token(p, &s, end, ", ");
		/* a NUL ends a tag value: no NUL inside */
		o.vlen = p->data.len - 1 - o.val;
		if (o.vlen == 0)
			return err_set(err, "line %ld: tag %s has no value",
				       p->lineno, p->data.s + o.key);
		add_pair(p, &o);
		ntags++;
	}
	if (s >= end || *s != ' ')
		return err_set(err, "line %ld: no fields (want 'measurement "
			       "field=value')", p->lineno);
	while (s < end && *s == ' ')
		s++;
	for (;;) {
		memset(&o, 0, sizeof(o));
		o.key = token(p, &s, end, "=, ");
		if (s >= end || *s != '=' || p->data.s[o.key] == '\0')
			return err_set(err, "line %ld: bad field (want "
				       "key=value)", p->lineno);
		s++;
		if (field_value(p, &s, end, &o, err) < 0)
			return -1;
		add_pair(p, &o);
		if (s < end && *s == ',') {
			s++;
			continue;
		}
		break;
	}
	while (s < end && *s == ' ')
		s++;
	if (s < end) {
		if (parse_time(p, &s, end, pt, err) < 0)
			return -1;
		while (s < end && *s == ' ')
			s++;
		if (s < end)
			return err_set(err, "line %ld: text after the timestamp",
				       p->lineno);
	}
	for (i = 0; i < p->npairs; i++) {
		p->pairs[i].key = p->data.s + (uintptr_t)p->pairs[i].key;
		p->pairs[i].val = p->data.s + (uintptr_t)p->pairs[i].val;
	}
	pt->measurement = p->data.s + meas;
	pt->tags = p->pairs;
	pt->ntags = ntags;
	pt->fields = p->pairs + ntags;
	pt->nfields = p->npairs - ntags;
	return 1;
}

/* Rows: the point's pairs as parallel arrays, which grow as needed. */
struct lp_rows {
	struct ingest_parser base;
	struct lp_parser p;
	const char **cols, **vals;
	size_t *lens;
	enum ingest_kind *kinds;
	size_t alloc;
};

static enum ingest_kind kind_of(enum lp_kind k)
{
	switch (k) {
	case LP_FLOAT:
		return INGEST_REAL;
	case LP_STRING:
		return INGEST_TEXT;
	default:
		return INGEST_INT; /* integers and booleans */
	}
}

static int rows_next(struct ingest_parser *base, struct ingest_row *row,
		     struct hearth_err *err)
{
	struct lp_rows *r = (struct lp_rows *)base;
	struct lp_point pt;
	size_t i, n;
	int rc = lp_next(&r->p, &pt, err);

	if (rc <= 0) {
		base->failed_at = r->p.lineno;
		return rc;
	}
	n = pt.ntags + pt.nfields;
	if (n > r->alloc) {
		r->alloc = n * 2;
		r->cols = xreallocarray(r->cols, r->alloc, sizeof(*r->cols));
		r->vals = xreallocarray(r->vals, r->alloc, sizeof(*r->vals));
		r->lens = xreallocarray(r->lens, r->alloc, sizeof(*r->lens));
		r->kinds = xreallocarray(r->kinds, r->alloc, sizeof(*r->kinds));
	}
	/* Tags and fields are one array: fields follow the tags. */
	for (i = 0; i < n; i++) {
		r->cols[i] = pt.tags[i].key;
		r->vals[i] = pt.tags[i].val;
		r->lens[i] = pt.tags[i].vlen;
		r->kinds[i] = i < pt.ntags ? INGEST_TEXT : kind_of(pt.tags[i].kind);
	}
	memset(row, 0, sizeof(*row));
	row->table = pt.measurement;
	row->cols = r->cols;
	row->vals = r->vals;
	row->lens = r->lens;
	row->kinds = r->kinds;
	row->ncols = n;
	row->has_time = pt.has_time;
	row->time = pt.time;
	row->at = pt.line;
	return 1;
}

static void rows_free(struct ingest_parser *base)
{
	struct lp_rows *r = (struct lp_rows *)base;

	lp_release(&r->p);
	free(r->cols);
	free(r->vals);
	free(r->lens);
	free(r->kinds);
	free(r);
}

static const struct ingest_parser_ops lp_rows_ops = {
	"line", rows_next, rows_free,
};

struct ingest_parser *lp_rows(struct ingest_src *src,
			      enum lp_precision precision)
{
	struct lp_rows *r = xcalloc(1, sizeof(*r));

	r->base.ops = &lp_rows_ops;
	r->base.src = src;
	lp_init(&r->p, src, precision);
	return &r->base;
}
