/*
 * t_store.h - a scratch in-memory SQLite store for unit tests, and
 * helpers to query it.  Include after t.h.
 */
#ifndef HEARTH_T_STORE_H
#define HEARTH_T_STORE_H

#include <stdio.h>
#include <stdlib.h>

#include "store.h"

/* t_mem: an in-memory database with ddl run in it (ddl may be NULL); the
 * test binary exits when that fails.  store_close it. */
static inline struct store *t_mem(const char *ddl)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = NULL;

	if (store_open(&s, "sqlite:///:memory:", NULL, STORE_CREATE, &err) < 0 ||
	    (ddl && store_exec(s, ddl, &err) < 0)) {
		fprintf(stderr, "  scratch database: %s\n", err.msg);
		exit(1);
	}
	return s;
}

/* t_exec: run sql; a failure fails the test case. */
static inline void t_exec(struct store *s, const char *sql)
{
	struct hearth_err err = HEARTH_ERR_INIT;

	if (store_exec(s, sql, &err) < 0) {
		fprintf(stderr, "  %s: %s\n", sql, err.msg);
		t_case_failed = 1;
	}
}

/* t_int: the integer sql's first row gives, -999 when it fails. */
static inline int64_t t_int(struct store *s, const char *sql)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	int64_t v = -999;

	if (store_query_int(s, sql, &v, &err, (const char *)NULL) < 0)
		fprintf(stderr, "  %s: %s\n", sql, err.msg);
	return v;
}

#endif
