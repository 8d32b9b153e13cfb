/*
 * writeq.h - a process's writes to one database, from many threads: the
 * write lock, a writing thread that stores everyone's batches on a
 * connection of its own, and the log's checkpoints.  hearth serve makes
 * one and hands it to whatever writes: the HTTP write routes, the rollup
 * upkeep, and the pollers and listeners it runs.
 *
 * Why a thread: SQLite has one writer at a time, so the server's ingest
 * rate is what one thread can insert.  When each request thread stored
 * its own rows under a mutex, two costs came between one request's
 * commit and the next one's first insert:
 *   - waking the next thread, which then waited for a CPU (on a small
 *     machine the others are busy parsing);
 *   - its connection found the database changed by another connection
 *     and dropped its page cache, then read the pages it needed back.
 * Here the thread that commits request k starts request k+1 at once, on
 * a connection whose cache stays valid, and wakes k's thread to answer.
 * Requests waiting when it takes the next share one transaction (at most
 * 64 of them, and no more once they hold 50,000 rows), so that many small
 * requests share a commit.
 *
 * Why a checkpoint thread: a WAL checkpoint (copying the log into the
 * database file, tens of milliseconds on a disk, more on an SD card) run
 * by the committing connection holds the write lock and the request that
 * made the log grow.  The writing thread's connection skips SQLite's
 * automatic checkpoint; each time the log has grown by CHECKPOINT_AT
 * pages, a thread of its own checkpoints beside the writers
 * (checkpointer.h).  Under constant load those checkpoints never quite
 * catch up with the log, which then never starts over; past
 * CHECKPOINT_FORCE pages one runs under the write lock, after which the
 * next writer starts the log over.
 *
 * A request is all or nothing, whatever its size: its batches go to the
 * thread one after another, the first may wait for the others in an open
 * transaction, and only the last one commits.  Memory stays that of the
 * batch being filled and the one being stored.
 */
#ifndef HEARTH_INGEST_WRITEQ_H
#define HEARTH_INGEST_WRITEQ_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "ingest/batch.h"
#include "store/store.h"

struct writeq;

/*
 * writeq_start: open the thread's connection to the database w says and
 * start the thread, and the checkpoint thread when the database is a
 * SQLite file.  Stop with writeq_stop.
 */
int writeq_start(struct writeq **out, const struct store_where *w,
		 struct hearth_err *err);

/* writeq_stop: store what is queued, end the threads, close their
 * connections, free q.  NULL is fine. */
void writeq_stop(struct writeq *q);

/*
 * A request, on its caller's stack: WRITEQ_REQ_INIT, then one writeq_put
 * per batch, the last one with last set; writeq_abort when the input
 * turns out bad after a batch was put.  The fields are writeq's.
 */
struct writeq_req {
	struct batch *b;       /* handed over, not yet stored */
	int last, session, queued, done, aborted, rc;
	long bad_at;
	struct hearth_err err;
	pthread_cond_t wake;
	int have_wake;
	struct writeq_req *next;
};

#define WRITEQ_REQ_INIT { NULL, 0, 0, 0, 0, 0, 0, 0, HEARTH_ERR_INIT, \
			  PTHREAD_COND_INITIALIZER, 0, NULL }

/*
 * writeq_put: store b as the next part of request r.  Returns once the
 * thread has inserted b (the caller may refill it then) and, when last is
 * set, committed the request.  On error the request is over and nothing
 * of it is stored: *bad_at is the line or element of a row the database
 * refused, else 0 (the database was locked, the disk full), and err says
 * what.  A request's batches must be converted against the same schema.
 */
int writeq_put(struct writeq *q, struct writeq_req *r, struct batch *b,
	       int last, long *bad_at, struct hearth_err *err);

/* writeq_abort: end r storing nothing of it (an input error after some
 * of its batches were put).  Harmless when r is over or was never put. */
void writeq_abort(struct writeq *q, struct writeq_req *r);

/*
 * writeq_hold, writeq_release: the write lock, for a write of the
 * caller's own through its connection s (a revision, the rollup upkeep):
 * the writing thread waits meanwhile instead of timing out on SQLite's
 * lock.  After the release, the log is checkpointed as after the
 * thread's own writes.
 */
void writeq_hold(struct writeq *q, struct store *s);
void writeq_release(struct writeq *q, struct store *s);

struct writeq_stats {
	uint64_t transactions; /* committed by the thread */
	uint64_t taken;        /* requests the thread took from the queue */
	uint64_t requests;     /* of those, stored (committed) */
	size_t waiting;        /* requests queued, not yet taken */
};

void writeq_stats(struct writeq *q, struct writeq_stats *out);

#endif
