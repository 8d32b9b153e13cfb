/* Tests for writeq.c: requests' batches stored by a thread of its own,
 * on a real SQLite file, from several request threads at once. */
#include "t.h"
#include "t_store.h"

#include <pthread.h>
#include <time.h>
#include <stdatomic.h>

#include "base/buf.h"
#include "ingest/batch.h"
#include "ingest/ingest.h"
#include "ingest/writeq.h"

static const char ddl[] =
	"CREATE TABLE r (t TIMESTAMP NOT NULL, w INTEGER CHECK (w >= 0), c REAL);"
	"CREATE INDEX r_t ON r (t)";

/* Between two looks at what another thread does. */
static void a_moment(void)
{
	struct timespec ms = { 0, 1000 * 1000 };

	nanosleep(&ms, NULL);
}

/* A queue writing to the SQLite file at path. */
static int start(struct writeq **q, const char *path, struct hearth_err *err)
{
	struct store_where w = { (char *)path, NULL, NULL, NULL };

	return writeq_start(q, &w, err);
}

/* What q says of itself. */
static struct writeq_stats stats(struct writeq *q)
{
	struct writeq_stats st;

	writeq_stats(q, &st);
	return st;
}

/* body as one batch of table's rows, converted on s. */
static struct batch *prepare(struct store *s, const struct schema *schema,
			     const char *table, const char *body, size_t len,
			     long *bad, struct hearth_err *err)
{
	struct batch_opts bo = { s, schema, NULL, table, 64, 0 };
	struct batch *b = batch_new(&bo);
	struct ingest_src src;
	struct ingest_parser *p;
	int rc;

	ingest_src_mem(&src, body, len);
	p = ingest_open(INGEST_LP, &src, LP_S);
	rc = batch_fill(b, p, SIZE_MAX, bad, err);
	ingest_free(p);
	if (rc < 0) {
		batch_free(b);
		return NULL;
	}
	return b;
}

/* One request of one batch, stored through q; committed(ctx, table,
 * rows) per table when it is. */
static int store_one(struct writeq *q, struct batch *b,
		     void (*committed)(void *ctx, const char *table,
				       int64_t rows),
		     void *ctx, long *bad, struct hearth_err *err)
{
	struct writeq_req r = WRITEQ_REQ_INIT;
	struct counts c = COUNTS_INIT;
	size_t i;
	int rc;

	batch_count(b, &c);
	rc = writeq_put(q, &r, b, 1, bad, err);
	for (i = 0; rc == 0 && committed && i < c.n; i++)
		committed(ctx, c.v[i].table, c.v[i].rows);
	counts_release(&c);
	return rc;
}

struct seen {
	pthread_mutex_t lock;
	int64_t rows;
	int calls;
};

static void counted(void *ctx, const char *table, int64_t rows)
{
	struct seen *c = ctx;

	pthread_mutex_lock(&c->lock);
	if (!strcmp(table, "r"))
		c->rows += rows;
	c->calls++;
	pthread_mutex_unlock(&c->lock);
}

/* One request thread: its own connection (as the server's threads have),
 * REQUESTS bodies of ROWS lines each, times its own range.  Every fifth
 * body has a refused row (w = -1) on line bad_at. */
#define THREADS 6
#define REQUESTS 20
#define ROWS 300

struct client {
	const char *path;
	struct writeq *q;
	struct seen *c;
	int id;
	int stored, refused, wrong; /* requests */
};

static void *client(void *arg)
{
	struct client *cl = arg;
	struct hearth_err err = HEARTH_ERR_INIT;
	struct schema schema = SCHEMA_INIT;
	struct store *s = NULL;
	int k, i;

	if (store_open(&s, cl->path, NULL, 0, &err) < 0 ||
	    store_introspect(s, &schema, &err) < 0) {
		cl->wrong = REQUESTS;
		goto out;
	}
	for (k = 0; k < REQUESTS; k++) {
		struct buf body = BUF_INIT;
		struct batch *st = NULL;
		long bad = 0, bad_at = k % 5 == 4 ? 1 + (k * 37) % ROWS : 0;
		int rc = -1;

		for (i = 1; i <= ROWS; i++)
			buf_addf(&body, "r w=%di,c=1.5 %d\n", i == bad_at ? -1 : i,
				 1700000000 + cl->id * 1000000 + k * ROWS + i);
		st = prepare(s, &schema, "r", body.s, body.len, &bad, &err);
		if (st)
			rc = store_one(cl->q, st, counted, cl->c, &bad, &err);
		if (bad_at && rc == -1 && bad == bad_at)
			cl->refused++;
		else if (!bad_at && rc == 0 && bad == 0)
			cl->stored++;
		else
			cl->wrong++;
		batch_free(st);
		buf_release(&body);
	}
out:
	schema_release(&schema);
	store_close(s);
	return NULL;
}

