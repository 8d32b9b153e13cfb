/*
 * commitq.h - the server's writing thread: staged requests (stage.h) are
 * committed one after another by a thread of its own, on a connection of
 * its own.
 *
 * SQLite has one writer at a time, so the server's ingest rate is what
 * one thread can insert.  When each request thread stored its own stage
 * under a mutex, two costs came between one request's commit and the
 * next one's first insert:
 *   - waking the next thread, which then waited for a CPU (on a small
 *     machine the others are busy parsing);
 *   - its connection found the database changed by another connection
 *     and dropped its page cache, then read the pages it needed back.
 * Here the thread that commits request k starts request k+1 at once, on
 * a connection whose cache stays valid, and wakes k's thread to answer.
 *
 * Each request is still all or nothing, committed before commitq_store
 * returns.
 */
#ifndef HEARTH_COMMITQ_H
#define HEARTH_COMMITQ_H

#include <stdint.h>

#include "base/err.h"
#include "ingest/stage.h"
#include "store/store.h"

struct commitq;

/*
 * The thread calls hold(s) before each transaction and release(s) after
 * it (committed or not), with s its own connection: for the caller's write
 * lock, which other writers of the process take too, and what follows a
 * commit (checkpoints).
 */
struct commitq_hooks {
	void (*hold)(struct store *s);
	void (*release)(struct store *s);
};

/* commitq_start: open a connection to the SQLite file at path and start
 * the thread.  Stop with commitq_stop. */
int commitq_start(struct commitq **out, const char *path,
		  const struct commitq_hooks *hooks, struct hearth_err *err);

/*
 * commitq_store: have the thread store st and wait until it has.  Stages
 * are stored in the order they come.  Those waiting when the thread takes
 * the next go in one transaction (at most 64 of them, and no more once
 * they hold 50,000 rows), so that many small requests share a commit;
 * when that transaction fails, each of them is stored in one of its own,
 * and only the one at fault fails.  Returns and reports as stage_store;
 * committed is called on the thread.
 */
int commitq_store(struct commitq *q, struct stage *st,
		  void (*committed)(void *ctx, const char *table,
				    int64_t rows),
		  void *ctx, long *bad_line, struct hearth_err *err);

/* commitq_waiting: stages waiting for the thread, not yet taken. */
size_t commitq_waiting(struct commitq *q);

/* commitq_stop: store what is queued, end the thread, close its
 * connection, free q.  NULL is fine. */
void commitq_stop(struct commitq *q);

#endif
