/*
 * pg_scratch.c - schema.sql loaded by the server into a scratch schema
 * that is rolled back (pg_scratch.h).
 */
#include "store/pg_scratch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "store/pg_introspect.h"
#include "store/sqltok.h"
#include "store/store.h"

/* Words that start a table constraint rather than a column. */
static int constraint_word(const struct sqltok *t)
{
	static const char *const words[] = { "CONSTRAINT", "PRIMARY", "UNIQUE",
					     "CHECK", "FOREIGN", "EXCLUDE",
					     "LIKE" };
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(*words); i++)
		if (sqltok_is(t, words[i]))
			return 1;
	return 0;
}

/* The portable types PostgreSQL spells otherwise (pg_scratch.h).  REAL:
 * SQLite's is 8 bytes, PostgreSQL's float4, about 7 digits: 0.1 would be
 * kept as 0.100000001490116, 0.123456789012 as 0.12345679. */
static const struct {
	const char *word, *pg;
} respelt[] = {
	{ "TIMESTAMP", "timestamptz" },	{ "DATETIME", "timestamptz" },
	{ "BLOB", "bytea" },		{ "DOUBLE", "double precision" },
	{ "REAL", "double precision" },
};

const char *pg_scratch_type(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(respelt) / sizeof(*respelt); i++)
		if (!strcasecmp(name, respelt[i].word))
			return respelt[i].pg;
	return name;
}

/* PostgreSQL's spelling of a column's type token t (next: the token
 * after it); NULL to keep it.  "TIMESTAMP WITH TIME ZONE" and "DOUBLE
 * PRECISION" are PostgreSQL's already. */
static const char *pg_type(const struct sqltok *t, const struct sqltok *next)
{
	size_t i;

	if (t->kind != SQLTOK_WORD || sqltok_is(next, "WITH") ||
	    sqltok_is(next, "WITHOUT") || sqltok_is(next, "PRECISION"))
		return NULL;
	for (i = 0; i < sizeof(respelt) / sizeof(*respelt); i++)
		if (sqltok_is(t, respelt[i].word))
			return respelt[i].pg;
	return NULL;
}

char *pg_scratch_types(const char *sql)
{
	struct buf out = BUF_INIT;
	struct sqltok t, next;
	const char *p = sql, *copied = sql;
	/* body: the depth of the CREATE TABLE's column list, 0 outside;
	 * want: a TABLE was seen, its "(" is next; at: the item's token
	 * number (1 its name, 2 its type) */
	int depth = 0, body = 0, want = 0, at = 0, create = 0;

	for (p = sqltok_next(p, &t); t.kind != SQLTOK_END;) {
		const char *after = sqltok_next(p, &next);
		const char *spell;
		if (t.kind == SQLTOK_PUNCT && *t.p == ';') {
			depth = body = want = at = create = 0;
		} else if (t.kind == SQLTOK_PUNCT && *t.p == '(') {
			depth++;
			if (want && !body) {
				body = depth;
				want = 0;
				at = 0;
			}
		} else if (t.kind == SQLTOK_PUNCT && *t.p == ')') {
			if (depth == body)
				body = 0;
			depth--;
		} else if (body && depth == body && t.kind == SQLTOK_PUNCT &&
			   *t.p == ',') {
			at = 0;
		} else if (sqltok_is(&t, "CREATE") && !depth) {
			create = 1;
		} else if (create && sqltok_is(&t, "TABLE") && !depth) {
			want = 1;
		} else if (want && sqltok_is(&t, "AS")) {
			want = 0;
		}
		if (body && depth == body && t.kind != SQLTOK_PUNCT) {
			at++;
			if (at == 1 && constraint_word(&t))
				at = -1000; /* a constraint: no type in it */
			if (at == 2 && (spell = pg_type(&t, &next))) {
				buf_add(&out, copied, (size_t)(t.p - copied));
				buf_addstr(&out, spell);
				copied = t.p + t.n;
			}
		}
		t = next;
		p = after;
	}
	buf_addstr(&out, copied);
	return buf_detach(&out, NULL);
}