/* Six threads send 20 requests each at once: every good request is
 * stored whole, every one with a refused row not at all and names its
 * line; the rows of each request are together and in order; the
 * committed counts match; requests share transactions, never more than
 * one each.  Bad input tried: a row a CHECK refuses, at a different
 * line in each bad request (inside and after the multi-row statements). */
static void test_many_threads(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	char path[4096];
	struct store *s = t_file_db(path, sizeof(path));
	struct seen c = { PTHREAD_MUTEX_INITIALIZER, 0, 0 };
	struct client cl[THREADS];
	pthread_t th[THREADS];
	struct writeq *q = NULL;
	struct writeq_stats st;
	int i, stored = 0, refused = 0, wrong = 0;

	t_exec(s, ddl);
	CHECK_INT(start(&q, path, &err), 0);
	for (i = 0; i < THREADS; i++) {
		cl[i] = (struct client){ path, q, &c, i, 0, 0, 0 };
		CHECK_INT(pthread_create(&th[i], NULL, client, &cl[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		stored += cl[i].stored;
		refused += cl[i].refused;
		wrong += cl[i].wrong;
	}
	st = stats(q);
	writeq_stop(q);
	CHECK_INT(wrong, 0);
	CHECK_INT(stored, THREADS * REQUESTS * 4 / 5);
	CHECK_INT(refused, THREADS * REQUESTS / 5);
	CHECK_INT(t_int(s, "SELECT count(*) FROM r"), (int64_t)stored * ROWS);
	CHECK_INT(t_int(s, "SELECT count(*) FROM r WHERE w < 0"), 0);
	CHECK_INT(c.rows, (int64_t)stored * ROWS);
	CHECK_INT(c.calls, stored);
	/* Each request's rows are consecutive rowids, in line order. */
	CHECK_INT(t_int(s, "SELECT count(*) FROM r a JOIN r b ON b.rowid = a.rowid + 1 "
		       "WHERE a.w < 300 AND b.w != a.w + 1"), 0);
	/* One transaction for several requests at times, never more
	 * than one per request. */
	CHECK(st.transactions >= 1 && st.transactions <= (uint64_t)stored);
	CHECK_INT(st.requests, stored);
	t_file_db_remove(s, path);
}

/* One request of ROWS lines, w = 1..ROWS (-1 on line bad_at if not 0),
 * times from t0, stored through q on a connection of its own. */
struct one {
	const char *path;
	struct writeq *q;
	int t0;
	long bad_at, bad;
	int rc;
	struct hearth_err err;
	atomic_int returned;
};

static void *send_one(void *arg)
{
	struct one *o = arg;
	struct schema schema = SCHEMA_INIT;
	struct store *s = NULL;
	struct batch *st = NULL;
	struct buf body = BUF_INIT;
	int i;

	o->rc = -2;
	for (i = 1; i <= ROWS; i++)
		buf_addf(&body, "r w=%di %d\n", i == o->bad_at ? -1 : i,
			 o->t0 + i);
	if (store_open(&s, o->path, NULL, 0, &o->err) == 0 &&
	    store_introspect(s, &schema, &o->err) == 0 &&
	    (st = prepare(s, &schema, "r", body.s, body.len, &o->bad,
			  &o->err)))
		o->rc = store_one(o->q, st, NULL, NULL, &o->bad, &o->err);
	atomic_store(&o->returned, 1);
	batch_free(st);
	buf_release(&body);
	schema_release(&schema);
	store_close(s);
	return NULL;
}

/* Start o on a thread of its own. */
static void send(pthread_t *th, struct one *o, const char *path,
		 struct writeq *q, int t0, long bad_at)
{
	*o = (struct one){ path, q, t0, bad_at, 0, 0, HEARTH_ERR_INIT, 0 };
	CHECK_INT(pthread_create(th, NULL, send_one, o), 0);
}

/* Requests that wait together go in one transaction.  The test holds the
 * write lock (as a revision of the server's own would): the first
 * request is taken and waits for the lock, four more queue behind it,
 * and those four are stored in one transaction.  When one of the four
 * has a refused row, the other three are still stored, each in its own
 * transaction then, and the bad one fails alone, naming its line.  Bad
 * input tried: a row a CHECK refuses, on line 250 of the third queued
 * request. */
static void test_waiting_requests_share_a_commit(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	long bad_at;

	for (bad_at = 0; bad_at <= 250; bad_at += 250) {
		char path[4096];
		struct store *s = t_file_db(path, sizeof(path));
		struct writeq *q = NULL;
		struct one o[5];
		pthread_t th[5];
		int i;

		t_exec(s, ddl);
		CHECK_INT(start(&q, path, &err), 0);
		writeq_hold(q, s);
		for (i = 0; i < 5; i++) {
			send(&th[i], &o[i], path, q, 1700000000 + i * 1000,
			     i == 3 ? bad_at : 0);
			/* The first is taken (and waits), the rest queue. */
			while (!stats(q).taken || stats(q).waiting != (size_t)i)
				a_moment();
		}
		writeq_release(q, s);
		for (i = 0; i < 5; i++)
			pthread_join(th[i], NULL);
		for (i = 0; i < 5; i++) {
			int bad = i == 3 && bad_at;
			CHECK_INT(o[i].rc, bad ? -1 : 0);
			CHECK_INT(o[i].bad, bad ? bad_at : 0);
			if (bad)
				CHECK(strstr(o[i].err.msg, "line 250") != NULL);
		}
		CHECK_INT(t_int(s, "SELECT count(*) FROM r"),
			  bad_at ? 4 * ROWS : 5 * ROWS);
		CHECK_INT(t_int(s, "SELECT count(*) FROM r WHERE w < 0"), 0);
		/* the first alone, then the four together; or, with a bad
		 * row, the three good ones alone */
		CHECK_INT(stats(q).transactions, bad_at ? 4 : 2);
		writeq_stop(q);
		t_file_db_remove(s, path);
	}
}

/* A failure that is not a row's fails every request of the transaction
 * at once.  The test holds the write lock: a first request is taken,
 * four queue behind it; then another program takes the database's write
 * lock and keeps it past SQLite's busy timeout (10 s) for each, until
 * one of the four returns or, at the latest, 25 s.  The first fails
 * alone, then all four with "locked" and no line, at once: none is
 * tried again on its own, which would wait for the lock again, get it,
 * and store the rows.  The thread goes on: a request after that is
 * stored. */
static void test_group_fails_together(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	char path[4096];
	struct store *s = t_file_db(path, sizeof(path)), *lk = NULL;
	struct writeq *q = NULL;
	struct one o[6];
	pthread_t th[6];
	int i, k, any;

	t_exec(s, ddl);
	CHECK_INT(start(&q, path, &err), 0);
	CHECK_INT(store_open(&lk, path, NULL, 0, &err), 0);
	writeq_hold(q, s);
	for (i = 0; i < 5; i++) {
		send(&th[i], &o[i], path, q, 1700000000 + i * 1000, 0);
		while (!stats(q).taken || stats(q).waiting != (size_t)i)
			a_moment();
	}
	t_exec(lk, "BEGIN IMMEDIATE");
	writeq_release(q, s);
	for (k = 0, any = 0; !any && k < 25000; k++) {
		a_moment();
		for (i = 1; i < 5; i++)
			any |= atomic_load(&o[i].returned);
	}
	t_exec(lk, "ROLLBACK");
	for (i = 0; i < 5; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 5; i++) {
		CHECK_INT(o[i].rc, -1);
		CHECK_INT(o[i].bad, 0);
		CHECK(strstr(o[i].err.msg, "locked") != NULL);
	}
	CHECK_INT(t_int(s, "SELECT count(*) FROM r"), 0);
	send(&th[5], &o[5], path, q, 1800000000, 0);
	pthread_join(th[5], NULL);
	CHECK_INT(o[5].rc, 0);
	CHECK_INT(t_int(s, "SELECT count(*) FROM r"), ROWS);
	CHECK_INT(stats(q).transactions, 1);
	writeq_stop(q);
	store_close(lk);
	t_file_db_remove(s, path);
}

/* A request whose table went away (dropped by another connection) after
 * its batch was made: the error names the table, nothing is stored, and
 * the thread goes on with the next request. */
static void test_table_gone(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	char path[4096];
	struct store *s = t_file_db(path, sizeof(path));
	struct schema schema = SCHEMA_INIT;
	struct batch *st, *st2;
	struct writeq *q = NULL;
	static const char body[] = "r w=1i 1700000000\nr w=2i 1700000001\n";
	long bad = 0;

	t_exec(s, ddl);
	t_exec(s, "CREATE TABLE r2 (t TIMESTAMP NOT NULL, w INTEGER)");
	CHECK_INT(store_introspect(s, &schema, &err), 0);
	CHECK_INT(start(&q, path, &err), 0);
	st = prepare(s, &schema, "r", body, strlen(body), &bad, &err);
	st2 = prepare(s, &schema, NULL, "r2 w=5i 1700000000\n", 19, &bad, &err);
	CHECK(st && st2);
	t_exec(s, "DROP TABLE r");
	CHECK_INT(store_one(q, st, NULL, NULL, &bad, &err), -1);
	CHECK(strstr(err.msg, "no such table: r") != NULL);
	err_clear(&err);
	CHECK_INT(store_one(q, st2, NULL, NULL, &bad, &err), 0);
	CHECK_INT(t_int(s, "SELECT count(*) FROM r2"), 1);
	CHECK_INT(stats(q).transactions, 1);
	writeq_stop(q);
	batch_free(st);
	batch_free(st2);
	schema_release(&schema);
	t_file_db_remove(s, path);
}

/* A request of several batches: one transaction held open between them,
 * all or nothing.  Others that come meanwhile wait for it, then go on.
 * Bad input tried: a row a CHECK refuses in the third of four batches
 * (nothing of the request is stored, its line named), and a request
 * given up after two batches (writeq_abort, as after a malformed line):
 * nothing stored either. */
static void test_request_of_batches(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	char path[4096];
	struct store *s = t_file_db(path, sizeof(path));
	struct schema schema = SCHEMA_INIT;
	struct writeq *q = NULL;
	struct one other;
	pthread_t th;
	int pass, k, i;

	t_exec(s, ddl);
	CHECK_INT(store_introspect(s, &schema, &err), 0);
	CHECK_INT(start(&q, path, &err), 0);
	for (pass = 0; pass < 3; pass++) {
		struct writeq_req r = WRITEQ_REQ_INIT;
		struct batch_opts bo = { s, &schema, NULL, "r", 64, 0 };
		int64_t before = t_int(s, "SELECT count(*) FROM r");
		struct buf body = BUF_INIT;
		struct batch *b = batch_new(&bo);
		struct ingest_src src;
		struct ingest_parser *p;
		long bad = 0;
		int rc = 0, fill = 1;

		for (i = 1; i <= 400; i++)
			buf_addf(&body, "r w=%di %d\n", pass == 1 && i == 250 ? -1 : i,
				 1700000000 + pass * 1000 + i);
		ingest_src_mem(&src, body.s, body.len);
		p = ingest_open(INGEST_LP, &src, LP_S);
		for (k = 0; fill > 0 && rc == 0; k++) {
			fill = batch_fill(b, p, 100, &bad, &err);
			CHECK(fill >= 0);
			if (pass == 2 && k == 2) {
				writeq_abort(q, &r);
				break;
			}
			rc = writeq_put(q, &r, b, fill == 0, &bad, &err);
			batch_reset(b);
			/* Another request, queued while this one is open. */
			if (k == 0 && pass == 0) {
				send(&th, &other, path, q, 1800000000, 0);
				while (stats(q).waiting != 1)
					a_moment();
				CHECK(!atomic_load(&other.returned));
			}
		}
		ingest_free(p);
		batch_free(b);
		buf_release(&body);
		CHECK_INT(rc, pass == 1 ? -1 : 0);
		if (pass == 1) {
			CHECK_INT(bad, 250);
			CHECK(strstr(err.msg, "line 250") != NULL);
		}
		if (pass == 0) {
			pthread_join(th, NULL);
			CHECK_INT(other.rc, 0);
		}
		CHECK_INT(t_int(s, "SELECT count(*) FROM r") - before,
			  pass == 0 ? 400 + ROWS : 0);
	}
	CHECK_INT(t_int(s, "SELECT count(*) FROM r WHERE w < 0"), 0);
	writeq_stop(q);
	schema_release(&schema);
	t_file_db_remove(s, path);
}

/* A database that cannot be opened: an error naming it, no thread.
 * Stopping nothing is fine. */
static void test_start_fails(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct writeq *q = (struct writeq *)&err;

	CHECK_INT(start(&q, "/nonexistent/dir/t.db", &err), -1);
	CHECK(q == NULL);
	CHECK(strstr(err.msg, "/nonexistent/dir/t.db") != NULL);
	writeq_stop(NULL);
}

T_MAIN("writeq", T(test_many_threads), T(test_waiting_requests_share_a_commit),
       T(test_group_fails_together), T(test_table_gone),
       T(test_request_of_batches), T(test_start_fails))
