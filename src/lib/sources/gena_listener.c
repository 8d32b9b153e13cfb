/*
 * gena_listener.c - where NOTIFYs arrive (see gena_listener.h).
 */
#include "sources/gena_listener.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/timefmt.h"
#include "base/xalloc.h"

struct conn {
	int fd;
	int64_t deadline;
	struct buf in;
	char peer[HTTPC_ADDR_MAX];
};

struct gena_listener {
	int fd;
	unsigned port;
	char addr[HTTPC_ADDR_MAX];
	struct conn conns[GENA_CONNS_MAX];
	size_t nconns;
};

/* "ADDR:PORT" or "[V6]:PORT" into host and port. */
static int split(const char *s, char *host, size_t hsz, char *port,
		 size_t psz)
{
	const char *c;

	if (*s == '[') {
		const char *rb = strchr(s, ']');
		if (!rb || rb[1] != ':' || (size_t)(rb - s - 1) >= hsz)
			return -1;
		snprintf(host, hsz, "%.*s", (int)(rb - s - 1), s + 1);
		c = rb + 1;
	} else {
		c = strrchr(s, ':');
		if (!c || (size_t)(c - s) >= hsz)
			return -1;
		snprintf(host, hsz, "%.*s", (int)(c - s), s);
	}
	if (!c[1] || strlen(c + 1) >= psz)
		return -1;
	snprintf(port, psz, "%s", c + 1);
	return 0;
}

int gena_listener_open(struct gena_listener **out, const char *where,
		       struct hearth_err *err)
{
	struct addrinfo hints, *res = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct gena_listener *l;
	char host[HTTPC_ADDR_MAX], port[16], sport[16];
	int one = 1, rc;

	*out = NULL;
	if (split(where, host, sizeof(host), port, sizeof(port)) < 0)
		return err_set(err, "[wemo] listen '%.60s': want ADDR:PORT",
			       where);
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
	rc = getaddrinfo(*host ? host : NULL, port, &hints, &res);
	if (rc != 0)
		return err_set(err, "[wemo] listen '%.60s': %s", where,
			       gai_strerror(rc));
	l = xcalloc(1, sizeof(*l));
	l->fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC |
			       SOCK_NONBLOCK, 0);
	if (l->fd < 0)
		goto fail;
	setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l->fd, res->ai_addr, res->ai_addrlen) < 0 ||
	    listen(l->fd, 128) < 0 ||
	    getsockname(l->fd, (struct sockaddr *)&ss, &sl) < 0)
		goto fail;
	getnameinfo((struct sockaddr *)&ss, sl, l->addr, sizeof(l->addr),
		    sport, sizeof(sport), NI_NUMERICHOST | NI_NUMERICSERV);
	l->port = (unsigned)strtoul(sport, NULL, 10);
	if (!strcmp(l->addr, "0.0.0.0") || !strcmp(l->addr, "::"))
		l->addr[0] = '\0';
	freeaddrinfo(res);
	*out = l;
	return 0;
fail:
	err_set(err, "[wemo] listen %.60s: %s", where, strerror(errno));
	freeaddrinfo(res);
	if (l->fd >= 0)
		close(l->fd);
	free(l);
	return -1;
}

static void drop(struct gena_listener *l, size_t i)
{
	close(l->conns[i].fd);
	buf_release(&l->conns[i].in);
	l->conns[i] = l->conns[--l->nconns];
}

void gena_listener_close(struct gena_listener *l)
{
	if (!l)
		return;
	while (l->nconns)
		drop(l, 0);
	close(l->fd);
	free(l);
}

unsigned gena_listener_port(const struct gena_listener *l)
{
	return l->port;
}

const char *gena_listener_addr(const struct gena_listener *l)
{
	return l->addr;
}

