#include "store/checkpointer.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "base/xalloc.h"

struct checkpointer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int asked;    /* a checkpoint is wanted (lock) */
	int stopping; /* (lock) */
	char *path;
	struct store *s; /* the thread's own */
};

static void *run(void *arg)
{
	struct checkpointer *c = arg;
	struct hearth_err ignore;

	/* Named for top -H and perf. */
	pthread_setname_np(pthread_self(), "hearth-ckpt");

	pthread_mutex_lock(&c->lock);
	for (;;) {
		while (!c->asked && !c->stopping)
			pthread_cond_wait(&c->wake, &c->lock);
		if (c->stopping)
			break;
		c->asked = 0;
		pthread_mutex_unlock(&c->lock);
		/* store_checkpoint never waits: a busy reader or writer
		 * just means less is copied this time.  A database that cannot be
		 * opened is the writers' error to report, not this one's. */
		if (c->s || store_open(&c->s, c->path, NULL, 0, &ignore) == 0)
			store_checkpoint(c->s, &ignore);
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

int checkpointer_start(struct checkpointer **out, const char *path,
		       struct hearth_err *err)
{
	struct checkpointer *c = xcalloc(1, sizeof(*c));
	int rc;

	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->wake, NULL);
	c->path = xstrdup(path);
	rc = pthread_create(&c->thread, NULL, run, c);
	if (rc) {
		err_set(err, "cannot start the checkpoint thread: %s",
			strerror(rc));
		pthread_mutex_destroy(&c->lock);
		pthread_cond_destroy(&c->wake);
		free(c->path);
		free(c);
		*out = NULL;
		return -1;
	}
	*out = c;
	return 0;
}

void checkpointer_poke(struct checkpointer *c)
{
	pthread_mutex_lock(&c->lock);
	c->asked = 1;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
}

void checkpointer_stop(struct checkpointer *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->stopping = 1;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	store_close(c->s);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->wake);
	free(c->path);
	free(c);
}
