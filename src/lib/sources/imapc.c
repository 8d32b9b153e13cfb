/*
 * imapc.c - IMAP client over a TCP socket, optionally TLS (OpenSSL).
 */
#include "sources/imapc.h"

#include <errno.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "sources/mime.h"
#include "base/xalloc.h"

/* A response (with its literals) may not grow past this: a SEARCH of a
 * million UIDs fits, a server streaming garbage does not. */
#define RESP_MAX (64u * 1024 * 1024)

struct imapc {
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
	char rbuf[16384];
	size_t rpos, rlen;
	unsigned tag;
	int broken;     /* out of step with the server: no LOGOUT */
	struct buf resp;
	char *host;
};

static int io_err(struct imapc *c, struct hearth_err *err, const char *what)
{
	c->broken = 1;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return err_set(err, "imap %s: %s timed out", c->host, what);
	return err_set(err, "imap %s: %s failed: %s", c->host, what,
		       errno ? strerror(errno) : "connection closed");
}

static int fill(struct imapc *c, struct hearth_err *err)
{
	ssize_t n;

	errno = 0;
	if (c->ssl) {
		int r = SSL_read(c->ssl, c->rbuf, (int)sizeof(c->rbuf));
		n = r > 0 ? r : -1;
		if (r <= 0 && SSL_get_error(c->ssl, r) == SSL_ERROR_ZERO_RETURN)
			errno = 0;
	} else {
		do
			n = read(c->fd, c->rbuf, sizeof(c->rbuf));
		while (n < 0 && errno == EINTR);
	}
	if (n <= 0)
		return io_err(c, err, "read");
	c->rpos = 0;
	c->rlen = (size_t)n;
	return 0;
}

