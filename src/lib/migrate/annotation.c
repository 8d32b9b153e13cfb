/*
 * annotation.c - read schema.sql's rename annotations, and match them
 * with the live database.
 *
 * One pass over the tokens, comments included (sqltok_next_all): the
 * statement and the item of a CREATE TABLE body each token is in are
 * followed as the tokens go by, so a comment knows what is on its line
 * before it and what starts on the line after it.
 */
#include "migrate/annotation.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/sqltok.h"
#include "base/xalloc.h"

/* Annotations on comment lines of their own, waiting for the column or
 * CREATE TABLE that starts on the next line. */
struct pending {
	char *from;
	int line;
};

struct reader {
	const char *file;
	struct annotations *out;
	struct hearth_err *err;
	const char *pos;   /* line counting has reached here */
	int line;          /* the line of pos */
	int last_line;     /* where the last SQL token ended; 0: none yet */
	int next_stmt;     /* the next SQL token starts a statement */
	char *table;       /* the CREATE TABLE the statement is, or NULL */
	int table_line;
	const char *body;  /* the '(' that opens its body, NULL: none */
	int depth;         /* of parentheses within the statement */
	int item_next;     /* the next token starts an item of the body */
	int item_line;     /* 0: no item started yet */
	char *item;        /* the item's column; NULL for a constraint */
	struct pending *wait;
	size_t nwait;
	int wait_end;      /* the last line of the comments waiting */
};

static int line_at(struct reader *r, const char *p)
{
	for (; r->pos < p; r->pos++)
		r->line += *r->pos == '\n';
	return r->line;
}

static int word_at(const char **q, const char *w)
{
	size_t n = strlen(w);

	if (strncasecmp(*q, w, n) || isalnum((unsigned char)(*q)[n]) ||
	    (*q)[n] == '_')
		return 0;
	*q += n;
	while (isspace((unsigned char)**q))
		(*q)++;
	return 1;
}

/* A comment that says "renamed from NAME" or "@renamed from=NAME":
 * 1 with *from (malloc'd); 0 for any other comment; -1 when it names
 * nothing. */
static int parse_comment(const struct sqltok *t, char **from)
{
	char *text = xstrndup(t->p + 2, t->n - 2);
	const char *q = text;
	struct sqltok name;
	size_t n = strlen(text);
	int ret = 0;

	if (t->p[0] == '/' && n >= 2 && !strcmp(text + n - 2, "*/"))
		text[n - 2] = '\0';
	while (isspace((unsigned char)*q))
		q++;
	if (*q == '@')
		q++;
	if (!word_at(&q, "renamed") || !word_at(&q, "from"))
		goto out;
	if (*q == '=')
		q++;
	sqltok_next(q, &name);
	ret = -1;
	if (name.kind == SQLTOK_WORD || name.kind == SQLTOK_QIDENT) {
		*from = sqltok_ident(&name);
		ret = 1;
	}
out:
	free(text);
	return ret;
}

static int misplaced(struct reader *r, int line)
{
	return err_set(r->err, "%s line %d: a 'renamed from' annotation goes "
		       "on (or just above) a column's line or a CREATE TABLE "
		       "line", r->file, line);
}

/* Record that column (NULL: the table itself) was called from. */
static int add(struct reader *r, const char *column, char *from, int line)
{
	struct annotation *a;
	size_t i;

	for (i = 0; i < r->out->n; i++) {
		a = &r->out->v[i];
		if (strcasecmp(a->table, r->table) || !a->column != !column ||
		    (column && strcasecmp(a->column, column)))
			continue;
		err_set(r->err, "%s line %d: %s%s%s is already renamed from "
			"'%s' (line %d)", r->file, line, r->table,
			column ? "." : "", column ? column : "", a->from,
			a->line);
		free(from);
		return -1;
	}
	r->out->v = xreallocarray(r->out->v, r->out->n + 1, sizeof(*a));
	a = &r->out->v[r->out->n++];
	a->table = xstrdup(r->table);
	a->column = column ? xstrdup(column) : NULL;
	a->from = from;
	a->line = line;
	return 0;
}

