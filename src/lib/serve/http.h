/*
 * http.h - the HTTP server: libmicrohttpd, one daemon thread per
 * http_opts.threads, and a route table.  HTTP only: what the routes do
 * with a database is theirs (the serve folder's other modules).
 *
 * A thread of the server's own accepts connections and gives each to the
 * thread with the fewest, so that clients connecting together are served
 * side by side (a thread runs its connections' requests one at a time).
 *
 * Handlers run on those threads, each given the server's context
 * (http_opts.ctx: what the routes share).  A handler fills a struct
 * http_resp; the server sends it and frees it.
 */
#ifndef HEARTH_HTTP_H
#define HEARTH_HTTP_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

struct http_server;
struct http_body;
struct http_route;

struct http_req {
	const char *method;  /* "GET", "POST", ... */
	const char *path;    /* URL path, percent-decoded, no query string */
	const char *body;    /* request body (NUL-terminated), may be "";
				decompressed when it came with
				Content-Encoding gzip (413 when that
				outgrows the body cap, 400 when it is not
				gzip, before any handler runs) */
	size_t body_len;
	const struct http_route *route; /* the route matched */
	struct http_server *srv;
	void *conn;          /* the libmicrohttpd connection */
};

#define HTTP_MAX_HEADERS 6

struct http_resp {
	int status;               /* 200 unless set */
	const char *content_type; /* static string; default text/plain */
	struct buf body;
	struct http_body *later;  /* set by http_resp_body */
	const char *hname[HTTP_MAX_HEADERS]; /* static names */
	char *hval[HTTP_MAX_HEADERS];        /* owned values */
	int nheaders;
};

/* A handler returns 0; a -1 return sends a bare 500.  ctx is the
 * server's (http_opts.ctx). */
typedef int (*http_handler)(struct http_req *req, struct http_resp *resp,
			    void *ctx);

struct http_route {
	const char *method;  /* "GET", "POST"; NULL matches any */
	const char *path;    /* exact path, or a prefix when it ends in a star */
	http_handler fn;
	const void *data;    /* the route's own (constant), for its handler:
				req->route->data */
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
	void *ctx;            /* every handler's ctx; not owned */
	/* called on the pool thread after every response is queued, with
	 * the matched route (NULL when none matched), whether its handler
	 * ran (not when this layer refused the body: too large, bad gzip)
	 * and the seconds since the request arrived; may be NULL */
	void (*done)(void *ctx, const struct http_route *route,
		     const char *method, int status, int handled,
		     double seconds);
};

/* http_start: bind and serve in background threads.  routes must outlive
 * the server.  Errors name the address. */
int http_start(struct http_server **out, const struct http_opts *o,
	       const struct http_route *const *routes, struct hearth_err *err);
/* http_stop: finish requests in flight, close connections, free. */
void http_stop(struct http_server *srv);
/* http_port: the port actually bound (useful with port 0). */
unsigned http_port(const struct http_server *srv);

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
 * A body made after the handler returns, as the client takes it
 * (stream.h makes reads of any size so).  Whenever the socket can take
 * more, the server calls read(ctx, buf, max) on one of its threads, with
 * a lock of its own held: read must not block or wait.  It returns the
 * bytes it put in buf, 0 when none are ready yet (the connection then
 * waits, holding no thread, until http_body_wake), HTTP_BODY_END once
 * the body is complete, or HTTP_BODY_ERROR to cut it short.  done(ctx)
 * comes once, when the server is finished with the body (sent, the
 * client gone, a HEAD request, the server stopping), never under that
 * lock; no read comes after it.  The status and headers go out first.
 */
#define HTTP_BODY_END (-1)
#define HTTP_BODY_ERROR (-2)

typedef long (*http_body_read)(void *ctx, char *buf, size_t max);

/* http_resp_body: resp's body comes from read; *out (may be NULL) gets
 * the handle for http_body_wake. */
void http_resp_body(struct http_req *req, struct http_resp *resp,
		    http_body_read read, void (*done)(void *ctx), void *ctx,
		    struct http_body **out);
/* http_body_wake: more is ready: a connection waiting for it reads
 * again.  From any thread, until done(ctx) has begun: the caller orders
 * its wakes and its done with a lock of its own, which it holds around
 * this call (and done takes). */
void http_body_wake(struct http_body *b);

#endif
