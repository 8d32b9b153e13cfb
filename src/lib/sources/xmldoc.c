/*
 * xmldoc.c - a strict reader of small XML documents (see xmldoc.h).
 */
#include "sources/xmldoc.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xalloc.h"

struct rd {
	const char *s, *p, *end;
	struct xmldoc *d;
	int stack[XMLDOC_MAX_DEPTH];
	struct buf text[XMLDOC_MAX_DEPTH]; /* each open element's own text */
	const char *qname[XMLDOC_MAX_DEPTH]; /* as written, for the end tag */
	size_t qlen[XMLDOC_MAX_DEPTH];
	int depth;
	struct hearth_err *err;
};

static int line_of(const struct rd *r)
{
	int line = 1;
	const char *q;

	for (q = r->s; q < r->p; q++)
		line += *q == '\n';
	return line;
}

static int bad(struct rd *r, const char *what)
{
	return err_set(r->err, "line %d: %s", line_of(r), what);
}

static int is_name_ch(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
	       c == ':' || (unsigned char)c >= 0x80;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void put_utf8(struct buf *b, unsigned long c)
{
	char u[4];

	if (c < 0x80) {
		buf_addch(b, (char)c);
	} else if (c < 0x800) {
		u[0] = (char)(0xc0 | (c >> 6));
		u[1] = (char)(0x80 | (c & 0x3f));
		buf_add(b, u, 2);
	} else if (c < 0x10000) {
		u[0] = (char)(0xe0 | (c >> 12));
		u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | (c >> 18));
		u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		buf_add(b, u, 4);
	}
}

/* Text up to the next '<', entities read, into b (NULL: outside the
 * root, where only blanks may stand). */
static int text(struct rd *r, struct buf *b)
{
	static const struct { const char *e; char c; } ents[] = {
		{ "lt;", '<' }, { "gt;", '>' }, { "amp;", '&' },
		{ "quot;", '"' }, { "apos;", '\'' },
	};

	while (r->p < r->end && *r->p != '<') {
		char c = *r->p;
		size_t i;

		if (!b && !is_space(c))
			return bad(r, "text outside the root element");
		if (c != '&') {
			if (b)
				buf_addch(b, c);
			r->p++;
			continue;
		}
		r->p++;
		if (r->p < r->end && *r->p == '#') {
			int hex = r->p + 1 < r->end && r->p[1] == 'x';
			const char *e = r->p + 1 + hex, *d0 = e;
			unsigned long v = 0;
			for (; e < r->end && v <= 0x10ffff; e++) {
				int dv = *e >= '0' && *e <= '9' ? *e - '0'
					 : hex && *e >= 'a' && *e <= 'f' ? *e - 'a' + 10
					 : hex && *e >= 'A' && *e <= 'F' ? *e - 'A' + 10
					 : -1;
				if (dv < 0)
					break;
				v = v * (hex ? 16 : 10) + (unsigned long)dv;
			}
			if (e == d0 || e >= r->end || *e != ';' || v == 0 ||
			    v > 0x10ffff)
				return bad(r, "bad character reference");
			put_utf8(b, v);
			r->p = e + 1;
			continue;
		}
		for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
			size_t n = strlen(ents[i].e);
			if ((size_t)(r->end - r->p) >= n &&
			    !memcmp(r->p, ents[i].e, n)) {
				buf_addch(b, ents[i].c);
				r->p += n;
				break;
			}
		}
		if (i == sizeof(ents) / sizeof(ents[0]))
			return bad(r, "unknown entity (only &lt; &gt; &amp; "
				   "&quot; &apos; and &#N; are read)");
	}
	return 0;
}

/* Skip to after `close`; -1 when the document ends first. */
static int skip_past(struct rd *r, const char *close, const char *what)
{
	size_t n = strlen(close);

	for (; r->p + n <= r->end; r->p++)
		if (!memcmp(r->p, close, n)) {
			r->p += n;
			return 0;
		}
	return bad(r, what);
}

/* Attributes up to '>' or "/>": checked for form, not kept. */
static int attributes(struct rd *r, int *empty)
{
	for (;;) {
		char q;
		while (r->p < r->end && is_space(*r->p))
			r->p++;
		if (r->p >= r->end)
			return bad(r, "unclosed tag");
		if (*r->p == '>') {
			r->p++;
			*empty = 0;
			return 0;
		}
		if (*r->p == '/' && r->p + 1 < r->end && r->p[1] == '>') {
			r->p += 2;
			*empty = 1;
			return 0;
		}
		if (!is_name_ch(*r->p))
			return bad(r, "bad attribute");
		while (r->p < r->end && is_name_ch(*r->p))
			r->p++;
		while (r->p < r->end && is_space(*r->p))
			r->p++;
		if (r->p >= r->end || *r->p != '=')
			return bad(r, "attribute without a value");
		r->p++;
		while (r->p < r->end && is_space(*r->p))
			r->p++;
		if (r->p >= r->end || (*r->p != '"' && *r->p != '\''))
			return bad(r, "attribute value without quotes");
		q = *r->p++;
		while (r->p < r->end && *r->p != q && *r->p != '<')
			r->p++;
		if (r->p >= r->end || *r->p != q)
			return bad(r, "unterminated attribute value");
		r->p++;
	}
}

static void trim_into(char **dst, struct buf *b)
{
	const char *s = buf_cstr(b);
	size_t n = b->len;

	while (n && is_space(*s)) {
		s++;
		n--;
	}
	while (n && is_space(s[n - 1]))
		n--;
	*dst = xstrndup(s, n);
	buf_reset(b);
}

