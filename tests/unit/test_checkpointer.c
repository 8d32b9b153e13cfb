/* Tests for checkpointer.c: the WAL copied into the database file by a
 * thread of its own, on a real SQLite file. */
#include "t.h"
#include "t_store.h"

#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "checkpointer.h"
#include "store.h"

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* A fresh WAL database in a scratch directory, 20,000 rows in its WAL
 * and none yet in the file.  *dir and *db are the paths (free them). */
static struct store *wal_db(char **dir, char **db)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	char tmpl[] = "/tmp/hearth-ckpt.XXXXXX";
	struct store *s = NULL;

	*dir = strdup(mkdtemp(tmpl));
	*db = malloc(strlen(*dir) + 16);
	sprintf(*db, "%s/t.db", *dir);
	if (store_open(&s, *db, NULL, STORE_CREATE, &err) < 0) {
		fprintf(stderr, "  %s\n", err.msg);
		exit(1);
	}
	t_exec(s, "PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (v);"
		  "WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 "
		  "FROM i WHERE n < 20000) INSERT INTO t SELECT n FROM i");
	return s;
}

static void cleanup(struct store *s, char *dir, char *db)
{
	char path[4200];

	store_close(s);
	unlink(db);
	snprintf(path, sizeof(path), "%s-wal", db);
	unlink(path);
	snprintf(path, sizeof(path), "%s-shm", db);
	unlink(path);
	rmdir(dir);
	free(dir);
	free(db);
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
	char *dir, *db;
	struct store *s = wal_db(&dir, &db);
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
	cleanup(s, dir, db);
}

/* Stopped without a poke, or at once after one: the thread ends either
 * way (and under ASan nothing leaks). */
static void test_stop(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct checkpointer *c = NULL;
	char *dir, *db;
	struct store *s = wal_db(&dir, &db);
	int i;

	CHECK_INT(checkpointer_start(&c, db, &err), 0);
	checkpointer_stop(c);
	for (i = 0; i < 20; i++) {
		CHECK_INT(checkpointer_start(&c, db, &err), 0);
		checkpointer_poke(c);
		checkpointer_stop(c);
	}
	checkpointer_stop(NULL);
	cleanup(s, dir, db);
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
