/*
 * metrics.h - counters for GET /metrics, in the Prometheus text format.
 *
 * Counters live in memory, in one struct metrics shared by the HTTP pool
 * threads (every call takes its mutex).  What the database already knows
 * (its size, the newest reading of each table, poller status in kv) is
 * read at scrape time by metrics_render_db, on the scraping thread's own
 * connection.
 */
#ifndef HEARTH_METRICS_H
#define HEARTH_METRICS_H

#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "store/schema.h"
#include "store/store.h"

struct config;
struct metrics;

/* metrics_new: empty counters; free with metrics_free. */
struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);

/* metrics_rows: n rows stored into table. */
void metrics_rows(struct metrics *m, const char *table, int64_t n);
/* metrics_write_error: a write request refused or failed; table is the
 * one it named, or NULL/"" when it named none. */
void metrics_write_error(struct metrics *m, const char *table);
/* metrics_request: one HTTP request answered.  route is the route
 * pattern (a bounded set of labels), not the URL; a method other than
 * GET, HEAD, POST, PUT, DELETE, OPTIONS and PATCH counts as "other". */
void metrics_request(struct metrics *m, const char *route, const char *method,
		     int status, double seconds);

/* metrics_render: the counters, appended to out. */
void metrics_render(struct metrics *m, struct buf *out);

/*
 * metrics_render_db: the database gauges, appended to out: file size
 * (SQLite: the file plus its WAL), the newest reading of every series
 * table, and every kv key poll.NAME.time / poll.NAME.error as
 * hearth_poll_last_time_seconds{poller="NAME"} and
 * hearth_poll_error{poller="NAME"} 0|1.
 */
int metrics_render_db(struct store *s, const struct schema *schema,
		      const struct config *cfg, struct buf *out,
		      struct hearth_err *err);

/* metrics_label: append v escaped as a Prometheus label value. */
void metrics_label(struct buf *out, const char *v);

#endif
