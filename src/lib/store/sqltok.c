#include "store/sqltok.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/xalloc.h"

/* The end of the comment at p ("-- ..." up to its newline, or a block
 * comment, unterminated ones to the end); p itself when none starts
 * there. */
static const char *skip_comment(const char *p)
{
	const char *e;

	if (p[0] == '-' && p[1] == '-')
		return p + strcspn(p, "\n");
	if (p[0] == '/' && p[1] == '*') {
		e = strstr(p + 2, "*/");
		return e ? e + 2 : p + strlen(p);
	}
	return p;
}

static const char *skip_space(const char *p)
{
	const char *e;

	for (;;) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if ((e = skip_comment(p)) == p)
			return p;
		p = e;
	}
}

/* A quoted token ends at its closing quote; a doubled quote is part of
 * it.  An unterminated one runs to the end of the input. */
static const char *skip_quoted(const char *p, char close)
{
	p++;
	while (*p) {
		if (*p == close) {
			if (close != ']' && p[1] == close) {
				p += 2;
				continue;
			}
			return p + 1;
		}
		p++;
	}
	return p;
}

/* The token at s, which is no space and no comment. */
static const char *token(const char *s, struct sqltok *t)
{
	unsigned char c = (unsigned char)*s;
	const char *p;

	t->p = s;
	if (!c) {
		t->kind = SQLTOK_END;
		t->n = 0;
		return s;
	}
	if (c == '\'') {
		t->kind = SQLTOK_STRING;
		p = skip_quoted(s, '\'');
	} else if (c == '"' || c == '`') {
		t->kind = SQLTOK_QIDENT;
		p = skip_quoted(s, (char)c);
	} else if (c == '[') {
		t->kind = SQLTOK_QIDENT;
		p = skip_quoted(s, ']');
	} else if (isdigit(c) || (c == '.' && isdigit((unsigned char)s[1]))) {
		t->kind = SQLTOK_NUMBER;
		p = s;
		while (isalnum((unsigned char)*p) || *p == '.' ||
		       ((*p == '+' || *p == '-') && (p[-1] == 'e' || p[-1] == 'E')))
			p++;
	} else if (isalpha(c) || c == '_' || c >= 0x80) {
		t->kind = SQLTOK_WORD;
		p = s;
		while (isalnum((unsigned char)*p) || *p == '_' || *p == '$' ||
		       (unsigned char)*p >= 0x80)
			p++;
	} else {
		t->kind = SQLTOK_PUNCT;
		p = s + 1;
		/* (strchr finds the terminating NUL too) */
		if (strchr("<>!=|", c) && s[1] && strchr("<>=|", s[1]))
			p++;
	}
	t->n = (size_t)(p - s);
	return p;
}

const char *sqltok_next(const char *p, struct sqltok *t)
{
	return token(skip_space(p), t);
}

const char *sqltok_next_all(const char *p, struct sqltok *t)
{
	const char *e;

	while (*p && isspace((unsigned char)*p))
		p++;
	if ((e = skip_comment(p)) == p)
		return token(p, t);
	t->kind = SQLTOK_COMMENT;
	t->p = p;
	t->n = (size_t)(e - p);
	return e;
}

char *sqltok_ident(const struct sqltok *t)
{
	struct buf b = BUF_INIT;
	size_t i, end = t->n;
	char q;

	if (t->kind != SQLTOK_QIDENT)
		return xstrndup(t->p, t->n);
	q = t->p[0] == '[' ? ']' : t->p[0];
	if (t->n >= 2 && t->p[t->n - 1] == q)
		end = t->n - 1;
	for (i = 1; i < end; i++) {
		if (q != ']' && t->p[i] == q && i + 1 < end && t->p[i + 1] == q)
			i++;
		buf_addch(&b, t->p[i]);
	}
	if (!b.s)
		buf_addstr(&b, "");
	return buf_detach(&b, NULL);
}

int sqltok_is(const struct sqltok *t, const char *w)
{
	char *id;
	int r;

	if (t->kind == SQLTOK_WORD)
		return t->n == strlen(w) && !strncasecmp(t->p, w, t->n);
	if (t->kind != SQLTOK_QIDENT)
		return 0;
	id = sqltok_ident(t);
	r = !strcasecmp(id, w);
	free(id);
	return r;
}

static void add_lower(struct buf *b, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf_addch(b, (char)tolower((unsigned char)p[i]));
}

/* Strip one pair of parentheses enclosing the whole text, so `(0)` and
 * `0`, `CHECK ((x > 0))` and `CHECK (x > 0)` compare equal. */
static void strip_outer_parens(struct buf *b)
{
	size_t i, depth = 0;

	while (b->len >= 4 && !strncmp(b->s, "( ", 2) &&
	       !strcmp(b->s + b->len - 2, " )")) {
		for (i = 0; i < b->len; i++) {
			if (b->s[i] == '(')
				depth++;
			else if (b->s[i] == ')' && --depth == 0 && i + 1 < b->len)
				return; /* "(a) + (b)": not one pair */
		}
		memmove(b->s, b->s + 2, b->len - 4);
		buf_truncate(b, b->len - 4);
	}
}

