/*
 * upnp_desc.h - a UPnP device description (a WeMo's setup.xml): who the
 * device is and where its services are.
 */
#ifndef HEARTH_UPNP_DESC_H
#define HEARTH_UPNP_DESC_H

#include <stddef.h>

#include "base/err.h"

struct upnp_service {
	char *type;         /* urn:Belkin:service:basicevent:1 */
	char *control_path; /* SOAP actions: a path on the device */
	char *event_path;   /* GENA SUBSCRIBE: a path on the device */
};

struct upnp_desc {
	char *friendly_name; /* "Hallway" */
	char *udn;           /* uuid:Sensor-1_0-221517K0101769 */
	char *device_type;   /* urn:Belkin:device:sensor:1 */
	char *model;         /* modelName: "Sensor", "Insight" */
	char *serial;        /* serialNumber; "" when absent */
	struct upnp_service *services;
	size_t nservices;
};

#define UPNP_DESC_INIT { NULL, NULL, NULL, NULL, NULL, NULL, 0 }

/*
 * upnp_desc_parse: read setup.xml text into d (empty).  friendlyName and
 * UDN are required; a service URL is kept as its path only (an absolute
 * URL naming another host is not followed: hearth talks to the device's
 * own address).  On error d is empty and err says what is wrong and
 * where ("setup.xml line 3: ...").  Release with upnp_desc_release.
 */
int upnp_desc_parse(struct upnp_desc *d, const char *xml, size_t len,
		    struct hearth_err *err);
void upnp_desc_release(struct upnp_desc *d);

/* upnp_desc_service: the service whose type starts with `prefix`
 * ("urn:Belkin:service:basicevent:"), NULL when the device has none. */
const struct upnp_service *upnp_desc_service(const struct upnp_desc *d,
					     const char *prefix);

#endif
