/*
 * upnp_desc.c - setup.xml into struct upnp_desc (see upnp_desc.h).
 */
#include "sources/upnp_desc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xalloc.h"
#include "sources/xmldoc.h"

/* A service URL as a path on the device: "/upnp/event/basicevent1" from
 * itself, "upnp/..." or "http://any-host:port/upnp/...". */
static char *url_path(const char *u)
{
	if (!strncasecmp(u, "http://", 7)) {
		const char *slash = strchr(u + 7, '/');
		return xstrdup(slash ? slash : "/");
	}
	return *u == '/' ? xstrdup(u) : xasprintf("/%s", u);
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

int upnp_desc_parse(struct upnp_desc *d, const char *xml, size_t len,
		    struct hearth_err *err)
{
	struct xmldoc doc = XMLDOC_INIT;
	const char *name, *udn, *v;
	int dev, svc, ret = -1;

	memset(d, 0, sizeof(*d));
	if (xmldoc_parse(&doc, xml, len, err) < 0) {
		err_prefix(err, "setup.xml");
		return -1;
	}
	dev = xmldoc_find(&doc, -1, "device");
	if (strcmp(doc.nodes[0].name, "root") || dev < 0) {
		err_set(err, "setup.xml: not a UPnP device description (no "
			"root/device)");
		goto out;
	}
	name = xmldoc_child_text(&doc, dev, "friendlyName");
	udn = xmldoc_child_text(&doc, dev, "UDN");
	if (!name || !*name || !udn || !*udn) {
		err_set(err, "setup.xml: the device has no %s",
			!name || !*name ? "friendlyName" : "UDN");
		goto out;
	}
	/* Names go into rows and the log: one line of text. */
	if (has_control(name) || has_control(udn) || strlen(name) > 200 ||
	    strlen(udn) > 200) {
		err_set(err, "setup.xml: the device's %s holds control "
			"characters or is longer than 200 bytes",
			has_control(name) || strlen(name) > 200
				? "friendlyName" : "UDN");
		goto out;
	}
	d->friendly_name = xstrdup(name);
	d->udn = xstrdup(udn);
	v = xmldoc_child_text(&doc, dev, "deviceType");
	d->device_type = xstrdup(v ? v : "");
	v = xmldoc_child_text(&doc, dev, "modelName");
	d->model = xstrdup(v ? v : "");
	v = xmldoc_child_text(&doc, dev, "serialNumber");
	d->serial = xstrdup(v ? v : "");
	for (svc = xmldoc_find(&doc, dev, "service"); svc >= 0;
	     svc = xmldoc_next(&doc, dev, svc, "service")) {
		const char *type = xmldoc_child_text(&doc, svc, "serviceType");
		const char *ctl = xmldoc_child_text(&doc, svc, "controlURL");
		const char *ev = xmldoc_child_text(&doc, svc, "eventSubURL");
		struct upnp_service *s;
		if (!type || !ctl || !ev)
			continue;
		/* They go into request lines: no blanks, no line breaks. */
		if (has_control(ctl) || has_control(ev) || strchr(ctl, ' ') ||
		    strchr(ev, ' ') || strlen(ctl) > 256 || strlen(ev) > 256) {
			err_set(err, "setup.xml: service %.80s has a bad "
				"controlURL or eventSubURL", type);
			goto out;
		}
		d->services = xreallocarray(d->services, d->nservices + 1,
					    sizeof(*d->services));
		s = &d->services[d->nservices++];
		s->type = xstrdup(type);
		s->control_path = url_path(ctl);
		s->event_path = url_path(ev);
	}
	ret = 0;
out:
	xmldoc_release(&doc);
	if (ret < 0)
		upnp_desc_release(d);
	return ret;
}

void upnp_desc_release(struct upnp_desc *d)
{
	size_t i;

	for (i = 0; i < d->nservices; i++) {
		free(d->services[i].type);
		free(d->services[i].control_path);
		free(d->services[i].event_path);
	}
	free(d->services);
	free(d->friendly_name);
	free(d->udn);
	free(d->device_type);
	free(d->model);
	free(d->serial);
	memset(d, 0, sizeof(*d));
}

const struct upnp_service *upnp_desc_service(const struct upnp_desc *d,
					     const char *prefix)
{
	size_t i, n = strlen(prefix);

	for (i = 0; i < d->nservices; i++)
		if (!strncmp(d->services[i].type, prefix, n))
			return &d->services[i];
	return NULL;
}
