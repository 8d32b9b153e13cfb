/*
 * server.h - `hearth serve` as a library: the HTTP server with its
 * routes, the write side (ingest/writeq.h) they write through, and the
 * jobs of sources/ on their intervals, over one database.
 *
 *   server_start(&srv, &opts, &log, &err);      (log: lines to show)
 *   while (running) { server_tick(srv, &log); sleep a second; }
 *   server_stop(srv);
 */
#ifndef HEARTH_SERVE_SERVER_H
#define HEARTH_SERVE_SERVER_H

#include <stddef.h>

#include "base/buf.h"
#include "base/config.h"
#include "base/err.h"
#include "store/store.h"

struct server;

struct server_opts {
	struct config *cfg;   /* must outlive the server */
	const struct store_where *db; /* the database (copied) */
	const char *listen;   /* "127.0.0.1:8080", "[::1]:8080", ":8080" */
	unsigned threads;     /* HTTP threads, 0 = 4 */
	size_t max_body;      /* request body cap, 0 = 16 MiB */
	unsigned per_ip;      /* connections per client, 0 = the default */
};

/*
 * server_start: open the database, check the token files and the jobs'
 * settings, build the chart rollups that are missing (charts of long
 * windows read them), and start serving.  What a person should see
 * (rollups built, a warning) is appended to log, a line each.  Errors say
 * what failed ("serve: ...", "imap: ...").  Stop with server_stop.
 */
int server_start(struct server **out, const struct server_opts *o,
		 struct buf *log, struct hearth_err *err);

/* server_tick: run the jobs that are due and, when a revision changed the
 * schema meanwhile, build again the rollups it dropped (holding the
 * writers).  Their errors and news are appended to log, a line each. */
void server_tick(struct server *srv, struct buf *log);

/*
 * server_reload: take cfg (config_reload's, of the same file) as the
 * settings from now on: tokens, [time_columns], [units], [serve]
 * auto_columns and auto_tables, the jobs' settings ([imap], ...) at
 * their next run.  Connections and queued writes carry on; a request in
 * flight may finish on the old settings.  Those read once at the start
 * ([hearth] db, durability; [serve] listen, timezone, max_body,
 * max_connections_per_ip) keep their value: a line in log says so for
 * each that changed.  On success srv owns cfg (freed by server_stop);
 * on an error (a token file that cannot be read, a job's bad setting)
 * nothing changes and cfg stays the caller's.
 */
int server_reload(struct server *srv, struct config *cfg, struct buf *log,
		  struct hearth_err *err);

/* server_port: the port actually bound (useful with port 0). */
unsigned server_port(const struct server *srv);

/* server_stop: finish requests in flight and what is queued for the
 * writing thread, stop every thread, free srv.  NULL is fine. */
void server_stop(struct server *srv);

#endif
