/* Tests for commitq.c: staged requests stored by a thread of its own, on
 * a real SQLite file, from several request threads at once. */
#include "t.h"
#include "t_store.h"

#include <pthread.h>
#include <time.h>
#include <stdatomic.h>

#include "base/buf.h"
#include "ingest/commitq.h"
#include "ingest/stage.h"

static const char ddl[] =
	"CREATE TABLE r (t TIMESTAMP NOT NULL, w INTEGER CHECK (w >= 0), c REAL);"
	"CREATE INDEX r_t ON r (t)";

/* The hooks count, and check that holds and releases alternate and are
 * given the thread's connection, never a request's.  While the gate is
 * shut, hold waits: the test then queues requests behind the one being
 * held. */
static pthread_mutex_t hook_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_opened = PTHREAD_COND_INITIALIZER;
static int holds, releases, hook_misuse, gate_shut, gated;
static struct store *hook_store;

static void hold(struct store *s)
{
	pthread_mutex_lock(&hook_lock);
	gated = gate_shut;
	while (gate_shut)
		pthread_cond_wait(&gate_opened, &hook_lock);
	if (holds != releases || (hook_store && hook_store != s))
		hook_misuse = 1;
	hook_store = s;
	holds++;
	pthread_mutex_unlock(&hook_lock);
}

static int held_at_gate(void)
{
	int g;

	pthread_mutex_lock(&hook_lock);
	g = gated;
	pthread_mutex_unlock(&hook_lock);
	return g;
}

static void shut_gate(int shut)
{
	pthread_mutex_lock(&hook_lock);
	gate_shut = shut;
	pthread_cond_broadcast(&gate_opened);
	pthread_mutex_unlock(&hook_lock);
}

/* pause_after_first: the first release waits until the test has done
 * what it must between the first transaction and the next (paused_done). */
static int pause_after_first, paused, paused_done;

static void release(struct store *s)
{
	pthread_mutex_lock(&hook_lock);
	if (holds != releases + 1 || hook_store != s)
		hook_misuse = 1;
	releases++;
	if (pause_after_first && releases == 1) {
		paused = 1;
		pthread_cond_broadcast(&gate_opened);
		while (!paused_done)
			pthread_cond_wait(&gate_opened, &hook_lock);
	}
	pthread_mutex_unlock(&hook_lock);
}

/* Wait until the first release has paused. */
static void wait_paused(void)
{
	pthread_mutex_lock(&hook_lock);
	while (!paused)
		pthread_cond_wait(&gate_opened, &hook_lock);
	pthread_mutex_unlock(&hook_lock);
}

static void resume(void)
{
	pthread_mutex_lock(&hook_lock);
	paused_done = 1;
	pthread_cond_broadcast(&gate_opened);
	pthread_mutex_unlock(&hook_lock);
}

static const struct commitq_hooks hooks = { hold, release };

/* Between two looks at what another thread does. */
static void a_moment(void)
{
	struct timespec ms = { 0, 1000 * 1000 };

	nanosleep(&ms, NULL);
}

static void reset_hooks(void)
{
	holds = releases = hook_misuse = gated = 0;
	pause_after_first = paused = paused_done = 0;
	hook_store = NULL;
}

struct counts {
	pthread_mutex_t lock;
	int64_t rows;
	int calls;
};

