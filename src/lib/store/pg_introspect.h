/*
 * pg_introspect.h - the schema model of a PostgreSQL schema, read from
 * pg_catalog (private to the store folder; store_introspect's op).
 */
#ifndef HEARTH_STORE_PG_INTROSPECT_H
#define HEARTH_STORE_PG_INTROSPECT_H

#include "base/err.h"
#include "store/schema.h"

struct store;

/* pg_introspect: the model of the connection's current schema. */
int pg_introspect(struct store *s, struct schema *out,
		  struct hearth_err *err);

#endif
