/*
 * store_sql.h - the SQL of a store's dialect, for modules that write
 * their own statements.
 *
 * Most SQL hearth writes is the same in every database.  Where it is not,
 * a module asks the dialect for the piece (store_sql(s), or a schema's
 * dialect, which store_introspect sets) instead of spelling SQLite's:
 *
 *	struct buf sql = BUF_INIT;
 *	const struct store_sql *d = store_sql(s);
 *
 *	buf_addstr(&sql, "SELECT ");
 *	store_sql_unix_secs(d, &sql, "\"r_datetime\"");
 *	buf_addf(&sql, " FROM readings WHERE %s > ?", store_sql_row_order(d));
 *
 * A dialect is a constant, shared by every store of its backend: no
 * allocation, nothing to free, safe from any thread.  Expressions and
 * names given to the calls below are SQL already (quoted identifiers,
 * OLD.col); what they append is parenthesised where precedence could
 * matter.
 */
#ifndef HEARTH_STORE_SQL_H
#define HEARTH_STORE_SQL_H

#include "base/buf.h"

struct store_sql;

/* store_sql_name: "sqlite" or "postgresql" (store_dialect). */
const char *store_sql_name(const struct store_sql *d);

/*
 * Rows in insertion order.  store_sql_row_order: the column that numbers
 * a table's rows in the order they were inserted, higher for newer rows
 * ("rowid"); store_has_row_order (store.h) says whether a given table has
 * it.  A delete of the newest rows may let the next rows inserted take
 * their numbers again.
 */
const char *store_sql_row_order(const struct store_sql *d);

/* store_sql_row_id: a column that names one row of any table, to delete
 * the rows a subquery picked ("... WHERE rowid IN (SELECT rowid ...
 * LIMIT n)"): "rowid", PostgreSQL's "ctid".  Valid within a statement
 * only. */
const char *store_sql_row_id(const struct store_sql *d);
/* store_sql_insert_keep: the start of an INSERT ("INSERT ... INTO ",
 * with the space) whose multi-row form, when a row breaks a NOT NULL or
 * CHECK constraint, ends there but keeps the rows before it, so that
 * store_changes says how many went in ("INSERT OR FAIL INTO ": undoing
 * them would cost a copy of every page the statement changes).  A
 * dialect without one gives "INSERT INTO ": none are kept, and
 * store_changes is 0. */
const char *store_sql_insert_keep(const struct store_sql *d);

/* store_sql_typed: 1 when a column holds only values of its declared
 * type (PostgreSQL), 0 when any column may hold any type (SQLite: a time
 * column may hold text in some rows and numbers in others). */
int store_sql_typed(const struct store_sql *d);

/* store_sql_type: how a column of schema.sql's portable type name (one
 * word: INTEGER, REAL, TEXT, BLOB, TIMESTAMP, DATETIME) is spelt in the
 * dialect, for SQL made without schema.sql that must give the column
 * schema.sql would (PostgreSQL: REAL double precision, TIMESTAMP
 * timestamptz, BLOB bytea); name itself where it is spelt so.  Static or
 * name. */
const char *store_sql_type(const struct store_sql *d, const char *name);

/* store_sql_error_aborts: 1 when a failed statement spoils its whole
 * transaction (PostgreSQL: every statement after it fails until the
 * transaction ends or a savepoint before it is rolled back to), 0 when
 * only the statement is undone (SQLite). */
int store_sql_error_aborts(const struct store_sql *d);

/* store_sql_any_type: the declared type of a column that must take
 * values of every type: "" in SQLite (a column without a type keeps each
 * value's own), "TEXT" where columns are typed (numbers go in as their
 * text; bytes must be written as text, as hex). */
const char *store_sql_any_type(const struct store_sql *d);

/* store_sql_column_type: the type that a column declared `declared`, in
 * this dialect or another, gets here when its rows are copied over
 * (hearth copy), chosen so that every value it held fits: times,
 * integers of 64 bits, reals of double precision, text, bytes, exact
 * numbers.  A column without a type gets store_sql_any_type. */
const char *store_sql_column_type(const struct store_sql *d,
				  const char *declared);

/* store_sql_temp_prefix: what goes before the name of a temporary table
 * to name it and nothing else ("temp."). */
