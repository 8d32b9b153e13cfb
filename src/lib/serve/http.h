/*
 * http.h - the HTTP server: libmicrohttpd, one daemon thread per
 * http_opts.threads, and a route table.  Routes live with their feature
 * (web.c for the dashboard, api.c for the API); cmd/serve.c hands them all
 * to http_start.
 *
 * A thread of the server's own accepts connections and gives each to the
 * thread with the fewest, so that clients connecting together are served
 * side by side (a thread runs its connections' requests one at a time).
 *
 * Handlers run on those threads.  Each thread has its own database
 * connection (http_store) and a cached schema (http_schema) that is
 * re-read when the database's schema changes.  A handler fills a
 * struct http_resp; the server sends it and frees it.
 */
#ifndef HEARTH_HTTP_H
#define HEARTH_HTTP_H

#include <stddef.h>

#include "base/buf.h"
#include "base/config.h"
#include "base/err.h"
#include "store/schema.h"
#include "store/store.h"

struct http_server;
struct http_stream;

struct http_req {
	const char *method;  /* "GET", "POST", ... */
	const char *path;    /* URL path, percent-decoded, no query string */
	const char *body;    /* request body (NUL-terminated), may be "";
				decompressed when it came with
				Content-Encoding gzip (413 when that
				outgrows the body cap, 400 when it is not
				gzip, before any handler runs) */
	size_t body_len;
	struct http_server *srv;
	void *conn;          /* the libmicrohttpd connection */
};

#define HTTP_MAX_HEADERS 6

struct http_resp {
	int status;               /* 200 unless set */
	const char *content_type; /* static string; default text/plain */
	struct buf body;
	struct http_stream *stream; /* set by http_resp_stream */
	const char *hname[HTTP_MAX_HEADERS]; /* static names */
	char *hval[HTTP_MAX_HEADERS];        /* owned values */
	int nheaders;
};

/* A handler returns 0; a -1 return sends a bare 500. */
typedef int (*http_handler)(struct http_req *req, struct http_resp *resp,
			    void *ud);

struct http_route {
	const char *method;  /* "GET", "POST"; NULL matches any */
	const char *path;    /* exact path, or a prefix when it ends in a star */
	http_handler fn;
	void *ud;
	size_t max_body;     /* 0: the server default ([serve] max_body) */
};

/* At most this many connections at once; an idle one is closed after
 * HTTP_IDLE_SECONDS. */
#define HTTP_MAX_CONNS 256
#define HTTP_IDLE_SECONDS 30
/* A quarter of them per client (an IPv4 address or an IPv6 /64,
 * peer.h), so that one client that leaks connections (a sensor's sketch
 * that never closes) cannot lock out the dashboard and the other
 * sensors. */
#define HTTP_PER_IP_DEFAULT 64

struct http_opts {
	const char *listen;   /* "127.0.0.1:8080", "[::1]:8080", ":8080" */
	unsigned threads;     /* HTTP threads, 0 = 4 */
	size_t max_body;      /* default body cap, 0 = 16 MiB */
	/* connections one client (peer.h) may hold, of HTTP_MAX_CONNS in
	 * all; 0 = HTTP_PER_IP_DEFAULT */
	unsigned per_ip;
	const char *db_url;   /* opened once per pool thread */
	const char *db_base;  /* base dir for a relative SQLite path */
	struct config *cfg;   /* for handlers; not owned */
	/* called on the pool thread after every response is queued, with
	 * the matched route (NULL when none matched), whether its handler
	 * ran (not when this layer refused the body: too large, bad gzip)
	 * and the seconds since the request arrived; may be NULL */
	void (*observe)(const struct http_route *route, const char *method,
			int status, int handled, double seconds);
};

/* http_start: bind and serve in background threads.  routes must outlive
 * the server.  Errors name the address. */
int http_start(struct http_server **out, const struct http_opts *o,
	       const struct http_route *const *routes, struct hearth_err *err);
/* http_stop: finish requests in flight, close connections, free. */
void http_stop(struct http_server *srv);
/* http_port: the port actually bound (useful with port 0). */
unsigned http_port(const struct http_server *srv);

/* The calling thread's database connection and schema (owned by the
 * server); NULL with err set when the database cannot be opened.  A
 * schema stays valid until the handler returns, even when a later call
 * in the same request reads a newer one (after a migration). */
struct store *http_store(struct http_req *req, struct hearth_err *err);
const struct schema *http_schema(struct http_req *req, struct hearth_err *err);
struct config *http_config(struct http_req *req);

/* Query string argument or request header; NULL when absent. */
const char *http_arg(const struct http_req *req, const char *name);
const char *http_header(const struct http_req *req, const char *name);

/* Response helpers. */
void http_resp_header(struct http_resp *resp, const char *name,
		      const char *value);
/* http_resp_error: status and a one-line text/plain message. */
int http_resp_error(struct http_resp *resp, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Streaming a large body.  http_resp_stream starts fn on a thread of its
 * own, with a database connection of its own (s, closed afterwards),
 * and the response's body is what fn writes through write(wctx, p, n) as
 * it goes, sent chunked: memory stays constant whatever the size.  write
 * returns -1 once the client is gone, and fn should stop then.  The
 * status and headers go out first, so fn cannot change them: check what
 * can fail before.  free_ctx(ctx) runs when fn returns.  At most 16
 * streams run at once.  On error (16 running, no thread, no pipe)
 * nothing was started and ctx is still the caller's: answer 503.
 * http_stop waits for running streams to end.
 */
typedef int (*http_write_fn)(void *wctx, const char *p, size_t n);
typedef void (*http_stream_fn)(void *ctx, struct store *s,
			       http_write_fn write, void *wctx);
int http_resp_stream(struct http_req *req, struct http_resp *resp,
		     http_stream_fn fn, void *ctx, void (*free_ctx)(void *),
		     struct hearth_err *err);

#endif
