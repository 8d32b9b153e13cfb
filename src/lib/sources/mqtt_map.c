/*
 * mqtt_map.c - topic filters and the [mqtt.NAME] mappings (mqtt_map.h).
 */
#include "sources/mqtt_map.h"

#include <ctype.h>
#include <jansson.h>
#include <mosquitto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xalloc.h"

int mqtt_filter_check(const char *f, struct hearth_err *err)
{
	size_t n = strlen(f);

	if (n == 0)
		return err_set(err, "empty topic filter");
	if (n > MQTT_TOPIC_MAX)
		return err_set(err, "topic filter longer than %d bytes",
			       MQTT_TOPIC_MAX);
	if (mosquitto_validate_utf8(f, (int)n) != MOSQ_ERR_SUCCESS)
		return err_set(err, "topic filter is not UTF-8 text");
	if (mosquitto_sub_topic_check2(f, n) != MOSQ_ERR_SUCCESS)
		return err_set(err, "'%s' is not a topic filter ('+' and '#' "
			       "stand alone in a level, '#' only last)", f);
	return 0;
}

int mqtt_topic_match(const char *f, const char *topic, const char **sensor,
		     size_t *sensor_len)
{
	const char *t = topic, *s = NULL;
	size_t sl = 0;

	if (*t == '$' && (*f == '+' || *f == '#'))
		return 0;
	for (;;) {
		const char *fe = strchr(f, '/'), *te = strchr(t, '/');
		size_t fl = fe ? (size_t)(fe - f) : strlen(f);
		size_t tl = te ? (size_t)(te - t) : strlen(t);

		if (fl == 1 && *f == '#')
			break; /* the rest, even none ("a/#" matches "a") */
		if (fl == 1 && *f == '+') {
			if (!s) {
				s = t;
				sl = tl;
			}
		} else if (fl != tl || memcmp(f, t, fl)) {
			return 0;
		}
		if (!fe && !te)
			break;
		if (!fe)
			return 0; /* the topic is longer */
		if (!te) {
			/* The topic ended: only "/#" may follow. */
			if (!strcmp(fe, "/#"))
				break;
			return 0;
		}
		f = fe + 1;
		t = te + 1;
	}
	if (!s) {
		s = topic;
		sl = strlen(topic);
	}
	if (sensor)
		*sensor = s;
	if (sensor_len)
		*sensor_len = sl;
	return 1;
}

/* A column name or a path: printable, no blanks, no separators. */
static int plain(const char *s, const char *extra)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == ',' || *s == '=' ||
		    strchr(extra, *s))
			return 0;
	return 1;
}

static int path_ok(const char *p)
{
	size_t n = strlen(p);

	return plain(p, "") && p[0] != '.' && p[n - 1] != '.' &&
	       !strstr(p, "..");
}

