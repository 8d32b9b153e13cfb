/*
 * source.h - the sources folder: readings that come to hearth from
 * elsewhere than a file or an HTTP request: motion alerts in an IMAP
 * mailbox (imap.h), WeMo devices on the home network (wemo.h) and an
 * MQTT broker's topics (mqtt.h).
 *
 * It owns the pollers and the listeners (services below) and their
 * tables, which `hearth serve` runs (pollers on their intervals,
 * services on threads of their own from start to stop) and each
 * source's own command runs once or in the foreground.  It may call
 * ingest/ (its rows go through a write transaction like every other
 * writer's), store/ and base/; it knows
 * nothing of HTTP or of the server that schedules it.
 */
#ifndef HEARTH_SOURCE_H
#define HEARTH_SOURCE_H

#include <stdint.h>

#include "base/buf.h"
#include "base/config.h"
#include "base/err.h"
#include "ingest/writeq.h"
#include "store/store.h"

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

/* A service runs on threads of its own while serve runs, storing into
 * db through serve's write queue q.  start: 0 started, 1 not configured
 * (skipped), -1 on a bad setting or a table it cannot store into.  log
 * moves the lines gathered since the last call (each ending '\n') to
 * out; stop stores what is pending and frees it. */
struct source_service {
	const char *name;
	int (*start)(void **out, struct config *cfg,
		     const struct store_where *db, struct writeq *q,
		     struct hearth_err *err);
	void (*log)(void *svc, struct buf *out);
	void (*stop)(void *svc);
};

/* Every service, ended by one with name NULL (jobs.c): WeMo, MQTT. */
extern const struct source_service source_services[];

#endif
