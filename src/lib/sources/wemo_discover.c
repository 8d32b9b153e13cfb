/*
 * wemo_discover.c - WeMos on the local network: SSDP, then each answer's
 * setup.xml (see wemo.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "sources/httpc.h"
#include "sources/ssdp.h"
#include "sources/upnp_desc.h"
#include "sources/wemo.h"

#define WEMO_ST "urn:Belkin:service:basicevent:1"

/* Read the description at a->location into f. */
static void describe(const struct ssdp_answer *a, int timeout_ms,
		     struct wemo_found *f)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct upnp_desc d = UPNP_DESC_INIT;
	struct httpc_req q;
	struct httpc_resp r;
	char *host = NULL;

	memset(&q, 0, sizeof(q));
	httpc_resp_init(&r);
	if (httpc_url_split(a->location, &host, &q.port, &q.path, &err) < 0)
		goto failed;
	/* The device's own address, not whatever its LOCATION names: an
	 * answer must not send hearth to a third host. */
	q.host = a->from;
	q.method = "GET";
	q.timeout_ms = timeout_ms;
	f->address = xasprintf(strchr(a->from, ':') ? "[%s]:%u" : "%s:%u",
			       a->from, q.port);
	if (httpc_do(&q, &r, &err) < 0)
		goto failed;
	if (r.status != 200) {
		err_set(&err, "%s: answered %d", a->location, r.status);
		goto failed;
	}
	if (upnp_desc_parse(&d, buf_cstr(&r.body), r.body.len, &err) < 0)
		goto failed;
	f->name = xstrdup(d.friendly_name);
	f->model = xstrdup(d.model ? d.model : "");
	f->serial = xstrdup(d.serial ? d.serial : "");
	f->udn = xstrdup(d.udn);
	goto out;
failed:
	if (!f->address)
		f->address = xstrdup(a->from);
	f->error = xstrdup(err.msg);
out:
	upnp_desc_release(&d);
	httpc_resp_release(&r);
	free(host);
}

int wemo_discover(const char *to, int wait_ms, int timeout_ms,
		  struct wemo_found **out, size_t *n, struct hearth_err *err)
{
	struct ssdp_answer *a = NULL;
	size_t na = 0, i;

	*out = NULL;
	*n = 0;
	if (ssdp_search(WEMO_ST, to, wait_ms, &a, &na, err) < 0)
		return -1;
	*out = xcalloc(na ? na : 1, sizeof(**out));
	for (i = 0; i < na; i++)
		describe(&a[i], timeout_ms, &(*out)[i]);
	*n = na;
	ssdp_answers_free(a, na);
	return 0;
}

void wemo_found_free(struct wemo_found *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(f[i].name);
		free(f[i].model);
		free(f[i].serial);
		free(f[i].udn);
		free(f[i].address);
		free(f[i].error);
	}
	free(f);
}