const char *store_sql_temp_prefix(const struct store_sql *d);

/* store_sql_is_number: append a condition that holds when the value of
 * expr is an integer or a real, not text (in SQLite a column of any type
 * may hold either). */
void store_sql_is_number(const struct store_sql *d, struct buf *b,
			 const char *expr);

/* store_sql_unix_secs: append an expression for the unix seconds (an
 * integer, UTC, the fraction cut off) of expr, a time stored as unix
 * seconds, as ISO 8601 text ("2014-11-23 22:15:00.123456",
 * "2014-11-23T22:15:00Z") or as the database's own time type; NULL when
 * it is none of them.  type is the column's declared type (NULL:
 * unknown), which a typed dialect goes by.  It runs once per row folded:
 * it is cheap. */
void store_sql_unix_secs(const struct store_sql *d, struct buf *b,
			 const char *expr, const char *type);

/* store_sql_time_at: append an expression of a column of declared type
 * `type` for the unix seconds secs, so that comparing the column with it
 * uses the column's index; 0 when the dialect cannot (then compare the
 * column's store_sql_unix_secs instead). */
int store_sql_time_at(const struct store_sql *d, struct buf *b,
		      const char *secs, const char *type);

/* store_sql_minute_text: append an expression for the text
 * "YYYY-MM-DD<sep>HH:MM<tail>" of the minute that starts at secs (unix
 * seconds, UTC).  tail is literal text: digits and colons only. */
void store_sql_minute_text(const struct store_sql *d, struct buf *b,
			   const char *secs, char sep, const char *tail);

/* store_sql_min_max: append the smaller (larger when max) of x and y,
 * either of which may be NULL: NULL only when both are. */
void store_sql_min_max(const struct store_sql *d, struct buf *b, int max,
		       const char *x, const char *y);

/* store_sql_now_iso: append an expression for the time now, UTC, as ISO
 * 8601 text to the second with a Z ("2026-01-01T12:00:00Z"). */
void store_sql_now_iso(const struct store_sql *d, struct buf *b);

/*
 * Triggers.  store_sql_create_trigger: append the statement that makes
 * trigger `name` (unquoted) run `body` for each row after `event`
 * ("INSERT", "UPDATE" or "DELETE") on table (unquoted).  body is
 * statements, each ending in ';', that may read OLD and NEW.  The text
 * is the one the database keeps and store_introspect reads back, so a
 * caller may compare the two.  store_sql_drop_trigger: append the
 * statement (no ';') that removes the trigger, if there is one.
 */
void store_sql_create_trigger(const struct store_sql *d, struct buf *b,
			      const char *name, const char *event,
			      const char *table, const char *body);
void store_sql_drop_trigger(const struct store_sql *d, struct buf *b,
			    const char *name, const char *table);

/* store_sql_create_set_trigger: as store_sql_create_trigger, a trigger
 * run once per statement, whose body reads the statement's rows as the
 * tables hearth_new (INSERT, UPDATE) and hearth_old (UPDATE, DELETE).  0
 * when the dialect has none (SQLite). */
int store_sql_create_set_trigger(const struct store_sql *d, struct buf *b,
				 const char *name, const char *event,
				 const char *table, const char *body);

/* store_sql_trigger_guard: append stmts (each ending in ';'), for a
 * trigger's body, so that when they fail because a column or table they
 * name is gone (renamed or dropped by a revision the trigger's owner has
 * not caught up with) the statement that fired the trigger still
 * succeeds.  PostgreSQL keeps a trigger function's text as written;
 * SQLite rewrites trigger bodies on a rename, and drops a table's
 * triggers with it, so there the statements go as they are. */
void store_sql_trigger_guard(const struct store_sql *d, struct buf *b,
			     const char *stmts);

/* An SQL script that changes the schema (upgrade --sql) runs between
 * these, one pair per transaction: what store_migration_begin,
 * store_migration_check and store_migration_end (store.h) do, as text,
 * with the BEGIN and COMMIT.  Each ends in a newline. */
void store_sql_script_begin(const struct store_sql *d, struct buf *b);
void store_sql_script_end(const struct store_sql *d, struct buf *b);

#endif
