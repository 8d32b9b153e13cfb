/* Unit tests for wemo_settings.c: [wemo] read and checked.  Bad inputs
 * tried: a device with a path, user or bad port, a bare IPv6 address,
 * an empty list, a device listed twice, durations that are not one or out of range. */
#include "base/config.h"
#include "base/timefmt.h"
#include "sources/wemo.h"
#include "t.h"

/* "ok N" with the devices, or the error. */
static const char *load(const char *ini)
{
	static char out[512];
	struct hearth_err err = HEARTH_ERR_INIT;
	struct config *cfg = config_new();
	struct wemo_settings s;
	int rc;

	if (config_parse(cfg, ini, "t.ini", &err) < 0) {
		snprintf(out, sizeof(out), "ini: %.400s", err.msg);
		config_free(cfg);
		return out;
	}
	rc = wemo_settings_load(&s, cfg, &err);
	if (rc < 0) {
		snprintf(out, sizeof(out), "%s", err.msg);
	} else if (rc > 0) {
		snprintf(out, sizeof(out), "unset");
	} else {
		size_t i, n = 0;
		n += (size_t)snprintf(out, sizeof(out), "ok %s %s %d %lld %d",
				      s.table, s.power_table ? s.power_table
				      : "-", s.subscription_s,
				      (long long)(s.poll_us / US_PER_SEC),
				      s.timeout_ms);
		for (i = 0; i < s.ndevices && n < sizeof(out); i++)
			n += (size_t)snprintf(out + n, sizeof(out) - n, " [%s]",
					      s.devices[i]);
	}
	wemo_settings_release(&s);
	config_free(cfg);
	return out;
}

static void test_good(void)
{
	CHECK_STR(load("[hearth]\n"), "unset");
	CHECK_STR(load("[wemo]\ndevices = 192.168.1.20, 192.168.1.21:49153 ,"
		       "wemo.lan,[fe80::1]:49152\n"),
		  "ok motion - 300 10 5000 [192.168.1.20] [192.168.1.21:49153]"
		  " [wemo.lan] [[fe80::1]:49152]");
	CHECK_STR(load("[wemo]\ndevices = a\ntable = m\npower_table = r\n"
		       "subscription = 30m\npoll_interval = 2\ntimeout = 1s\n"),
		  "ok m r 1800 2 1000 [a]");
}

static void test_bad(void)
{
	CHECK(strstr(load("[wemo]\ndevices = 10.0.0.1/setup.xml\n"),
		     "'10.0.0.1/setup.xml' is not HOST or HOST:PORT") != NULL);
	CHECK(strstr(load("[wemo]\ndevices = me@10.0.0.1\n"), "not HOST")
	      != NULL);
	CHECK(strstr(load("[wemo]\ndevices = 10.0.0.1:0\n"), "not HOST")
	      != NULL);
	CHECK(strstr(load("[wemo]\ndevices = 10.0.0.1:70000\n"), "not HOST")
	      != NULL);
	CHECK(strstr(load("[wemo]\ndevices = fe80::1\n"), "not HOST") != NULL);
	CHECK(strstr(load("[wemo]\ndevices = a,,b\n"), "not HOST") != NULL);
	CHECK(strstr(load("[wemo]\ndevices = ,\n"), "[wemo] devices") != NULL);
	CHECK(strstr(load("[wemo]\ndevices = wemo.lan, a, WEMO.lan\n"),
		     "'WEMO.lan' is listed twice") != NULL);
	CHECK(strstr(load("[wemo]\ndevices = a\nsubscription = soon\n"),
		     "[wemo] subscription 'soon'") != NULL);
	CHECK(strstr(load("[wemo]\ndevices = a\ntimeout = 2h\n"),
		     "[wemo] timeout '2h'") != NULL);
	CHECK(strstr(load("[wemo]\ndevices = a\npoll_interval = -5s\n"),
		     "[wemo] poll_interval") != NULL);
}

T_MAIN("wemo_settings", T(test_good), T(test_bad))
