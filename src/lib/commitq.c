#include "commitq.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

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
	int stopping;             /* (lock) */
	struct commitq_hooks hooks;
	struct store *s; /* the thread's own */
};

static void *run(void *arg)
{
	struct commitq *q = arg;
	struct job *j;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (!q->head && !q->stopping)
			pthread_cond_wait(&q->work, &q->lock);
		if (!(j = q->head))
			break; /* stopping, and nothing left */
		if (!(q->head = j->next))
			q->tail = &q->head;
		pthread_mutex_unlock(&q->lock);
		q->hooks.hold(q->s);
		j->rc = stage_store(j->st, q->s, j->committed, j->ctx,
				    j->bad_line, j->err);
		q->hooks.release(q->s);
		pthread_mutex_lock(&q->lock);
		j->done = 1;
		pthread_cond_signal(&j->wake);
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
	pthread_cond_signal(&q->work);
	while (!j.done)
		pthread_cond_wait(&j.wake, &q->lock);
	pthread_mutex_unlock(&q->lock);
	pthread_cond_destroy(&j.wake);
	return j.rc;
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
