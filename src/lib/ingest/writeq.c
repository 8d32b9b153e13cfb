/*
 * writeq.c - the writing thread, the write lock and the checkpoint
 * policy (see writeq.h).
 */
#include "ingest/writeq.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "ingest/wtx.h"
#include "store/checkpointer.h"

/* Bounds on requests stored in one transaction: the first of them waits
 * for the others' rows too. */
#define GROUP_REQS 64
#define GROUP_ROWS 50000

#define CHECKPOINT_AT 1000     /* pages of the log (SQLite's default) */
#define CHECKPOINT_FORCE 16000 /* pages: 64 MB of 4 KB pages */

struct writeq {
	pthread_t thread;
	pthread_mutex_t lock;     /* the queue and the requests' fields */
	pthread_cond_t work;
	struct writeq_req *head, **tail; /* (lock) */
	size_t waiting;           /* requests in the list (lock) */
	int stopping;             /* (lock) */
	struct writeq_stats stats; /* (lock) */
	struct store *s;          /* the thread's own */
	/* The write lock: SQLite writers that meet a held lock poll with
	 * growing sleeps (its busy handler), which wastes most of the time
	 * when several want it; queueing on a mutex hands it over as soon
	 * as it is free. */
	pthread_mutex_t write_lock;
	struct checkpointer *ckpt; /* NULL: not a SQLite file */
	int64_t poked_at;         /* the log's length at the last checkpoint
				     asked (write_lock) */
};

static void hold(struct writeq *q, struct store *s)
{
	pthread_mutex_lock(&q->write_lock);
	/* The checkpoint thread does it, after the lock (see release). */
	if (q->ckpt)
		store_autocheckpoint(s, 0);
}

/* s's count is the log's length after s's commit, and no one else of
 * this process has committed since: the lock is still held. */
static void release(struct writeq *q, struct store *s)
{
	int64_t frames = q->ckpt ? store_wal_frames(s) : 0;
	int ask = 0;

	if (frames < q->poked_at)
		q->poked_at = 0; /* the log started over */
	if (frames > CHECKPOINT_FORCE) {
		struct hearth_err ignore;
		store_checkpoint(s, &ignore);
	} else if (frames >= q->poked_at + CHECKPOINT_AT) {
		ask = 1;
		q->poked_at = frames;
	}
	pthread_mutex_unlock(&q->write_lock);
	if (ask)
		checkpointer_poke(q->ckpt);
}

void writeq_hold(struct writeq *q, struct store *s)
{
	hold(q, s);
}

void writeq_release(struct writeq *q, struct store *s)
{
	release(q, s);
}

/* r is over (lock held).  The thread never touches r after this: its
 * caller may be gone the moment the lock is let go. */
static void finish(struct writeq *q, struct writeq_req *r, int rc, long bad_at,
		   const struct hearth_err *err)
{
	r->rc = rc;
	r->bad_at = bad_at;
	if (rc < 0)
		r->err = *err;
	else
		q->stats.requests++;
	r->b = NULL;
	r->done = 1;
	pthread_cond_broadcast(&r->wake);
}

/* The batches of n single-batch requests in one transaction; finish
 * them all when it commits, or when it fails for another reason than a
 * row (fail_alone unset: then the caller tries them one by one).  The
 * refused row's line is *bad_at. */
static int store_batches(struct writeq *q, struct writeq_req **reqs, size_t n,
			 int fail_alone, long *bad_at)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct wtx tx = WTX_INIT;
	size_t i;
	int rc;

	*bad_at = 0;
	rc = wtx_begin(&tx, q->s, &err);
	for (i = 0; i < n && rc == 0; i++)
		rc = wtx_put(&tx, reqs[i]->b, bad_at, &err);
	if (rc == 0)
		rc = wtx_commit(&tx, &err);
	wtx_release(&tx);
	pthread_mutex_lock(&q->lock);
	if (rc == 0)
		q->stats.transactions++;
	for (i = 0; i < n; i++)
		if (rc == 0 || fail_alone || !*bad_at)
			finish(q, reqs[i], rc, fail_alone ? *bad_at : 0, &err);
	pthread_mutex_unlock(&q->lock);
	return rc;
}

/*
 * Store n single-batch requests in one transaction.  When a row of one
 * was refused, each in its own, so that only the guilty one fails and
 * its error names its line.  Any other failure is every request's: each
 * alone would meet it too (a database another program keeps locked, a
 * full disk), and trying again one by one would make the last wait n
 * times as long.
 */
static void store_group(struct writeq *q, struct writeq_req **reqs, size_t n)
{
	long bad_at;
	size_t i;

	if (store_batches(q, reqs, n, n == 1, &bad_at) == 0 || n == 1 ||
	    !bad_at)
		return;
	for (i = 0; i < n; i++)
		store_batches(q, &reqs[i], 1, 1, &bad_at);
}

/*
 * A request of several batches, in one transaction held open while its
 * thread converts the next batch.  Each batch is handed back once
 * inserted; the last one commits.
 */
