/* Test helper for the rollup tests: rebuild a table's chart rollups, as
 * hearth serve does as it starts, checking that it works. */
#ifndef HEARTH_T_ROLLUP_H
#define HEARTH_T_ROLLUP_H

#include "rollup.h"
#include "t.h"

static inline void t_rollup_rebuild(struct store *s, const char *table)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct schema sc = SCHEMA_INIT;

	CHECK(store_introspect(s, &sc, &err) == 0);
	CHECK(rollup_rebuild(s, &sc, table, NULL, NULL, &err) == 0);
	schema_release(&sc);
}

#endif
