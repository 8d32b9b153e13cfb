/*
 * wemo_watch.c - the watcher: a thread per device, one for the NOTIFY
 * listener, and the sink's (see wemo.h).
 *
 * Why a thread per device: an exchange with a device that accepts the
 * connection and never answers lasts the whole timeout; on its own
 * thread it holds up no other device, and the listener never waits for
 * a device at all.
 */
#include "sources/wemo.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/timefmt.h"
#include "base/xalloc.h"
#include "sources/gena_listener.h"
#include "sources/wemo_device.h"
#include "sources/wemo_sink.h"

struct dev_thread {
	struct wemo_watch *w;
	struct wemo_device *d;
	pthread_t th;
	int started;
};

struct wemo_watch {
	struct wemo_settings set;
	struct wemo_sink *k;
	struct gena_listener *l;
	struct wemo_callback cb;
	struct dev_thread *devs;
	size_t ndevs;
	pthread_t lth;
	int lstarted;

	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
	uint64_t notifies;
	unsigned long refused;
};

static int stopping(void *ctx)
{
	struct wemo_watch *w = ctx;
	int s;

	pthread_mutex_lock(&w->mu);
	s = w->stop;
	pthread_mutex_unlock(&w->mu);
	return s;
}

static void *device_main(void *arg)
{
	struct dev_thread *t = arg;
	struct wemo_watch *w = t->w;

	while (!stopping(w)) {
		int64_t next = wemo_device_step(t->d, timefmt_now());
		struct timespec ts;

		ts.tv_sec = (time_t)(next / US_PER_SEC);
		ts.tv_nsec = (long)(next % US_PER_SEC) * 1000;
		pthread_mutex_lock(&w->mu);
		while (!w->stop && timefmt_now() < next)
			if (pthread_cond_timedwait(&w->cv, &w->mu, &ts) != 0)
				break;
		pthread_mutex_unlock(&w->mu);
	}
	wemo_device_unsubscribe(t->d);
	return NULL;
}

/* A NOTIFY: to the device holding its SID, else refused. */
static int on_notify(void *ctx, const struct gena_notify *n)
{
	struct wemo_watch *w = ctx;
	const char *why = "an unknown SID";
	int status = 0;
	size_t i;

	for (i = 0; i < w->ndevs && !status; i++)
		status = wemo_device_notify(w->devs[i].d, n, &why);
	if (!status) {
		for (i = 0; i < w->ndevs; i++)
			if (wemo_device_subscribing(w->devs[i].d, n->peer))
				return 200;
		status = 412;
	}
	pthread_mutex_lock(&w->mu);
	if (status == 200)
		w->notifies++;
	else
		w->refused++;
	pthread_mutex_unlock(&w->mu);
	if (status != 200)
		wemo_sink_log(w->k, "NOTIFY from %s (SID '%.60s') refused: %s",
			      n->peer, n->sid, why);
	return status;
}

static void *listener_main(void *arg)
{
	struct wemo_watch *w = arg;

	while (!stopping(w)) {
		unsigned long bad = 0;
		gena_listener_step(w->l, 200, w->set.timeout_ms, on_notify, w,
				   &bad);
		if (bad) {
			pthread_mutex_lock(&w->mu);
			w->refused += bad;
			pthread_mutex_unlock(&w->mu);
			wemo_sink_log(w->k, "%lu requests to the NOTIFY "
				      "listener were not whole HTTP", bad);
		}
	}
	return NULL;
}

int wemo_watch_start(struct wemo_watch **out, const struct config *cfg,
		     const struct store_where *db, struct writeq *q,
		     struct hearth_err *err)
{
	struct wemo_watch *w = xcalloc(1, sizeof(*w));
	size_t i;
	int rc;

	*out = NULL;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	rc = wemo_settings_load(&w->set, cfg, err);
	if (rc > 0)
		err_set(err, "[wemo] devices is not set: nothing to watch");
	if (rc != 0 ||
	    wemo_sink_start(&w->k, &w->set, cfg, db, q, err) < 0 ||
	    gena_listener_open(&w->l, w->set.listen, err) < 0)
		goto fail;
	w->cb.addr = gena_listener_addr(w->l);
	w->cb.port = gena_listener_port(w->l);
	w->devs = xcalloc(w->set.ndevices, sizeof(*w->devs));
	for (i = 0; i < w->set.ndevices; i++) {
		w->devs[i].w = w;
		w->devs[i].d = wemo_device_new(w->set.devices[i], &w->set,
					       w->k, &w->cb, stopping, w);
	}
	w->ndevs = w->set.ndevices;
	if (pthread_create(&w->lth, NULL, listener_main, w) != 0)
		goto no_thread;
	w->lstarted = 1;
	for (i = 0; i < w->ndevs; i++) {
		if (pthread_create(&w->devs[i].th, NULL, device_main,
				   &w->devs[i]) != 0)
			goto no_thread;
		w->devs[i].started = 1;
	}
	wemo_sink_log(w->k, "listening for NOTIFYs on %s:%u, watching %zu "
		      "devices", *w->cb.addr ? w->cb.addr : "*", w->cb.port,
		      w->ndevs);
	*out = w;
	return 0;
no_thread:
	err_set(err, "wemo: cannot start a thread");
fail:
	wemo_watch_stop(w);
	return -1;
}

void wemo_watch_log(struct wemo_watch *w, struct buf *out)
{
	wemo_sink_take_log(w->k, out);
}

void wemo_watch_stats(struct wemo_watch *w, struct wemo_watch_stats *out)
{
	pthread_mutex_lock(&w->mu);
	out->notifies = w->notifies;
	out->refused = w->refused;
	pthread_mutex_unlock(&w->mu);
	wemo_sink_counts(w->k, &out->rows, &out->pending);
}

void wemo_watch_stop(struct wemo_watch *w)
{
	size_t i;

	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	for (i = 0; i < w->ndevs; i++)
		if (w->devs[i].started)
			pthread_join(w->devs[i].th, NULL);
	if (w->lstarted)
		pthread_join(w->lth, NULL);
	/* The sink last: the devices' final states are stored. */
	wemo_sink_stop(w->k);
	for (i = 0; i < w->ndevs; i++)
		wemo_device_free(w->devs[i].d);
	free(w->devs);
	gena_listener_close(w->l);
	wemo_settings_release(&w->set);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

int wemo_job_start(void **out, struct config *cfg,
		   const struct store_where *db, struct writeq *q,
		   struct hearth_err *err)
{
	struct wemo_settings set;
	int rc = wemo_settings_load(&set, cfg, err);

	wemo_settings_release(&set);
	*out = NULL;
	if (rc != 0)
		return rc;
	return wemo_watch_start((struct wemo_watch **)out, cfg, db, q, err);
}

void wemo_job_log(void *w, struct buf *out)
{
	wemo_watch_log(w, out);
}

void wemo_job_stop(void *w)
{
	wemo_watch_stop(w);
}