static void store_session(struct writeq *q, struct writeq_req *r)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct wtx tx = WTX_INIT;
	long bad_at = 0;
	int rc, last;

	rc = wtx_begin(&tx, q->s, &err);
	for (;;) {
		if (rc == 0)
			rc = wtx_put(&tx, r->b, &bad_at, &err);
		pthread_mutex_lock(&q->lock);
		last = r->last;
		if (rc == 0 && !last) {
			r->b = NULL; /* stored: the caller may refill it */
			pthread_cond_broadcast(&r->wake);
			while (!r->b && !r->aborted)
				pthread_cond_wait(&r->wake, &q->lock);
		}
		if (rc < 0 || last || r->aborted) {
			pthread_mutex_unlock(&q->lock);
			break;
		}
		pthread_mutex_unlock(&q->lock);
	}
	if (rc == 0 && last)
		rc = wtx_commit(&tx, &err);
	wtx_release(&tx);
	pthread_mutex_lock(&q->lock);
	if (rc == 0 && last)
		q->stats.transactions++;
	finish(q, r, r->aborted && rc == 0 ? -1 : rc, rc < 0 ? bad_at : 0,
	       &err);
	pthread_mutex_unlock(&q->lock);
}

static void *run(void *arg)
{
	struct writeq *q = arg;
	struct writeq_req *group[GROUP_REQS];
	size_t n, rows;

	/* Named for top -H and perf. */
	pthread_setname_np(pthread_self(), "hearth-commit");

	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (!q->head && !q->stopping)
			pthread_cond_wait(&q->work, &q->lock);
		if (!q->head)
			break; /* stopping, and nothing left */
		/* A request of several batches goes alone; of one, with
		 * every other such request waiting, up to the bounds: with
		 * many small ones, one commit serves them all. */
		for (n = 0, rows = 0;
		     q->head && n < GROUP_REQS && (n == 0 || rows < GROUP_ROWS) &&
		     (n == 0 || !q->head->session) && !(n && group[0]->session);
		     n++) {
			group[n] = q->head;
			rows += batch_rows(q->head->b);
			if (!(q->head = q->head->next))
				q->tail = &q->head;
		}
		q->waiting -= n;
		q->stats.taken += n;
		pthread_mutex_unlock(&q->lock);
		hold(q, q->s);
		if (group[0]->session)
			store_session(q, group[0]);
		else
			store_group(q, group, n);
		release(q, q->s);
		pthread_mutex_lock(&q->lock);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

int writeq_start(struct writeq **out, const struct store_where *w,
		 struct hearth_err *err)
{
	struct writeq *q = xcalloc(1, sizeof(*q));
	int rc;

	*out = NULL;
	if (store_open_at(&q->s, w, 0, err) < 0) {
		free(q);
		return -1;
	}
	if (store_path(q->s) &&
	    checkpointer_start(&q->ckpt, store_path(q->s), err) < 0) {
		store_close(q->s);
		free(q);
		return -1;
	}
	pthread_mutex_init(&q->lock, NULL);
	pthread_mutex_init(&q->write_lock, NULL);
	pthread_cond_init(&q->work, NULL);
	q->tail = &q->head;
	rc = pthread_create(&q->thread, NULL, run, q);
	if (rc) {
		err_set(err, "cannot start the writing thread: %s",
			strerror(rc));
		checkpointer_stop(q->ckpt);
		pthread_mutex_destroy(&q->lock);
		pthread_mutex_destroy(&q->write_lock);
		pthread_cond_destroy(&q->work);
		store_close(q->s);
		free(q);
		return -1;
	}
	*out = q;
	return 0;
}

/* Once r is over, the thread no longer waits on or signals its wake. */
static void forget(struct writeq_req *r)
{
	if (r->done && r->have_wake) {
		pthread_cond_destroy(&r->wake);
		r->have_wake = 0;
	}
}

int writeq_put(struct writeq *q, struct writeq_req *r, struct batch *b,
	       int last, long *bad_at, struct hearth_err *err)
{
	int rc = 0;

	*bad_at = 0;
	pthread_mutex_lock(&q->lock);
	if (!r->have_wake) {
		pthread_cond_init(&r->wake, NULL);
		r->have_wake = 1;
	}
	if (!r->done) {
		r->b = b;
		r->last = last;
		if (!r->queued) {
			r->queued = 1;
			r->session = !last;
			*q->tail = r;
			q->tail = &r->next;
			q->waiting++;
			pthread_cond_signal(&q->work);
		} else {
			pthread_cond_broadcast(&r->wake);
		}
		while (!r->done && (last || r->b))
			pthread_cond_wait(&r->wake, &q->lock);
	}
	if (r->done) {
		rc = r->rc;
		*bad_at = r->bad_at;
		if (rc < 0)
			*err = r->err;
	}
	pthread_mutex_unlock(&q->lock);
	forget(r);
	return rc;
}

void writeq_abort(struct writeq *q, struct writeq_req *r)
{
	pthread_mutex_lock(&q->lock);
	if (r->queued && !r->done) {
		r->aborted = 1;
		pthread_cond_broadcast(&r->wake);
		while (!r->done)
			pthread_cond_wait(&r->wake, &q->lock);
	}
	pthread_mutex_unlock(&q->lock);
	forget(r);
}

void writeq_stats(struct writeq *q, struct writeq_stats *out)
{
	pthread_mutex_lock(&q->lock);
	*out = q->stats;
	out->waiting = q->waiting;
	pthread_mutex_unlock(&q->lock);
}

void writeq_stop(struct writeq *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->lock);
	q->stopping = 1;
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);
	/* After the writing thread: it may still ask for checkpoints. */
	checkpointer_stop(q->ckpt);
	store_close(q->s);
	pthread_mutex_destroy(&q->lock);
	pthread_mutex_destroy(&q->write_lock);
	pthread_cond_destroy(&q->work);
	free(q);
}
