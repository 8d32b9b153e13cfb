/*
 * http.c - requests to routes, bodies in and out, connections per client.
 */
#include "serve/http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "serve/acceptor.h"
#include "base/gunzip.h"
#include "serve/peer.h"
#include "base/xalloc.h"

#define DEFAULT_MAX_BODY (16u << 20)

struct http_server {
	struct MHD_Daemon **d;       /* o.threads of them, a thread each */
	struct acceptor *acc;        /* gives them their connections */
	struct http_opts o;
	const struct http_route *const *routes;
	pthread_mutex_t lock;
	struct http_body *bodies;    /* made later, being sent (lock) */
	int stopping;                /* no more waiting for bodies (lock) */
	struct peer_counts peers;    /* connections per client */
};

struct req_state {
	const struct http_route *route;
	struct timespec start;
	struct buf body;
	int too_large;
	struct buf plain; /* the body decompressed, when it came gzipped */
};

static int is_gzip(const char *ce)
{
	return ce && (!strcasecmp(ce, "gzip") || !strcasecmp(ce, "x-gzip"));
}

const char *http_arg(const struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND,
					   name);
}

const char *http_header(const struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

void http_resp_header(struct http_resp *resp, const char *name,
		      const char *value)
{
	if (resp->nheaders >= HTTP_MAX_HEADERS)
		return;
	resp->hname[resp->nheaders] = name;
	resp->hval[resp->nheaders] = xstrdup(value);
	resp->nheaders++;
}

int http_resp_error(struct http_resp *resp, int status, const char *fmt, ...)
{
	va_list ap;
	char msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	resp->status = status;
	resp->content_type = "text/plain; charset=utf-8";
	buf_reset(&resp->body);
	buf_addstr(&resp->body, msg);
	buf_addch(&resp->body, '\n');
	return 0;
}

static int route_path_matches(const struct http_route *r, const char *path)
{
	size_t n = strlen(r->path);

	return r->path[n - 1] == '*' ? !strncmp(path, r->path, n - 1)
				     : !strcmp(path, r->path);
}

/* HEAD is GET without the body (libmicrohttpd leaves it out), as every
 * general-purpose server must offer: `curl -I` and uptime checkers send
 * it. */
static int route_method_matches(const struct http_route *r,
				const char *method)
{
	return !r->method || !strcmp(r->method, method) ||
	       (!strcmp(method, "HEAD") && !strcmp(r->method, "GET"));
}

static const struct http_route *find_route(struct http_server *srv,
					   const char *method, const char *path,
					   int *path_matched)
{
	const struct http_route *const *set;
	const struct http_route *r;

	*path_matched = 0;
	for (set = srv->routes; *set; set++)
		for (r = *set; r->path; r++) {
			if (!route_path_matches(r, path))
				continue;
			*path_matched = 1;
			if (route_method_matches(r, method))
				return r;
		}
	return NULL;
}

/* The Allow header of a 405: the methods some route takes at path. */
static void allowed_methods(struct http_server *srv, const char *path,
			    char *out, size_t size)
{
	static const char *const methods[] = { "GET", "HEAD", "POST", NULL };
	const struct http_route *const *set;
	const struct http_route *r;
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; methods[i]; i++) {
		int ok = 0;
		for (set = srv->routes; *set && !ok; set++)
			for (r = *set; r->path && !ok; r++)
				ok = route_path_matches(r, path) &&
				     route_method_matches(r, methods[i]);
		if (ok)
			len += (size_t)snprintf(out + len, size - len, "%s%s",
						len ? ", " : "", methods[i]);
	}
}

/*
 * A body made later: libmicrohttpd asks for bytes as the socket takes
 * them; when the maker has none ready, the connection is suspended (a
 * pool thread must never wait for it) and its wake resumes it.  Reading
 * and suspending happen under srv->lock, and so does the wake, so a wake
 * cannot slip in between.
 */
struct http_body {
	struct http_server *srv;
	struct http_body *prev, *next;   /* srv->bodies */
	struct MHD_Connection *conn;     /* once the response is queued */
	int suspended;                   /* (srv->lock) */
	http_body_read read;
	void (*done)(void *ctx);
	void *ctx;
};

void http_resp_body(struct http_req *req, struct http_resp *resp,
		    http_body_read read, void (*done)(void *ctx), void *ctx,
		    struct http_body **out)
{
	struct http_body *b = xcalloc(1, sizeof(*b));

	b->srv = req->srv;
	b->read = read;
	b->done = done;
	b->ctx = ctx;
	pthread_mutex_lock(&b->srv->lock);
	b->next = b->srv->bodies;
	if (b->next)
		b->next->prev = b;
	b->srv->bodies = b;
	pthread_mutex_unlock(&b->srv->lock);
	resp->later = b;
	if (out)
		*out = b;
}