static int open_tag(struct rd *r)
{
	const char *q = r->p, *local;
	struct xmldoc_node *nd;
	size_t qlen;
	int empty = 0;

	while (r->p < r->end && is_name_ch(*r->p))
		r->p++;
	qlen = (size_t)(r->p - q);
	if (r->p == q)
		return bad(r, "bad tag");
	if (r->depth == 0 && r->d->n)
		return bad(r, "a second root element");
	if (r->depth >= XMLDOC_MAX_DEPTH)
		return bad(r, "elements nested too deep");
	if (r->d->n >= XMLDOC_MAX_NODES)
		return bad(r, "too many elements");
	local = memchr(q, ':', (size_t)(r->p - q));
	local = local ? local + 1 : q;
	if (r->d->n == r->d->alloc) {
		r->d->alloc = r->d->alloc ? r->d->alloc * 2 : 32;
		r->d->nodes = xreallocarray(r->d->nodes, r->d->alloc,
					    sizeof(*r->d->nodes));
	}
	nd = &r->d->nodes[r->d->n];
	nd->name = xstrndup(local, (size_t)(q + qlen - local));
	nd->text = NULL;
	nd->parent = r->depth ? r->stack[r->depth - 1] : -1;
	nd->depth = r->depth;
	r->d->n++;
	if (attributes(r, &empty) < 0)
		return -1;
	if (empty) {
		nd->text = xstrdup("");
		return 0;
	}
	r->stack[r->depth] = (int)r->d->n - 1;
	r->qname[r->depth] = q;
	r->qlen[r->depth] = qlen;
	r->depth++;
	return 0;
}

static int close_tag(struct rd *r)
{
	const char *q = r->p;
	size_t n;

	while (r->p < r->end && is_name_ch(*r->p))
		r->p++;
	n = (size_t)(r->p - q);
	while (r->p < r->end && is_space(*r->p))
		r->p++;
	if (r->p >= r->end || *r->p != '>')
		return bad(r, "unclosed end tag");
	r->p++;
	if (r->depth == 0)
		return bad(r, "an end tag without a start");
	r->depth--;
	if (n != r->qlen[r->depth] || memcmp(q, r->qname[r->depth], n))
		return bad(r, "end tag does not match its start tag");
	trim_into(&r->d->nodes[r->stack[r->depth]].text, &r->text[r->depth]);
	return 0;
}

static int parse(struct rd *r)
{
	while (r->p < r->end) {
		if (text(r, r->depth ? &r->text[r->depth - 1] : NULL) < 0)
			return -1;
		if (r->p >= r->end)
			break;
		r->p++; /* '<' */
		if (r->p >= r->end)
			return bad(r, "document ends inside a tag");
		if (*r->p == '?') {
			if (skip_past(r, "?>", "unclosed processing "
				      "instruction") < 0)
				return -1;
		} else if (r->end - r->p >= 3 && !memcmp(r->p, "!--", 3)) {
			if (skip_past(r, "-->", "unclosed comment") < 0)
				return -1;
		} else if (r->end - r->p >= 8 &&
			   !memcmp(r->p, "![CDATA[", 8)) {
			const char *c = r->p + 8;
			if (!r->depth)
				return bad(r, "CDATA outside the root element");
			if (skip_past(r, "]]>", "unclosed CDATA section") < 0)
				return -1;
			buf_add(&r->text[r->depth - 1], c,
				(size_t)(r->p - 3 - c));
		} else if (*r->p == '!') {
			return bad(r, "DOCTYPE and declarations are not "
				   "accepted");
		} else if (*r->p == '/') {
			r->p++;
			if (close_tag(r) < 0)
				return -1;
		} else if (open_tag(r) < 0) {
			return -1;
		}
	}
	if (r->depth)
		return bad(r, "document ends before its elements do");
	if (!r->d->n)
		return bad(r, "no root element");
	return 0;
}

int xmldoc_parse(struct xmldoc *d, const char *s, size_t len,
		 struct hearth_err *err)
{
	struct rd r;
	size_t i;
	int rc;

	memset(&r, 0, sizeof(r));
	r.s = r.p = s;
	r.end = s + len;
	r.d = d;
	r.err = err;
	if (len > XMLDOC_MAX_BYTES)
		return err_set(err, "document longer than %d bytes",
			       XMLDOC_MAX_BYTES);
	if (memchr(s, '\0', len))
		return err_set(err, "document holds a NUL byte");
	rc = parse(&r);
	for (i = 0; i < XMLDOC_MAX_DEPTH; i++)
		buf_release(&r.text[i]);
	/* Elements still open on error have no text yet. */
	for (i = 0; i < d->n; i++)
		if (!d->nodes[i].text)
			d->nodes[i].text = xstrdup("");
	if (rc < 0)
		xmldoc_release(d);
	return rc;
}

void xmldoc_release(struct xmldoc *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->nodes[i].name);
		free(d->nodes[i].text);
	}
	free(d->nodes);
	d->nodes = NULL;
	d->n = d->alloc = 0;
}

static int below(const struct xmldoc *d, size_t i, int in)
{
	return in < 0 || (d->nodes[i].depth > d->nodes[in].depth);
}

int xmldoc_next(const struct xmldoc *d, int in, int after, const char *name)
{
	size_t i;

	for (i = (size_t)(after + 1); i < d->n && below(d, i, in); i++)
		if (!strcmp(d->nodes[i].name, name))
			return (int)i;
	return -1;
}

int xmldoc_find(const struct xmldoc *d, int in, const char *name)
{
	return xmldoc_next(d, in, in, name);
}

const char *xmldoc_child_text(const struct xmldoc *d, int in,
			      const char *name)
{
	size_t i;

	for (i = (size_t)(in + 1); i < d->n && below(d, i, in); i++)
		if (d->nodes[i].parent == in && !strcmp(d->nodes[i].name, name))
			return d->nodes[i].text;
	return NULL;
}
