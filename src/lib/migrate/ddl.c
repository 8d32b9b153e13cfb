/*
 * ddl.c - operations -> SQL, per dialect (the table `dialects` at the
 * end).  SQLite's is the only one yet; PostgreSQL will share everything
 * but the rebuild (it can ALTER COLUMN in place).
 */
#include "migrate/ddl.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/sqltok.h"
#include "store/store.h"
#include "base/xalloc.h"

static void stmt(struct buf *out, const char *sql)
{
	size_t n = strlen(sql);

	while (n && (sql[n - 1] == ';' || sql[n - 1] == ' ' ||
		     sql[n - 1] == '\n'))
		n--;
	buf_add(out, sql, n);
	buf_addstr(out, ";\n");
}

static void drop(struct buf *out, const char *what, const char *name)
{
	buf_addf(out, "DROP %s IF EXISTS ", what);
	store_quote_ident(out, name);
	buf_addstr(out, ";\n");
}

static void column_list(struct buf *out, char **cols, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i)
			buf_addstr(out, ", ");
		store_quote_ident(out, cols[i]);
	}
}

/* The name op->from has when op runs: a table renamed went by its new
 * name first (DIFF_RENAME_TABLE comes before what else changes it). */
static const char *from_name(const struct diff_op *op)
{
	if (op->to && strcasecmp(op->from->name, op->to->name))
		return op->to->name;
	return op->from->name;
}

/* Old and new table have the same columns in the same order. */
static int same_columns(const struct diff_op *op)
{
	size_t i;

	if (op->from->ncols != op->to->ncols || op->ncopy != op->to->ncols)
		return 0;
	for (i = 0; i < op->to->ncols; i++)
		if (strcasecmp(op->from->cols[i].name, op->to->cols[i].name))
			return 0;
	return 1;
}

static int sqlite_rebuild(const struct diff_op *op, struct buf *out,
			  struct hearth_err *err)
{
	char *tmp = xasprintf("hearth_new_%s", op->to->name);
	size_t i;
	char *create = op->to->sql ? sqltok_create_rename(op->to->sql, tmp)
				   : NULL;
	int ret = -1;

	if (!create) {
		err_set(err, "table %s: no CREATE TABLE statement to rebuild it "
			"from", op->to->name);
		goto out;
	}
	buf_addstr(out, "-- hearth: rows are copied into the new table; "
			"columns copied: ");
	column_list(out, op->copy, op->ncopy);
	buf_addstr(out, op->ncopy ? "\n" : "(none)\n");
	if (op->loses_data)
		buf_addstr(out, "-- hearth: WARNING: this loses data (dropped "
				"column or narrower type); upgrade asks for "
				"--allow-data-loss\n");
	stmt(out, create);
	for (i = 0; i < op->nearly; i++) {
		char *ix = sqltok_index_retable(op->early[i]->sql, tmp);
		if (!ix) {
			err_set(err, "index %s: cannot read its CREATE INDEX",
				op->early[i]->name);
			goto out;
		}
		/* the name is free once the old table's index is gone; that
		 * index would go with the table anyway */
		drop(out, "INDEX", op->early[i]->name);
		stmt(out, ix);
		free(ix);
	}
	if (same_columns(op)) {
		/* SELECT * with no column list lets SQLite copy whole records
		 * without decoding them, when the columns match (its
		 * transfer optimisation); otherwise it is the same copy. */
		buf_addstr(out, "INSERT INTO ");
		store_quote_ident(out, tmp);
		buf_addstr(out, " SELECT * FROM ");
		store_quote_ident(out, from_name(op));
		buf_addstr(out, ";\n");
	} else if (op->ncopy) {
		buf_addstr(out, "INSERT INTO ");
		store_quote_ident(out, tmp);
		buf_addstr(out, " (");
		column_list(out, op->copy, op->ncopy);
		buf_addstr(out, ")\n    SELECT ");
		column_list(out, op->copy, op->ncopy);
		buf_addstr(out, " FROM ");
		store_quote_ident(out, from_name(op));
		buf_addstr(out, ";\n");
	}
	buf_addstr(out, "DROP TABLE ");
	store_quote_ident(out, from_name(op));
	buf_addstr(out, ";\nALTER TABLE ");
	store_quote_ident(out, tmp);
	buf_addstr(out, " RENAME TO ");
	store_quote_ident(out, op->to->name);
	buf_addstr(out, ";\n");
	ret = 0;
out:
	free(create);
	free(tmp);
	return ret;
}

