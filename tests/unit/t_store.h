/*
 * t_store.h - a scratch in-memory SQLite store for unit tests, and
 * helpers to query it.  Include after t.h.
 */
#ifndef HEARTH_T_STORE_H
#define HEARTH_T_STORE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "store/store.h"

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

/* t_file_db: a new SQLite file (in WAL mode) in a scratch directory;
 * path (n bytes) gets its name.  t_file_db_unlink: remove the file, its
 * -wal and -shm, and the directory; t_file_db_remove: close s, then the
 * same. */
static inline struct store *t_file_db(char *path, size_t n)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = NULL;
	char tmpl[] = "/tmp/hearth-test.XXXXXX";

	snprintf(path, n, "%s/t.db", mkdtemp(tmpl));
	if (store_open(&s, path, NULL, STORE_CREATE, &err) < 0) {
		fprintf(stderr, "  scratch database: %s\n", err.msg);
		exit(1);
	}
	return s;
}

static inline void t_file_db_unlink(char *path)
{
	char more[4300];

	snprintf(more, sizeof(more), "%s-wal", path);
	unlink(more);
	snprintf(more, sizeof(more), "%s-shm", path);
	unlink(more);
	unlink(path);
	*strrchr(path, '/') = '\0';
	rmdir(path);
}
static inline void t_file_db_remove(struct store *s, char *path)
{
	store_close(s);
	t_file_db_unlink(path);
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

/* t_rows: append sql's column names, then each of its rows, as lines of
 * '|'-separated text, to out; a failure fails the test case. */
static inline void t_rows(struct store *s, const char *sql, struct buf *out)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store_stmt *st = NULL;
	int i, n;

	if (store_prepare(s, sql, &st, &err) < 0) {
		fprintf(stderr, "  %s: %s\n", sql, err.msg);
		t_case_failed = 1;
		return;
	}
	n = store_column_count(st);
	for (i = 0; i < n; i++)
		buf_addf(out, "%s%c", store_column_name(st, i),
			 i + 1 < n ? '|' : '\n');
	while (store_step(st, &err) == 1)
		for (i = 0; i < n; i++)
			buf_addf(out, "%s%c", store_column_text(st, i, NULL),
				 i + 1 < n ? '|' : '\n');
	store_finalize(st);
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
