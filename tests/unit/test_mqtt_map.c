/* Unit tests for mqtt_map.c: topic filters and their matching (with the
 * sensor name a '+' picks), the [mqtt.NAME] parser and its errors, and
 * payloads into values: JSON paths, plain numbers, rising states, and
 * payloads that do not fit (not JSON, not UTF-8, wrong types). */
#include "sources/mqtt_map.h"
#include "t.h"

/* "sensor" when f matches topic, "-" when not. */
static const char *match(const char *f, const char *topic)
{
	static char out[256];
	const char *s;
	size_t n;

	if (!mqtt_topic_match(f, topic, &s, &n))
		return "-";
	snprintf(out, sizeof(out), "%.*s", (int)n, s);
	return out;
}

static void test_match(void)
{
	CHECK_STR(match("tele/+/SENSOR", "tele/plug1/SENSOR"), "plug1");
	CHECK_STR(match("tele/+/SENSOR", "tele/plug1/STATE"), "-");
	CHECK_STR(match("tele/+/SENSOR", "tele/SENSOR"), "-");
	CHECK_STR(match("tele/+/SENSOR", "tele/a/b/SENSOR"), "-");
	CHECK_STR(match("shellies/+/relay/0/power",
			"shellies/shelly1-AB12/relay/0/power"), "shelly1-AB12");
	CHECK_STR(match("zigbee2mqtt/+", "zigbee2mqtt/Hall sensor"),
		  "Hall sensor");
	CHECK_STR(match("zigbee2mqtt/+", "zigbee2mqtt/hall/set"), "-");
	CHECK_STR(match("zigbee2mqtt/+", "zigbee2mqtt"), "-");
	/* + matches an empty level. */
	CHECK_STR(match("a/+/c", "a//c"), "");
	/* The first + names the sensor. */
	CHECK_STR(match("+/x/+", "home/x/kitchen"), "home");
	/* Without +, the whole topic. */
	CHECK_STR(match("home/kitchen/power", "home/kitchen/power"),
		  "home/kitchen/power");
	CHECK_STR(match("home/#", "home/kitchen/power"), "home/kitchen/power");
	CHECK_STR(match("home/#", "home"), "home");
	CHECK_STR(match("home/+/#", "home/k/a/b"), "k");
	CHECK_STR(match("#", "anything/at/all"), "anything/at/all");
	/* $SYS is not for wildcards at the start. */
	CHECK_STR(match("#", "$SYS/broker/uptime"), "-");
	CHECK_STR(match("+/broker/uptime", "$SYS/broker/uptime"), "-");
	CHECK_STR(match("$SYS/#", "$SYS/broker/uptime"), "$SYS/broker/uptime");
	/* Case matters. */
	CHECK_STR(match("tele/+/SENSOR", "tele/p/sensor"), "-");
	CHECK_STR(match("a/b", "a/b/"), "-");
	CHECK_STR(match("a/b/", "a/b/"), "a/b/");
}

static void test_filter_check(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	char big[MQTT_TOPIC_MAX + 2];

	CHECK_INT(mqtt_filter_check("tele/+/SENSOR", &err), 0);
	CHECK_INT(mqtt_filter_check("#", &err), 0);
	CHECK_INT(mqtt_filter_check("a/+/#", &err), 0);
	CHECK_INT(mqtt_filter_check("a/#/b", &err), -1);
	CHECK(strstr(err.msg, "'a/#/b' is not a topic filter"));
	CHECK_INT(mqtt_filter_check("a/b+", &err), -1);
	CHECK_INT(mqtt_filter_check("a/#b", &err), -1);
	CHECK_INT(mqtt_filter_check("", &err), -1);
	CHECK_STR(err.msg, "empty topic filter");
	CHECK_INT(mqtt_filter_check("a/\xff/b", &err), -1);
	CHECK_STR(err.msg, "topic filter is not UTF-8 text");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_INT(mqtt_filter_check(big, &err), -1);
	CHECK(strstr(err.msg, "longer than"));
}

/* Load [mqtt.m] from ini text: "ok" or the error. */
static const char *load(const char *ini, struct mqtt_map *m)
{
	static char out[HEARTH_ERR_MAX];
	struct hearth_err err = HEARTH_ERR_INIT;
	struct config *cfg = config_new();

	if (config_parse(cfg, ini, "test.ini", &err) < 0 ||
	    mqtt_map_load(m, cfg, "m", &err) < 0)
		snprintf(out, sizeof(out), "%s", err.msg);
	else
		snprintf(out, sizeof(out), "ok");
	config_free(cfg);
	return out;
}

