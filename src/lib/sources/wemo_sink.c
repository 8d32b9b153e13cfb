/*
 * wemo_sink.c - the WeMo watcher's rows, states and log lines, stored by
 * a thread of its own (see wemo_sink.h).
 */
#include "sources/wemo_sink.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/timefmt.h"
#include "base/xalloc.h"
#include "ingest/batch.h"
#include "sources/wemo.h"
#include "store/kv.h"
#include "store/schema.h"

#define LOG_MAX (64 * 1024)  /* lines kept until taken; older dropped */
#define PENDING_MAX 100000   /* rows held while the database is away */

struct row {
	int64_t t;
	char *name;
	int power;
	double watts;
};

struct status {
	char *key;
	struct wemo_status st;
	int dirty;
};

struct wemo_sink {
	struct writeq *q;
	int own_q;
	struct store *s;
	struct schema schema;
	struct writer *wm, *wp;  /* motion and power rows */
	int wm_named, wp_named;  /* the writer takes the sensor's name */
	int power_int;           /* the power column is INTEGER */
	struct batch *b;

	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t th;
	int started, stop;
	struct row *rows;
	size_t nrows, alloc;
	struct status *st;
	size_t nst;
	int st_dirty;
	struct buf log;
	uint64_t stored;
};

/* The first TEXT column of t, or NULL. */
static const char *first_text(const struct schema_table *t)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (schema_affinity(t->cols[i].type) == AFF_TEXT)
			return t->cols[i].name;
	return NULL;
}

/* A numeric column of t named for power ("r_watts", "power", "w"). */
static const char *guess_power(const struct schema_table *t)
{
	size_t i;

	for (i = 0; i < t->ncols; i++) {
		const char *n = t->cols[i].name;
		enum schema_affinity a = schema_affinity(t->cols[i].type);
		if (a != AFF_INTEGER && a != AFF_REAL && a != AFF_NUMERIC)
			continue;
		if (strcasestr(n, "watt") || strcasestr(n, "power") ||
		    !strcasecmp(n, "w"))
			return n;
	}
	return NULL;
}

static int open_motion(struct wemo_sink *k, const struct wemo_settings *set,
		       struct hearth_err *err)
{
	const struct schema_table *t = schema_find_table(&k->schema,
							 set->table);
	const struct schema_column *tc;
	const char *cols[2];

	if (!t || t->internal)
		return err_set(err, "[wemo] table '%s' does not exist",
			       set->table);
	tc = schema_time_column(t, NULL);
	if (!tc)
		return err_set(err, "[wemo] table '%s' has no time column "
			       "(declare one TIMESTAMP)", t->name);
	cols[0] = tc->name;
	cols[1] = set->sensor_column ? set->sensor_column : first_text(t);
	if (!cols[1])
		return err_set(err, "[wemo] table '%s' has no TEXT column for "
			       "the sensor name (set [wemo] sensor_column)",
			       t->name);
	k->wm_named = 1;
	if (writer_open(&k->wm, k->s, &k->schema, t->name, cols, 2, tc->name,
			0, err) < 0)
		return err_prefix(err, "[wemo] table");
	return 0;
}

static int open_power(struct wemo_sink *k, const struct wemo_settings *set,
		      struct hearth_err *err)
{
	const struct schema_table *t = schema_find_table(&k->schema,
							 set->power_table);
	const struct schema_column *tc, *pc;
	const char *cols[3];
	size_t n = 0;

	if (!t || t->internal)
		return err_set(err, "[wemo] power_table '%s' does not exist",
			       set->power_table);
	tc = schema_time_column(t, NULL);
	if (!tc)
		return err_set(err, "[wemo] power_table '%s' has no time "
			       "column (declare one TIMESTAMP)", t->name);
	cols[n++] = tc->name;
	cols[n] = set->power_column ? set->power_column : guess_power(t);
	if (!cols[n])
		return err_set(err, "[wemo] power_table '%s' has no column "
			       "for watts (name one with watt or power in "
			       "it, or set [wemo] power_column)", t->name);
	pc = schema_find_column(t, cols[n]);
	k->power_int = pc && schema_affinity(pc->type) == AFF_INTEGER;
	n++;
	/* The plug's name goes with its watts where the table has room. */
	if ((cols[n] = first_text(t)))
		n++;
	k->wp_named = n == 3;
	if (writer_open(&k->wp, k->s, &k->schema, t->name, cols, n, tc->name,
			0, err) < 0)
		return err_prefix(err, "[wemo] power_table");
	return 0;
}

