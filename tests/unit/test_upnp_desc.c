/* Unit tests for upnp_desc.c: a WeMo's setup.xml and broken ones.  Bad
 * inputs tried: no friendlyName, no UDN, a control character in the
 * name, not a device description, XML that is not well formed. */
#include "sources/upnp_desc.h"
#include "t.h"

#define HEAD "<?xml version=\"1.0\"?><root xmlns=\"urn:Belkin:device-1-0\">" \
	"<device><deviceType>urn:Belkin:device:insight:1</deviceType>"
#define SVCS "<serviceList><service><serviceType>" \
	"urn:Belkin:service:basicevent:1</serviceType><controlURL>" \
	"/upnp/control/basicevent1</controlURL><eventSubURL>" \
	"http://10.0.0.9:49153/upnp/event/basicevent1</eventSubURL>" \
	"</service><service><serviceType>urn:Belkin:service:insight:1" \
	"</serviceType><controlURL>upnp/control/insight1</controlURL>" \
	"<eventSubURL>/upnp/event/insight1</eventSubURL></service>" \
	"</serviceList>"

static const char *parse_err(const char *s)
{
	static char msg[512];
	struct hearth_err err = HEARTH_ERR_INIT;
	struct upnp_desc d = UPNP_DESC_INIT;

	if (upnp_desc_parse(&d, s, strlen(s), &err) == 0)
		snprintf(msg, sizeof(msg), "ok");
	else
		snprintf(msg, sizeof(msg), "%s", err.msg);
	upnp_desc_release(&d);
	return msg;
}

static void test_insight(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct upnp_desc d = UPNP_DESC_INIT;
	const char *x = HEAD "<friendlyName>Kettle &amp; Co</friendlyName>"
		"<modelName>Insight</modelName><serialNumber>1234</serialNumber>"
		"<UDN>uuid:Insight-1_0-1234</UDN>" SVCS "</device></root>";
	const struct upnp_service *s;

	CHECK(upnp_desc_parse(&d, x, strlen(x), &err) == 0);
	CHECK_STR(d.friendly_name, "Kettle & Co");
	CHECK_STR(d.udn, "uuid:Insight-1_0-1234");
	CHECK_STR(d.model, "Insight");
	CHECK_STR(d.serial, "1234");
	CHECK_STR(d.device_type, "urn:Belkin:device:insight:1");
	CHECK_INT(d.nservices, 2);
	s = upnp_desc_service(&d, "urn:Belkin:service:basicevent:");
	CHECK(s != NULL);
	if (s) {
		CHECK_STR(s->control_path, "/upnp/control/basicevent1");
		/* Another host in the URL is not followed: only its path. */
		CHECK_STR(s->event_path, "/upnp/event/basicevent1");
	}
	s = upnp_desc_service(&d, "urn:Belkin:service:insight:");
	CHECK(s && !strcmp(s->control_path, "/upnp/control/insight1"));
	CHECK(upnp_desc_service(&d, "urn:Belkin:service:bridge:") == NULL);
	upnp_desc_release(&d);
}

static void test_refused(void)
{
	CHECK(strstr(parse_err(HEAD "<UDN>u</UDN></device></root>"),
		     "friendlyName") != NULL);
	CHECK(strstr(parse_err(HEAD "<friendlyName>a</friendlyName>"
			       "</device></root>"), "UDN") != NULL);
	CHECK(strstr(parse_err(HEAD "<friendlyName>a&#10;b</friendlyName>"
			       "<UDN>u</UDN></device></root>"),
		     "control") != NULL);
	CHECK(strstr(parse_err("<html><body/></html>"), "not a UPnP") != NULL);
	CHECK(strstr(parse_err(HEAD "<friendlyName>x</device></root>"),
		     "setup.xml") != NULL);
}

T_MAIN("upnp_desc", T(test_insight), T(test_refused))
