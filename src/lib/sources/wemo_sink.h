/*
 * wemo_sink.h - where the WeMo watcher's output goes: rows (motion
 * edges, Insight watts), each device's state for kv, and log lines.
 *
 * Devices and the NOTIFY listener hand their rows over without waiting
 * for the database: a thread of the sink's stores whatever has gathered
 * as one batch through the write queue (ingest/writeq.h), which is what
 * keeps the watcher up with many devices (a transaction per event would
 * bound it by commits per second).  Device states are written to kv at
 * most once a second, holding the queue's write lock.  A batch the
 * database refuses for a moment (locked, server gone) is kept and tried
 * again; a row it refuses (a constraint) is dropped and logged, the
 * rest stored.
 */
#ifndef HEARTH_WEMO_SINK_H
#define HEARTH_WEMO_SINK_H

#include <stdint.h>

#include "base/buf.h"
#include "base/config.h"
#include "base/err.h"
#include "ingest/writeq.h"
#include "store/store.h"

struct wemo_settings;
struct wemo_sink;

/* wemo_sink_start: open a connection to db, check [wemo] table (its time
 * and sensor columns) and power_table (its time and power columns), and
 * start the storing thread, writing through q (NULL: a queue of its own,
 * stopped with the sink). */
int wemo_sink_start(struct wemo_sink **out, const struct wemo_settings *set,
		    const struct config *cfg, const struct store_where *db,
		    struct writeq *q, struct hearth_err *err);

/* wemo_sink_stop: store what is pending and the states, then free. */
void wemo_sink_stop(struct wemo_sink *k);

/* wemo_sink_has_power: power_table is set (Insight rows are wanted). */
int wemo_sink_has_power(const struct wemo_sink *k);

/* A motion row: time (UTC microseconds) and the sensor's name. */
void wemo_sink_motion(struct wemo_sink *k, int64_t t, const char *name);
/* A power row: time, the plug's name, watts. */
void wemo_sink_power(struct wemo_sink *k, int64_t t, const char *name,
		     double watts);

/* A device's state, as kv keys poll.wemo.KEY.state, .event, .error and
 * .time (the last event heard; 0: none yet). */
struct wemo_status {
	char state[32];   /* "subscribed", "polling", "unreachable" */
	char event[128];  /* "motion", "BinaryState 0", "412.5 W", ... */
	char error[256];  /* "" when the last exchange went well */
	int64_t time;
};

/* wemo_sink_status: note key's state (copied); written within a
 * second. */
void wemo_sink_status(struct wemo_sink *k, const char *key,
		      const struct wemo_status *st);

/* wemo_sink_log: one log line (no newline). */
void wemo_sink_log(struct wemo_sink *k, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* wemo_sink_take_log: move the lines gathered to out. */
void wemo_sink_take_log(struct wemo_sink *k, struct buf *out);

/* wemo_sink_counts: rows stored so far, and waiting. */
void wemo_sink_counts(struct wemo_sink *k, uint64_t *stored,
		      uint64_t *pending);

#endif