/* Resume the connection if it waits (srv->lock held). */
static void body_resume(struct http_body *b)
{
	if (b->suspended) {
		b->suspended = 0;
		MHD_resume_connection(b->conn);
	}
}

void http_body_wake(struct http_body *b)
{
	pthread_mutex_lock(&b->srv->lock);
	body_resume(b);
	pthread_mutex_unlock(&b->srv->lock);
}

/* libmicrohttpd asks for the next bytes. */
static ssize_t body_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct http_body *b = cls;
	long n;

	(void)pos;
	pthread_mutex_lock(&b->srv->lock);
	n = b->srv->stopping ? HTTP_BODY_ERROR : b->read(b->ctx, buf, max);
	if (n == 0) {
		b->suspended = 1;
		MHD_suspend_connection(b->conn);
	}
	pthread_mutex_unlock(&b->srv->lock);
	return n == HTTP_BODY_END     ? MHD_CONTENT_READER_END_OF_STREAM
	       : n == HTTP_BODY_ERROR ? MHD_CONTENT_READER_END_WITH_ERROR
				      : (ssize_t)n;
}

/* The server is finished with the body: unlink it, then tell its maker
 * (outside srv->lock: the maker's done takes its own lock, which it
 * holds around its wakes). */
static void body_done(void *cls)
{
	struct http_body *b = cls;
	struct http_server *srv = b->srv;

	pthread_mutex_lock(&srv->lock);
	if (b->prev)
		b->prev->next = b->next;
	else
		srv->bodies = b->next;
	if (b->next)
		b->next->prev = b->prev;
	b->suspended = 0;
	pthread_mutex_unlock(&srv->lock);
	b->done(b->ctx);
	free(b);
}

static ssize_t no_content(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)cls, (void)pos, (void)buf, (void)max;
	return MHD_CONTENT_READER_END_OF_STREAM;
}

static enum MHD_Result send_resp(struct MHD_Connection *conn,
				 struct http_resp *resp, int head)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	size_t len;
	char *body = buf_detach(&resp->body, &len);
	int i;

	if (resp->later && head) {
		/* libmicrohttpd ends the chunked body it leaves out of a HEAD
		 * answer with "0\r\n\r\n" all the same, which the client
		 * would take for the start of its next answer: HEAD of a
		 * body made later is answered the HTTP/1.0 way, without
		 * chunks, and the connection closes.  Its maker stops as it
		 * would for a client that hung up. */
		free(body);
		body_done(resp->later);
		resp->later = NULL;
		r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024,
						      no_content, NULL, NULL);
		MHD_set_response_options(r, MHD_RF_HTTP_1_0_SERVER, MHD_RO_END);
	} else if (resp->later) {
		free(body);
		resp->later->conn = conn;
		r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 65536,
						      body_read, resp->later,
						      body_done);
		resp->later = NULL; /* the response holds it now */
	} else {
		r = MHD_create_response_from_buffer(len, body,
						    MHD_RESPMEM_MUST_FREE);
	}
	MHD_add_response_header(r, "Content-Type",
				resp->content_type ? resp->content_type
						   : "text/plain; charset=utf-8");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	for (i = 0; i < resp->nheaders; i++)
		MHD_add_response_header(r, resp->hname[i], resp->hval[i]);
	ret = MHD_queue_response(conn, (unsigned)(resp->status ? resp->status : 200), r);
	MHD_destroy_response(r);
	return ret;
}

static void resp_release(struct http_resp *resp)
{
	int i;

	buf_release(&resp->body);
	for (i = 0; i < resp->nheaders; i++)
		free(resp->hval[i]);
	/* A body whose response was never made. */
	if (resp->later)
		body_done(resp->later);
}

/*
 * max_connections_per_ip, counted per client as peer.h has them (an
 * IPv6 /64), where libmicrohttpd's own limit counts each address.  A
 * connection is counted from its start to its close, or until its client
 * hangs up (peer.h: libmicrohttpd sees a close late, and a client that
 * reconnects at once would be refused).  Its socket is closed after the
 * close is notified, so the counts never ask a closed descriptor.  The acceptor
 * (admit) closes a client's connection at once when the client is at its
 * limit; several accepted at once may each have passed that
 * check before any started, so one that starts past the limit is
 * marked, and closed unanswered at its first request.
 *
 * A connection's client is kept from its start for its close.
 */
struct conn_peer {
	struct sockaddr_storage addr;
	int fd;
	int over; /* started past the client's limit */
};