static void counted(void *ctx, const char *table, int64_t rows)
{
	struct counts *c = ctx;

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
	struct commitq *q;
	struct counts *c;
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
		struct stage *st = NULL;
		long bad = 0, bad_at = k % 5 == 4 ? 1 + (k * 37) % ROWS : 0;
		int rc;

		for (i = 1; i <= ROWS; i++)
			buf_addf(&body, "r w=%di,c=1.5 %d\n", i == bad_at ? -1 : i,
				 1700000000 + cl->id * 1000000 + k * ROWS + i);
		rc = stage_prepare(&st, s, &schema, NULL, IMPORT_LP, "r", LP_S,
				   body.s, body.len, &bad, &err);
		if (rc == 0)
			rc = commitq_store(cl->q, st, counted, cl->c, &bad, &err);
		if (bad_at && rc == -1 && bad == bad_at)
			cl->refused++;
		else if (!bad_at && rc == 0 && bad == 0)
			cl->stored++;
		else
			cl->wrong++;
		stage_free(st);
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
 * committed counts match; the hooks wrap each stage on the thread's own
 * connection.  Bad input tried: a row a CHECK refuses, at a different
 * line in each bad request (inside and after the multi-row statements). */
static void test_many_threads(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	char path[4096];
	struct store *s = t_file_db(path, sizeof(path));
	struct counts c = { PTHREAD_MUTEX_INITIALIZER, 0, 0 };
	struct client cl[THREADS];
	pthread_t th[THREADS];
	struct commitq *q = NULL;
	int i, stored = 0, refused = 0, wrong = 0;

	t_exec(s, ddl);
	reset_hooks();
	CHECK_INT(commitq_start(&q, path, &hooks, &err), 0);
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
	commitq_stop(q);
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
	CHECK(holds >= 1 && holds <= THREADS * REQUESTS);
	CHECK_INT(releases, holds);
	CHECK_INT(hook_misuse, 0);
	t_file_db_remove(s, path);
}

/* One request of ROWS lines, w = 1..ROWS (-1 on line bad_at if not 0),
 * times from t0, stored through q on a connection of its own. */
struct one {
	const char *path;
	struct commitq *q;
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
	struct stage *st = NULL;
	struct buf body = BUF_INIT;
	int i;

	o->rc = -2;
	for (i = 1; i <= ROWS; i++)
		buf_addf(&body, "r w=%di %d\n", i == o->bad_at ? -1 : i,
			 o->t0 + i);
	if (store_open(&s, o->path, NULL, 0, &o->err) == 0 &&
	    store_introspect(s, &schema, &o->err) == 0 &&
	    stage_prepare(&st, s, &schema, NULL, IMPORT_LP, "r", LP_S, body.s,
			  body.len, &o->bad, &o->err) == 0)
		o->rc = commitq_store(o->q, st, NULL, NULL, &o->bad, &o->err);
	atomic_store(&o->returned, 1);
	stage_free(st);
	buf_release(&body);
	schema_release(&schema);
	store_close(s);
	return NULL;
}

/* Requests that wait together go in one transaction: the first is held
 * (the gate), four more queue behind it, and those four are stored in
 * one transaction.  When one of the four has a refused row, the other
 * three are still stored, each in its own transaction then, and the bad
 * one fails alone, naming its line.  Bad input tried: a row a CHECK
 * refuses, on line 250 of the third queued request. */
static void test_waiting_requests_share_a_commit(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	long bad_at;

	for (bad_at = 0; bad_at <= 250; bad_at += 250) {
		char path[4096];
		struct store *s = t_file_db(path, sizeof(path));
		struct commitq *q = NULL;
		struct one o[5];
		pthread_t th[5];
		int i;

		t_exec(s, ddl);
		reset_hooks();
		CHECK_INT(commitq_start(&q, path, &hooks, &err), 0);
		shut_gate(1);
		for (i = 0; i < 5; i++) {
			o[i] = (struct one){ path, q, 1700000000 + i * 1000,
					     i == 3 ? bad_at : 0, 0, 0,
					     HEARTH_ERR_INIT, 0 };
			CHECK_INT(pthread_create(&th[i], NULL, send_one, &o[i]),
				  0);
			/* The first is taken (and held), the rest queue. */
			while (commitq_waiting(q) != (size_t)i ||
			       !held_at_gate())
				a_moment();
		}
		shut_gate(0);
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
		/* the first alone, then the four together */
		CHECK_INT(holds, 2);
		CHECK_INT(releases, 2);
		CHECK_INT(hook_misuse, 0);
		commitq_stop(q);
		t_file_db_remove(s, path);
	}
}

/* A failure that is not a row's fails every request of the transaction
 * at once.  Four requests queue behind a first; once the first is
 * stored, another program takes the database's write lock and keeps it
 * past SQLite's busy timeout (10 s), until one of the four returns or,
 * at the latest, 15 s.  All four fail with "locked" and no line, at
 * once: none is tried again on its own, which would wait for the lock
 * again, get it at 15 s, and store the rows.  The thread goes on: a
 * request after that is stored. */
static void test_group_fails_together(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	char path[4096];
	struct store *s = t_file_db(path, sizeof(path)), *lk = NULL;
	struct commitq *q = NULL;
	struct one o[6];
	pthread_t th[6];
	int i, k, any;

	t_exec(s, ddl);
	reset_hooks();
	pause_after_first = 1;
	CHECK_INT(commitq_start(&q, path, &hooks, &err), 0);
	CHECK_INT(store_open(&lk, path, NULL, 0, &err), 0);
	shut_gate(1);
	for (i = 0; i < 5; i++) {
		o[i] = (struct one){ path, q, 1700000000 + i * 1000, 0, 0, 0,
				     HEARTH_ERR_INIT, 0 };
		CHECK_INT(pthread_create(&th[i], NULL, send_one, &o[i]), 0);
		while (commitq_waiting(q) != (size_t)i || !held_at_gate())
			a_moment();
	}
	shut_gate(0);
	wait_paused(); /* the first is stored */
	t_exec(lk, "BEGIN IMMEDIATE");
	resume();
	for (k = 0, any = 0; !any && k < 15000; k++) {
		a_moment();
		for (i = 1; i < 5; i++)
			any |= atomic_load(&o[i].returned);
	}
	t_exec(lk, "ROLLBACK");
	for (i = 0; i < 5; i++)
		pthread_join(th[i], NULL);
	CHECK_INT(o[0].rc, 0);
	for (i = 1; i < 5; i++) {
		CHECK_INT(o[i].rc, -1);
		CHECK_INT(o[i].bad, 0);
		CHECK(strstr(o[i].err.msg, "locked") != NULL);
	}
	CHECK_INT(t_int(s, "SELECT count(*) FROM r"), ROWS);
	o[5] = (struct one){ path, q, 1800000000, 0, 0, 0, HEARTH_ERR_INIT, 0 };
	CHECK_INT(pthread_create(&th[5], NULL, send_one, &o[5]), 0);
	pthread_join(th[5], NULL);
	CHECK_INT(o[5].rc, 0);
	CHECK_INT(t_int(s, "SELECT count(*) FROM r"), 2 * ROWS);
	CHECK_INT(holds, 3);
	CHECK_INT(hook_misuse, 0);
	commitq_stop(q);
	store_close(lk);
	t_file_db_remove(s, path);
}

/* A stage whose table went away (dropped by another connection) after it
 * was prepared: the error names the table, nothing is stored, and the
 * thread goes on with the next stage. */
static void test_table_gone(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	char path[4096];
	struct store *s = t_file_db(path, sizeof(path));
	struct schema schema = SCHEMA_INIT;
	struct stage *st = NULL, *st2 = NULL;
	struct commitq *q = NULL;
	static const char body[] = "r w=1i 1700000000\nr w=2i 1700000001\n";
	long bad = 0;

	t_exec(s, ddl);
	t_exec(s, "CREATE TABLE r2 (t TIMESTAMP NOT NULL, w INTEGER)");
	reset_hooks();
	CHECK_INT(store_introspect(s, &schema, &err), 0);
	CHECK_INT(commitq_start(&q, path, &hooks, &err), 0);
	CHECK_INT(stage_prepare(&st, s, &schema, NULL, IMPORT_LP, "r", LP_S,
				body, strlen(body), &bad, &err), 0);
	CHECK_INT(stage_prepare(&st2, s, &schema, NULL, IMPORT_LP, NULL, LP_S,
				"r2 w=5i 1700000000\n", 19, &bad, &err), 0);
	t_exec(s, "DROP TABLE r");
	CHECK_INT(commitq_store(q, st, NULL, NULL, &bad, &err), -1);
	CHECK(strstr(err.msg, "no such table: r") != NULL);
	err_clear(&err);
	CHECK_INT(commitq_store(q, st2, NULL, NULL, &bad, &err), 0);
	CHECK_INT(t_int(s, "SELECT count(*) FROM r2"), 1);
	CHECK_INT(holds, 2);
	CHECK_INT(releases, 2);
	commitq_stop(q);
	stage_free(st);
	stage_free(st2);
	schema_release(&schema);
	t_file_db_remove(s, path);
}

/* A database that cannot be opened: an error naming it, no thread.
 * Stopping nothing is fine. */
static void test_start_fails(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct commitq *q = (struct commitq *)&err;

	CHECK_INT(commitq_start(&q, "/nonexistent/dir/t.db", &hooks, &err), -1);
	CHECK(q == NULL);
	CHECK(strstr(err.msg, "/nonexistent/dir/t.db") != NULL);
	commitq_stop(NULL);
}

T_MAIN("commitq", T(test_many_threads), T(test_waiting_requests_share_a_commit),
       T(test_group_fails_together), T(test_table_gone),
       T(test_start_fails))
