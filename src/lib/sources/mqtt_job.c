/*
 * mqtt_job.c - the listener on a thread of its own, as `hearth serve`
 * runs it (source.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sources/mqtt.h"
#include "sources/source.h"
#include "base/xalloc.h"

/* Lines the thread has to say, until serve takes them (mqtt_job_log):
 * at most this many bytes, the rest counted. */
#define NEWS_MAX 65536

struct mqtt_thread {
	struct mqtt_settings set;
	struct store_where db;
	struct mqtt_opts o;
	struct mqtt_stats stats;
	struct mqtt_listener *l;
	int pipe[2];           /* written to stop */
	pthread_t tid;
	int started;
	pthread_mutex_t news_mu;
	struct buf news;
	size_t news_dropped;
};

static void news_add(void *ctx, const char *line)
{
	struct mqtt_thread *t = ctx;

	pthread_mutex_lock(&t->news_mu);
	if (t->news.len + strlen(line) + 1 > NEWS_MAX)
		t->news_dropped++;
	else
		buf_addf(&t->news, "%s\n", line);
	pthread_mutex_unlock(&t->news_mu);
}

void mqtt_job_log(void *handle, struct buf *out)
{
	struct mqtt_thread *t = handle;

	pthread_mutex_lock(&t->news_mu);
	buf_add(out, t->news.s ? t->news.s : "", t->news.len);
	buf_reset(&t->news);
	if (t->news_dropped)
		buf_addf(out, "mqtt: (%zu more lines not shown)\n",
			 t->news_dropped);
	t->news_dropped = 0;
	pthread_mutex_unlock(&t->news_mu);
}

static void *run(void *arg)
{
	struct mqtt_thread *t = arg;
	struct hearth_err err = HEARTH_ERR_INIT;

	/* It ends with an error only with --once, which serve never sets;
	 * said anyway, should that change. */
	if (mqtt_listener_run(t->l, &err) < 0 && t->o.log) {
		char line[HEARTH_ERR_MAX + 64];
		snprintf(line, sizeof(line), "mqtt: stopped: %s", err.msg);
		t->o.log(t->o.log_ctx, line);
	}
	return NULL;
}

void mqtt_job_stop(void *handle)
{
	struct mqtt_thread *t = handle;

	if (!t)
		return;
	if (t->started) {
		/* A pipe with room for a byte: the write cannot fail. */
		if (write(t->pipe[1], "x", 1) < 0)
			abort();
		pthread_join(t->tid, NULL);
	}
	mqtt_listener_free(t->l);
	if (t->pipe[0] >= 0)
		close(t->pipe[0]);
	if (t->pipe[1] >= 0)
		close(t->pipe[1]);
	mqtt_settings_release(&t->set);
	store_where_release(&t->db);
	buf_release(&t->news);
	pthread_mutex_destroy(&t->news_mu);
	free(t);
}

int mqtt_job_start(void **out, struct config *cfg,
		   const struct store_where *db, struct writeq *q,
		   struct hearth_err *err)
{
	struct mqtt_thread *t = xcalloc(1, sizeof(*t));
	int rc;

	*out = NULL;
	t->pipe[0] = t->pipe[1] = -1;
	pthread_mutex_init(&t->news_mu, NULL);
	buf_init(&t->news, 0);
	store_where_copy(&t->db, db);
	if ((rc = mqtt_settings_load(&t->set, cfg, err)) != 0) {
		mqtt_job_stop(t);
		return rc; /* 1: no [mqtt] url, nothing to run */
	}
	if (pipe(t->pipe) < 0) {
		err_set(err, "mqtt: cannot make a pipe");
		goto fail;
	}
	t->o.set = &t->set;
	t->o.db = &t->db;
	t->o.q = q;
	t->o.stop_fd = t->pipe[0];
	t->o.log = news_add;
	t->o.log_ctx = t;
	/* The tables and columns now, so that serve does not start with a
	 * mapping that cannot work. */
	if (mqtt_listener_open(&t->l, &t->o, &t->stats, err) < 0)
		goto fail;
	if (pthread_create(&t->tid, NULL, run, t) != 0) {
		err_set(err, "mqtt: cannot start a thread");
		goto fail;
	}
	t->started = 1;
	*out = t;
	return 0;
fail:
	mqtt_job_stop(t);
	return -1;
}
