/*
 * wemo_settings.c - [wemo] read and checked (see wemo.h).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/timefmt.h"
#include "base/xalloc.h"
#include "sources/wemo.h"

#define MAX_DEVICES 256

/* "HOST", "HOST:PORT", "[V6]" or "[V6]:PORT". */
static int check_device(const char *d)
{
	const char *p, *colon = NULL;

	if (!*d || strlen(d) > 200)
		return -1;
	for (p = d; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '/' || *p == '@')
			return -1;
	if (*d == '[') {
		p = strchr(d, ']');
		if (!p || p == d + 1)
			return -1;
		if (p[1] == '\0')
			return 0;
		if (p[1] != ':')
			return -1;
		colon = p + 1;
	} else {
		colon = strchr(d, ':');
		if (colon && strchr(colon + 1, ':'))
			return -1; /* a bare IPv6 address: bracket it */
		if (colon == d)
			return -1;
	}
	if (colon) {
		char *e;
		long port = strtol(colon + 1, &e, 10);
		if (*e || e == colon + 1 || port < 1 || port > 65535)
			return -1;
	}
	return 0;
}

static int load_devices(struct wemo_settings *s, const char *list,
			struct hearth_err *err)
{
	const char *p = list;

	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char *d;
		while (n && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		d = xstrndup(p, n);
		if (check_device(d) < 0) {
			err_set(err, "[wemo] devices: '%.60s' is not HOST or "
				"HOST:PORT", d);
			free(d);
			return -1;
		}
		for (size_t i = 0; i < s->ndevices; i++)
			if (!strcasecmp(s->devices[i], d)) {
				/* Watched twice, each edge would be two rows. */
				err_set(err, "[wemo] devices: '%.60s' is listed "
					"twice", d);
				free(d);
				return -1;
			}
		if (s->ndevices == MAX_DEVICES) {
			free(d);
			return err_set(err, "[wemo] devices: more than %d",
				       MAX_DEVICES);
		}
		s->devices = xreallocarray(s->devices, s->ndevices + 1,
					   sizeof(*s->devices));
		s->devices[s->ndevices++] = d;
		p += e ? (size_t)(e - p) + 1 : strlen(p);
		if (!e)
			break;
	}
	return 0;
}

static int duration(const struct config *cfg, const char *key,
		    const char *dflt, int64_t min_s, int64_t max_s,
		    int64_t *out, struct hearth_err *err)
{
	const char *v = config_get_or(cfg, "wemo", key, dflt);

	if (timefmt_duration(v, out) < 0 || *out < min_s * US_PER_SEC ||
	    *out > max_s * US_PER_SEC)
		return err_set(err, "[wemo] %s '%.40s': want a duration from "
			       "%llds to %llds, such as 30s or 5m", key, v,
			       (long long)min_s, (long long)max_s);
	return 0;
}

static char *dup_or_null(const char *v)
{
	return v && *v ? xstrdup(v) : NULL;
}

int wemo_settings_load(struct wemo_settings *s, const struct config *cfg,
		       struct hearth_err *err)
{
	const char *list = config_get(cfg, "wemo", "devices");
	int64_t us;

	memset(s, 0, sizeof(*s));
	if (!list || !*list)
		return 1;
	if (load_devices(s, list, err) < 0)
		goto bad;
	if (!s->ndevices) {
		err_set(err, "[wemo] devices lists no device");
		goto bad;
	}
	s->table = xstrdup(config_get_or(cfg, "wemo", "table", "motion"));
	s->sensor_column = dup_or_null(config_get(cfg, "wemo", "sensor_column"));
	s->power_table = dup_or_null(config_get(cfg, "wemo", "power_table"));
	s->power_column = dup_or_null(config_get(cfg, "wemo", "power_column"));
	s->listen = xstrdup(config_get_or(cfg, "wemo", "listen", "0.0.0.0:0"));
	if (duration(cfg, "subscription", "5m", 1, 86400, &us, err) < 0)
		goto bad;
	s->subscription_s = (int)(us / US_PER_SEC);
	if (duration(cfg, "poll_interval", "10s", 1, 3600, &s->poll_us,
		     err) < 0 ||
	    duration(cfg, "timeout", "5s", 1, 60, &us, err) < 0)
		goto bad;
	s->timeout_ms = (int)(us / 1000);
	return 0;
bad:
	wemo_settings_release(s);
	return -1;
}

void wemo_settings_release(struct wemo_settings *s)
{
	size_t i;

	for (i = 0; i < s->ndevices; i++)
		free(s->devices[i]);
	free(s->devices);
	free(s->table);
	free(s->sensor_column);
	free(s->power_table);
	free(s->power_column);
	free(s->listen);
	memset(s, 0, sizeof(*s));
}
