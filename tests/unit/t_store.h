/*
 * t_store.h - a scratch in-memory SQLite store for unit tests.
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

#endif
