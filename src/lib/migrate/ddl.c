/*
 * ddl.c - operations -> SQL, per dialect (the table `dialects` at the
 * end): SQLite's here, PostgreSQL's in ddl_pg.c.
 */
#include "migrate/ddl.h"
#include "migrate/ddl_op.h"
#include "migrate/ddl_pg.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/sqltok.h"
#include "store/store.h"
#include "base/xalloc.h"

static void column_list(struct buf *out, char **cols, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i)
			buf_addstr(out, ", ");
		store_quote_ident(out, cols[i]);
	}
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
	ddl_stmt(out, create);
	for (i = 0; i < op->nearly; i++) {
		char *ix = sqltok_index_retable(op->early[i]->sql, tmp);
		if (!ix) {
			err_set(err, "index %s: cannot read its CREATE INDEX",
				op->early[i]->name);
			goto out;
		}
		/* the name is free once the old table's index is gone; that
		 * index would go with the table anyway */
		ddl_drop(out, "INDEX", op->early[i]->name);
		ddl_stmt(out, ix);
		free(ix);
	}
	if (same_columns(op)) {
		/* SELECT * with no column list lets SQLite copy whole records
		 * without decoding them, when the columns match (its
		 * transfer optimisation); otherwise it is the same copy. */
		buf_addstr(out, "INSERT INTO ");
		store_quote_ident(out, tmp);
		buf_addstr(out, " SELECT * FROM ");
		store_quote_ident(out, ddl_from_name(op));
		buf_addstr(out, ";\n");
	} else if (op->ncopy) {
		buf_addstr(out, "INSERT INTO ");
		store_quote_ident(out, tmp);
		buf_addstr(out, " (");
		column_list(out, op->copy, op->ncopy);
		buf_addstr(out, ")\n    SELECT ");
		column_list(out, op->copy, op->ncopy);
		buf_addstr(out, " FROM ");
		store_quote_ident(out, ddl_from_name(op));
		buf_addstr(out, ";\n");
	}
	buf_addstr(out, "DROP TABLE ");
	store_quote_ident(out, ddl_from_name(op));
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

static int sqlite_op(const struct diff *d, const struct diff_op *op,
		     struct buf *out, struct hearth_err *err)
{
	char *def;

	int shared;

	(void)d;
	ddl_op_comment(op, out);
	if ((shared = ddl_op_shared(op, out, err)) != 0)
		return shared < 0 ? -1 : 0;
	switch (op->kind) {
	case DIFF_DROP_TRIGGER:
		ddl_drop(out, "TRIGGER", op->obj->name);
		break;
	case DIFF_CREATE_TABLE:
		ddl_stmt(out, op->to->sql);
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
	default:
		break;
	}
	return 0;
}

/* Each dialect's renderer of one op, by store_dialect name. */
static const struct {
	const char *name;
	int (*op)(const struct diff *d, const struct diff_op *op,
		  struct buf *out, struct hearth_err *err);
} dialects[] = {
	{ "sqlite", sqlite_op },
	{ "postgresql", ddl_pg_op },
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
		if (dialects[k].op(d, &d->ops[i], out, err) < 0)
			return -1;
	return 0;
}
