/* Unit tests for mqtt_settings.c: [mqtt] url forms, defaults, the maps
 * list, and errors that name the key. */
#include "sources/mqtt.h"
#include "t.h"

#define MAP "[mqtt.a]\ntopic = a/+\ntable = t\nvalues = w=$\n"

/* Load [mqtt] from ini text: "ok", "unset" or the error. */
static const char *load(const char *ini, struct mqtt_settings *s)
{
	static char out[HEARTH_ERR_MAX];
	struct hearth_err err = HEARTH_ERR_INIT;
	struct config *cfg = config_new();
	int rc = config_parse(cfg, ini, "test.ini", &err);

	if (rc == 0)
		rc = mqtt_settings_load(s, cfg, &err);
	snprintf(out, sizeof(out), "%s", rc > 0 ? "unset" : rc < 0 ? err.msg
								: "ok");
	config_free(cfg);
	return out;
}

static void test_urls(void)
{
	struct mqtt_settings s;

	CHECK_STR(load("[mqtt]\nurl = mqtt://127.0.0.1:1883\nmaps = a\n" MAP,
		       &s), "ok");
	CHECK_STR(s.host, "127.0.0.1");
	CHECK_INT(s.port, 1883);
	CHECK_INT(s.tls, 0);
	CHECK_INT(s.keepalive, 60);
	CHECK_INT(s.max_payload, 65536);
	CHECK(!strncmp(s.client_id, "hearth-", 7));
	CHECK_INT(s.nmaps, 1);
	mqtt_settings_release(&s);
	CHECK_STR(load("[mqtt]\nurl = mqtts://broker.lan/\nmaps = a\n"
		       "client_id = pi\n" MAP, &s), "ok");
	CHECK_STR(s.host, "broker.lan");
	CHECK_INT(s.port, 8883);
	CHECK_INT(s.tls, 1);
	CHECK_INT(s.tls_verify, 1);
	CHECK_STR(s.client_id, "pi");
	mqtt_settings_release(&s);
	CHECK_STR(load("[mqtt]\nurl = mqtt://[::1]:1884\nmaps = a\n" MAP, &s),
		  "ok");
	CHECK_STR(s.host, "::1");
	CHECK_INT(s.port, 1884);
	mqtt_settings_release(&s);
	CHECK_STR(load("[mqtt]\nmaps = a\n", &s), "unset");
	mqtt_settings_release(&s);
}

static void test_errors(void)
{
	struct mqtt_settings s;

#define BAD(ini, want)                                                        \
	do {                                                                  \
		CHECK_STR(load(ini, &s), want);                               \
		mqtt_settings_release(&s);                                    \
	} while (0)
	BAD("[mqtt]\nurl = tcp://h\n",
	    "[mqtt] url 'tcp://h': want mqtt://HOST[:PORT] or mqtts://HOST[:PORT]");
	BAD("[mqtt]\nurl = mqtt://h:0\n", "[mqtt] url 'mqtt://h:0': bad port");
	BAD("[mqtt]\nurl = mqtt://h:x\n", "[mqtt] url 'mqtt://h:x': bad port");
	BAD("[mqtt]\nurl = mqtt://\n", "[mqtt] url 'mqtt://': no host");
	BAD("[mqtt]\nurl = mqtt://u:p@h\n",
	    "[mqtt] url 'mqtt://u:p@h': put the user in [mqtt] user, and the "
	    "password in a file");
	BAD("[mqtt]\nurl = mqtt://h/topic\n",
	    "[mqtt] url 'mqtt://h/topic': no path after the host (topics go "
	    "in [mqtt.NAME] sections)");
	BAD("[mqtt]\nurl = mqtt://h\n",
	    "[mqtt] maps is not set (the names of the [mqtt.NAME] sections "
	    "that map topics to tables)");
	BAD("[mqtt]\nurl = mqtt://h\nmaps = a, a\n" MAP,
	    "[mqtt] maps: 'a' listed twice");
	BAD("[mqtt]\nurl = mqtt://h\nmaps = a\ntls_verify = maybe\n" MAP,
	    "[mqtt] tls_verify 'maybe': want yes or no");
	BAD("[mqtt]\nurl = mqtt://h\nmaps = a\nmax_payload = 1\n" MAP,
	    "[mqtt] max_payload '1': want 16 to 16777216");
	BAD("[mqtt]\nurl = mqtt://h\nmaps = a\nbackoff_max = soon\n" MAP,
	    "[mqtt] backoff_max 'soon': want a duration such as 60s or 5m");
	BAD("[mqtt]\nurl = mqtt://h\nmaps = a\nclient_id = a/b\n" MAP,
	    "[mqtt] client_id 'a/b': at most 128 bytes, no / + #");
	BAD("[mqtt]\nurl = mqtt://h\nmaps = a\nca_file = /nonexistent\n" MAP,
	    "[mqtt] ca_file /nonexistent: cannot read it");
#undef BAD
}

T_MAIN("mqtt_settings", T(test_urls), T(test_errors))