static char *dup_trim(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

/* "col=path, col=$" into m->values. */
static int parse_values(struct mqtt_map *m, const char *v,
			struct hearth_err *err)
{
	const char *p = v;
	size_t alloc = 0;

	for (;;) {
		const char *end = strchr(p, ','), *eq;
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char *item = dup_trim(p, n), *col, *path;

		eq = strchr(item, '=');
		if (!eq) {
			err_set(err, "[mqtt.%s] values: '%s' is not COLUMN=PATH "
				"(or COLUMN=$ for the whole payload)", m->name,
				item);
			free(item);
			return -1;
		}
		col = dup_trim(item, (size_t)(eq - item));
		path = dup_trim(eq + 1, strlen(eq + 1));
		free(item);
		XGROW(m->values, m->nvalues + 1, alloc);
		m->values[m->nvalues].column = col;
		m->values[m->nvalues].path = NULL;
		m->nvalues++;
		if (!plain(col, ".$")) {
			err_set(err, "[mqtt.%s] values: bad column name '%s'",
				m->name, col);
			free(path);
			return -1;
		}
		if (!strcmp(path, "$")) {
			free(path);
		} else if (!path_ok(path) || strchr(path, '$')) {
			err_set(err, "[mqtt.%s] values: bad path '%s' for %s "
				"(JSON keys joined by dots, or $)", m->name,
				path, col);
			free(path);
			return -1;
		} else {
			m->values[m->nvalues - 1].path = path;
		}
		if (!end)
			return 0;
		p = end + 1;
	}
}

static char *opt(const struct config *cfg, const char *sec, const char *key)
{
	const char *v = config_get(cfg, sec, key);

	return v && *v ? xstrdup(v) : NULL;
}

/* The keys a mapping may have: anything else is a typo worth naming,
 * but config.h cannot list a section's keys, so the likely ones are
 * asked for. */
static const char *const wrong_keys[] = {
	"value", "column", "columns", "sensor", "filter", "topics", "edge",
	"payload", NULL,
};

int mqtt_map_load(struct mqtt_map *m, const struct config *cfg,
		  const char *name, struct hearth_err *err)
{
	char sec[160];
	const char *v;
	size_t i;

	memset(m, 0, sizeof(*m));
	m->name = xstrdup(name);
	if (!plain(name, "./[]") || strlen(name) > 64)
		return err_set(err, "[mqtt] maps: bad mapping name '%s'", name);
	snprintf(sec, sizeof(sec), "mqtt.%s", name);
	for (i = 0; wrong_keys[i]; i++)
		if (config_get(cfg, sec, wrong_keys[i]))
			return err_set(err, "[%s] %s: unknown key (topic, table, "
				       "values or rising, time, sensor_column, "
				       "time_column)", sec, wrong_keys[i]);
	v = config_get(cfg, sec, "topic");
	if (!v || !*v)
		return err_set(err, "[%s] topic is not set (the [mqtt] maps "
			       "entry '%s' needs this section)", sec, name);
	if (mqtt_filter_check(v, err) < 0)
		return err_prefix(err, "[%s] topic", sec);
	m->topic = xstrdup(v);
	v = config_get(cfg, sec, "table");
	if (!v || !*v)
		return err_set(err, "[%s] table is not set", sec);
	if (!plain(v, ""))
		return err_set(err, "[%s] table: bad name '%s'", sec, v);
	m->table = xstrdup(v);
	m->sensor_column = opt(cfg, sec, "sensor_column");
	m->time_column = opt(cfg, sec, "time_column");
	m->time_path = opt(cfg, sec, "time");
	if (m->time_path && !path_ok(m->time_path))
		return err_set(err, "[%s] time: bad path '%s' (JSON keys joined "
			       "by dots)", sec, m->time_path);
	v = config_get(cfg, sec, "values");
	m->rising = opt(cfg, sec, "rising");
	if (v && *v && m->rising)
		return err_set(err, "[%s] values and rising: set one of them",
			       sec);
	if (m->rising) {
		m->kind = MQTT_RISING;
		if (!path_ok(m->rising))
			return err_set(err, "[%s] rising: bad path '%s' (JSON "
				       "keys joined by dots)", sec, m->rising);
		return 0;
	}
	if (!v || !*v)
		return err_set(err, "[%s] values (or rising) is not set", sec);
	m->kind = MQTT_VALUES;
	if (parse_values(m, v, err) < 0)
		return -1;
	for (i = 0; i < m->nvalues; i++)
		if (!m->values[i].path && (m->nvalues > 1 || m->time_path))
			return err_set(err, "[%s] values: $ (the whole payload) "
				       "is the only value when it is used, with "
				       "no time path", sec);
	return 0;
}

void mqtt_map_release(struct mqtt_map *m)
{
	size_t i;

	for (i = 0; i < m->nvalues; i++) {
		free(m->values[i].column);
		free(m->values[i].path);
	}
	free(m->values);
	free(m->name);
	free(m->topic);
	free(m->table);
	free(m->sensor_column);
	free(m->time_column);
	free(m->time_path);
	free(m->rising);
	memset(m, 0, sizeof(*m));
}

void mqtt_fields_init(struct mqtt_fields *f)
{
	memset(f, 0, sizeof(*f));
}

void mqtt_fields_release(struct mqtt_fields *f)
{
	size_t i;

	for (i = 0; i < f->nvals; i++)
		buf_release(&f->vals[i]);
	free(f->vals);
	buf_release(&f->time);
	memset(f, 0, sizeof(*f));
}

/* The node at path under root, NULL when missing. */
static json_t *walk(json_t *root, const char *path)
{
	json_t *j = root;
	const char *p = path;

	while (j && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		char key[256];

		if (n >= sizeof(key))
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		if (json_is_object(j)) {
			j = json_object_get(j, key);
		} else if (json_is_array(j) && strspn(key, "0123456789") == n &&
			   n < 9) {
			j = json_array_get(j, (size_t)strtoul(key, NULL, 10));
		} else {
			return NULL;
		}
		p = dot ? dot + 1 : p + n;
	}
	return j;
}

static const char *type_name(const json_t *j)
{
	return json_is_object(j) ? "an object" : "an array";
}

/* The node as text for the writer; -1 for an object or array. */
static int node_text(const json_t *j, const char *path, struct buf *out,
		     struct hearth_err *err)
{
	buf_reset(out);
	if (!j || json_is_null(j))
		return 0;
	if (json_is_integer(j))
		buf_addf(out, "%lld", (long long)json_integer_value(j));
	else if (json_is_real(j))
		buf_addf(out, "%.17g", json_real_value(j));
	else if (json_is_boolean(j))
		buf_addch(out, json_is_true(j) ? '1' : '0');
	else if (json_is_string(j))
		buf_add(out, json_string_value(j), json_string_length(j));
	else
		return err_set(err, "%s is %s, not a value", path, type_name(j));
	return 0;
}

static int state_of(const json_t *j, const char *path, int *state,
		    struct hearth_err *err)
{
	static const char *const on[] = { "true", "on", "1", "yes",
					  "detected", NULL };
	static const char *const off[] = { "false", "off", "0", "no",
					   "clear", NULL };
	size_t i;

	if (!j)
		return err_set(err, "no %s in the payload", path);
	if (json_is_boolean(j)) {
		*state = json_is_true(j);
		return 0;
	}
	if (json_is_integer(j) && (json_integer_value(j) == 0 ||
				   json_integer_value(j) == 1)) {
		*state = (int)json_integer_value(j);
		return 0;
	}
	if (json_is_string(j)) {
		for (i = 0; on[i]; i++)
			if (!strcasecmp(json_string_value(j), on[i])) {
				*state = 1;
				return 0;
			}
		for (i = 0; off[i]; i++)
			if (!strcasecmp(json_string_value(j), off[i])) {
				*state = 0;
				return 0;
			}
	}
	return err_set(err, "%s is not true or false", path);
}

int mqtt_map_extract(const struct mqtt_map *m, const char *p, size_t n,
		     struct mqtt_fields *f, struct hearth_err *err)
{
	json_error_t je;
	json_t *root = NULL;
	size_t i, found = 0;
	int ret = -1;

	mqtt_fields_release(f);
	f->nvals = m->nvalues;
	f->vals = xcalloc(m->nvalues ? m->nvalues : 1, sizeof(*f->vals));
	if (m->kind == MQTT_VALUES && m->nvalues == 1 && !m->values[0].path) {
		/* A plain payload: "512.3", maybe with a line break. */
		while (n && isspace((unsigned char)p[n - 1]))
			n--;
		while (n && isspace((unsigned char)*p)) {
			p++;
			n--;
		}
		if (n == 0)
			return err_set(err, "empty payload");
		if (memchr(p, '\0', n) ||
		    mosquitto_validate_utf8(p, (int)n) != MOSQ_ERR_SUCCESS)
			return err_set(err, "payload is not text");
		buf_add(&f->vals[0], p, n);
		return 0;
	}
	root = json_loadb(p, n, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		err_set(err, "not JSON: %s at byte %d", je.text, je.position);
		goto out;
	}
	if (!json_is_object(root)) {
		err_set(err, "payload is not a JSON object");
		goto out;
	}
	if (m->kind == MQTT_RISING) {
		if (state_of(walk(root, m->rising), m->rising, &f->state,
			     err) < 0)
			goto out;
	} else {
		for (i = 0; i < m->nvalues; i++) {
			json_t *j = walk(root, m->values[i].path);
			if (node_text(j, m->values[i].path, &f->vals[i],
				      err) < 0)
				goto out;
			if (j && !json_is_null(j))
				found++;
		}
		if (!found) {
			struct buf names = BUF_INIT;
			for (i = 0; i < m->nvalues; i++)
				buf_addf(&names, "%s%s", i ? i + 1 ==
					 m->nvalues ? " or " : ", " : "",
					 m->values[i].path);
			err_set(err, "no %s in the payload", names.s);
			buf_release(&names);
			goto out;
		}
	}
	if (m->time_path) {
		json_t *j = walk(root, m->time_path);
		if (!j) {
			err_set(err, "no %s (the time) in the payload",
				m->time_path);
			goto out;
		}
		if (node_text(j, m->time_path, &f->time, err) < 0)
			goto out;
	}
	ret = 0;
out:
	json_decref(root);
	return ret;
}
