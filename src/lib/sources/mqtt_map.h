/*
 * mqtt_map.h - which MQTT topics go to which table, and how a message's
 * payload becomes the values of a row.  No network and no database here:
 * the listener (mqtt.h) feeds it topics and payloads.
 *
 * [mqtt] maps names the mappings; each is a section [mqtt.NAME]:
 *
 *     [mqtt.tasmota]
 *     topic = tele/+/SENSOR          ; a filter: + is one level, # the rest
 *     table = readings
 *     values = r_watts=ENERGY.Power  ; COLUMN=PATH, comma separated
 *     time = Time                    ; optional: the payload's time
 *
 *     [mqtt.shelly]
 *     topic = shellies/+/relay/0/power
 *     table = readings
 *     values = r_watts=$             ; $: the whole payload, plain text
 *
 *     [mqtt.zigbee]
 *     topic = zigbee2mqtt/+
 *     table = motion
 *     rising = occupancy             ; a row per false -> true of PATH
 *
 * A PATH is JSON object keys joined by dots (a number picks an array's
 * element: ENERGY.Power.0).  The sensor name is the topic level the
 * filter's first + matched (the whole topic when it has none), written
 * into sensor_column (default: the table's first TEXT column).  Each
 * setting is checked when loaded and an error names the key
 * ("[mqtt.tasmota] values: ...").
 */
#ifndef HEARTH_MQTT_MAP_H
#define HEARTH_MQTT_MAP_H

#include <stddef.h>

#include "base/buf.h"
#include "base/config.h"
#include "base/err.h"

/* Longest topic and filter (MQTT allows 65535 bytes; no device needs
 * more than this). */
#define MQTT_TOPIC_MAX 1024

enum mqtt_kind {
	MQTT_VALUES,  /* one row per message with the values */
	MQTT_RISING,  /* one (time, sensor) row per false -> true edge */
};

struct mqtt_value {
	char *column;
	char *path;   /* NULL: the whole payload ($) */
};

struct mqtt_map {
	char *name;            /* NAME of [mqtt.NAME] */
	char *topic;           /* the filter */
	char *table;
	char *sensor_column;   /* NULL: the table's first TEXT column */
	char *time_column;     /* NULL: the table's time column */
	char *time_path;       /* NULL: the time the message arrived */
	enum mqtt_kind kind;
	struct mqtt_value *values;
	size_t nvalues;
	char *rising;          /* MQTT_RISING: the path of the state */
};

/* mqtt_filter_check: 0 when f is a valid subscription filter (levels
 * split by '/', '+' alone in a level, '#' alone in the last level, UTF-8,
 * at most MQTT_TOPIC_MAX bytes), else -1 with err saying why. */
int mqtt_filter_check(const char *f, struct hearth_err *err);

/*
 * mqtt_topic_match: 1 when topic matches filter f, else 0.  On a match
 * *sensor and *sensor_len (either may be NULL) get the level of the
 * topic that f's first '+' matched, or the whole topic when f has none.
 * As MQTT says, '+' and '#' at the start of a filter do not match topics
 * that start with '$' ($SYS/...).
 */
int mqtt_topic_match(const char *f, const char *topic, const char **sensor,
		     size_t *sensor_len);

/* mqtt_map_load: read and check [mqtt.NAME] into m (released first by
 * the caller or zeroed); -1 with err naming the key. */
int mqtt_map_load(struct mqtt_map *m, const struct config *cfg,
		  const char *name, struct hearth_err *err);
void mqtt_map_release(struct mqtt_map *m);

/* Values taken from one payload: texts as the writer takes them (a JSON
 * number as written, true/false as 1/0, a string as it is, null as ""). */
struct mqtt_fields {
	struct buf *vals;      /* nvalues of them (MQTT_VALUES) */
	size_t nvals;
	struct buf time;       /* the time_path's value; empty: none */
	int state;             /* MQTT_RISING: 1 true, 0 false */
};

void mqtt_fields_init(struct mqtt_fields *f);
void mqtt_fields_release(struct mqtt_fields *f);

/*
 * mqtt_map_extract: the values of payload p[0..n) for m into f.  -1 when
 * the payload does not fit the mapping, with err saying why in one line
 * ("not JSON: ...", "ENERGY.Power is an object, not a value", "no
 * ENERGY.Power in the payload", "occupancy is not true or false").  A
 * path that is missing gives an empty value; a message with none of its
 * paths is an error.
 */
int mqtt_map_extract(const struct mqtt_map *m, const char *p, size_t n,
		     struct mqtt_fields *f, struct hearth_err *err);

#endif