static void on_connection(void *cls, struct MHD_Connection *conn,
			  void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct http_server *srv = cls;
	const union MHD_ConnectionInfo *info;
	struct conn_peer *cp = *socket_context;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		info = MHD_get_connection_info(conn,
					       MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		if (!info || !info->client_addr)
			return;
		cp = xcalloc(1, sizeof(*cp));
		memcpy(&cp->addr, info->client_addr,
		       info->client_addr->sa_family == AF_INET6
			       ? sizeof(struct sockaddr_in6)
			       : sizeof(struct sockaddr_in));
		*socket_context = cp;
		info = MHD_get_connection_info(conn,
					       MHD_CONNECTION_INFO_CONNECTION_FD);
		cp->fd = info ? info->connect_fd : -1;
		cp->over = peer_add(&srv->peers, (struct sockaddr *)&cp->addr,
				    cp->fd) > srv->o.per_ip;
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		info = MHD_get_connection_info(conn,
					       MHD_CONNECTION_INFO_DAEMON);
		if (info)
			acceptor_closed(srv->acc, info->daemon);
		if (cp) {
			peer_remove(&srv->peers, (struct sockaddr *)&cp->addr,
				    cp->fd);
			free(cp);
			*socket_context = NULL;
		}
	}
}

static int conn_over_limit(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	const struct conn_peer *cp = info ? info->socket_context : NULL;

	return cp && cp->over;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct http_server *srv = cls;
	struct req_state *rs = *con_cls;
	struct http_resp resp;
	struct http_req req;
	enum MHD_Result ret;
	int matched, handled = 0;

	(void)version;
	memset(&resp, 0, sizeof(resp));
	if (!rs && conn_over_limit(conn))
		return MHD_NO; /* closed unanswered */
	if (!rs) {
		const struct http_route *route = find_route(srv, method, url,
							    &matched);
		const char *cl;
		size_t cap;

		rs = xcalloc(1, sizeof(*rs));
		*con_cls = rs;
		rs->route = route;
		clock_gettime(CLOCK_MONOTONIC, &rs->start);
		cap = route && route->max_body ? route->max_body : srv->o.max_body;
		buf_init(&rs->body, cap);
		if (!route) {
			char allow[32];

			http_resp_error(&resp, matched ? 405 : 404, "%s %s: %s",
					method, url,
					matched ? "method not allowed"
						: "no such page");
			if (matched) {
				allowed_methods(srv, url, allow, sizeof(allow));
				http_resp_header(&resp, "Allow", allow);
			}
			goto reply;
		}
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						 "Content-Length");
		if (cl && strtoull(cl, NULL, 10) > cap) {
			http_resp_error(&resp, 413,
					"request body larger than %zu bytes", cap);
			goto reply;
		}
		/* The body arrives in many small pieces: with its size known,
		 * one allocation takes them all instead of a series of
		 * reallocs, each copying what came before. */
		if (cl && cap)
			buf_reserve(&rs->body, (size_t)strtoull(cl, NULL, 10));
		return MHD_YES;
	}
	if (*upload_size) {
		if (!rs->too_large && buf_add(&rs->body, upload, *upload_size) < 0)
			rs->too_large = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	if (rs->too_large) {
		http_resp_error(&resp, 413, "request body larger than %zu bytes",
				rs->body.cap);
		goto reply;
	}
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = url;
	req.body = buf_cstr(&rs->body);
	req.body_len = rs->body.len;
	if (is_gzip(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						"Content-Encoding"))) {
		struct hearth_err err = HEARTH_ERR_INIT;
		enum gunzip_result g;

		/* The limit is on what the handler gets, not on the wire. */
		buf_init(&rs->plain, rs->body.cap);
		g = gunzip(rs->body.s, rs->body.len, rs->body.cap
			   ? rs->body.cap : (size_t)-1, &rs->plain, &err);
		if (g == GUNZIP_TOO_LARGE) {
			http_resp_error(&resp, 413, "request body larger than "
					"%zu bytes once decompressed",
					rs->body.cap);
			goto reply;
		}
		if (g != GUNZIP_OK) {
			http_resp_error(&resp, 400, "request body (Content-"
					"Encoding gzip): %s", err.msg);
			goto reply;
		}
		req.body = buf_cstr(&rs->plain);
		req.body_len = rs->plain.len;
	}
	req.srv = srv;
	req.conn = conn;
	resp.status = 200;
	handled = 1;
	req.route = rs->route;
	if (rs->route->fn(&req, &resp, srv->o.ctx) < 0)
		http_resp_error(&resp, 500, "internal error");
reply:
	{
		int status = resp.status ? resp.status : 200;
		ret = send_resp(conn, &resp, !strcmp(method, "HEAD"));
		if (srv->o.done) {
			struct timespec now;
			clock_gettime(CLOCK_MONOTONIC, &now);
			srv->o.done(srv->o.ctx, rs->route, method, status,
				    handled,
				       (double)(now.tv_sec - rs->start.tv_sec) +
					       (double)(now.tv_nsec -
							rs->start.tv_nsec) / 1e9);
		}
	}
	resp_release(&resp);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn,
			 void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct req_state *rs = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (rs) {
		buf_release(&rs->body);
		buf_release(&rs->plain);
		free(rs);
		*con_cls = NULL;
	}
}

