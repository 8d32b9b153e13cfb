#include "ingest/commitq.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

/* A stage waiting to be stored; on its request thread's stack, which
 * waits until done is set. */
struct job {
	struct stage *st;
	void (*committed)(void *ctx, const char *table, int64_t rows);
	void *ctx;
	long *bad_line;
	struct hearth_err *err;
	int rc;
	int done; /* (lock) */
	pthread_cond_t wake;
	struct job *next;
};

struct commitq {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t work;
	struct job *head, **tail; /* (lock) */
	size_t waiting;           /* jobs in the list (lock) */
	int stopping;             /* (lock) */
	struct commitq_hooks hooks;
	struct store *s; /* the thread's own */
};

/* Bounds on a group stored in one transaction: the first request of a
 * group waits for the others' rows too. */
#define GROUP_JOBS 64
#define GROUP_ROWS 50000

/* Store the n jobs in one transaction.  When a row of one was refused,
 * each in its own, so that only the guilty one fails and its error names
 * its line.  Any other failure is every job's: each alone would meet it
 * too (a database another program keeps locked, a full disk), and
 * trying again one by one would make the last wait n times as long. */
static void store_group(struct commitq *q, struct job **jobs, size_t n)
{
	struct stage *sts[GROUP_JOBS];
	struct hearth_err err = HEARTH_ERR_INIT;
	long bad_line = 0;
	size_t i;
	int rc;

	if (n == 1) {
		jobs[0]->rc = stage_store(jobs[0]->st, q->s, jobs[0]->committed,
					  jobs[0]->ctx, jobs[0]->bad_line,
					  jobs[0]->err);
		return;
	}
	for (i = 0; i < n; i++)
		sts[i] = jobs[i]->st;
	rc = stage_store_all(sts, n, q->s, &bad_line, &err);
	for (i = 0; i < n; i++) {
		if (rc < 0 && bad_line) {
			jobs[i]->rc = stage_store(sts[i], q->s,
						  jobs[i]->committed,
						  jobs[i]->ctx,
						  jobs[i]->bad_line,
						  jobs[i]->err);
			continue;
		}
		if (rc == 0 && jobs[i]->committed)
			stage_committed(sts[i], jobs[i]->committed,
					jobs[i]->ctx);
		if (rc < 0)
			*jobs[i]->err = err;
		*jobs[i]->bad_line = 0;
		jobs[i]->rc = rc;
	}
}

static void *run(void *arg)
{
	struct commitq *q = arg;
	struct job *group[GROUP_JOBS];
	size_t n, i, rows;

	/* Named for top -H and perf. */
	pthread_setname_np(pthread_self(), "hearth-commit");

	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (!q->head && !q->stopping)
			pthread_cond_wait(&q->work, &q->lock);
		if (!q->head)
			break; /* stopping, and nothing left */
		/* Every request waiting goes in, up to the bounds: with many
		 * small ones, one commit serves them all. */
		for (n = 0, rows = 0; q->head && n < GROUP_JOBS &&
				      (n == 0 || rows < GROUP_ROWS); n++) {
			group[n] = q->head;
			rows += stage_rows(q->head->st);
			if (!(q->head = q->head->next))
				q->tail = &q->head;
		}
		q->waiting -= n;
		pthread_mutex_unlock(&q->lock);
		q->hooks.hold(q->s);
		store_group(q, group, n);
		q->hooks.release(q->s);
		pthread_mutex_lock(&q->lock);
		for (i = 0; i < n; i++) {
			group[i]->done = 1;
			pthread_cond_signal(&group[i]->wake);
		}
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

int commitq_start(struct commitq **out, const char *path,
		  const struct commitq_hooks *hooks, struct hearth_err *err)
{
	struct commitq *q = xcalloc(1, sizeof(*q));
	int rc;

	*out = NULL;
	if (store_open(&q->s, path, NULL, 0, err) < 0) {
		free(q);
		return -1;
	}
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->work, NULL);
	q->tail = &q->head;
	q->hooks = *hooks;
	rc = pthread_create(&q->thread, NULL, run, q);
	if (rc) {
		err_set(err, "cannot start the writing thread: %s",
			strerror(rc));
		pthread_mutex_destroy(&q->lock);
		pthread_cond_destroy(&q->work);
		store_close(q->s);
		free(q);
		return -1;
	}
	*out = q;
	return 0;
}

int commitq_store(struct commitq *q, struct stage *st,
		  void (*committed)(void *ctx, const char *table,
				    int64_t rows),
		  void *ctx, long *bad_line, struct hearth_err *err)
{
	struct job j;

	memset(&j, 0, sizeof(j));
	j.st = st;
	j.committed = committed;
	j.ctx = ctx;
	j.bad_line = bad_line;
	j.err = err;
	pthread_cond_init(&j.wake, NULL);
	pthread_mutex_lock(&q->lock);
	*q->tail = &j;
	q->tail = &j.next;
	q->waiting++;
	pthread_cond_signal(&q->work);
	while (!j.done)
		pthread_cond_wait(&j.wake, &q->lock);
	pthread_mutex_unlock(&q->lock);
	pthread_cond_destroy(&j.wake);
	return j.rc;
}

size_t commitq_waiting(struct commitq *q)
{
	size_t n;

	pthread_mutex_lock(&q->lock);
	n = q->waiting;
	pthread_mutex_unlock(&q->lock);
	return n;
}

void commitq_stop(struct commitq *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->lock);
	q->stopping = 1;
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);
	store_close(q->s);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->work);
	free(q);
}
