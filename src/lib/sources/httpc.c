/*
 * httpc.c - one HTTP/1.1 exchange within a deadline (see httpc.h).
 */
#include "sources/httpc.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/timefmt.h"
#include "base/xalloc.h"

#define HEAD_MAX (16 * 1024)
#define BODY_DEFAULT (64 * 1024)

void httpc_resp_init(struct httpc_resp *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->head, HEAD_MAX);
	buf_init(&r->body, BODY_DEFAULT);
}

void httpc_resp_release(struct httpc_resp *r)
{
	buf_release(&r->head);
	buf_release(&r->body);
}

static void numeric(const struct sockaddr *sa, socklen_t len, char *out)
{
	if (getnameinfo(sa, len, out, HTTPC_ADDR_MAX, NULL, 0,
			NI_NUMERICHOST) != 0)
		snprintf(out, HTTPC_ADDR_MAX, "?");
}

static int left_ms(int64_t deadline)
{
	int64_t l = (deadline - timefmt_now()) / 1000;

	return l < 0 ? 0 : l > 60000 ? 60000 : (int)l;
}

/* Wait until fd is ready for ev; 0, or -1 when the deadline passed. */
static int wait_fd(int fd, short ev, int64_t deadline)
{
	struct pollfd p = { fd, ev, 0 };
	int rc;

	do {
		int ms = left_ms(deadline);
		if (ms == 0)
			return -1;
		rc = poll(&p, 1, ms);
	} while (rc < 0 && errno == EINTR);
	return rc > 0 ? 0 : -1;
}

static int dial(const struct httpc_req *q, struct httpc_resp *r,
		int64_t deadline, struct hearth_err *err)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct sockaddr_storage ss;
	socklen_t sl;
	char port[16];
	int fd = -1, rc, soerr = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%u", q->port);
	rc = getaddrinfo(q->host, port, &hints, &res);
	if (rc != 0) {
		err_set(err, "%s: %s", q->host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
				    SOCK_NONBLOCK, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		soerr = errno;
		if (errno == EINPROGRESS) {
			if (wait_fd(fd, POLLOUT, deadline) < 0) {
				soerr = ETIMEDOUT;
			} else {
				sl = sizeof(soerr);
				getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
			}
			if (soerr == 0)
				break;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		err_set(err, "%s:%u: %s", q->host, q->port,
			soerr == ETIMEDOUT ? "no answer to the connection"
					   : strerror(soerr ? soerr : EHOSTUNREACH));
		return -1;
	}
	sl = sizeof(ss);
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0)
		numeric((struct sockaddr *)&ss, sl, r->peer);
	sl = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		numeric((struct sockaddr *)&ss, sl, r->local);
	return fd;
}

static int send_all(int fd, const char *p, size_t n, int64_t deadline)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
		} else if (w < 0 && errno == EINTR) {
			continue;
		} else if (w < 0 && errno == EAGAIN) {
			if (wait_fd(fd, POLLOUT, deadline) < 0)
				return -1;
		} else {
			return -1;
		}
	}
	return 0;
}

/* The answer in raw is whole by its Content-Length (a device that keeps
 * the connection open despite "Connection: close" is not waited for). */
static int complete(const struct buf *raw)
{
	const char *s = buf_cstr(raw), *hend = strstr(s, "\r\n\r\n");
	char v[32];
	char *e;
	unsigned long long cl;

	if (!hend || !httpc_find_header(s, (size_t)(hend - s),
					"Content-Length", v, sizeof(v)))
		return 0;
	cl = strtoull(v, &e, 10);
	return !*e && e != v && raw->len - (size_t)(hend + 4 - s) >= cl;
}

/* Read what the device sends until it closes or its answer is whole,
 * into raw (capped).  0 at the end, -1 with err set. */
static int read_all(int fd, struct buf *raw, const struct httpc_req *q,
		    int64_t deadline, struct hearth_err *err)
{
	char tmp[4096];

	for (;;) {
		ssize_t n = recv(fd, tmp, sizeof(tmp), 0);
		if (n == 0)
			return 0;
		if (n > 0) {
			if (buf_add(raw, tmp, (size_t)n) < 0)
				return err_set(err, "%s:%u: answer longer than "
					       "%zu bytes", q->host, q->port,
					       raw->cap);
			if (complete(raw))
				return 0;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return err_set(err, "%s:%u: %s", q->host, q->port,
				       strerror(errno));
		if (wait_fd(fd, POLLIN, deadline) < 0)
			return err_set(err, "%s:%u: no answer within %d ms",
				       q->host, q->port, q->timeout_ms);
	}
}

int httpc_find_header(const char *head, size_t len, const char *name,
		      char *out, size_t outsz)
{
	size_t nl = strlen(name);
	const char *p = head, *end = head + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *le = eol ? eol : end, *v;
		if ((size_t)(le - p) > nl && !strncasecmp(p, name, nl) &&
		    p[nl] == ':') {
			size_t n;
			v = p + nl + 1;
			while (v < le && (*v == ' ' || *v == '\t'))
				v++;
			while (le > v && (le[-1] == '\r' || le[-1] == ' ' ||
					  le[-1] == '\t'))
				le--;
			n = (size_t)(le - v);
			if (n >= outsz)
				n = outsz - 1;
			memcpy(out, v, n);
			out[n] = '\0';
			return 1;
		}
		p = eol ? eol + 1 : end;
	}
	return 0;
}

int httpc_header(const struct httpc_resp *r, const char *name, char *out,
		 size_t outsz)
{
	return httpc_find_header(buf_cstr(&r->head), r->head.len, name, out,
				 outsz);
}

