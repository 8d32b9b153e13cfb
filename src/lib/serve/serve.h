/*
 * serve.h - the serve folder: `hearth serve`, the dashboard and the HTTP
 * API over one database, with the pollers the server runs.
 *
 * It owns the HTTP server (http.h: HTTP only), what the routes share
 * (struct serve_ctx below, made by server.h and handed to every handler
 * as its context argument), the routes (api_read.h, api_write.h, web.h),
 * their tokens (auth.h), /metrics (metrics.h), each HTTP thread's
 * connection and schema (dbcache.h), streamed reads (stream.h) and new
 * columns from writes ([serve] auto_columns: autocol.h).
 *
 * It may call every folder below it: sources/ (the pollers it runs),
 * ingest/ (every write goes through ingest/writeq.h), migrate/, chart/,
 * rollup/, store/, base/.  Nothing below calls back into it.
 */
#ifndef HEARTH_SERVE_H
#define HEARTH_SERVE_H

#include "base/config.h"

struct dbcache;
struct metrics;
struct streams;
struct writeq;

/* What every route handler gets as its context argument.  The server
 * makes it (server_start) and keeps it until server_stop; handlers only
 * read these pointers.  cfg changes on a reload (server_reload): a
 * handler may read it more than once, and every configuration it may see
 * stays valid until server_stop. */
struct serve_ctx {
	struct config *_Atomic cfg;
	struct dbcache *dbs;      /* each HTTP thread's connection, schema */
	struct writeq *writes;    /* the write side: lock, writing thread */
	struct metrics *metrics;  /* counters for GET /metrics */
	struct streams *streams;  /* reads written as they are made */
};

#endif