/* The line of sql on which a statement that begins or ends a
 * transaction starts, 0 when none does: run, it would commit the scratch
 * schema, or leave what follows outside the transaction. */
static int transaction_line(const char *sql)
{
	static const char *const words[] = { "BEGIN", "START", "COMMIT", "END",
					     "ROLLBACK", "ABORT", "PREPARE" };
	struct sqltok t;
	const char *p = sql, *at, *q;
	int line = 1;
	size_t i, n;

	while ((p = sqltok_statement(p, &at, &n))) {
		sqltok_next(at, &t);
		for (i = 0; i < sizeof(words) / sizeof(*words); i++)
			if (t.kind == SQLTOK_WORD && sqltok_is(&t, words[i])) {
				for (q = sql; q < at; q++)
					line += *q == '\n';
				return line;
			}
	}
	return 0;
}

/* search_path = name, then what it was: names of schema.sql's own
 * objects are found first, others (extensions' types) as before. */
static int set_path(struct store *s, const char *name, struct hearth_err *err)
{
	struct store_stmt *st = NULL;
	int ret = -1;

	if (store_prepare(s, "SELECT set_config('search_path', "
			  "quote_ident(?::text) || ', ' || "
			  "current_setting('search_path'), true)",
			  &st, err) < 0)
		return -1;
	store_bind_text(st, 1, name, strlen(name));
	if (store_step(st, err) >= 0)
		ret = 0;
	store_finalize(st);
	return ret;
}

int pg_scratch_schema(struct store *s, const char *sql, struct schema *out,
		      struct hearth_err *err)
{
	char *text = pg_scratch_types(sql);
	struct buf make = BUF_INIT, drop = BUF_INIT;
	char name[64];
	int64_t pid = 0;
	int ret = -1, began = 0, line;

	if ((line = transaction_line(text))) {
		err_set(err, "line %d: a statement that begins or ends a "
			"transaction: schema.sql is loaded in one of its own; "
			"leave it out", line);
		goto out;
	}
	/* A name no other session uses at the same time. */
	if (store_query_int(s, "SELECT pg_backend_pid()", &pid, err,
			    (const char *)NULL) < 0)
		goto out;
	snprintf(name, sizeof(name), "hearth_scratch_%lld", (long long)pid);
	buf_addstr(&drop, "DROP SCHEMA IF EXISTS ");
	store_quote_ident(&drop, name);
	buf_addstr(&drop, " CASCADE");
	buf_addf(&make, "%s; CREATE SCHEMA ", buf_cstr(&drop));
	store_quote_ident(&make, name);
	/* READ WRITE: a read-only session (check, revision) may still make
	 * what it rolls back. */
	if (store_exec(s, "BEGIN READ WRITE", err) < 0)
		goto out;
	began = 1;
	if (store_exec(s, buf_cstr(&make), err) < 0 ||
	    set_path(s, name, err) < 0 ||
	    store_exec(s, "SAVEPOINT hearth_scratch", err) < 0)
		goto out;
	if (store_exec(s, text, err) < 0)
		goto out;
	/* The savepoint is gone when the text ended the transaction. */
	if (store_exec(s, "RELEASE SAVEPOINT hearth_scratch", NULL) < 0) {
		err_set(err, "it ends the transaction it is loaded in (COMMIT "
			"or ROLLBACK): leave those out");
		goto out;
	}
	if (pg_introspect(s, out, err) < 0)
		goto out;
	ret = 0;
out:
	if (began) {
		store_exec(s, "ROLLBACK", NULL);
		/* Nothing to drop, unless the text committed it. */
		if (ret < 0)
			store_exec(s, buf_cstr(&drop), NULL);
	}
	buf_release(&make);
	buf_release(&drop);
	free(text);
	return ret;
}