static void test_map_parse(void)
{
	struct mqtt_map m;

	CHECK_STR(load("[mqtt.m]\ntopic = tele/+/SENSOR\ntable = readings\n"
		       "values = r_watts=ENERGY.Power , r_volts = ENERGY.Voltage\n"
		       "time = Time\n", &m), "ok");
	CHECK_INT(m.kind, MQTT_VALUES);
	CHECK_INT(m.nvalues, 2);
	CHECK_STR(m.values[0].column, "r_watts");
	CHECK_STR(m.values[0].path, "ENERGY.Power");
	CHECK_STR(m.values[1].column, "r_volts");
	CHECK_STR(m.values[1].path, "ENERGY.Voltage");
	CHECK_STR(m.time_path, "Time");
	mqtt_map_release(&m);

	CHECK_STR(load("[mqtt.m]\ntopic = s/+/power\ntable = readings\n"
		       "values = r_watts=$\nsensor_column = name\n", &m), "ok");
	CHECK(m.values[0].path == NULL);
	CHECK_STR(m.sensor_column, "name");
	mqtt_map_release(&m);

	CHECK_STR(load("[mqtt.m]\ntopic = z/+\ntable = motion\n"
		       "rising = occupancy\n", &m), "ok");
	CHECK_INT(m.kind, MQTT_RISING);
	CHECK_STR(m.rising, "occupancy");
	mqtt_map_release(&m);
}

static void test_map_errors(void)
{
	struct mqtt_map m;

#define BAD(ini, want)                                                        \
	do {                                                                  \
		CHECK_STR(load(ini, &m), want);                               \
		mqtt_map_release(&m);                                         \
	} while (0)
	BAD("[mqtt.m]\ntable = t\nvalues = a=$\n",
	    "[mqtt.m] topic is not set (the [mqtt] maps entry 'm' needs this "
	    "section)");
	BAD("[mqtt.m]\ntopic = a/+\nvalues = a=$\n", "[mqtt.m] table is not set");
	BAD("[mqtt.m]\ntopic = a/+\ntable = t\n",
	    "[mqtt.m] values (or rising) is not set");
	BAD("[mqtt.m]\ntopic = a/+b\ntable = t\nvalues = a=$\n",
	    "[mqtt.m] topic: 'a/+b' is not a topic filter ('+' and '#' stand "
	    "alone in a level, '#' only last)");
	BAD("[mqtt.m]\ntopic = a\ntable = t\nvalues = a\n",
	    "[mqtt.m] values: 'a' is not COLUMN=PATH (or COLUMN=$ for the "
	    "whole payload)");
	BAD("[mqtt.m]\ntopic = a\ntable = t\nvalues = a=x, =y\n",
	    "[mqtt.m] values: bad column name ''");
	BAD("[mqtt.m]\ntopic = a\ntable = t\nvalues = a=.x\n",
	    "[mqtt.m] values: bad path '.x' for a (JSON keys joined by dots, "
	    "or $)");
	BAD("[mqtt.m]\ntopic = a\ntable = t\nvalues = a=x..y\n",
	    "[mqtt.m] values: bad path 'x..y' for a (JSON keys joined by dots, "
	    "or $)");
	BAD("[mqtt.m]\ntopic = a\ntable = t\nvalues = a=$, b=x\n",
	    "[mqtt.m] values: $ (the whole payload) is the only value when it "
	    "is used, with no time path");
	BAD("[mqtt.m]\ntopic = a\ntable = t\nvalues = a=$\ntime = T\n",
	    "[mqtt.m] values: $ (the whole payload) is the only value when it "
	    "is used, with no time path");
	BAD("[mqtt.m]\ntopic = a\ntable = t\nvalues = a=x\nrising = y\n",
	    "[mqtt.m] values and rising: set one of them");
	BAD("[mqtt.m]\ntopic = a\ntable = t\nrising = y.\n",
	    "[mqtt.m] rising: bad path 'y.' (JSON keys joined by dots)");
	BAD("[mqtt.m]\ntopic = a\ntable = t\nvalues = a=x\ntime = .T\n",
	    "[mqtt.m] time: bad path '.T' (JSON keys joined by dots)");
	BAD("[mqtt.m]\ntopic = a\ntable = t\nvalue = a=x\n",
	    "[mqtt.m] value: unknown key (topic, table, values or rising, "
	    "time, sensor_column, time_column)");
	BAD("[mqtt.m]\ntopic = a\ntable = a b\nvalues = a=x\n",
	    "[mqtt.m] table: bad name 'a b'");
#undef BAD
}

/* The values of payload p for the mapping in ini, '|'-separated, "T=..."
 * for the time, or "state N", or "error: ...". */
static const char *extract(const char *ini, const char *p, size_t n)
{
	static char out[1024];
	struct hearth_err err = HEARTH_ERR_INIT;
	struct mqtt_fields f;
	struct mqtt_map m;
	struct buf b = BUF_INIT;
	size_t i;

	mqtt_fields_init(&f);
	if (strcmp(load(ini, &m), "ok")) {
		snprintf(out, sizeof(out), "bad map");
		mqtt_map_release(&m);
		return out;
	}
	if (mqtt_map_extract(&m, p, n, &f, &err) < 0) {
		buf_addf(&b, "error: %s", err.msg);
	} else if (m.kind == MQTT_RISING) {
		buf_addf(&b, "state %d", f.state);
	} else {
		for (i = 0; i < f.nvals; i++)
			buf_addf(&b, "%s%s", i ? "|" : "", buf_cstr(&f.vals[i]));
		if (f.time.len)
			buf_addf(&b, " T=%s", f.time.s);
	}
	snprintf(out, sizeof(out), "%s", buf_cstr(&b));
	buf_release(&b);
	mqtt_fields_release(&f);
	mqtt_map_release(&m);
	return out;
}