static void answer(int fd, int status)
{
	char r[160];
	const char *why = status == 200 ? "OK" : status == 400 ? "Bad Request"
			: status == 405 ? "Method Not Allowed"
			: status == 412 ? "Precondition Failed"
			: status == 413 ? "Payload Too Large" : "Error";
	int n = snprintf(r, sizeof(r), "HTTP/1.1 %d %s\r\nContent-Length: 0"
			 "\r\nConnection: close\r\n\r\n", status, why);

	/* Best effort: a peer that does not read its answer loses it. */
	if (send(fd, r, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		return;
}

/* 1 when c holds a whole request (handled), 0 when more must come, -1
 * when it can never be one (answered 400 or 413). */
static int handle(struct conn *c, gena_notify_fn fn, void *ctx)
{
	const char *s = buf_cstr(&c->in), *hend = strstr(s, "\r\n\r\n");
	char method[16], path[256], sid[128], nt[64], nts[64], cl[24];
	const char *eol;
	struct gena_notify n;
	unsigned long long len = 0;
	size_t head;

	if (!hend)
		return c->in.len >= GENA_NOTIFY_MAX ? (answer(c->fd, 413), -1) : 0;
	head = (size_t)(hend + 4 - s);
	eol = strstr(s, "\r\n");
	if (sscanf(s, "%15s %255s HTTP/1.%*c", method, path) != 2 ||
	    eol - s > 300) {
		answer(c->fd, 400);
		return -1;
	}
	if (httpc_find_header(eol + 2, (size_t)(hend - eol), "Content-Length",
			      cl, sizeof(cl))) {
		char *e;
		len = strtoull(cl, &e, 10);
		if (*e || e == cl || len > GENA_NOTIFY_MAX) {
			answer(c->fd, *e || e == cl ? 400 : 413);
			return -1;
		}
	}
	if (c->in.len - head < len)
		return 0;
	if (!httpc_find_header(eol + 2, (size_t)(hend - eol), "SID", sid,
			       sizeof(sid)))
		sid[0] = '\0';
	if (!httpc_find_header(eol + 2, (size_t)(hend - eol), "NT", nt,
			       sizeof(nt)))
		nt[0] = '\0';
	if (!httpc_find_header(eol + 2, (size_t)(hend - eol), "NTS", nts,
			       sizeof(nts)))
		nts[0] = '\0';
	memset(&n, 0, sizeof(n));
	n.peer = c->peer;
	n.method = method;
	n.path = path;
	n.sid = sid;
	n.nt = nt;
	n.nts = nts;
	n.body = s + head;
	n.len = (size_t)len;
	answer(c->fd, strcmp(method, "NOTIFY") ? 405 : fn(ctx, &n));
	return 1;
}

static void accept_all(struct gena_listener *l, int64_t now, int timeout_ms)
{
	while (l->nconns < GENA_CONNS_MAX) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept4(l->fd, (struct sockaddr *)&ss, &sl,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *c;
		if (fd < 0)
			return;
		c = &l->conns[l->nconns++];
		c->fd = fd;
		c->deadline = now + (int64_t)timeout_ms * 1000;
		buf_init(&c->in, GENA_NOTIFY_MAX);
		if (getnameinfo((struct sockaddr *)&ss, sl, c->peer,
				sizeof(c->peer), NULL, 0, NI_NUMERICHOST))
			snprintf(c->peer, sizeof(c->peer), "?");
		/* An IPv4 peer on an IPv6 socket: compare as IPv4. */
		if (!strncmp(c->peer, "::ffff:", 7))
			memmove(c->peer, c->peer + 7, strlen(c->peer + 7) + 1);
	}
}

void gena_listener_step(struct gena_listener *l, int wait_ms, int timeout_ms,
			gena_notify_fn fn, void *ctx, unsigned long *refused)
{
	struct pollfd p[GENA_CONNS_MAX + 1];
	int64_t now;
	size_t i;

	p[0].fd = l->fd;
	p[0].events = l->nconns < GENA_CONNS_MAX ? POLLIN : 0;
	for (i = 0; i < l->nconns; i++) {
		p[i + 1].fd = l->conns[i].fd;
		p[i + 1].events = POLLIN;
	}
	if (poll(p, l->nconns + 1, wait_ms) < 0)
		return;
	now = timefmt_now();
	/* Read the open connections first: the array changes after. */
	for (i = l->nconns; i-- > 0;) {
		struct conn *c = &l->conns[i];
		int done = 0;
		if (p[i + 1].revents) {
			char tmp[4096];
			ssize_t got;
			while ((got = recv(c->fd, tmp, sizeof(tmp), 0)) > 0)
				if (buf_add(&c->in, tmp, (size_t)got) < 0)
					break;
			done = handle(c, fn, ctx);
			if (done == 0 && (got == 0 || c->in.len >= c->in.cap))
				done = -1; /* closed or full before whole */
		} else if (now >= c->deadline) {
			done = -1;
		}
		if (done < 0 && refused)
			(*refused)++;
		if (done)
			drop(l, i);
	}
	if (p[0].revents)
		accept_all(l, now, timeout_ms);
}