/* Convert the rows in r[0..n) into k->b; a row the writer refuses is
 * logged and left out.  Called without the lock. */
static void fill(struct wemo_sink *k, const struct row *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct hearth_err err = HEARTH_ERR_INIT;
		struct ingest_row row;
		const char *vals[3];
		size_t lens[3], nv = 0;
		char ts[64], w[64];
		struct writer *wr = r[i].power ? k->wp : k->wm;

		if (!wr)
			continue;
		timefmt_format(r[i].t, TIMEFMT_ISO_Z, ts, sizeof(ts));
		vals[nv++] = ts;
		if (r[i].power) {
			snprintf(w, sizeof(w), k->power_int ? "%.0f" : "%.3f",
				 r[i].watts);
			vals[nv++] = w;
		}
		if (r[i].power ? k->wp_named : k->wm_named)
			vals[nv++] = r[i].name;
		for (size_t j = 0; j < nv; j++)
			lens[j] = strlen(vals[j]);
		memset(&row, 0, sizeof(row));
		row.vals = vals;
		row.lens = lens;
		row.ncols = nv;
		row.at = (long)i + 1;
		if (batch_row(k->b, wr, &row, r[i].t, &err) < 0)
			wemo_sink_log(k, "%s: row dropped: %s", r[i].name,
				      err.msg);
	}
}

static void free_rows(struct row *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(r[i].name);
	free(r);
}

/* Store the rows taken; 0, or -1 when the database refused them for a
 * moment (they are to be tried again). */
static int store_rows(struct wemo_sink *k, struct row *r, size_t *n)
{
	for (;;) {
		struct writeq_req req = WRITEQ_REQ_INIT;
		struct hearth_err err = HEARTH_ERR_INIT;
		long bad_at = 0;
		size_t rows;

		batch_reset(k->b);
		fill(k, r, *n);
		rows = batch_rows(k->b);
		if (!rows)
			return 0;
		if (writeq_put(k->q, &req, k->b, 1, &bad_at, &err) == 0) {
			pthread_mutex_lock(&k->mu);
			k->stored += rows;
			pthread_mutex_unlock(&k->mu);
			return 0;
		}
		if (bad_at < 1 || (size_t)bad_at > *n) {
			wemo_sink_log(k, "storing %zu rows: %s (tried again)",
				      rows, err.msg);
			return -1;
		}
		/* One row refused (a constraint): drop it, store the rest. */
		wemo_sink_log(k, "%s: row dropped: %s", r[bad_at - 1].name,
			      err.msg);
		free(r[bad_at - 1].name);
		memmove(&r[bad_at - 1], &r[bad_at],
			(*n - (size_t)bad_at) * sizeof(*r));
		(*n)--;
	}
}

static void put_text(struct store *s, const char *key, const char *suffix,
		     const char *v, struct hearth_err *err)
{
	struct kv_value kv = KV_VALUE_INIT;
	char name[256];

	snprintf(name, sizeof(name), "poll.wemo.%s.%s", key, suffix);
	kv.p = (unsigned char *)v;
	kv.len = strlen(v);
	kv_set(s, name, &kv, err);
}

/* Note again the states of copy[0..n) that were not stored (unless a
 * newer one came meanwhile, which is noted already). */
static void redo_states(struct wemo_sink *k, const struct status *copy,
			size_t n)
{
	size_t i;

	pthread_mutex_lock(&k->mu);
	for (i = 0; i < n; i++)
		if (copy[i].key) {
			k->st[i].dirty = 1;
			k->st_dirty = 1;
		}
	pthread_mutex_unlock(&k->mu);
}

/* Write the states noted since the last time, holding the write lock;
 * those the database refused are written at the next chance (when
 * retry is set: not at the stop). */