#define TASMOTA "[mqtt.m]\ntopic = tele/+/SENSOR\ntable = t\n" \
	"values = w=ENERGY.Power, v=ENERGY.Voltage\n"
#define PLAIN "[mqtt.m]\ntopic = s/+/power\ntable = t\nvalues = w=$\n"
#define RISING "[mqtt.m]\ntopic = z/+\ntable = t\nrising = occupancy\n"
#define X(ini, s) extract(ini, s, strlen(s))

static void test_extract_values(void)
{
	CHECK_STR(X(TASMOTA, "{\"ENERGY\":{\"Power\":512,\"Voltage\":229.5}}"),
		  "512|229.5");
	/* A missing path is NULL, as long as one is there. */
	CHECK_STR(X(TASMOTA, "{\"ENERGY\":{\"Power\":7}}"), "7|");
	CHECK_STR(X(TASMOTA, "{\"ENERGY\":{\"Power\":null,\"Voltage\":1}}"),
		  "|1");
	CHECK_STR(X(TASMOTA, "{\"ENERGY\":{\"Power\":true,\"Voltage\":\"x\"}}"),
		  "1|x");
	CHECK_STR(X(TASMOTA "time = Time\n",
		    "{\"Time\":\"2026-01-01T10:00:00\",\"ENERGY\":{\"Power\":1}}"),
		  "1| T=2026-01-01T10:00:00");
	/* Array elements by number: a plug with two channels. */
	CHECK_STR(X("[mqtt.m]\ntopic = a\ntable = t\nvalues = w=ENERGY.Power.1\n",
		    "{\"ENERGY\":{\"Power\":[10,20]}}"), "20");
	CHECK_STR(X(PLAIN, "512"), "512");
	CHECK_STR(X(PLAIN, " 42.5\r\n"), "42.5");
}

static void test_extract_errors(void)
{
	CHECK_STR(X(TASMOTA, "garbage"),
		  "error: not JSON: invalid token near 'garbage' at byte 7");
	CHECK_STR(X(TASMOTA, "[1,2]"), "error: payload is not a JSON object");
	CHECK_STR(X(TASMOTA, "{\"ENERGY\":{\"Power\":{\"a\":1}}}"),
		  "error: ENERGY.Power is an object, not a value");
	CHECK_STR(X(TASMOTA, "{\"ENERGY\":{\"Power\":[1]}}"),
		  "error: ENERGY.Power is an array, not a value");
	CHECK_STR(X(TASMOTA, "{\"StatusSNS\":{}}"),
		  "error: no ENERGY.Power or ENERGY.Voltage in the payload");
	CHECK_STR(X(TASMOTA, "{\"ENERGY\":\"x\"}"),
		  "error: no ENERGY.Power or ENERGY.Voltage in the payload");
	CHECK_STR(X(TASMOTA, "{\"ENERGY\":{\"Power\":\"\xff\"}}"),
		  "error: not JSON: unable to decode byte 0xff near '\"' at "
		  "byte 20");
	CHECK_STR(X(TASMOTA, "{\"a\":1,\"a\":2}"),
		  "error: not JSON: duplicate object key near '\"a\"' at "
		  "byte 10");
	CHECK_STR(X(TASMOTA "time = Time\n", "{\"ENERGY\":{\"Power\":1}}"),
		  "error: no Time (the time) in the payload");
	CHECK_STR(X(PLAIN, ""), "error: empty payload");
	CHECK_STR(X(PLAIN, " \n"), "error: empty payload");
	CHECK_STR(X(PLAIN, "\xff\xfe"), "error: payload is not text");
	CHECK_STR(extract(PLAIN, "1\0002", 3), "error: payload is not text");
}

static void test_extract_rising(void)
{
	CHECK_STR(X(RISING, "{\"occupancy\":true,\"battery\":97}"), "state 1");
	CHECK_STR(X(RISING, "{\"occupancy\":false}"), "state 0");
	CHECK_STR(X(RISING, "{\"occupancy\":1}"), "state 1");
	CHECK_STR(X(RISING, "{\"occupancy\":\"ON\"}"), "state 1");
	CHECK_STR(X(RISING, "{\"occupancy\":\"off\"}"), "state 0");
	CHECK_STR(X(RISING, "{\"occupancy\":2}"),
		  "error: occupancy is not true or false");
	CHECK_STR(X(RISING, "{\"occupancy\":\"maybe\"}"),
		  "error: occupancy is not true or false");
	CHECK_STR(X(RISING, "{\"battery\":97}"),
		  "error: no occupancy in the payload");
	CHECK_STR(X(RISING, "true"), "error: payload is not a JSON object");
}

T_MAIN("mqtt_map", T(test_match), T(test_filter_check), T(test_map_parse),
       T(test_map_errors), T(test_extract_values), T(test_extract_errors),
       T(test_extract_rising))
