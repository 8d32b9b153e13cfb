/*
 * soap.c - one SOAP action (see soap.h).
 */
#include "sources/soap.h"

#include <string.h>

#include "sources/httpc.h"
#include "sources/xmldoc.h"

int soap_call(const struct soap_call *c, struct buf *out,
	      struct hearth_err *err)
{
	struct buf body = BUF_INIT, hdr = BUF_INIT;
	struct httpc_req q;
	struct httpc_resp r;
	struct xmldoc d = XMLDOC_INIT;
	const char *v;
	int fault, ret = -1;

	buf_addf(&body, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n"
		 "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/"
		 "envelope/\" s:encodingStyle=\"http://schemas.xmlsoap.org/"
		 "soap/encoding/\"><s:Body><u:%s xmlns:u=\"%s\"></u:%s>"
		 "</s:Body></s:Envelope>", c->action, c->service_type,
		 c->action);
	buf_addf(&hdr, "Content-Type: text/xml; charset=\"utf-8\"\r\n"
		 "SOAPACTION: \"%s#%s\"\r\n", c->service_type, c->action);
	memset(&q, 0, sizeof(q));
	q.method = "POST";
	q.host = c->host;
	q.port = c->port;
	q.path = c->path;
	q.headers = hdr.s;
	q.body = body.s;
	q.body_len = body.len;
	q.timeout_ms = c->timeout_ms;
	httpc_resp_init(&r);
	if (httpc_do(&q, &r, err) < 0)
		goto out;
	/* A fault comes with 500: read the body either way. */
	if (xmldoc_parse(&d, buf_cstr(&r.body), r.body.len, err) < 0) {
		err_prefix(err, "%s:%u: %s answer (HTTP %d)", c->host,
			   c->port, c->action, r.status);
		goto out;
	}
	fault = xmldoc_find(&d, -1, "Fault");
	if (fault >= 0 || r.status != 200) {
		const char *fs = fault >= 0 ? xmldoc_child_text(&d, fault,
							       "faultstring")
					    : NULL;
		int code = xmldoc_find(&d, fault, "errorCode");
		err_set(err, "%s:%u: %s failed: HTTP %d%s%.100s%s%.20s",
			c->host, c->port, c->action, r.status,
			fs ? ", " : "", fs ? fs : "",
			code >= 0 ? ", UPnP error " : "",
			code >= 0 ? d.nodes[code].text : "");
		goto out;
	}
	{
		int at = xmldoc_find(&d, -1, c->out_arg);
		v = at >= 0 ? d.nodes[at].text : NULL;
	}
	if (!v) {
		err_set(err, "%s:%u: %s answer has no %s", c->host, c->port,
			c->action, c->out_arg);
		goto out;
	}
	buf_addstr(out, v);
	ret = 0;
out:
	xmldoc_release(&d);
	httpc_resp_release(&r);
	buf_release(&body);
	buf_release(&hdr);
	return ret;
}