static void store_states(struct wemo_sink *k, int retry)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct status *copy;
	size_t i, n;
	int ok = 0;

	pthread_mutex_lock(&k->mu);
	n = k->nst;
	copy = xcalloc(n ? n : 1, sizeof(*copy));
	for (i = 0; i < n; i++) {
		copy[i] = k->st[i];
		copy[i].key = k->st[i].dirty ? xstrdup(k->st[i].key) : NULL;
		k->st[i].dirty = 0;
	}
	k->st_dirty = 0;
	pthread_mutex_unlock(&k->mu);
	writeq_hold(k->q, k->s);
	if (store_begin_immediate(k->s, &err) == 0) {
		for (i = 0; i < n; i++) {
			struct kv_value kv = KV_VALUE_INIT;
			char name[256];
			if (!copy[i].key)
				continue;
			put_text(k->s, copy[i].key, "state", copy[i].st.state,
				 &err);
			put_text(k->s, copy[i].key, "event", copy[i].st.event,
				 &err);
			put_text(k->s, copy[i].key, "error", copy[i].st.error,
				 &err);
			snprintf(name, sizeof(name), "poll.wemo.%s.time",
				 copy[i].key);
			kv.type = KV_TIMESTAMP;
			kv.i = copy[i].st.time;
			if (copy[i].st.time)
				kv_set(k->s, name, &kv, &err);
		}
		if (err.msg[0] || store_commit(k->s, &err) < 0)
			store_rollback(k->s, NULL);
		else
			ok = 1;
	}
	writeq_release(k->q, k->s);
	if (!ok) {
		wemo_sink_log(k, "device states not stored: %s (tried again)",
			      err.msg);
		if (retry)
			redo_states(k, copy, n);
	}
	for (i = 0; i < n; i++)
		free(copy[i].key);
	free(copy);
}

static void *run(void *arg)
{
	struct wemo_sink *k = arg;
	int64_t last_states = 0;

	pthread_mutex_lock(&k->mu);
	for (;;) {
		struct timespec ts;
		struct row *r;
		size_t n;
		int stop = k->stop, states;

		if (!k->nrows && !k->st_dirty && !stop) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 1;
			pthread_cond_timedwait(&k->cv, &k->mu, &ts);
			stop = k->stop;
		}
		r = k->rows;
		n = k->nrows;
		k->rows = NULL;
		k->nrows = k->alloc = 0;
		states = k->st_dirty && (stop || timefmt_now() - last_states
					 >= US_PER_SEC);
		pthread_mutex_unlock(&k->mu);
		if (n && store_rows(k, r, &n) < 0 && !stop) {
			/* Put them back in front of what came meanwhile. */
			pthread_mutex_lock(&k->mu);
			r = xreallocarray(r, n + k->nrows, sizeof(*r));
			memcpy(r + n, k->rows, k->nrows * sizeof(*r));
			free(k->rows);
			k->rows = r;
			k->nrows = k->alloc = n + k->nrows;
			pthread_mutex_unlock(&k->mu);
			struct timespec pause = { 1, 0 };
			nanosleep(&pause, NULL);
		} else {
			free_rows(r, n);
		}
		if (states) {
			store_states(k, !stop);
			last_states = timefmt_now();
		} else if (!n) {
			struct timespec pause = { 0, 50 * 1000 * 1000 };
			nanosleep(&pause, NULL); /* let states gather */
		}
		pthread_mutex_lock(&k->mu);
		if (stop && !k->nrows && !k->st_dirty)
			break;
	}
	pthread_mutex_unlock(&k->mu);
	return NULL;
}

int wemo_sink_start(struct wemo_sink **out, const struct wemo_settings *set,
		    const struct config *cfg, const struct store_where *db,
		    struct writeq *q, struct hearth_err *err)
{
	struct wemo_sink *k = xcalloc(1, sizeof(*k));
	struct batch_opts bo;