static int sqlite_op(const struct diff_op *op, struct buf *out,
		     struct hearth_err *err)
{
	char *def;

	buf_addf(out, "-- %s %s\n", diff_symbol(op), op->why);
	switch (op->kind) {
	case DIFF_DROP_VIEW:
		drop(out, "VIEW", op->obj->name);
		break;
	case DIFF_DROP_TRIGGER:
		drop(out, "TRIGGER", op->obj->name);
		break;
	case DIFF_DROP_INDEX:
		drop(out, "INDEX", op->index->name);
		break;
	case DIFF_RENAME_TABLE:
		buf_addstr(out, "ALTER TABLE ");
		store_quote_ident(out, op->from->name);
		buf_addstr(out, " RENAME TO ");
		store_quote_ident(out, op->to->name);
		buf_addstr(out, ";\n");
		break;
	case DIFF_CREATE_TABLE:
		stmt(out, op->to->sql);
		break;
	case DIFF_RENAME_COLUMN:
		if (!op->said)
			buf_addf(out, "-- hearth: CHECK THIS: written as a rename "
				      "so no data is lost.  If %s really\n-- was "
				      "dropped and %s is a new column, change "
				      "this revision.\n",
				 op->column, op->new_column);
		buf_addstr(out, "ALTER TABLE ");
		store_quote_ident(out, from_name(op));
		buf_addstr(out, " RENAME COLUMN ");
		store_quote_ident(out, op->column);
		buf_addstr(out, " TO ");
		store_quote_ident(out, op->new_column);
		buf_addstr(out, ";\n");
		break;
	case DIFF_ADD_COLUMN:
		def = schema_column_def(op->to, op->column);
		if (!def)
			return err_set(err, "table %s: no definition of column %s",
				       op->to->name, op->column);
		buf_addstr(out, "ALTER TABLE ");
		store_quote_ident(out, op->to->name);
		buf_addf(out, " ADD COLUMN %s;\n", def);
		free(def);
		break;
	case DIFF_REBUILD_TABLE:
		return sqlite_rebuild(op, out, err);
	case DIFF_DROP_TABLE:
		buf_addf(out, "-- hearth: WARNING: drops table %s and every row "
			      "in it; upgrade asks for --allow-data-loss\n",
			 op->from->name);
		buf_addstr(out, "DROP TABLE ");
		store_quote_ident(out, op->from->name);
		buf_addstr(out, ";\n");
		break;
	case DIFF_CREATE_INDEX:
		if (!op->index->sql)
			return err_set(err, "index %s: no CREATE INDEX statement",
				       op->index->name);
		stmt(out, op->index->sql);
		break;
	case DIFF_CREATE_VIEW:
	case DIFF_CREATE_TRIGGER:
		stmt(out, op->obj->sql);
		break;
	}
	return 0;
}

/* PostgreSQL: SQLite's statements, until its own ALTERs replace the
 * rebuild. */
static int pg_op(const struct diff_op *op, struct buf *out,
		 struct hearth_err *err)
{
	if (op->kind == DIFF_REBUILD_TABLE)
		return err_set(err, "table %s: changing a column in place on "
			       "PostgreSQL is not written yet", op->to->name);
	return sqlite_op(op, out, err);
}

/* Each dialect's renderer of one op, by store_dialect name. */
static const struct {
	const char *name;
	int (*op)(const struct diff_op *op, struct buf *out,
		  struct hearth_err *err);
} dialects[] = {
	{ "sqlite", sqlite_op },
	{ "postgresql", pg_op },
};

int ddl_render(const struct diff *d, const char *dialect, struct buf *out,
	       struct hearth_err *err)
{
	size_t i, k;

	for (k = 0; k < sizeof(dialects) / sizeof(*dialects); k++)
		if (!strcmp(dialects[k].name, dialect))
			break;
	if (k == sizeof(dialects) / sizeof(*dialects))
		return err_set(err, "migrations for %s are not written yet",
			       dialect);
	for (i = 0; i < d->n; i++)
		if (dialects[k].op(&d->ops[i], out, err) < 0)
			return -1;
	return 0;
}