/* Chunked transfer coding, from p[0..n) into body. */
static int dechunk(const char *p, size_t n, struct buf *body)
{
	const char *end = p + n;

	for (;;) {
		char *e;
		unsigned long sz;
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			return -1;
		sz = strtoul(p, &e, 16);
		if (e == p)
			return -1;
		p = eol + 1;
		if (sz == 0)
			return 0;
		if (sz > (size_t)(end - p))
			return -1;
		if (buf_add(body, p, sz) < 0)
			return -1;
		p += sz;
		if (end - p >= 2 && p[0] == '\r' && p[1] == '\n')
			p += 2;
	}
}

/* Split raw into the status, the header lines and the body. */
static int parse(const struct httpc_req *q, struct buf *raw,
		 struct httpc_resp *r, struct hearth_err *err)
{
	const char *s = buf_cstr(raw), *hend = strstr(s, "\r\n\r\n");
	const char *eol, *b;
	char v[64];
	size_t blen;
	int major, minor, status;

	if (!hend || sscanf(s, "HTTP/%d.%d %3d", &major, &minor, &status) != 3
	    || status < 100 || status > 599)
		return err_set(err, "%s:%u: the answer to %s %s is not HTTP",
			       q->host, q->port, q->method, q->path);
	r->status = status;
	eol = strstr(s, "\r\n");
	if (buf_add(&r->head, eol + 2, (size_t)(hend - eol)) < 0)
		return err_set(err, "%s:%u: answer headers too long", q->host,
			       q->port);
	b = hend + 4;
	blen = raw->len - (size_t)(b - s);
	if (httpc_header(r, "Transfer-Encoding", v, sizeof(v)) &&
	    strcasestr(v, "chunked")) {
		if (dechunk(b, blen, &r->body) < 0)
			return err_set(err, "%s:%u: bad chunked answer to %s "
				       "%s", q->host, q->port, q->method,
				       q->path);
		return 0;
	}
	if (httpc_header(r, "Content-Length", v, sizeof(v))) {
		char *e;
		unsigned long long cl = strtoull(v, &e, 10);
		if (*e || e == v || cl > blen)
			return err_set(err, "%s:%u: answer to %s %s shorter "
				       "than its Content-Length", q->host,
				       q->port, q->method, q->path);
		blen = (size_t)cl;
	}
	if (buf_add(&r->body, b, blen) < 0)
		return err_set(err, "%s:%u: answer longer than %zu bytes",
			       q->host, q->port, r->body.cap);
	return 0;
}

int httpc_do(const struct httpc_req *q, struct httpc_resp *r,
	     struct hearth_err *err)
{
	int64_t deadline = timefmt_now() + (int64_t)q->timeout_ms * 1000;
	size_t max = q->max_body ? q->max_body : BODY_DEFAULT;
	struct buf req = BUF_INIT, raw = BUF_INIT;
	int fd, ret = -1;

	httpc_resp_release(r);
	httpc_resp_init(r);
	r->body.cap = max;
	buf_init(&raw, max + HEAD_MAX);
	fd = dial(q, r, deadline, err);
	if (fd < 0)
		goto out;
	/* An IPv6 address in HOST is bracketed, as in a URL. */
	buf_addf(&req, strchr(q->host, ':') ? "%s %s HTTP/1.1\r\nHOST: [%s]:%u"
		 "\r\n" : "%s %s HTTP/1.1\r\nHOST: %s:%u\r\n", q->method,
		 q->path, q->host, q->port);
	buf_addf(&req, "Connection: close\r\nContent-Length: %zu\r\n%s\r\n",
		 q->body_len, q->headers ? q->headers : "");
	if (q->body_len)
		buf_add(&req, q->body, q->body_len);
	if (send_all(fd, req.s, req.len, deadline) < 0) {
		err_set(err, "%s:%u: cannot send %s %s: %s", q->host, q->port,
			q->method, q->path,
			errno ? strerror(errno) : "timed out");
		goto out;
	}
	if (read_all(fd, &raw, q, deadline, err) < 0 ||
	    parse(q, &raw, r, err) < 0)
		goto out;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	buf_release(&req);
	buf_release(&raw);
	return ret;
}

int httpc_url_split(const char *url, char **host, unsigned *port,
		    const char **path, struct hearth_err *err)
{
	const char *h, *e, *slash;
	char q[128];

	*host = NULL;
	if (strncasecmp(url, "http://", 7) != 0)
		goto bad;
	h = url + 7;
	slash = strchr(h, '/');
	e = slash ? slash : h + strlen(h);
	*path = slash ? slash : "/";
	*port = 80;
	if (*h == '[') {
		const char *rb = memchr(h, ']', (size_t)(e - h));
		if (!rb || rb == h + 1)
			goto bad;
		*host = xstrndup(h + 1, (size_t)(rb - h - 1));
		h = rb + 1;
	} else {
		const char *c = memchr(h, ':', (size_t)(e - h));
		const char *he = c ? c : e;
		if (he == h)
			goto bad;
		*host = xstrndup(h, (size_t)(he - h));
		h = he;
	}
	if (h < e) {
		char *pe;
		unsigned long p;
		if (*h != ':')
			goto bad;
		p = strtoul(h + 1, &pe, 10);
		if (pe != e || p == 0 || p > 65535)
			goto bad;
		*port = (unsigned)p;
	}
	return 0;
bad:
	free(*host);
	*host = NULL;
	return err_set(err, "not an http:// URL: '%s'",
		       err_quote(q, sizeof(q), url, strlen(url)));
}
