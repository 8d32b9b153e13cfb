/*
 * ddl_op.c - DDL every dialect writes alike (ddl_op.h).
 */
#include "migrate/ddl_op.h"

#include <string.h>
#include <strings.h>

#include "store/store.h"

void ddl_stmt(struct buf *out, const char *sql)
{
	size_t n = strlen(sql);

	while (n && (sql[n - 1] == ';' || sql[n - 1] == ' ' ||
		     sql[n - 1] == '\n'))
		n--;
	buf_add(out, sql, n);
	buf_addstr(out, ";\n");
}

void ddl_drop(struct buf *out, const char *what, const char *name)
{
	buf_addf(out, "DROP %s IF EXISTS ", what);
	store_quote_ident(out, name);
	buf_addstr(out, ";\n");
}

const char *ddl_from_name(const struct diff_op *op)
{
	if (op->to && strcasecmp(op->from->name, op->to->name))
		return op->to->name;
	return op->from->name;
}

void ddl_op_comment(const struct diff_op *op, struct buf *out)
{
	buf_addf(out, "-- %s %s\n", diff_symbol(op), op->why);
}

static void rename_stmt(struct buf *out, const char *table, const char *what,
		   const char *from, const char *to)
{
	buf_addstr(out, "ALTER TABLE ");
	store_quote_ident(out, table);
	buf_addf(out, " RENAME %s", what);
	if (from) {
		store_quote_ident(out, from);
		buf_addch(out, ' ');
	}
	buf_addstr(out, "TO ");
	store_quote_ident(out, to);
	buf_addstr(out, ";\n");
}

int ddl_op_shared(const struct diff_op *op, struct buf *out,
		  struct hearth_err *err)
{
	switch (op->kind) {
	case DIFF_DROP_VIEW:
		ddl_drop(out, "VIEW", op->obj->name);
		return 1;
	case DIFF_DROP_INDEX:
		ddl_drop(out, "INDEX", op->index->name);
		return 1;
	case DIFF_RENAME_TABLE:
		rename_stmt(out, op->from->name, "", NULL, op->to->name);
		return 1;
	case DIFF_RENAME_COLUMN:
		if (!op->said)
			buf_addf(out, "-- hearth: CHECK THIS: written as a rename "
				      "so no data is lost.  If %s really\n-- was "
				      "dropped and %s is a new column, change "
				      "this revision.\n",
				 op->column, op->new_column);
		rename_stmt(out, ddl_from_name(op), "COLUMN ", op->column,
		       op->new_column);
		return 1;
	case DIFF_DROP_TABLE:
		buf_addf(out, "-- hearth: WARNING: drops table %s and every row "
			      "in it; upgrade asks for --allow-data-loss\n",
			 op->from->name);
		buf_addstr(out, "DROP TABLE ");
		store_quote_ident(out, op->from->name);
		buf_addstr(out, ";\n");
		return 1;
	case DIFF_CREATE_INDEX:
		if (!op->index->sql)
			return err_set(err, "index %s: no CREATE INDEX statement",
				       op->index->name);
		ddl_stmt(out, op->index->sql);
		return 1;
	case DIFF_CREATE_VIEW:
	case DIFF_CREATE_TRIGGER:
		ddl_stmt(out, op->obj->sql);
		return 1;
	default:
		return 0;
	}
}