	*out = NULL;
	pthread_mutex_init(&k->mu, NULL);
	pthread_cond_init(&k->cv, NULL);
	buf_init(&k->log, LOG_MAX);
	schema_init(&k->schema);
	if (store_open_at(&k->s, db, 0, err) < 0 ||
	    store_introspect(k->s, &k->schema, err) < 0 ||
	    open_motion(k, set, err) < 0 ||
	    (set->power_table && open_power(k, set, err) < 0))
		goto fail;
	if (!q) {
		if (writeq_start(&k->q, db, err) < 0)
			goto fail;
		k->own_q = 1;
	} else {
		k->q = q;
	}
	memset(&bo, 0, sizeof(bo));
	bo.s = k->s;
	bo.schema = &k->schema;
	bo.cfg = cfg;
	bo.max_shapes = 2;
	k->b = batch_new(&bo);
	if (pthread_create(&k->th, NULL, run, k) != 0) {
		err_set(err, "wemo: cannot start a thread");
		goto fail;
	}
	k->started = 1;
	*out = k;
	return 0;
fail:
	wemo_sink_stop(k);
	return -1;
}

void wemo_sink_stop(struct wemo_sink *k)
{
	size_t i;

	if (!k)
		return;
	if (k->started) {
		pthread_mutex_lock(&k->mu);
		k->stop = 1;
		pthread_cond_signal(&k->cv);
		pthread_mutex_unlock(&k->mu);
		pthread_join(k->th, NULL);
	}
	free_rows(k->rows, k->nrows);
	for (i = 0; i < k->nst; i++)
		free(k->st[i].key);
	free(k->st);
	batch_free(k->b);
	writer_free(k->wm);
	writer_free(k->wp);
	if (k->own_q)
		writeq_stop(k->q);
	schema_release(&k->schema);
	store_close(k->s);
	buf_release(&k->log);
	pthread_cond_destroy(&k->cv);
	pthread_mutex_destroy(&k->mu);
	free(k);
}

int wemo_sink_has_power(const struct wemo_sink *k)
{
	return k->wp != NULL;
}

static void add(struct wemo_sink *k, int64_t t, const char *name, int power,
		double watts)
{
	pthread_mutex_lock(&k->mu);
	if (k->nrows >= PENDING_MAX) {
		pthread_mutex_unlock(&k->mu);
		wemo_sink_log(k, "%s: row dropped: %d rows wait for the "
			      "database already", name, PENDING_MAX);
		return;
	}
	if (k->nrows == k->alloc) {
		k->alloc = k->alloc ? k->alloc * 2 : 16;
		k->rows = xreallocarray(k->rows, k->alloc, sizeof(*k->rows));
	}
	k->rows[k->nrows].t = t;
	k->rows[k->nrows].name = xstrdup(name);
	k->rows[k->nrows].power = power;
	k->rows[k->nrows].watts = watts;
	k->nrows++;
	pthread_cond_signal(&k->cv);
	pthread_mutex_unlock(&k->mu);
}

void wemo_sink_motion(struct wemo_sink *k, int64_t t, const char *name)
{
	add(k, t, name, 0, 0);
}

void wemo_sink_power(struct wemo_sink *k, int64_t t, const char *name,
		     double watts)
{
	if (k->wp)
		add(k, t, name, 1, watts);
}

void wemo_sink_status(struct wemo_sink *k, const char *key,
		      const struct wemo_status *st)
{
	size_t i;

	pthread_mutex_lock(&k->mu);
	for (i = 0; i < k->nst && strcmp(k->st[i].key, key); i++)
		;
	if (i == k->nst) {
		k->st = xreallocarray(k->st, k->nst + 1, sizeof(*k->st));
		k->st[i].key = xstrdup(key);
		k->nst++;
	}
	k->st[i].st = *st;
	k->st[i].dirty = 1;
	k->st_dirty = 1;
	pthread_cond_signal(&k->cv);
	pthread_mutex_unlock(&k->mu);
}

void wemo_sink_log(struct wemo_sink *k, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	err_one_line(line);
	pthread_mutex_lock(&k->mu);
	buf_addf(&k->log, "%s\n", line);
	pthread_mutex_unlock(&k->mu);
}

void wemo_sink_take_log(struct wemo_sink *k, struct buf *out)
{
	pthread_mutex_lock(&k->mu);
	buf_add(out, buf_cstr(&k->log), k->log.len);
	buf_reset(&k->log);
	pthread_mutex_unlock(&k->mu);
}

void wemo_sink_counts(struct wemo_sink *k, uint64_t *stored,
		      uint64_t *pending)
{
	pthread_mutex_lock(&k->mu);
	*stored = k->stored;
	*pending = k->nrows;
	pthread_mutex_unlock(&k->mu);
}
