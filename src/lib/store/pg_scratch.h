/*
 * pg_scratch.h - schema.sql read by PostgreSQL itself (private to the
 * store folder; store_scratch_schema's op).
 *
 * The text is run in a schema of its own, made for it inside a
 * transaction that is rolled back, and that schema is read back through
 * pg_introspect, as the live one is: both sides of a comparison are the
 * server's own reading, so they compare like with like.  Nothing is left
 * behind, whatever the text does.
 */
#ifndef HEARTH_STORE_PG_SCRATCH_H
#define HEARTH_STORE_PG_SCRATCH_H

#include "base/err.h"
#include "store/schema.h"

struct store;

/* pg_scratch_schema: the model of sql (after pg_scratch_types), loaded
 * into a scratch schema on s, which must be outside a transaction.
 * Errors are the server's message, with the line of sql when it points
 * at one ("line 3: type \"flaot\" does not exist"); a statement that
 * begins or ends a transaction is refused before anything runs. */
int pg_scratch_schema(struct store *s, const char *sql, struct schema *out,
		      struct hearth_err *err);

/*
 * pg_scratch_types: sql with the portable column types that PostgreSQL
 * spells otherwise or takes to mean something else, as PostgreSQL
 * spells them:
 *	TIMESTAMP, DATETIME	timestamptz (hearth's times are UTC; a bare
 *				TIMESTAMP would be a time of no zone)
 *	BLOB			bytea
 *	DOUBLE			double precision (SQLite's spelling)
 *	REAL			double precision (SQLite's REAL is 8 bytes,
 *				PostgreSQL's float4; float4 stays float4)
 * INTEGER and TEXT are PostgreSQL's own.  Only the type of a
 * column in a CREATE TABLE changes, written as a bare word ("timestamp
 * without time zone" stays); lines and comments are kept.  malloc'd,
 * caller frees.
 */
char *pg_scratch_types(const char *sql);

/* pg_scratch_type: the spelling above of one type word name ("REAL":
 * "double precision"); name itself when it has none.  Static or name. */
const char *pg_scratch_type(const char *name);

#endif