/* An annotation after SQL on its line: the column whose item is there,
 * else the table (on its CREATE TABLE line, or one all on that line). */
static int trailing(struct reader *r, char *from, int line)
{
	if (!r->table) {
		free(from);
		return misplaced(r, line);
	}
	if (r->item_line && !(r->depth == 0 && r->table_line == line)) {
		if (!r->item) {
			free(from);
			return misplaced(r, line);
		}
		return add(r, r->item, from, line);
	}
	return add(r, NULL, from, line);
}

/* The waiting annotations go with what token t starts: what (1 a
 * table, 2 an item), or nothing (0). */
static int settle(struct reader *r, int what, int line)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < r->nwait; i++) {
		struct pending *w = &r->wait[i];
		if (ret < 0 || !what || line > r->wait_end + 1 ||
		    (what == 2 && !r->item)) {
			if (ret == 0)
				ret = misplaced(r, w->line);
			free(w->from);
		} else {
			ret = add(r, what == 2 ? r->item : NULL, w->from, w->line);
		}
	}
	r->nwait = 0;
	return ret;
}

/* The statement starting with CREATE at p (after the CREATE): its table
 * and the '(' of its body when it is a CREATE TABLE. */
static void create_table(struct reader *r, const char *p)
{
	struct sqltok t;

	p = sqltok_next(p, &t);
	if (sqltok_is(&t, "TEMP") || sqltok_is(&t, "TEMPORARY"))
		p = sqltok_next(p, &t);
	if (!sqltok_is(&t, "TABLE"))
		return;
	p = sqltok_next(p, &t);
	if (sqltok_is(&t, "IF")) {
		p = sqltok_next(p, &t); /* NOT */
		p = sqltok_next(p, &t); /* EXISTS */
		p = sqltok_next(p, &t);
	}
	for (;;) {
		struct sqltok dot;
		const char *q;
		if (t.kind != SQLTOK_WORD && t.kind != SQLTOK_QIDENT)
			return;
		q = sqltok_next(p, &dot);
		if (dot.kind != SQLTOK_PUNCT || *dot.p != '.')
			break;
		p = sqltok_next(q, &t); /* schema.name: the name */
	}
	free(r->table);
	r->table = sqltok_ident(&t);
	p = sqltok_next(p, &t);
	r->body = t.kind == SQLTOK_PUNCT && *t.p == '(' ? t.p : NULL;
}

static void new_statement(struct reader *r)
{
	free(r->table);
	free(r->item);
	r->table = r->item = NULL;
	r->body = NULL;
	r->depth = 0;
	r->item_next = 0;
	r->item_line = 0;
	r->next_stmt = 0;
}

/* One SQL token (not a comment) at line: what it starts, then where it
 * leaves the statement. */
static int sql_token(struct reader *r, const struct sqltok *t, const char *p,
		     int line)
{
	int what = 0;

	if (r->next_stmt) {
		new_statement(r);
		if (sqltok_is(t, "CREATE") && t->kind == SQLTOK_WORD) {
			create_table(r, p);
			r->table_line = line;
			what = r->table ? 1 : 0;
		}
	} else if (r->item_next && r->depth == 1) {
		free(r->item);
		r->item = NULL;
		if (!(sqltok_is(t, "CONSTRAINT") || sqltok_is(t, "PRIMARY") ||
		      sqltok_is(t, "UNIQUE") || sqltok_is(t, "CHECK") ||
		      sqltok_is(t, "FOREIGN")) || t->kind == SQLTOK_QIDENT)
			r->item = sqltok_ident(t);
		r->item_line = line;
		r->item_next = 0;
		what = 2;
	}
	if (r->nwait && settle(r, what, line) < 0)
		return -1;
	if (t->kind == SQLTOK_PUNCT) {
		if (*t->p == '(' && r->depth++ == 0 && t->p == r->body)
			r->item_next = 1;
		else if (*t->p == ')' && r->depth > 0)
			r->depth--;
		else if (*t->p == ',' && r->depth == 1 && r->body)
			r->item_next = 1;
		else if (*t->p == ';' && r->depth == 0)
			r->next_stmt = 1;
	}
	r->last_line = line_at(r, t->p + t->n);
	return 0;
}

