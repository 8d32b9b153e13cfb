/*
 * dump.c - a schema model as SQL statements (dump.h).
 */
#include "migrate/dump.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/sqltok.h"
#include "store/store.h"
#include "base/xalloc.h"

static int internal(const char *name)
{
	return !strncasecmp(name, "hearth_", 7);
}

/* sql as one statement: its own ";" and trailing space go, one ";" and a
 * newline end it. */
static void statement(struct buf *out, const char *sql)
{
	size_t n = strlen(sql);

	while (n && (sql[n - 1] == ';' || sql[n - 1] == ' ' ||
		     sql[n - 1] == '\n' || sql[n - 1] == '\t' ||
		     sql[n - 1] == '\r'))
		n--;
	buf_add(out, sql, n);
	buf_addstr(out, ";\n");
}

void dump_names(struct buf *out, char *const *names, size_t n)
{
	size_t i;

	buf_addch(out, '(');
	for (i = 0; i < n; i++) {
		buf_addstr(out, i ? ", " : "");
		store_quote_ident(out, names[i]);
	}
	buf_addch(out, ')');
}

/* "ON DELETE CASCADE" and the like; NO ACTION is what saying nothing
 * means. */
static void fk_action(struct buf *out, const char *on, const char *action)
{
	if (action && *action && strcasecmp(action, "NO ACTION"))
		buf_addf(out, " ON %s %s", on, action);
}

void dump_foreign_key(const struct schema_fk *fk, struct buf *out)
{
	size_t j;
	int named = 0;

	buf_addstr(out, "FOREIGN KEY ");
	dump_names(out, fk->from, fk->ncols);
	buf_addstr(out, " REFERENCES ");
	store_quote_ident(out, fk->ref_table);
	for (j = 0; j < fk->ncols; j++)
		named |= fk->to[j] != NULL;
	/* NULL entries: the parent's primary key, which names itself */
	if (named) {
		buf_addch(out, ' ');
		dump_names(out, fk->to, fk->ncols);
	}
	fk_action(out, "UPDATE", fk->on_update);
	fk_action(out, "DELETE", fk->on_delete);
}

/* One literal: a number (signed too), a string, a word such as NULL or
 * CURRENT_TIMESTAMP; DEFAULT takes anything else in parentheses, which
 * the model's defaults come without. */
static int literal(const char *sql)
{
	struct sqltok t;
	const char *p = sqltok_next(sql, &t);

	if (t.kind == SQLTOK_PUNCT && t.n == 1 && (*t.p == '-' || *t.p == '+')) {
		p = sqltok_next(p, &t);
		if (t.kind != SQLTOK_NUMBER)
			return 0;
	} else if (t.kind == SQLTOK_PUNCT || t.kind == SQLTOK_END) {
		return 0;
	}
	sqltok_next(p, &t);
	return t.kind == SQLTOK_END;
}

void dump_column(const struct schema_column *c, struct buf *out)
{
	store_quote_ident(out, c->name);
	if (*c->type)
		buf_addf(out, " %s", c->type);
	if (c->notnull)
		buf_addstr(out, " NOT NULL");
	if (c->dflt)
		dump_default(c->dflt, out);
}

void dump_default(const char *dflt, struct buf *out)
{
	buf_addf(out, literal(dflt) ? " DEFAULT %s" : " DEFAULT (%s)", dflt);
}

void dump_table(const struct schema *s, const struct schema_table *t,
		struct buf *out)
{
	dump_table_for(s, t, NULL, out);
}

void dump_table_for(const struct schema *s, const struct schema_table *t,
		    const struct store_sql *d, struct buf *out)
{
	const char *sep = "\n    ";
	size_t i, j, npk = 0;

	buf_addstr(out, "CREATE TABLE ");
	store_quote_ident(out, t->name);
	buf_addstr(out, " (");
	for (i = 0; i < t->ncols; i++) {
		struct schema_column c = t->cols[i];

		buf_addstr(out, sep);
		sep = ",\n    ";
		/* A copy's type (dump_table_for): only the name changes. */
		if (d)
			c.type = (char *)store_sql_column_type(d, c.type);
		dump_column(&c, out);
		npk += c.pk > 0;
	}
	if (npk) {
		buf_addf(out, "%sPRIMARY KEY (", sep);
		for (j = 1; j <= npk; j++)
			for (i = 0; i < t->ncols; i++)
				if (t->cols[i].pk == (int)j) {
					buf_addstr(out, j > 1 ? ", " : "");
					store_quote_ident(out, t->cols[i].name);
				}
		buf_addch(out, ')');
	}
	for (i = 0; i < s->nindexes; i++) {
		const struct schema_index *x = &s->indexes[i];
		if (x->origin != 'u' || strcasecmp(x->table, t->name))
			continue;
		buf_addf(out, "%sUNIQUE ", sep);
		dump_names(out, x->cols, x->ncols);
	}
	for (i = 0; i < t->nfks; i++) {
		buf_addstr(out, sep);
		dump_foreign_key(&t->fks[i], out);
	}
	for (i = 0; i < t->nchecks; i++)
		buf_addf(out, "%sCHECK (%s)", sep, t->checks[i]);
	buf_addstr(out, "\n)");
}

