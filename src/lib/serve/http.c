#include "serve/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
#include <unistd.h>

#include "serve/acceptor.h"
#include "base/gunzip.h"
#include "serve/peer.h"
#include "base/xalloc.h"

#define DEFAULT_MAX_BODY (16u << 20)

/* One database connection per pool thread: SQLite connections must not be
 * shared between threads, and opening one per request costs more than
 * the request. */
struct thread_db {
	pthread_t thread;
	struct store *store;
	struct schema schema;
	int64_t schema_version;
	int have_schema;
	struct schema *retired; /* replaced during the request: see http_schema */
	size_t nretired, aretired;
};

struct http_server {
	struct MHD_Daemon **d;       /* o.threads of them, a thread each */
	struct acceptor *acc;        /* gives them their connections */
	struct http_opts o;
	const struct http_route *const *routes;
	pthread_mutex_t lock;
	struct thread_db *dbs;
	size_t ndbs, adbs;
	unsigned streams;            /* streams alive (lock) */
	struct http_stream *stream_list; /* them (lock) */
	int stopping;                /* no more suspending (lock) */
	pthread_cond_t streams_done; /* signalled as each ends */
	struct peer_counts peers;    /* connections per client */
};

/* Each stream is a thread, a pipe and a database connection: a client
 * opening reads by the hundred must not run the server out of them. */
#define HTTP_MAX_STREAMS 16

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

struct config *http_config(struct http_req *req)
{
	return req->srv->o.cfg;
}

static struct thread_db *thread_db(struct http_server *srv)
{
	pthread_t self = pthread_self();
	struct thread_db *t = NULL;
	size_t i;

	pthread_mutex_lock(&srv->lock);
	for (i = 0; i < srv->ndbs; i++)
		if (pthread_equal(srv->dbs[i].thread, self)) {
			t = &srv->dbs[i];
			break;
		}
	/* Slots are allocated up front (see http_start) and never move, so
	 * a thread may keep using its own slot after dropping the lock. */
	if (!t && srv->ndbs < srv->adbs) {
		t = &srv->dbs[srv->ndbs++];
		memset(t, 0, sizeof(*t));
		t->thread = self;
	}
	pthread_mutex_unlock(&srv->lock);
	return t;
}

struct store *http_store(struct http_req *req, struct hearth_err *err)
{
	struct thread_db *t = thread_db(req->srv);

	if (!t) {
		err_set(err, "no database slot for this thread");
		return NULL;
	}
	if (!t->store && store_open(&t->store, req->srv->o.db_url,
				    req->srv->o.db_base, 0, err) < 0)
		return NULL;
	return t->store;
}

const struct schema *http_schema(struct http_req *req, struct hearth_err *err)
{
	struct thread_db *t;
	int64_t v = -1;

	if (!http_store(req, err))
		return NULL;
	t = thread_db(req->srv);
	if (store_schema_version(t->store, &v, err) < 0)
		return NULL;
	if (t->have_schema && v == t->schema_version)
		return &t->schema;
	/* The handler may still hold pointers into the old schema (a table
	 * and its name) when it asks again, after adding columns: it is
	 * freed when the request ends (release_retired). */
	if (t->have_schema) {
		XGROW(t->retired, t->nretired + 1, t->aretired);
		t->retired[t->nretired++] = t->schema;
	}
	t->have_schema = 0;
	if (store_introspect(t->store, &t->schema, err) < 0)
		return NULL;
	t->have_schema = 1;
	t->schema_version = v;
	return &t->schema;
}

