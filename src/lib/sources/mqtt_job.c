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
	int pipe[2];           /* written to stop */
	pthread_t tid;
	int started;
	void (*log)(void *ctx, const char *line);
	void *log_ctx;
};

int mqtt_listener_configure(struct config *cfg, struct hearth_err *err)
{
	struct mqtt_settings set;
	int rc = mqtt_settings_load(&set, cfg, err);

	mqtt_settings_release(&set);
	return rc;
}

static void *run(void *arg)
{
	struct mqtt_thread *t = arg;
	struct mqtt_stats stats;
	struct hearth_err err = HEARTH_ERR_INIT;

	/* Only a database that cannot be used at all ends it early. */
	if (mqtt_listen(&t->o, &stats, &err) < 0 && t->log) {
		char line[HEARTH_ERR_MAX + 64];
		snprintf(line, sizeof(line), "mqtt: stopped: %s", err.msg);
		t->log(t->log_ctx, line);
	}
	return NULL;
}

void mqtt_listener_stop(void *handle)
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
	if (t->pipe[0] >= 0)
		close(t->pipe[0]);
	if (t->pipe[1] >= 0)
		close(t->pipe[1]);
	mqtt_settings_release(&t->set);
	store_where_release(&t->db);
	free(t);
}

int mqtt_listener_start(void **out, struct config *cfg,
			const struct store_where *db, struct writeq *q,
			void (*log)(void *ctx, const char *line),
			void *log_ctx, struct hearth_err *err)
{
	struct mqtt_thread *t = xcalloc(1, sizeof(*t));

	*out = NULL;
	t->pipe[0] = t->pipe[1] = -1;
	store_where_copy(&t->db, db);
	if (mqtt_settings_load(&t->set, cfg, err) != 0 || pipe(t->pipe) < 0) {
		if (!err->msg[0])
			err_set(err, "mqtt: cannot start");
		mqtt_listener_stop(t);
		return -1;
	}
	t->o.set = &t->set;
	t->o.db = &t->db;
	t->o.q = q;
	t->o.stop_fd = t->pipe[0];
	t->o.log = log;
	t->o.log_ctx = log_ctx;
	t->log = log;
	t->log_ctx = log_ctx;
	if (pthread_create(&t->tid, NULL, run, t) != 0) {
		mqtt_listener_stop(t);
		return err_set(err, "mqtt: cannot start a thread");
	}
	t->started = 1;
	*out = t;
	return 0;
}
