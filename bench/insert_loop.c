/*
 * insert_loop.c - the practical limit for bulk inserts into SQLite: one
 * prepared statement, one transaction, rows generated in memory exactly
 * as `hearth import` stores them (ISO text time, integer watts, real
 * temperature) into the same schema as `hearth init` makes.  The time text
 * is made with hearth's own formatter, so the loop measures the insert
 * path, not a slower strftime.
 *
 *   insert_loop DB ROWS START_UNIX STEP_SECONDS
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"

int main(int argc, char **argv)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long rows, i;
	int64_t t0, step;
	char ts[64];

	if (argc != 5) {
		fprintf(stderr, "usage: insert_loop DB ROWS START STEP\n");
		return 2;
	}
	rows = strtol(argv[2], NULL, 10);
	t0 = strtoll(argv[3], NULL, 10);
	step = strtoll(argv[4], NULL, 10);
	if (sqlite3_open(argv[1], &db) != SQLITE_OK)
		return 1;
	sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
		     NULL, NULL, NULL);
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	if (sqlite3_prepare_v2(db,
			       "INSERT INTO readings (r_datetime, r_watts, r_temp) "
			       "VALUES (?, ?, ?)",
			       -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s\n", sqlite3_errmsg(db));
		return 1;
	}
	for (i = 0; i < rows; i++) {
		size_t n = timefmt_format((t0 + i * step) * US_PER_SEC,
					  TIMEFMT_SQL, ts, sizeof(ts));
		sqlite3_bind_text(st, 1, ts, (int)n, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, 200 + i % 3000);
		sqlite3_bind_double(st, 3, 15.0 + (double)(i % 100) / 10.0);
		if (sqlite3_step(st) != SQLITE_DONE) {
			fprintf(stderr, "%s\n", sqlite3_errmsg(db));
			return 1;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(db);
	return 0;
}
