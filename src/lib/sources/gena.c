/*
 * gena.c - GENA SUBSCRIBE, renewal, UNSUBSCRIBE and property sets (see
 * gena.h).
 */
#include "sources/gena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "sources/xmldoc.h"

/* The granted time from "Second-1801" ("infinite" taken as a day: it is
 * renewed then all the same). */
static int granted(const struct httpc_resp *r, int want_s)
{
	char v[64];
	char *e;
	long s;

	if (!httpc_header(r, "TIMEOUT", v, sizeof(v)))
		return want_s;
	if (!strcasecmp(v, "Second-infinite"))
		return 86400;
	if (strncasecmp(v, "Second-", 7))
		return want_s;
	s = strtol(v + 7, &e, 10);
	if (*e || s < 1)
		return want_s;
	return s > 86400 ? 86400 : (int)s;
}

static int exchange(const struct gena_target *t, const char *method,
		    const char *headers, int want_s, struct gena_sub *sub,
		    struct hearth_err *err)
{
	struct httpc_req q;
	struct httpc_resp r;
	char sid[GENA_SID_MAX];
	int ret = -1;

	memset(&q, 0, sizeof(q));
	q.method = method;
	q.host = t->host;
	q.port = t->port;
	q.path = t->path;
	q.headers = headers;
	q.timeout_ms = t->timeout_ms;
	q.max_body = 4096;
	httpc_resp_init(&r);
	sub->status = 0;
	if (httpc_do(&q, &r, err) < 0)
		goto out;
	sub->status = r.status;
	if (r.status != 200) {
		err_set(err, "%s:%u: %s %s answered %d", t->host, t->port,
			method, t->path, r.status);
		goto out;
	}
	if (!strcmp(method, "UNSUBSCRIBE")) {
		ret = 0;
		goto out;
	}
	if (!httpc_header(&r, "SID", sid, sizeof(sid)) || !*sid ||
	    strlen(sid) >= GENA_SID_MAX - 1) {
		/* A renewal may leave the SID out: it is the same one. */
		if (!*sub->sid) {
			err_set(err, "%s:%u: SUBSCRIBE %s answered without a "
				"SID", t->host, t->port, t->path);
			goto out;
		}
	} else {
		snprintf(sub->sid, sizeof(sub->sid), "%s", sid);
	}
	sub->timeout_s = granted(&r, want_s);
	ret = 0;
out:
	httpc_resp_release(&r);
	return ret;
}

int gena_subscribe(const struct gena_target *t, const char *callback,
		   int want_s, struct gena_sub *sub, struct hearth_err *err)
{
	struct buf h = BUF_INIT;
	int ret;

	sub->sid[0] = '\0';
	buf_addf(&h, "CALLBACK: <%s>\r\nNT: upnp:event\r\nTIMEOUT: "
		 "Second-%d\r\n", callback, want_s);
	ret = exchange(t, "SUBSCRIBE", h.s, want_s, sub, err);
	buf_release(&h);
	return ret;
}

int gena_renew(const struct gena_target *t, int want_s, struct gena_sub *sub,
	       struct hearth_err *err)
{
	struct buf h = BUF_INIT;
	int ret;

	buf_addf(&h, "SID: %s\r\nTIMEOUT: Second-%d\r\n", sub->sid, want_s);
	ret = exchange(t, "SUBSCRIBE", h.s, want_s, sub, err);
	buf_release(&h);
	return ret;
}

int gena_unsubscribe(const struct gena_target *t, const struct gena_sub *sub,
		     struct hearth_err *err)
{
	struct gena_sub tmp = *sub;
	struct buf h = BUF_INIT;
	int ret;

	buf_addf(&h, "SID: %s\r\n", sub->sid);
	ret = exchange(t, "UNSUBSCRIBE", h.s, 0, &tmp, err);
	buf_release(&h);
	return ret;
}

int gena_propertyset(const char *body, size_t len,
		     int (*fn)(void *ctx, const char *name, const char *value),
		     void *ctx, struct hearth_err *err)
{
	struct xmldoc d = XMLDOC_INIT;
	size_t i;
	int ret = -1;

	if (xmldoc_parse(&d, body, len, err) < 0)
		return -1;
	if (strcmp(d.nodes[0].name, "propertyset")) {
		err_set(err, "not a property set (root element %.40s)",
			d.nodes[0].name);
		goto out;
	}
	/* A property's value is its one child element. */
	for (i = 1; i < d.n; i++) {
		const struct xmldoc_node *n = &d.nodes[i];
		if (n->depth != 2 || strcmp(d.nodes[n->parent].name, "property"))
			continue;
		if (fn(ctx, n->name, n->text) < 0)
			goto out;
	}
	ret = 0;
out:
	xmldoc_release(&d);
	return ret;
}
