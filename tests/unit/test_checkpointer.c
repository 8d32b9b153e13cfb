/* Tests for checkpointer.c: the WAL copied into the database file by a
 * thread of its own, on a real SQLite file. */
#include "t.h"
#include "t_store.h"

#include <sys/stat.h>
#include <time.h>

#include "store/checkpointer.h"
#include "store/store.h"

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* A fresh WAL database (t_file_db), 20,000 rows in its WAL and none yet
 * in the file. */
static struct store *wal_db(char *path, size_t n)
{
	struct store *s = t_file_db(path, n);

	store_autocheckpoint(s, 0);
	t_exec(s, "CREATE TABLE t (v);"
		  "WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 "
		  "FROM i WHERE n < 20000) INSERT INTO t SELECT n FROM i");
	return s;
}

/* Poll for the file to hold the rows; a generous deadline, as this waits
 * for an event and measures nothing. */
static int file_grows_past(const char *db, long long size)
{
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	int i;

	for (i = 0; i < 3000; i++) {
		if (file_size(db) > size)
			return 1;
		nanosleep(&pause, NULL);
	}
	return 0;
}

static void test_poke_copies_the_wal(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct checkpointer *c = NULL;
	char db[4096];
	struct store *s = wal_db(db, sizeof(db));
	long long before = file_size(db);

	CHECK(before < 8192); /* the rows are only in the WAL */
	CHECK_INT(checkpointer_start(&c, db, &err), 0);
	checkpointer_poke(c);
	checkpointer_poke(c); /* twice before it ran: one checkpoint */
	CHECK(file_grows_past(db, 65536));
	/* the writer goes on meanwhile, and the copy is the same data */
	t_exec(s, "INSERT INTO t VALUES (0)");
	checkpointer_poke(c);
	checkpointer_stop(c);
	CHECK_INT(t_int(s, "SELECT count(*) FROM t"), 20001);
	t_file_db_remove(s, db);
}

/* Stopped without a poke, or at once after one: the thread ends either
 * way (and under ASan nothing leaks). */
static void test_stop(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct checkpointer *c = NULL;
	char db[4096];
	struct store *s = wal_db(db, sizeof(db));
	int i;

	CHECK_INT(checkpointer_start(&c, db, &err), 0);
	checkpointer_stop(c);
	for (i = 0; i < 20; i++) {
		CHECK_INT(checkpointer_start(&c, db, &err), 0);
		checkpointer_poke(c);
		checkpointer_stop(c);
	}
	checkpointer_stop(NULL);
	t_file_db_remove(s, db);
}

/* A file that is not there: nothing to copy, no error to anyone, no
 * file made. */
static void test_missing_file(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct checkpointer *c = NULL;

	CHECK_INT(checkpointer_start(&c, "/tmp/hearth-ckpt-none/x.db", &err),
		  0);
	checkpointer_poke(c);
	checkpointer_stop(c);
	CHECK(file_size("/tmp/hearth-ckpt-none/x.db") < 0);
}

T_MAIN("checkpointer", T(test_poke_copies_the_wal), T(test_stop),
       T(test_missing_file))
