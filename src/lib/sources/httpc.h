/*
 * httpc.h - one HTTP/1.1 exchange with a device on the local network
 * (a WeMo's setup.xml, its SOAP actions, GENA SUBSCRIBE), within one
 * deadline and into capped buffers.
 *
 * Why not libcurl: a UPnP device speaks a small HTTP of its own
 * (SUBSCRIBE and UNSUBSCRIBE methods, headers that carry the protocol)
 * and hearth needs from each exchange the addresses the connection used:
 * the device's, which NOTIFYs must come from, and hearth's own on that
 * network, which goes into the CALLBACK URL.  A request is one
 * connection ("Connection: close"), as a WeMo prefers.
 *
 *   struct httpc_resp r;
 *   httpc_resp_init(&r);
 *   if (httpc_do(&req, &r, err) == 0) ... r.status, r.body ...
 *   httpc_resp_release(&r);
 */
#ifndef HEARTH_HTTPC_H
#define HEARTH_HTTPC_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

#define HTTPC_ADDR_MAX 64 /* a numeric address as text, IPv6 too */

/* What to send.  headers are extra lines, each ending "\r\n" (NULL:
 * none); body may be NULL. */
struct httpc_req {
	const char *method;
	const char *host;      /* a name or a numeric address */
	unsigned port;
	const char *path;      /* starts with '/' */
	const char *headers;
	const char *body;
	size_t body_len;
	int timeout_ms;        /* the whole exchange, connect included */
	size_t max_body;       /* a longer answer is an error; 0: 64 KiB */
};

struct httpc_resp {
	int status;
	struct buf head;                /* header lines as they came */
	struct buf body;                /* de-chunked */
	char peer[HTTPC_ADDR_MAX];      /* the device's numeric address */
	char local[HTTPC_ADDR_MAX];     /* ours on the way to it */
};

void httpc_resp_init(struct httpc_resp *r);
void httpc_resp_release(struct httpc_resp *r);

/*
 * httpc_do: connect, send, read the whole answer.  Any status is a
 * success here (the caller decides what a 412 means); -1 when the device
 * cannot be reached, does not answer in time, or answers something that
 * is not HTTP, err naming host:port and what happened.  r is filled
 * afresh.
 */
int httpc_do(const struct httpc_req *q, struct httpc_resp *r,
	     struct hearth_err *err);

/* httpc_header: header `name` (any case) of the answer, trimmed, into
 * out (truncated to outsz - 1 bytes): 1, or 0 when absent. */
int httpc_header(const struct httpc_resp *r, const char *name, char *out,
		 size_t outsz);

/* httpc_find_header: the same over header lines in head[0..len) (a
 * request's, too). */
int httpc_find_header(const char *head, size_t len, const char *name,
		      char *out, size_t outsz);

/*
 * httpc_url_split: "http://HOST[:PORT]/PATH" into host (malloc'd, caller
 * frees), port (80 when not given) and path (a pointer into url, "/"
 * when empty).  -1 on anything else, err quoting the URL.
 */
int httpc_url_split(const char *url, char **host, unsigned *port,
		    const char **path, struct hearth_err *err);

#endif
