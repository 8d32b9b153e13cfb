/* Tests for walvfs.c: commits gathered into few writes must be on disk,
 * whole, when the commit returns.  The writer is a store (which opens
 * files through walvfs); the reader a plain SQLite connection through
 * the default VFS, so it sees only what reached the file. */
#include "t.h"
#include "t_store.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "store/store.h"

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* A new connection through the default VFS: count(*) and sum(length(v))
 * of t as "COUNT SUM", or the error; and the integrity check. */
static void read_back(const char *db, char *out, size_t n)
{
	sqlite3 *r = NULL;
	sqlite3_stmt *st = NULL;

	snprintf(out, n, "cannot open");
	if (sqlite3_open_v2(db, &r, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		goto out;
	if (sqlite3_prepare_v2(r, "SELECT count(*), total(length(v)), "
			       "(SELECT group_concat(integrity_check) FROM "
			       "pragma_integrity_check) FROM t",
			       -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		snprintf(out, n, "%s", sqlite3_errmsg(r));
		goto out;
	}
	snprintf(out, n, "%lld %.0f %s", sqlite3_column_int64(st, 0),
		 sqlite3_column_double(st, 1), sqlite3_column_text(st, 2));
out:
	sqlite3_finalize(st);
	sqlite3_close(r);
}

/* The reader must see want ("COUNT SUM ok"). */
#define CHECK_READ(db, want)                                                  \
	do {                                                                  \
		char got_[256];                                               \
		read_back(db, got_, sizeof(got_));                            \
		CHECK_STR(got_, want);                                        \
	} while (0)

/* Insert rows rows of size bytes each in one statement. */
static int insert(struct store *s, int rows, int size)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	char sql[256];

	snprintf(sql, sizeof(sql),
		 "WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 "
		 "FROM i WHERE n < %d) INSERT INTO t SELECT randomblob(%d) "
		 "FROM i", rows, size);
	return store_exec(s, sql, &err);
}

static struct store *wal_db(char *path, size_t n)
{
	struct store *s = t_file_db(path, n);

	/* No checkpoints: every commit stays in the log, to be read there. */
	store_autocheckpoint(s, 0);
	t_exec(s, "CREATE TABLE t (v BLOB)");
	return s;
}

/* Commits of one frame, of a few, and of more than one write's worth
 * (128 KiB, 31 frames): after each, a reader of the file sees all of it.
 * Commits of 1 to 100 pages end at every place in a write's worth, then
 * one of 20,000 rows takes many writes. */
static void test_each_commit_is_on_disk(void)
{
	char db[4096], wal[4200], want[256];
	struct store *s = wal_db(db, sizeof(db));
	long long count = 0, bytes = 0;
	int i, rows;

	snprintf(wal, sizeof(wal), "%s-wal", db);
	for (i = 1; i <= 101; i++) {
		rows = i <= 100 ? i * 36 : 20000; /* 36 rows fill a page */
		CHECK_INT(insert(s, rows, 100), 0);
		count += rows;
		bytes += rows * 100LL;
		snprintf(want, sizeof(want), "%lld %lld ok", count, bytes);
		CHECK_READ(db, want);
		/* 32 bytes of header, then whole frames: 24 bytes and a
		 * 4 KiB page each. */
		CHECK_INT((file_size(wal) - 32) % (24 + 4096), 0);
	}
	t_file_db_remove(s, db);
}

/* A transaction bigger than the page cache writes frames to the log
 * before its commit; rolled back, they must not show, and the next
 * commit writes over them. */
static void test_spilled_transaction_rolled_back(void)
{
	char db[4096];
	struct store *s = wal_db(db, sizeof(db));

	CHECK_INT(insert(s, 10, 100), 0);
	t_exec(s, "PRAGMA cache_size = 20; BEGIN");
	CHECK_INT(insert(s, 30000, 100), 0);
	t_exec(s, "ROLLBACK; PRAGMA cache_size = -2000");
	CHECK_READ(db, "10 1000 ok");
	CHECK_INT(insert(s, 5, 100), 0);
	CHECK_READ(db, "15 1500 ok");
	t_file_db_remove(s, db);
}

/* Copy file from to to, as it is on disk. */
static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	size_t n;

	CHECK(in && out);
	while (in && out && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		CHECK(fwrite(buf, 1, n, out) == n);
	if (in)
		fclose(in);
	if (out)
		fclose(out);
}

/* What a crash right after a commit leaves: the database and its log as
 * they are on disk (nothing of this process's memory), copied, then
 * opened, which recovers the log and checks every frame's checksum. */
static void read_after_crash(const char *db, char *out, size_t n)
{
	char dir[] = "/tmp/hearth-test.XXXXXX", from[4200], to[4200];

	CHECK(mkdtemp(dir) != NULL);
	snprintf(to, sizeof(to), "%s/t.db", dir);
	copy_file(db, to);
	snprintf(from, sizeof(from), "%s-wal", db);
	snprintf(to, sizeof(to), "%s/t.db-wal", dir);
	copy_file(from, to);
	snprintf(to, sizeof(to), "%s/t.db", dir);
	read_back(to, out, n);
	t_file_db_unlink(to);
}

/* A crash after a commit keeps it: a plain commit, and one that wrote
 * pages over its own spilled frames, after which SQLite rewrites the
 * frames' checksums, the commit frame's last, with no page after it. */
static void test_commit_survives_a_crash(void)
{
	char db[4096], got[256];
	struct store *s = wal_db(db, sizeof(db));

	CHECK_INT(insert(s, 10, 100), 0);
	read_after_crash(db, got, sizeof(got));
	CHECK_STR(got, "10 1000 ok");
	t_exec(s, "PRAGMA cache_size = 20; BEGIN");
	CHECK_INT(insert(s, 3000, 100), 0);
	t_exec(s, "UPDATE t SET v = randomblob(90); COMMIT");
	read_after_crash(db, got, sizeof(got));
	CHECK_STR(got, "3010 270900 ok");
	t_file_db_remove(s, db);
}

/* A write refused by the system (here the file size limit: EFBIG, as a
 * full disk gives ENOSPC) fails the commit with an error, and what was
 * committed before stays, readable and whole. */
static void test_failed_write_fails_the_commit(void)
{
	char db[4096], wal[4200];
	struct store *s = wal_db(db, sizeof(db));
	struct rlimit old, lim;

	CHECK_INT(insert(s, 100, 100), 0);
	snprintf(wal, sizeof(wal), "%s-wal", db);
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = (rlim_t)file_size(wal) + 200000;
	setrlimit(RLIMIT_FSIZE, &lim);
	CHECK(insert(s, 5000, 100) < 0);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);
	CHECK_READ(db, "100 10000 ok");
	CHECK_INT(insert(s, 7, 100), 0);
	CHECK_READ(db, "107 10700 ok");
	t_file_db_remove(s, db);
}

T_MAIN("walvfs", T(test_each_commit_is_on_disk),
       T(test_spilled_transaction_rolled_back),
       T(test_commit_survives_a_crash),
       T(test_failed_write_fails_the_commit))