static void release_retired(struct http_server *srv)
{
	struct thread_db *t = thread_db(srv);

	while (t && t->nretired)
		schema_release(&t->retired[--t->nretired]);
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
 * A stream: fn writes into a pipe on a thread of its own; libmicrohttpd
 * pulls from the pipe's other end as the socket takes it.  The pipe's
 * read end is non-blocking: when it is empty the connection is suspended
 * (a pool thread must never wait for a query) and each write resumes it.
 * Two hold a stream, the thread and the response; the last to let go
 * frees it.  srv->lock guards refs, suspended and the server's list.
 */
struct http_stream {
	struct http_server *srv;
	struct http_stream *prev, *next; /* srv->stream_list */
	struct MHD_Connection *conn;     /* once the response is queued */
	int rfd, wfd;                    /* the pipe */
	int refs;
	int suspended;
	char *db_url, *db_base;
	http_stream_fn fn;
	void *ctx;
	void (*free_ctx)(void *);
};

/* Drop one hold (srv->lock held); the last frees. */
static void stream_unref(struct http_stream *st)
{
	struct http_server *srv = st->srv;

	if (--st->refs)
		return;
	if (st->prev)
		st->prev->next = st->next;
	else
		srv->stream_list = st->next;
	if (st->next)
		st->next->prev = st->prev;
	srv->streams--;
	pthread_cond_broadcast(&srv->streams_done);
	free(st->db_url);
	free(st->db_base);
	free(st);
}

/* Wake the connection if it waits for data (srv->lock held). */
static void stream_wake(struct http_stream *st)
{
	if (st->suspended) {
		st->suspended = 0;
		MHD_resume_connection(st->conn);
	}
}

/* Writes go in pieces of PIPE_BUF, which an empty pipe always takes
 * whole: the reader suspends only on an empty pipe, so a write never
 * blocks while the reader waits for the wake that follows it. */
static int pipe_write(void *wctx, const char *p, size_t n)
{
	struct http_stream *st = wctx;

	while (n) {
		ssize_t w = write(st->wfd, p, n < PIPE_BUF ? n : PIPE_BUF);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1; /* EPIPE: the client is gone */
		p += w;
		n -= (size_t)w;
		pthread_mutex_lock(&st->srv->lock);
		stream_wake(st);
		pthread_mutex_unlock(&st->srv->lock);
	}
	return 0;
}

static void *stream_main(void *arg)
{
	struct http_stream *st = arg;
	struct http_server *srv = st->srv; /* st may be gone at the end */
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = NULL;

	if (store_open(&s, st->db_url, st->db_base, 0, &err) == 0)
		st->fn(st->ctx, s, pipe_write, st);
	/* else: the body ends empty; the request's own connection had
	 * just opened the same database, so this is rare */
	store_close(s);
	if (st->free_ctx)
		st->free_ctx(st->ctx);
	pthread_mutex_lock(&srv->lock);
	close(st->wfd); /* the reader sees the end */
	stream_wake(st);
	stream_unref(st);
	pthread_mutex_unlock(&srv->lock);
	return NULL;
}

/* libmicrohttpd asks for the next bytes. */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct http_stream *st = cls;
	ssize_t n;

	(void)pos;
	pthread_mutex_lock(&st->srv->lock);
	if (st->srv->stopping) {
		n = MHD_CONTENT_READER_END_WITH_ERROR;
		goto out;
	}
	n = read(st->rfd, buf, max);
	if (n == 0)
		n = MHD_CONTENT_READER_END_OF_STREAM;
	else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		/* Nothing yet: the next write (under this lock, so it cannot
		 * slip in between) resumes the connection. */
		st->suspended = 1;
		MHD_suspend_connection(st->conn);
		n = 0;
	} else if (n < 0) {
		n = MHD_CONTENT_READER_END_WITH_ERROR;
	}
out:
	pthread_mutex_unlock(&st->srv->lock);
	return n;
}

/* The response is gone (sent, or the client left): the writer's next
 * write fails with EPIPE. */
static void stream_released(void *cls)
{
	struct http_stream *st = cls;
	struct http_server *srv = st->srv; /* st may be gone at the end */

	pthread_mutex_lock(&srv->lock);
	close(st->rfd);
	st->rfd = -1;
	st->suspended = 0;
	stream_unref(st);
	pthread_mutex_unlock(&srv->lock);
}

int http_resp_stream(struct http_req *req, struct http_resp *resp,
		     http_stream_fn fn, void *ctx, void (*free_ctx)(void *),
		     struct hearth_err *err)
{
	struct http_server *srv = req->srv;
	struct http_stream *st;
	pthread_attr_t attr;
	pthread_t th;
	int fds[2], rc;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return err_set(err, "cannot start the read: %s",
			       strerror(errno));
	/* The read end must not block a pool thread. */
	fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
	st = xcalloc(1, sizeof(*st));
	st->srv = srv;
	st->rfd = fds[0];
	st->wfd = fds[1];
	st->refs = 2;
	st->db_url = srv->o.db_url ? xstrdup(srv->o.db_url) : NULL;
	st->db_base = srv->o.db_base ? xstrdup(srv->o.db_base) : NULL;
	st->fn = fn;
	st->ctx = ctx;
	st->free_ctx = free_ctx;
	pthread_mutex_lock(&srv->lock);
	if (srv->streams >= HTTP_MAX_STREAMS) {
		pthread_mutex_unlock(&srv->lock);
		rc = -1;
		err_set(err, "%d reads already running: try again",
			HTTP_MAX_STREAMS);
		goto undo;
	}
	srv->streams++;
	st->next = srv->stream_list;
	if (st->next)
		st->next->prev = st;
	srv->stream_list = st;
	pthread_mutex_unlock(&srv->lock);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&th, &attr, stream_main, st);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		err_set(err, "cannot start the read: %s", strerror(rc));
		close(fds[0]);
		close(fds[1]);
		pthread_mutex_lock(&srv->lock);
		st->refs = 1;
		stream_unref(st); /* unlinks, counts it out, frees */
		pthread_mutex_unlock(&srv->lock);
		return -1;
	}
	resp->stream = st;
	return 0;