static int parse_listen(const char *listen, struct sockaddr_storage *ss,
			socklen_t *len, struct hearth_err *err)
{
	char host[128];
	const char *colon = strrchr(listen, ':');
	unsigned long port;
	char *end;
	size_t hl;

	if (!colon)
		goto bad;
	port = strtoul(colon + 1, &end, 10);
	if (*end || colon[1] == '\0' || port > 65535)
		goto bad;
	hl = (size_t)(colon - listen);
	if (hl >= sizeof(host))
		goto bad;
	memcpy(host, listen, hl);
	host[hl] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		host[hl - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
			goto bad;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		if (hl == 0)
			s4->sin_addr.s_addr = htonl(INADDR_ANY);
		else if (!strcmp(host, "localhost"))
			s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		else if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			goto bad;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*len = sizeof(*s4);
	}
	return 0;
bad:
	return err_set(err, "bad listen address '%s' (want HOST:PORT, "
		       "[IPV6]:PORT or :PORT)", listen);
}

/* acceptor.h's admit: under the client's limit (see on_connection). */
static int admit(void *ctx, const struct sockaddr *addr)
{
	struct http_server *srv = ctx;

	return peer_admit(&srv->peers, addr);
}

/* Stop the daemons (those started) and free srv and its acceptor. */
static void server_free(struct http_server *srv)
{
	size_t i;

	for (i = 0; i < srv->o.threads; i++)
		if (srv->d[i])
			MHD_stop_daemon(srv->d[i]);
	acceptor_free(srv->acc);
	free(srv->d);
	pthread_mutex_destroy(&srv->lock);
	peer_counts_release(&srv->peers);
	free(srv);
}

int http_start(struct http_server **out, const struct http_opts *o,
	       const struct http_route *const *routes, struct hearth_err *err)
{
	struct http_server *srv;
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
			 MHD_ALLOW_SUSPEND_RESUME | MHD_USE_NO_LISTEN_SOCKET;
	unsigned i;

	*out = NULL;
	if (parse_listen(o->listen, &ss, &sl, err) < 0)
		return -1;
	srv = xcalloc(1, sizeof(*srv));
	srv->o = *o;
	if (!srv->o.threads)
		srv->o.threads = 4;
	if (!srv->o.max_body)
		srv->o.max_body = DEFAULT_MAX_BODY;
	if (!srv->o.per_ip)
		srv->o.per_ip = HTTP_PER_IP_DEFAULT;
	srv->routes = routes;
	pthread_mutex_init(&srv->lock, NULL);
	peer_counts_init(&srv->peers, srv->o.per_ip);
	srv->d = xcalloc(srv->o.threads, sizeof(*srv->d));
	if (acceptor_listen(&srv->acc, (struct sockaddr *)&ss, sl, o->listen,
			    err) < 0)
		goto fail;
	for (i = 0; i < srv->o.threads; i++) {
		srv->d[i] = MHD_start_daemon(
			flags, 0, NULL, NULL, on_request, srv,
			MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
			MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
			MHD_OPTION_CONNECTION_TIMEOUT,
			(unsigned)HTTP_IDLE_SECONDS,
			MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_MAX_CONNS,
			MHD_OPTION_END);
		if (!srv->d[i]) {
			err_set(err, "cannot start the HTTP server on %s",
				o->listen);
			goto fail;
		}
	}
	if (acceptor_run(srv->acc, srv->d, srv->o.threads, HTTP_MAX_CONNS,
			 admit, srv, err) < 0)
		goto fail;
	*out = srv;
	return 0;
fail:
	server_free(srv);
	return -1;
}

unsigned http_port(const struct http_server *srv)
{
	return acceptor_port(srv->acc);
}

void http_stop(struct http_server *srv)
{
	struct http_body *b;
	size_t i;

	if (!srv)
		return;
	acceptor_stop(srv->acc); /* no new connections */
	/* libmicrohttpd must not stop with suspended connections: wake them,
	 * and from now on their reads end instead of waiting.  Stopping the
	 * daemons then ends every body (body_done). */
	pthread_mutex_lock(&srv->lock);
	srv->stopping = 1;
	for (b = srv->bodies; b; b = b->next)
		body_resume(b);
	pthread_mutex_unlock(&srv->lock);
	for (i = 0; i < srv->o.threads; i++) {
		MHD_stop_daemon(srv->d[i]);
		srv->d[i] = NULL;
	}
	server_free(srv);
}