char *sqltok_normalize(const char *sql)
{
	struct buf b = BUF_INIT;
	struct sqltok t;
	const char *p = sql ? sql : "";
	char *id;

	for (p = sqltok_next(p, &t); t.kind != SQLTOK_END;
	     p = sqltok_next(p, &t)) {
		if (b.len)
			buf_addch(&b, ' ');
		switch (t.kind) {
		case SQLTOK_QIDENT:
			id = sqltok_ident(&t);
			add_lower(&b, id, strlen(id));
			free(id);
			break;
		case SQLTOK_WORD:
		case SQLTOK_PUNCT:
			add_lower(&b, t.p, t.n);
			break;
		default:
			buf_add(&b, t.p, t.n);
		}
	}
	if (!b.s)
		buf_addstr(&b, "");
	strip_outer_parens(&b);
	return buf_detach(&b, NULL);
}

int sqltok_mentions(const char *sql, const char *name)
{
	struct sqltok t;
	const char *p = sql ? sql : "";

	for (p = sqltok_next(p, &t); t.kind != SQLTOK_END;
	     p = sqltok_next(p, &t))
		if ((t.kind == SQLTOK_WORD || t.kind == SQLTOK_QIDENT) &&
		    sqltok_is(&t, name))
			return 1;
	return 0;
}

char *sqltok_create_rename(const char *sql, const char *newname)
{
	struct sqltok t;
	const char *p = sqltok_next(sql, &t), *q;
	struct buf b = BUF_INIT;

	if (!sqltok_is(&t, "CREATE"))
		return NULL;
	/* CREATE [TEMP] [UNIQUE] TABLE|INDEX [IF NOT EXISTS] name */
	do {
		p = sqltok_next(p, &t);
	} while (t.kind == SQLTOK_WORD &&
		 (sqltok_is(&t, "TEMP") || sqltok_is(&t, "TEMPORARY") ||
		  sqltok_is(&t, "UNIQUE")));
	if (!sqltok_is(&t, "TABLE") && !sqltok_is(&t, "INDEX"))
		return NULL;
	p = sqltok_next(p, &t);
	if (sqltok_is(&t, "IF")) {
		p = sqltok_next(p, &t); /* NOT */
		p = sqltok_next(p, &t); /* EXISTS */
		p = sqltok_next(p, &t);
	}
	if (t.kind != SQLTOK_WORD && t.kind != SQLTOK_QIDENT)
		return NULL;
	q = t.p;
	/* schema.name: the whole dotted name goes */
	{
		struct sqltok d;
		const char *r = sqltok_next(p, &d);
		if (d.kind == SQLTOK_PUNCT && *d.p == '.') {
			r = sqltok_next(r, &d);
			p = r;
		}
	}
	buf_add(&b, sql, (size_t)(q - sql));
	buf_addch(&b, '"');
	for (q = newname; *q; q++) {
		if (*q == '"')
			buf_addch(&b, '"');
		buf_addch(&b, *q);
	}
	buf_addch(&b, '"');
	buf_addstr(&b, p);
	return buf_detach(&b, NULL);
}

static void add_quoted(struct buf *b, const char *name)
{
	buf_addch(b, '"');
	for (; *name; name++) {
		if (*name == '"')
			buf_addch(b, '"');
		buf_addch(b, *name);
	}
	buf_addch(b, '"');
}

char *sqltok_index_retable(const char *sql, const char *table)
{
	struct sqltok t, d;
	const char *p = sql, *q, *r;
	struct buf b = BUF_INIT;

	for (p = sqltok_next(p, &t); t.kind != SQLTOK_END &&
	     !(t.kind == SQLTOK_WORD && sqltok_is(&t, "ON"));
	     p = sqltok_next(p, &t))
		if (t.kind == SQLTOK_PUNCT && *t.p == '(')
			return NULL;
	if (t.kind == SQLTOK_END)
		return NULL;
	p = sqltok_next(p, &t);
	if (t.kind != SQLTOK_WORD && t.kind != SQLTOK_QIDENT)
		return NULL;
	q = t.p;
	r = sqltok_next(p, &d);
	if (d.kind == SQLTOK_PUNCT && *d.p == '.') {
		r = sqltok_next(r, &d);
		p = r;
	}
	buf_add(&b, sql, (size_t)(q - sql));
	add_quoted(&b, table);
	buf_addstr(&b, p);
	return buf_detach(&b, NULL);
}