static int comment(struct reader *r, const struct sqltok *t, int line)
{
	char *from = NULL;
	int rc = parse_comment(t, &from);
	int own_line = line != r->last_line;

	if (rc < 0)
		return err_set(r->err, "%s line %d: 'renamed from' names no "
			       "table or column", r->file, line);
	if (own_line) {
		/* a blank line between comments ends what waits */
		if (r->nwait && line != r->wait_end + 1 &&
		    settle(r, 0, line) < 0) {
			free(from);
			return -1;
		}
		r->wait_end = line_at(r, t->p + t->n);
	}
	if (!rc)
		return 0;
	if (!own_line)
		return trailing(r, from, line);
	r->wait = xreallocarray(r->wait, r->nwait + 1, sizeof(*r->wait));
	r->wait[r->nwait].from = from;
	r->wait[r->nwait++].line = line;
	return 0;
}

int annotation_read(const char *text, const char *file,
		    struct annotations *out, struct hearth_err *err)
{
	struct reader r;
	struct sqltok t;
	const char *p;
	int ret = 0;

	memset(&r, 0, sizeof(r));
	r.file = file;
	r.out = out;
	r.err = err;
	r.pos = text;
	r.line = 1;
	r.next_stmt = 1;
	out->v = NULL;
	out->n = 0;
	for (p = sqltok_next_all(text, &t); t.kind != SQLTOK_END && !ret;
	     p = sqltok_next_all(p, &t)) {
		int line = line_at(&r, t.p);
		ret = t.kind == SQLTOK_COMMENT ? comment(&r, &t, line)
					       : sql_token(&r, &t, p, line);
	}
	if (!ret && r.nwait)
		ret = settle(&r, 0, 0);
	while (r.nwait)
		free(r.wait[--r.nwait].from);
	free(r.wait);
	new_statement(&r);
	if (ret < 0)
		annotation_release(out);
	return ret;
}

void annotation_release(struct annotations *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		free(a->v[i].table);
		free(a->v[i].column);
		free(a->v[i].from);
	}
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

int annotation_resolve(const struct annotations *a, const char *file,
		       const struct schema *live, const struct schema *want,
		       struct diff_renames *out, struct hearth_err *err)
{
	size_t i, pass;
	int ret = 0;

	/* tables first: their columns are found through them */
	for (pass = 0; pass < 2 && !ret; pass++)
		for (i = 0; i < a->n && !ret; i++) {
			const struct annotation *x = &a->v[i];
			const struct schema_table *w, *l;
			const struct schema_column *wc;
			char *said;
			if (!x->column != !pass)
				continue;
			w = schema_find_table(want, x->table);
			wc = w && x->column ? schema_find_column(w, x->column)
					    : NULL;
			if (!w || (x->column && !wc))
				continue; /* not a table hearth sees */
			said = xasprintf("%s line %d", file, x->line);
			/* a new name the database has: renamed already */
			if (!x->column) {
				l = schema_find_table(live, x->from);
				if (schema_find_table(live, w->name))
					l = NULL;
				else if (!l)
					ret = err_set(err, "%s: renamed from "
						      "'%s': the database has "
						      "no such table", said,
						      x->from);
				if (l)
					diff_renames_add(out, l->name, w->name,
							 NULL, NULL, said);
			} else if (!(l = diff_table_from(out, live, w))) {
				/* (the table's own rename is in out by now) */
				ret = err_set(err, "%s: renamed from '%s': the "
					      "database has no table %s", said,
					      x->from, w->name);
			} else if (!schema_find_column(l, wc->name)) {
				const struct schema_column *lc =
					schema_find_column(l, x->from);
				if (!lc)
					ret = err_set(err, "%s: renamed from "
						      "'%s': table %s has no "
						      "such column", said,
						      x->from, l->name);
				else
					diff_renames_add(out, l->name, w->name,
							 lc->name, wc->name,
							 said);
			}
			free(said);
		}
	return ret;
}
