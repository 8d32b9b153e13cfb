/*
 * mqtt_job.c - the listener on a thread of its own, as `hearth serve`
 * runs it (source.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sources/mqtt.h"
#include "sources/source.h"
#include "base/xalloc.h"

struct mqtt_thread {
	struct mqtt_settings set;
	struct store_where db;
	struct mqtt_opts o;
	struct mqtt_stats stats;
	struct mqtt_listener *l;
	int pipe[2];           /* written to stop */
	pthread_t tid;
	int started;
};

int mqtt_job_configure(struct config *cfg, struct hearth_err *err)
{
	struct mqtt_settings set;
	int rc = mqtt_settings_load(&set, cfg, err);

	mqtt_settings_release(&set);
	return rc;
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
	free(t);
}

int mqtt_job_start(void **out, struct config *cfg,
		   const struct store_where *db, struct writeq *q,
		   void (*log)(void *ctx, const char *line), void *log_ctx,
		   struct hearth_err *err)
{
	struct mqtt_thread *t = xcalloc(1, sizeof(*t));

	*out = NULL;
	t->pipe[0] = t->pipe[1] = -1;
	store_where_copy(&t->db, db);
	if (mqtt_settings_load(&t->set, cfg, err) != 0)
		goto fail;
	if (pipe(t->pipe) < 0) {
		err_set(err, "mqtt: cannot make a pipe");
		goto fail;
	}
	t->o.set = &t->set;
	t->o.db = &t->db;
	t->o.q = q;
	t->o.stop_fd = t->pipe[0];
	t->o.log = log;
	t->o.log_ctx = log_ctx;
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
