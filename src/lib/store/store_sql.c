/*
 * store_sql.c - the calls of store_sql.h, through the dialect's table.
 */
#include "store/store_sql.h"

#include <string.h>
#include <strings.h>

#include "store/dialect.h"
#include "store/schema.h"

const char *store_sql_name(const struct store_sql *d)
{
	return d->name;
}

const char *store_sql_row_order(const struct store_sql *d)
{
	return d->row_order;
}

const char *store_sql_row_id(const struct store_sql *d)
{
	return d->row_id;
}

const char *store_sql_insert_keep(const struct store_sql *d)
{
	return d->insert_keep;
}

int store_sql_typed(const struct store_sql *d)
{
	return d->typed;
}

int store_sql_error_aborts(const struct store_sql *d)
{
	return d->error_aborts;
}

const char *store_sql_type(const struct store_sql *d, const char *name)
{
	return d->type ? d->type(name) : name;
}

const char *store_sql_any_type(const struct store_sql *d)
{
	return d->any_type;
}

/* Where the declared type says which word of its name. */
static int says(const char *type, const char *word)
{
	size_t n = strlen(word);

	for (; *type; type++)
		if (!strncasecmp(type, word, n))
			return 1;
	return 0;
}

const char *store_sql_column_type(const struct store_sql *d,
				  const char *declared)
{
	if (!*declared)
		return d->any_type;
	/* PostgreSQL's bytes and BOOLEAN: SQLite's rules would make both
	 * NUMERIC; a bool's values copy as 0 and 1. */
	if (says(declared, "BYTEA"))
		return d->type_blob;
	if (says(declared, "BOOL"))
		return d->type_int;
	switch (schema_affinity(declared)) {
	case AFF_TIME:
		return d->type_time;
	case AFF_INTEGER:
		return d->type_int;
	case AFF_TEXT:
		return d->type_text;
	case AFF_BLOB:
		return d->type_blob;
	case AFF_REAL:
		return d->type_real;
	case AFF_NUMERIC:
		break;
	}
	/* Exact numbers stay exact; what else SQLite's rules call NUMERIC
	 * (PostgreSQL's json, uuid, inet, ...) copies as its text. */
	return says(declared, "NUM") || says(declared, "DEC") ? d->type_numeric
							    : d->type_text;
}

const char *store_sql_temp_prefix(const struct store_sql *d)
{
	return d->temp_prefix;
}

void store_sql_is_number(const struct store_sql *d, struct buf *b,
			 const char *expr)
{
	d->is_number(b, expr);
}

void store_sql_unix_secs(const struct store_sql *d, struct buf *b,
			 const char *expr, const char *type)
{
	d->unix_secs(b, expr, type);
}

int store_sql_time_at(const struct store_sql *d, struct buf *b,
		      const char *secs, const char *type)
{
	return d->time_at ? d->time_at(b, secs, type) : 0;
}

int store_sql_create_set_trigger(const struct store_sql *d, struct buf *b,
				 const char *name, const char *event,
				 const char *table, const char *body)
{
	if (!d->create_set_trigger)
		return 0;
	d->create_set_trigger(b, name, event, table, body);
	return 1;
}

void store_sql_trigger_guard(const struct store_sql *d, struct buf *b,
			     const char *stmts)
{
	if (d->trigger_guard)
		d->trigger_guard(b, stmts);
	else
		buf_addstr(b, stmts);
}

void store_sql_minute_text(const struct store_sql *d, struct buf *b,
			   const char *secs, char sep, const char *tail)
{
	d->minute_text(b, secs, sep, tail);
}

void store_sql_min_max(const struct store_sql *d, struct buf *b, int max,
		       const char *x, const char *y)
{
	d->min_max(b, max, x, y);
}

void store_sql_now_iso(const struct store_sql *d, struct buf *b)
{
	d->now_iso(b);
}

void store_sql_create_trigger(const struct store_sql *d, struct buf *b,
			      const char *name, const char *event,
			      const char *table, const char *body)
{
	d->create_trigger(b, name, event, table, body);
}

void store_sql_drop_trigger(const struct store_sql *d, struct buf *b,
			    const char *name, const char *table)
{
	d->drop_trigger(b, name, table);
}

void store_sql_script_begin(const struct store_sql *d, struct buf *b)
{
	d->script_begin(b);
}

void store_sql_script_end(const struct store_sql *d, struct buf *b)
{
	d->script_end(b);
}