undo:
	close(fds[0]);
	close(fds[1]);
	free(st->db_url);
	free(st->db_base);
	free(st);
	return rc;
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

	if (resp->stream && head) {
		/* libmicrohttpd ends the chunked body it leaves out of a HEAD
		 * answer with "0\r\n\r\n" all the same, which the client
		 * would take for the start of its next answer: HEAD of a
		 * stream is answered the HTTP/1.0 way, without chunks, and
		 * the connection closes.  The stream's thread ends as it
		 * would for a client that hung up. */
		free(body);
		stream_released(resp->stream);
		resp->stream = NULL;
		r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024,
						      no_content, NULL, NULL);
		MHD_set_response_options(r, MHD_RF_HTTP_1_0_SERVER, MHD_RO_END);
	} else if (resp->stream) {
		free(body);
		resp->stream->conn = conn;
		r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 65536,
						      stream_read, resp->stream,
						      stream_released);
		resp->stream = NULL; /* the response holds it now */
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
	/* A stream whose response was never made: its reader is gone. */
	if (resp->stream)
		stream_released(resp->stream);
}

/*
 * max_connections_per_ip, counted per client as peer.h has them (an
 * IPv6 /64), where libmicrohttpd's own limit counts each address.  A
 * connection is counted from its start to its close.  The acceptor
 * (admit) closes a client's connection at once when the client is at its
 * limit; several accepted at once may each have passed that
 * check before any started, so one that starts past the limit is
 * marked, and closed unanswered at its first request.
 *
 * A connection's client is kept from its start for its close.
 */
struct conn_peer {
	struct sockaddr_storage addr;
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
		cp->over = peer_add(&srv->peers, (struct sockaddr *)&cp->addr) >
			   srv->o.per_ip;
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		info = MHD_get_connection_info(conn,
					       MHD_CONNECTION_INFO_DAEMON);
		if (info)
			acceptor_closed(srv->acc, info->daemon);
		if (cp) {
			peer_remove(&srv->peers, (struct sockaddr *)&cp->addr);
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
	if (rs->route->fn(&req, &resp, rs->route->ud) < 0)
		http_resp_error(&resp, 500, "internal error");
	release_retired(srv);
reply:
	{
		int status = resp.status ? resp.status : 200;
		ret = send_resp(conn, &resp, !strcmp(method, "HEAD"));
		if (srv->o.observe) {
			struct timespec now;
			clock_gettime(CLOCK_MONOTONIC, &now);
			srv->o.observe(rs->route, method, status, handled,
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

/* Stop the daemons (those started) and free srv, its acceptor and the
 * database connections of its threads too. */
static void server_free(struct http_server *srv)
{
	size_t i;

	for (i = 0; i < srv->o.threads; i++)
		if (srv->d[i])
			MHD_stop_daemon(srv->d[i]);
	acceptor_free(srv->acc);
	for (i = 0; i < srv->ndbs; i++) {
		if (srv->dbs[i].have_schema)
			schema_release(&srv->dbs[i].schema);
		free(srv->dbs[i].retired);
		store_close(srv->dbs[i].store);
	}
	free(srv->dbs);
	free(srv->d);
	pthread_mutex_destroy(&srv->lock);
	pthread_cond_destroy(&srv->streams_done);
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
	pthread_cond_init(&srv->streams_done, NULL);
	/* Room for every pool thread plus the internal ones, so the array
	 * never moves under a thread holding a pointer into it. */
	srv->adbs = srv->o.threads + 8;
	srv->dbs = xcalloc(srv->adbs, sizeof(*srv->dbs));
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
	struct http_stream *st;
	size_t i;

	if (!srv)
		return;
	acceptor_stop(srv->acc); /* no new connections */
	/* libmicrohttpd must not stop with suspended connections: wake them,
	 * and from now on their readers end instead of waiting. */
	pthread_mutex_lock(&srv->lock);
	srv->stopping = 1;
	for (st = srv->stream_list; st; st = st->next)
		stream_wake(st);
	pthread_mutex_unlock(&srv->lock);
	for (i = 0; i < srv->o.threads; i++) {
		MHD_stop_daemon(srv->d[i]);
		srv->d[i] = NULL;
	}
	/* With the connections closed, each stream's next write fails and
	 * its thread ends; wait for them, they use srv. */
	pthread_mutex_lock(&srv->lock);
	while (srv->streams)
		pthread_cond_wait(&srv->streams_done, &srv->lock);
	pthread_mutex_unlock(&srv->lock);
	server_free(srv);
}