int dump_index(const struct schema_index *x, struct buf *out,
	       struct hearth_err *err)
{
	size_t i;

	for (i = 0; i < x->ncols; i++)
		if (!strcmp(x->cols[i], "<expression>"))
			return err_set(err, "index %s: on an expression the "
				       "database does not say", x->name);
	buf_addf(out, "CREATE %sINDEX ", x->unique ? "UNIQUE " : "");
	store_quote_ident(out, x->name);
	buf_addstr(out, " ON ");
	store_quote_ident(out, x->table);
	buf_addch(out, ' ');
	dump_names(out, x->cols, x->ncols);
	if (x->where)
		buf_addf(out, " WHERE %s", x->where);
	return 0;
}

/* t's foreign keys name only tables already written (done), itself, or
 * tables s does not have. */
static int parents_done(const struct schema *s, const struct schema_table *t,
			const char *done)
{
	size_t i;

	for (i = 0; i < t->nfks; i++) {
		const struct schema_table *p =
			schema_find_table(s, t->fks[i].ref_table);
		if (p && p != t && !done[p - s->tables])
			return 0;
	}
	return 1;
}

static int table_and_indexes(const struct schema *s,
			     const struct schema_table *t, struct buf *out,
			     struct hearth_err *err)
{
	size_t i;

	if (t->sql) {
		statement(out, t->sql);
	} else {
		dump_table(s, t, out);
		buf_addstr(out, ";\n");
	}
	for (i = 0; i < s->nindexes; i++) {
		const struct schema_index *x = &s->indexes[i];
		if (x->origin != 'c' || internal(x->name) ||
		    strcasecmp(x->table, t->name))
			continue;
		if (x->sql) {
			statement(out, x->sql);
		} else {
			if (dump_index(x, out, err) < 0)
				return -1;
			buf_addstr(out, ";\n");
		}
	}
	buf_addch(out, '\n');
	return 0;
}

/* v reads only views already written, itself, or no view. */
static int views_done(const struct schema *s, const struct schema_object *v,
		      const char *done)
{
	size_t i;

	for (i = 0; i < s->nviews; i++)
		if (&s->views[i] != v && !done[i] &&
		    sqltok_mentions(v->sql, s->views[i].name))
			return 0;
	return 1;
}

size_t dump_order(const struct schema *s, size_t *order)
{
	char *done = xcalloc(s->ntables + 1, 1);
	size_t i, n = 0, left;
	int force = 0;

	/* Parents first, in rounds; a cycle of references is written in
	 * the model's order (SQLite takes a reference to a table yet to
	 * come; for others the keys of a cycle need ALTER TABLE anyway). */
	for (left = 1; left;) {
		size_t before = n;
		left = 0;
		for (i = 0; i < s->ntables; i++) {
			const struct schema_table *t = &s->tables[i];
			if (done[i] || t->internal)
				continue;
			if (!force && !parents_done(s, t, done)) {
				left++;
				continue;
			}
			done[i] = 1;
			order[n++] = i;
			force = 0;
		}
		force = left && n == before;
	}
	free(done);
	return n;
}

int dump_schema(const struct schema *s, struct buf *out, size_t *ntables,
		struct hearth_err *err)
{
	char *done = xcalloc(s->nviews + 1, 1);
	size_t *order = xcalloc(s->ntables + 1, sizeof(*order));
	size_t i, n = dump_order(s, order), left;
	int ret = -1, force = 0;

	for (i = 0; i < n; i++)
		if (table_and_indexes(s, &s->tables[order[i]], out, err) < 0)
			goto out;
	memset(done, 0, s->nviews + 1);
	for (left = 1, force = 0; left;) {
		size_t before = 0, now = 0;
		left = 0;
		for (i = 0; i < s->nviews; i++)
			before += done[i];
		for (i = 0; i < s->nviews; i++) {
			const struct schema_object *v = &s->views[i];
			if (done[i] || internal(v->name) || !v->sql)
				continue;
			if (!force && !views_done(s, v, done)) {
				left++;
				continue;
			}
			statement(out, v->sql);
			done[i] = 1;
			force = 0;
		}
		for (i = 0; i < s->nviews; i++)
			now += done[i];
		force = left && now == before;
	}
	for (i = 0; i < s->ntriggers; i++)
		if (!internal(s->triggers[i].name) && s->triggers[i].sql &&
		    !(s->triggers[i].table && internal(s->triggers[i].table)))
			statement(out, s->triggers[i].sql);
	if (ntables)
		*ntables = n;
	ret = 0;
out:
	free(order);
	free(done);
	return ret;
}
