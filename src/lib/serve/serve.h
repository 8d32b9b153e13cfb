/*
 * serve.h - what `hearth serve` runs: the route sets and the scheduled
 * jobs (pollers).  Each feature contributes its routes or job here, in its
 * own file; cmd/serve.c only wires them together.
 *
 * The serve folder owns `hearth serve`: the HTTP server (http.h,
 * acceptor.h, peer.h), the routes (api.h, web.c), tokens, metrics,
 * automatic columns and the scheduled jobs.  It may call every folder
 * below it: sources/, ingest/, migrate/, chart/, rollup/, store/ and
 * base/; never the commands in src/cmd.
 */
#ifndef HEARTH_SERVE_H
#define HEARTH_SERVE_H

#include <stddef.h>
#include <stdint.h>

#include "base/config.h"
#include "base/err.h"
#include "serve/http.h"

/* Route sets, each terminated by a route with path NULL. */
extern const struct http_route web_routes[]; /* web.c: dashboard, charts */
extern const struct http_route api_routes[]; /* api.c: /api, /healthz */

/* api_start: before http_start: check the token files can be read (errors
 * name the setting) and set up the API's counters.  api_stop: after
 * http_stop.  api_observe: http_opts.observe, feeding /metrics. */
int api_start(struct config *cfg, struct hearth_err *err);
void api_stop(void);
void api_observe(const struct http_route *route, const char *method,
		 int status, int handled, double seconds);

/* api_write_hold, api_write_release: hold the write lock of the write
 * routes (their SQLite writes queue on it), for a long write of the
 * server's own: the writers then wait for it instead of timing out. */
void api_write_hold(void);
void api_write_release(void);

/* api_browser_auth: the dashboard's and the charts' check: what a read
 * of the API needs (the read token, or the write token, when
 * read_token_file is set), else a 401 that makes a browser ask for it
 * (WWW-Authenticate: Basic; the token is the password) and 0. */
int api_browser_auth(struct http_req *req, struct http_resp *resp);

struct schema_table;
struct schema_column;
struct series_eq;

/* api_filters: a read's filters (series.h), ?COLUMN=VALUE for each column
 * of t but its time column tc, unless the route has an argument of that
 * name (own, NULL-terminated; token, p and u are every route's).  eq has
 * room for t's columns; its strings are the request's.  Returns how many. */
size_t api_filters(struct http_req *req, const struct schema_table *t,
		   const struct schema_column *tc, const char *const *own,
		   struct series_eq *eq);

/* A job runs on the serve process's main thread every interval.  It opens
 * what it needs itself; an error is logged and the job runs again at its
 * next interval. */
struct serve_job {
	const char *name;
	/* 0 and *interval_us set when the job is configured to run, 1 when
	 * it is not configured (skipped), -1 on a bad setting. */
	int (*configure)(struct config *cfg, int64_t *interval_us,
			 struct hearth_err *err);
	int (*run)(struct config *cfg, struct hearth_err *err);
};

/* Jobs, terminated by a job with name NULL (serve_jobs.c). */
extern const struct serve_job serve_jobs[];

#endif
