/* Test helpers for the rollup tests: rebuild a table's chart rollups, as
 * hearth serve does as it starts, checking that it works; ask whether
 * they are ready. */
#ifndef HEARTH_T_ROLLUP_H
#define HEARTH_T_ROLLUP_H

#include "rollup/rollup.h"
#include "t.h"

/* t_rollup_rebuild: rebuild table's rollups, CHECKing that it works. */
static inline void t_rollup_rebuild(struct store *s, const char *table)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct schema sc = SCHEMA_INIT;

	CHECK(store_introspect(s, &sc, &err) == 0);
	CHECK(rollup_rebuild(s, &sc, table, NULL, NULL, &err) == 0);
	schema_release(&sc);
}

/* t_rollup_ready: rollup_ready of table's rollups at level lv, in the
 * schema as it is now: 1 or 0, -1 when there is no such table. */
static inline int t_rollup_ready(struct store *s, const char *table,
				 enum rollup_level lv)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct schema sc = SCHEMA_INIT;
	const struct schema_table *t;
	int ready = -1;

	if (store_introspect(s, &sc, &err) == 0 &&
	    (t = schema_find_table(&sc, table)) != NULL)
		ready = rollup_ready(&sc, t, schema_time_column(t, NULL), lv);
	schema_release(&sc);
	return ready;
}

#endif