static int send_all(struct imapc *c, const char *p, size_t n,
		    struct hearth_err *err)
{
	while (n > 0) {
		ssize_t w;
		errno = 0;
		if (c->ssl) {
			int r = SSL_write(c->ssl, p, (int)n);
			w = r > 0 ? r : -1;
		} else {
			w = send(c->fd, p, n, MSG_NOSIGNAL);
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return io_err(c, err, "write");
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Append one line, CRLF included, to c->resp. */
static int read_line(struct imapc *c, struct hearth_err *err)
{
	for (;;) {
		char *nl;
		size_t n;
		if (c->rpos == c->rlen && fill(c, err) < 0)
			return -1;
		nl = memchr(c->rbuf + c->rpos, '\n', c->rlen - c->rpos);
		n = nl ? (size_t)(nl - (c->rbuf + c->rpos)) + 1
		       : c->rlen - c->rpos;
		if (buf_add(&c->resp, c->rbuf + c->rpos, n) < 0) {
			c->broken = 1;
			return err_set(err, "imap %s: response longer than "
				       "%u bytes", c->host, RESP_MAX);
		}
		c->rpos += n;
		if (nl)
			return 0;
	}
}

/* The length of a literal announced at the end of the line just read
 * ("... {123}\r\n" or "{123+}"), or -1 when there is none. */
static long long literal_len(const struct buf *b, size_t line_start)
{
	size_t e = b->len;
	long long v = 0, mul = 1;

	if (e >= 2 && b->s[e - 2] == '\r')
		e -= 2;
	else if (e >= 1)
		e -= 1;
	if (e <= line_start || b->s[e - 1] != '}')
		return -1;
	e--;
	if (e > line_start && b->s[e - 1] == '+')
		e--;
	if (e == line_start || b->s[e - 1] < '0' || b->s[e - 1] > '9')
		return -1;
	while (e > line_start && b->s[e - 1] >= '0' && b->s[e - 1] <= '9') {
		v += (b->s[e - 1] - '0') * mul;
		mul *= 10;
		if (v > RESP_MAX || mul > 10000000000LL)
			return -2;
		e--;
	}
	return e > line_start && b->s[e - 1] == '{' ? v : -1;
}

/* Read one whole response into c->resp: a line, and whenever it ends in a
 * literal announcement, the literal's bytes and the line that goes on. */
static int read_response(struct imapc *c, struct hearth_err *err)
{
	buf_reset(&c->resp);
	for (;;) {
		size_t start = c->resp.len;
		long long lit;
		if (read_line(c, err) < 0)
			return -1;
		lit = literal_len(&c->resp, start);
		if (lit == -1)
			break;
		if (lit < 0) {
			c->broken = 1;
			return err_set(err, "imap %s: literal too large",
				       c->host);
		}
		while (lit > 0) {
			size_t n;
			if (c->rpos == c->rlen && fill(c, err) < 0)
				return -1;
			n = c->rlen - c->rpos;
			if (n > (size_t)lit)
				n = (size_t)lit;
			if (buf_add(&c->resp, c->rbuf + c->rpos, n) < 0) {
				c->broken = 1;
				return err_set(err, "imap %s: response longer "
					       "than %u bytes", c->host,
					       RESP_MAX);
			}
			c->rpos += n;
			lit -= (long long)n;
		}
	}
	/* Drop the final CRLF. */
	while (c->resp.len && (c->resp.s[c->resp.len - 1] == '\n' ||
			       c->resp.s[c->resp.len - 1] == '\r'))
		c->resp.len--;
	c->resp.s[c->resp.len] = '\0';
	return 0;
}

static int tls_err(struct imapc *c, struct hearth_err *err)
{
	char e[256] = "handshake failed";
	unsigned long code = ERR_get_error();
	long v = c->ssl ? SSL_get_verify_result(c->ssl) : X509_V_OK;

	if (v != X509_V_OK)
		return err_set(err, "imap %s: TLS certificate not trusted: %s "
			       "(set [imap] ca_file, or tls_verify = no for a "
			       "test server)", c->host,
			       X509_verify_cert_error_string(v));
	if (code)
		ERR_error_string_n(code, e, sizeof(e));
	return err_set(err, "imap %s: TLS: %s", c->host, e);
}

static int start_tls(struct imapc *c, const struct imapc_opts *o,
		     struct hearth_err *err)
{
	c->ctx = SSL_CTX_new(TLS_client_method());
	if (!c->ctx)
		return tls_err(c, err);
	SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION);
	if (o->tls_verify) {
		SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
		if (o->ca_file ? !SSL_CTX_load_verify_locations(c->ctx,
								o->ca_file, NULL)
			       : !SSL_CTX_set_default_verify_paths(c->ctx))
			return err_set(err, "imap: cannot load CA file %s",
				       o->ca_file ? o->ca_file : "(system)");
	}
	c->ssl = SSL_new(c->ctx);
	if (!c->ssl)
		return tls_err(c, err);
	SSL_set_tlsext_host_name(c->ssl, o->host);
	if (o->tls_verify && !SSL_set1_host(c->ssl, o->host))
		return tls_err(c, err);
	SSL_set_fd(c->ssl, c->fd);
	if (SSL_connect(c->ssl) != 1)
		return tls_err(c, err);
	return 0;
}

static int is_loopback(int fd)
{
	struct sockaddr_storage a;
	socklen_t al = sizeof(a);

	if (getpeername(fd, (struct sockaddr *)&a, &al) < 0)
		return 0;
	if (a.ss_family == AF_INET)
		return (ntohl(((struct sockaddr_in *)&a)->sin_addr.s_addr) >>
			24) == 127;
	if (a.ss_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(
			&((struct sockaddr_in6 *)&a)->sin6_addr);
	return 0;
}

int imapc_connect(struct imapc **out, const struct imapc_opts *o,
		  struct hearth_err *err)
{
	struct imapc *c = xcalloc(1, sizeof(*c));
	struct addrinfo hints, *res = NULL, *ai;
	struct timeval tv = { o->timeout_sec > 0 ? o->timeout_sec : 60, 0 };
	int rc, ret = -1, saved = 0;

	c->fd = -1;
	c->host = xstrdup(o->host);
	buf_init(&c->resp, RESP_MAX);
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(o->host, o->port, &hints, &res);
	if (rc) {
		err_set(err, "imap %s: %s", o->host, gai_strerror(rc));
		goto out;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			       ai->ai_protocol);
		if (c->fd < 0)
			continue;
		setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		saved = errno;
		close(c->fd);
		c->fd = -1;
	}
	if (c->fd < 0) {
		err_set(err, "imap %s port %s: cannot connect: %s", o->host,
			o->port, strerror(saved ? saved : ECONNREFUSED));
		goto out;
	}
	if (o->tls && start_tls(c, o, err) < 0)
		goto out;
	if (read_response(c, err) < 0)
		goto out;
	if (strncmp(c->resp.s, "* OK", 4) && strncmp(c->resp.s, "* PREAUTH", 9)) {
		err_set(err, "imap %s: server refused us: %.200s", o->host,
			c->resp.s);
		goto out;
	}
	if (!o->tls && (o->starttls == IMAPC_STARTTLS_YES ||
			(o->starttls == IMAPC_STARTTLS_AUTO &&
			 !is_loopback(c->fd)))) {
		if (imapc_command(c, "STARTTLS", NULL, NULL, err) < 0) {
			err_prefix(err, "STARTTLS: TLS is required here "
				   "(use imaps://, or [imap] starttls = no)");
			goto out;
		}
		/* Bytes the server sent before the handshake would be
		 * taken as sent under TLS: refuse them (CVE-2011-0411). */
		if (c->rpos != c->rlen) {
			err_set(err, "imap %s: data injected before STARTTLS",
				o->host);
			goto out;
		}
		if (start_tls(c, o, err) < 0)
			goto out;
	}
	ret = 0;
out:
	if (res)
		freeaddrinfo(res);
	if (ret == 0)
		*out = c;
	else
		imapc_close(c);
	return ret;
}

void imapc_close(struct imapc *c)
{
	if (!c)
		return;
	if (c->fd >= 0 && c->tag && !c->broken) {
		struct hearth_err ignore;
		imapc_command(c, "LOGOUT", NULL, NULL, &ignore);
	}
	if (c->ssl) {
		SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	if (c->ctx)
		SSL_CTX_free(c->ctx);
	if (c->fd >= 0)
		close(c->fd);
	buf_release(&c->resp);
	free(c->host);
	free(c);
}

/* Is c->resp the tagged completion of tag?  Sets *ok. */
static int is_tagged(struct imapc *c, const char *tag, int *ok)
{
	size_t tl = strlen(tag);

	if (strncmp(c->resp.s, tag, tl) || c->resp.s[tl] != ' ')
		return 0;
	*ok = !strncasecmp(c->resp.s + tl + 1, "OK", 2);
	return 1;
}

/* A short, printable version of what the server said, for messages. */
static const char *server_text(struct imapc *c, size_t skip)
{
	size_t i;

	if (skip > c->resp.len)
		skip = c->resp.len;
	if (c->resp.len - skip > 200)
		c->resp.len = skip + 200;
	for (i = skip; i < c->resp.len; i++)
		if ((unsigned char)c->resp.s[i] < 0x20)
			c->resp.s[i] = ' ';
	c->resp.s[c->resp.len] = '\0';
	return c->resp.s + skip;
}

static int run(struct imapc *c, const char *cmd, const struct buf *sasl,
	       int (*cb)(void *, const char *, size_t, struct hearth_err *),
	       void *ctx, const char *what, struct hearth_err *err)
{
	struct buf line = BUF_INIT;
	struct hearth_err cberr = HEARTH_ERR_INIT;
	char tag[16];
	int ret = -1, ok = 0, cbfail = 0, sent_sasl = 0;

	if (strpbrk(cmd, "\r\n"))
		return err_set(err, "imap: command holds a line break");
	snprintf(tag, sizeof(tag), "h%u", ++c->tag);
	buf_addf(&line, "%s %s\r\n", tag, cmd);
	if (send_all(c, line.s, line.len, err) < 0)
		goto out;
	for (;;) {
		if (read_response(c, err) < 0)
			goto out;
		if (c->resp.s[0] == '+') {
			/* Continuation: the SASL response, then (XOAUTH2
			 * failure details) an empty line. */
			const char *r = sasl && !sent_sasl ? sasl->s : "";
			sent_sasl = 1;
			if (send_all(c, r, strlen(r), err) < 0 ||
			    send_all(c, "\r\n", 2, err) < 0)
				goto out;
			continue;
		}
		if (is_tagged(c, tag, &ok))
			break;
		if (!strncmp(c->resp.s, "* BYE", 5)) {
			c->broken = 1;
			err_set(err, "imap %s: %s: server closed: %s", c->host,
				what, server_text(c, 6));
			goto out;
		}
		if (!strncmp(c->resp.s, "* ", 2) && cb && !cbfail &&
		    cb(ctx, c->resp.s + 2, c->resp.len - 2, &cberr) < 0)
			cbfail = 1;
	}
	if (!ok) {
		err_set(err, "imap %s: %s: %s", c->host, what,
			server_text(c, strlen(tag) + 1));
		goto out;
	}
	if (cbfail) {
		memcpy(err, &cberr, sizeof(cberr));
		goto out;
	}
	ret = 0;
out:
	buf_release(&line);
	return ret;
}

int imapc_command(struct imapc *c, const char *cmd,
		  int (*cb)(void *, const char *, size_t, struct hearth_err *),
		  void *ctx, struct hearth_err *err)
{
	char what[64];
	size_t n = strcspn(cmd, " ");

	/* Name the command (and for UID, the one after it) in messages. */
	if (!strncasecmp(cmd, "UID ", 4))
		n = 4 + strcspn(cmd + 4, " ");
	snprintf(what, sizeof(what), "%.*s", (int)(n < 60 ? n : 60), cmd);
	return run(c, cmd, NULL, cb, ctx, what, err);
}

static int sasl(struct imapc *c, const char *mech, const struct buf *raw,
		const char *user, struct hearth_err *err)
{
	struct buf b64 = BUF_INIT, cmd = BUF_INIT, what = BUF_INIT;
	int ret;

	mime_base64_encode(raw->s, raw->len, &b64);
	buf_addf(&cmd, "AUTHENTICATE %s", mech);
	buf_addf(&what, "login as %s (%s)", user, mech);
	ret = run(c, cmd.s, &b64, NULL, NULL, what.s, err);
	buf_release(&b64);
	buf_release(&cmd);
	buf_release(&what);
	return ret;
}

int imapc_login(struct imapc *c, const char *user, const char *pass,
		struct hearth_err *err)
{
	struct buf raw = BUF_INIT;
	int ret;

	/* authzid NUL authcid NUL password */
	buf_addch(&raw, '\0');
	buf_addstr(&raw, user);
	buf_addch(&raw, '\0');
	buf_addstr(&raw, pass);
	ret = sasl(c, "PLAIN", &raw, user, err);
	buf_release(&raw);
	return ret;
}

int imapc_login_xoauth2(struct imapc *c, const char *user, const char *token,
			struct hearth_err *err)
{
	struct buf raw = BUF_INIT;
	int ret;

	buf_addf(&raw, "user=%s\001auth=Bearer %s\001\001", user, token);
	ret = sasl(c, "XOAUTH2", &raw, user, err);
	buf_release(&raw);
	return ret;
}

int imapc_quote(struct buf *b, const char *s)
{
	if (strpbrk(s, "\r\n"))
		return -1;
	buf_addch(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_addch(b, '\\');
		buf_addch(b, *s);
	}
	buf_addch(b, '"');
	return 0;
}

/* Next code point of UTF-8 at *p, advancing it; -1 if invalid. */
static long utf8_next(const unsigned char **p)
{
	const unsigned char *s = *p;
	long c;
	int n, i;

	if (s[0] < 0x80) {
		*p += 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0) {
		c = s[0] & 0x1f;
		n = 1;
	} else if ((s[0] & 0xf0) == 0xe0) {
		c = s[0] & 0x0f;
		n = 2;
	} else if ((s[0] & 0xf8) == 0xf0) {
		c = s[0] & 0x07;
		n = 3;
	} else {
		return -1;
	}
	for (i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) ||
	    (n == 1 && c < 0x80) || (n == 2 && c < 0x800) ||
	    (n == 3 && c < 0x10000))
		return -1;
	*p += n + 1;
	return c;
}

int imapc_mailbox(struct buf *b, const char *utf8)
{
	static const char mb64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
	const unsigned char *p = (const unsigned char *)utf8;
	struct buf enc = BUF_INIT;
	int ret = -1;

	while (*p) {
		unsigned bits = 0;
		int nbits = 0;
		if (*p >= 0x20 && *p < 0x7f) {
			buf_addstr(&enc, *p == '&' ? "&-" : "");
			if (*p != '&')
				buf_addch(&enc, (char)*p);
			p++;
			continue;
		}
		/* A run of other characters: UTF-16BE in base64 with ','
		 * for '/', between '&' and '-'. */
		buf_addch(&enc, '&');
		while (*p && !(*p >= 0x20 && *p < 0x7f)) {
			long c = utf8_next(&p);
			unsigned u[2];
			int nu = 1, k;
			if (c < 0 || c < 0x20)
				goto out;
			if (c >= 0x10000) {
				c -= 0x10000;
				u[0] = 0xd800 | (unsigned)(c >> 10);
				u[1] = 0xdc00 | (unsigned)(c & 0x3ff);
				nu = 2;
			} else {
				u[0] = (unsigned)c;
			}
			for (k = 0; k < nu; k++) {
				bits = (bits << 16) | u[k];
				nbits += 16;
				while (nbits >= 6) {
					nbits -= 6;
					buf_addch(&enc, mb64[(bits >> nbits) & 63]);
				}
			}
		}
		if (nbits)
			buf_addch(&enc, mb64[(bits << (6 - nbits)) & 63]);
		buf_addch(&enc, '-');
	}
	ret = imapc_quote(b, buf_cstr(&enc));
out:
	buf_release(&enc);
	return ret;
}

void imapc_scan_init(struct imapc_scan *sc, const char *p, size_t len)
{
	sc->p = p;
	sc->len = len;
	sc->pos = 0;
	buf_init(&sc->tmp, 0);
}

void imapc_scan_release(struct imapc_scan *sc)
{
	buf_release(&sc->tmp);
}

enum imapc_tok imapc_next(struct imapc_scan *sc, const char **v, size_t *vlen)
{
	const char *p = sc->p;
	size_t i, depth = 0;

	while (sc->pos < sc->len && p[sc->pos] == ' ')
		sc->pos++;
	if (sc->pos >= sc->len)
		return IMAPC_END;
	i = sc->pos;
	if (p[i] == '(' || p[i] == ')') {
		sc->pos++;
		return p[i] == '(' ? IMAPC_LPAREN : IMAPC_RPAREN;
	}
	if (p[i] == '"') {
		buf_reset(&sc->tmp);
		for (i++; i < sc->len && p[i] != '"'; i++) {
			if (p[i] == '\\' && i + 1 < sc->len)
				i++;
			buf_addch(&sc->tmp, p[i]);
		}
		if (i >= sc->len)
			return IMAPC_BAD;
		sc->pos = i + 1;
		*v = buf_cstr(&sc->tmp);
		*vlen = sc->tmp.len;
		return IMAPC_STRING;
	}
	if (p[i] == '{') {
		size_t n = 0;
		for (i++; i < sc->len && p[i] >= '0' && p[i] <= '9'; i++) {
			n = n * 10 + (size_t)(p[i] - '0');
			if (n > sc->len)
				return IMAPC_BAD;
		}
		if (i < sc->len && p[i] == '+')
			i++;
		if (i >= sc->len || p[i] != '}')
			return IMAPC_BAD;
		i++;
		if (i < sc->len && p[i] == '\r')
			i++;
		if (i >= sc->len || p[i] != '\n' || sc->len - (i + 1) < n)
			return IMAPC_BAD;
		*v = p + i + 1;
		*vlen = n;
		sc->pos = i + 1 + n;
		return IMAPC_STRING;
	}
	/* An atom; brackets may hold blanks and parentheses (BODY[...]). */
	for (; i < sc->len; i++) {
		if (p[i] == '[')
			depth++;
		else if (p[i] == ']' && depth)
			depth--;
		else if (!depth && (p[i] == ' ' || p[i] == '(' ||
				    p[i] == ')' || p[i] == '"' || p[i] == '{'))
			break;
		else if ((unsigned char)p[i] < 0x20 && p[i] != '\t')
			break;
	}
	if (i == sc->pos)
		return IMAPC_BAD;
	*v = p + sc->pos;
	*vlen = i - sc->pos;
	sc->pos = i;
	if (*vlen == 3 && !strncasecmp(*v, "NIL", 3))
		return IMAPC_NIL;
	return IMAPC_ATOM;
}

int imapc_skip_value(struct imapc_scan *sc, enum imapc_tok first)
{
	const char *v;
	size_t n;
	int depth;

	if (first != IMAPC_LPAREN)
		return first == IMAPC_BAD || first == IMAPC_END ||
			       first == IMAPC_RPAREN ? -1 : 0;
	for (depth = 1; depth > 0;) {
		enum imapc_tok t = imapc_next(sc, &v, &n);
		if (t == IMAPC_END || t == IMAPC_BAD)
			return -1;
		if (t == IMAPC_LPAREN)
			depth++;
		else if (t == IMAPC_RPAREN)
			depth--;
	}
	return 0;
}