int sqltok_table_items(const char *sql,
		       void (*fn)(void *ctx, const char *p, size_t n,
				  int constraint),
		       void *ctx)
{
	struct sqltok t;
	const char *p = sql, *start = NULL, *last = NULL;
	int depth = 0;

	/* An item runs from its first token to the end of its last one, so
	 * a comment before the comma is not part of it. */
	for (p = sqltok_next(p, &t); t.kind != SQLTOK_END;
	     p = sqltok_next(p, &t)) {
		int delim = t.kind == SQLTOK_PUNCT && depth == 1 &&
			    (*t.p == ')' || *t.p == ',');
		if (delim) {
			struct sqltok f;
			const char *s = skip_space(start);
			sqltok_next(s, &f);
			if (last && last > s)
				fn(ctx, s, (size_t)(last - s),
				   sqltok_is(&f, "CONSTRAINT") ||
					   sqltok_is(&f, "PRIMARY") ||
					   sqltok_is(&f, "UNIQUE") ||
					   sqltok_is(&f, "CHECK") ||
					   sqltok_is(&f, "FOREIGN"));
			start = p;
			last = NULL;
			if (*t.p == ')')
				return 0;
			continue;
		}
		if (t.kind == SQLTOK_PUNCT && *t.p == '(' && depth++ == 0) {
			start = p;
			last = NULL;
			continue;
		}
		if (t.kind == SQLTOK_PUNCT && *t.p == ')')
			depth--;
		last = p;
	}
	return -1;
}

const char *sqltok_table_tail(const char *sql)
{
	struct sqltok t;
	const char *p = sql;
	int depth = 0;

	for (p = sqltok_next(p, &t); t.kind != SQLTOK_END;
	     p = sqltok_next(p, &t)) {
		if (t.kind != SQLTOK_PUNCT)
			continue;
		if (*t.p == '(')
			depth++;
		else if (*t.p == ')' && --depth == 0)
			return p;
	}
	return p;
}

void sqltok_checks(const char *p, size_t n, char ***v, size_t *nv)
{
	char *text = xstrndup(p, n);
	struct sqltok t;
	const char *q = text;

	for (q = sqltok_next(q, &t); t.kind != SQLTOK_END;
	     q = sqltok_next(q, &t)) {
		const char *start;
		int depth = 0;

		if (t.kind != SQLTOK_WORD || !sqltok_is(&t, "CHECK"))
			continue;
		q = sqltok_next(q, &t);
		if (t.kind != SQLTOK_PUNCT || *t.p != '(')
			continue;
		start = q;
		depth = 1;
		while (depth > 0) {
			q = sqltok_next(q, &t);
			if (t.kind == SQLTOK_END)
				break;
			if (t.kind == SQLTOK_PUNCT && *t.p == '(')
				depth++;
			else if (t.kind == SQLTOK_PUNCT && *t.p == ')')
				depth--;
		}
		if (depth)
			break;
		start = skip_space(start);
		*v = xreallocarray(*v, *nv + 1, sizeof(char *));
		(*v)[(*nv)++] = xstrndup(start, (size_t)(t.p - start));
	}
	free(text);
}

/* The end of the dollar-quoted string ($tag$ ... $tag$) that starts at
 * p, or NULL when p starts none ($1, a parameter, starts none). */
static const char *skip_dollar(const char *p)
{
	const char *q = p + 1, *e;
	size_t len;

	if (isdigit((unsigned char)*q))
		return NULL;
	while (isalnum((unsigned char)*q) || *q == '_' ||
	       (unsigned char)*q >= 0x80)
		q++;
	if (*q != '$')
		return NULL;
	len = (size_t)(q - p) + 1;
	for (e = q + 1; (e = strchr(e, '$')); e++)
		if (!strncmp(e, p, len))
			return e + len;
	return p + strlen(p);
}

const char *sqltok_statement(const char *p, const char **start, size_t *n)
{
	struct sqltok t;
	const char *last = NULL, *d;

	*start = NULL;
	for (;;) {
		p = sqltok_next(p, &t);
		if (t.kind == SQLTOK_PUNCT && *t.p == '$' &&
		    (d = skip_dollar(t.p)))
			p = d;
		else if (t.kind == SQLTOK_END ||
			 (t.kind == SQLTOK_PUNCT && *t.p == ';')) {
			if (*start) {
				*n = (size_t)(last - *start);
				return p;
			}
			if (t.kind == SQLTOK_END)
				return NULL;
			continue;
		}
		if (!*start)
			*start = t.p;
		last = p;
	}
}

const char *sqltok_tx_control(const char *sql)
{
	static const char *const words[] = { "BEGIN", "COMMIT", "END",
					     "ROLLBACK", "SAVEPOINT",
					     "RELEASE", "VACUUM" };
	struct sqltok t;
	const char *p = sql;
	int start = 1, in_trigger = 0, n = 0;
	size_t i;

	/* A trigger body's BEGIN ... END is not a transaction: inside
	 * CREATE TRIGGER only the END that closes it counts. */
	for (p = sqltok_next(p, &t); t.kind != SQLTOK_END;
	     p = sqltok_next(p, &t), n++) {
		if (t.kind == SQLTOK_PUNCT && *t.p == ';') {
			start = 1;
			n = -1;
			continue;
		}
		if (t.kind == SQLTOK_WORD && sqltok_is(&t, "TRIGGER") && n <= 2)
			in_trigger = 1;
		if (start && t.kind == SQLTOK_WORD) {
			if (in_trigger) {
				if (sqltok_is(&t, "END"))
					in_trigger = 0;
			} else {
				for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
					if (sqltok_is(&t, words[i]))
						return words[i];
			}
		}
		start = 0;
	}
	return NULL;
}
