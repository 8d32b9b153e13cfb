/*
 * source.h - the sources folder: readings that come to hearth from
 * elsewhere than a file or an HTTP request: motion alerts in an IMAP
 * mailbox today (imap.h), devices on the home network next.
 *
 * It owns the pollers and listeners and their tables below, which
 * `hearth serve` runs (pollers on their intervals, listeners all the
 * time) and each source's own command runs once or in the foreground.  It may call ingest/ (its rows go through a write
 * transaction like every other writer's), store/ and base/; it knows
 * nothing of HTTP or of the server that schedules it.
 */
#ifndef HEARTH_SOURCE_H
#define HEARTH_SOURCE_H

#include <stdint.h>

#include "base/config.h"
#include "base/err.h"

/* A job runs every interval on the thread that schedules it.  It opens
 * what it needs itself; an error is logged and the job runs again at its
 * next interval. */
struct source_job {
	const char *name;
	/* 0 and *interval_us set when the job is configured to run, 1 when
	 * it is not configured (skipped), -1 on a bad setting. */
	int (*configure)(struct config *cfg, int64_t *interval_us,
			 struct hearth_err *err);
	int (*run)(struct config *cfg, struct hearth_err *err);
};

/* Every source's job, ended by one with name NULL (jobs.c). */
extern const struct source_job source_jobs[];

struct writeq;
struct store_where;

/* A listener runs all the time, on a thread of its own, and writes
 * through the server's writing thread (ingest/writeq.h): MQTT. */
struct source_listener {
	const char *name;
	/* 0 when configured to run, 1 when not configured (skipped), -1 on
	 * a bad setting (named). */
	int (*configure)(struct config *cfg, struct hearth_err *err);
	/* start: its thread, until stop.  What it has to say (a reject, a
	 * lost connection) goes to log(log_ctx, line), from its thread. */
	int (*start)(void **out, struct config *cfg,
		     const struct store_where *db, struct writeq *q,
		     void (*log)(void *ctx, const char *line), void *log_ctx,
		     struct hearth_err *err);
	void (*stop)(void *handle);
};

/* Every source's listener, ended by one with name NULL (jobs.c). */
extern const struct source_listener source_listeners[];

#endif
