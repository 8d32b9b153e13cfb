/* libFuzzer harness: what a WeMo, or anyone on the LAN posing as one, can
 * hand hearth - XML documents, setup.xml, NOTIFY property sets,
 * BinaryState and InsightParams values, URLs from SSDP answers, header
 * lines.  The first byte picks which. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz.h"
#include "sources/gena.h"
#include "sources/httpc.h"
#include "sources/upnp_desc.h"
#include "sources/wemo_value.h"
#include "sources/xmldoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int prop(void *ctx, const char *name, const char *value)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct wemo_insight w;
	int on;

	(void)ctx;
	(void)name;
	wemo_binary_state(value, &on, &err);
	wemo_insight_parse(value, &w, &err);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct xmldoc d = XMLDOC_INIT;
	struct upnp_desc u = UPNP_DESC_INIT;
	struct wemo_insight w;
	unsigned pick, port;
	const char *path;
	char *host = NULL, out[64];
	size_t len;
	char *s = fuzz_split(data, size, &pick, &len);
	int on, at;

	if (!s)
		return 0;
	switch (pick % 6) {
	case 0:
		if (xmldoc_parse(&d, s, len, &err) == 0)
			for (at = xmldoc_find(&d, -1, "device"); at >= 0;
			     at = xmldoc_next(&d, -1, at, "device"))
				xmldoc_child_text(&d, at, "friendlyName");
		xmldoc_release(&d);
		break;
	case 1:
		if (upnp_desc_parse(&u, s, len, &err) == 0)
			upnp_desc_service(&u, "urn:Belkin:service:basicevent:");
		upnp_desc_release(&u);
		break;
	case 2:
		gena_propertyset(s, len, prop, NULL, &err);
		break;
	case 3:
		wemo_binary_state(s, &on, &err);
		wemo_insight_parse(s, &w, &err);
		break;
	case 4:
		if (httpc_url_split(s, &host, &port, &path, &err) == 0)
			free(host);
		break;
	default:
		httpc_find_header(s, len, "SID", out, sizeof(out));
		break;
	}
	free(s);
	return 0;
}
