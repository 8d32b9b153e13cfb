/*
 * mqtt_settings.c - [mqtt] settings: the broker, the login, the mappings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sources/mqtt.h"
#include "sources/netaddr.h"
#include "sources/secret.h"
#include "base/xalloc.h"

/* mqtt[s]://host[:port], nothing after but an optional '/'. */
static int parse_url(struct mqtt_settings *s, const char *url,
		     struct hearth_err *err)
{
	const char *auth, *end;
	char *port = NULL;
	int rc;

	if (!strncasecmp(url, "mqtts://", 8)) {
		s->tls = 1;
		auth = url + 8;
	} else if (!strncasecmp(url, "mqtt://", 7)) {
		auth = url + 7;
	} else {
		return err_set(err, "[mqtt] url '%s': want mqtt://HOST[:PORT] "
			       "or mqtts://HOST[:PORT]", url);
	}
	end = auth + strcspn(auth, "/");
	if (*end && end[1])
		return err_set(err, "[mqtt] url '%s': no path after the host "
			       "(topics go in [mqtt.NAME] sections)", url);
	rc = netaddr_split("mqtt", url, auth, (size_t)(end - auth), &s->host,
			   &port, err);
	s->port = s->tls ? 8883 : 1883;
	if (rc == 0 && port) {
		/* Digits only, five at most: netaddr_split checked. */
		s->port = (int)strtol(port, NULL, 10);
		if (s->port < 1 || s->port > 65535)
			rc = err_set(err, "[mqtt] url '%s': bad port", url);
	}
	free(port);
	return rc;
}

static int number(const char *key, const char *dflt, long lo, long hi,
		  const struct config *cfg, long *out, struct hearth_err *err)
{
	const char *v = config_get_or(cfg, "mqtt", key, dflt);
	char *end;

	*out = strtol(v, &end, 10);
	if (!*v || *end || *out < lo || *out > hi)
		return err_set(err, "[mqtt] %s '%s': want %ld to %ld", key, v,
			       lo, hi);
	return 0;
}

/* "tasmota, shelly zigbee" into the maps. */
static int load_maps(struct mqtt_settings *s, const struct config *cfg,
		     struct hearth_err *err)
{
	const char *v = config_get(cfg, "mqtt", "maps"), *p;
	size_t alloc = 0, i;

	if (!v || !*v)
		return err_set(err, "[mqtt] maps is not set (the names of the "
			       "[mqtt.NAME] sections that map topics to "
			       "tables)");
	for (p = v; *p;) {
		size_t n;
		char *name;
		p += strspn(p, " \t,");
		n = strcspn(p, " \t,");
		if (!n)
			break;
		name = xstrndup(p, n);
		p += n;
		for (i = 0; i < s->nmaps; i++)
			if (!strcmp(s->maps[i].name, name)) {
				err_set(err, "[mqtt] maps: '%s' listed twice",
					name);
				free(name);
				return -1;
			}
		XGROW(s->maps, s->nmaps + 1, alloc);
		if (mqtt_map_load(&s->maps[s->nmaps++], cfg, name, err) < 0) {
			free(name);
			return -1;
		}
		free(name);
	}
	return 0;
}

int mqtt_settings_load(struct mqtt_settings *s, const struct config *cfg,
		       struct hearth_err *err)
{
	const char *url = config_get(cfg, "mqtt", "url"), *v;
	char host[256];
	long n;

	memset(s, 0, sizeof(*s));
	if (!url || !*url)
		return 1;
	s->url = xstrdup(url);
	if (parse_url(s, url, err) < 0)
		return -1;
	v = config_get(cfg, "mqtt", "user");
	if (v && *v) {
		s->user = xstrdup(v);
		if (config_get(cfg, "mqtt", "password"))
			return err_set(err, "[mqtt] password: secrets stay out "
				       "of the config; use password_file");
		if (config_get(cfg, "mqtt", "password_file") &&
		    secret_read(cfg, "mqtt", "password_file", &s->secret,
				err) < 0)
			return -1;
	} else if (config_get(cfg, "mqtt", "password_file") ||
		   config_get(cfg, "mqtt", "password")) {
		return err_set(err, "[mqtt] password_file is set but user is "
			       "not");
	}
	if (config_bool(cfg, "mqtt", "tls_verify", 1, &s->tls_verify, err) < 0)
		return -1;
	s->ca_file = config_path(cfg, "mqtt", "ca_file", NULL);
	if (s->ca_file && access(s->ca_file, R_OK) != 0)
		return err_set(err, "[mqtt] ca_file %s: cannot read it",
			       s->ca_file);
	/* The session lives under the client id: it must be the same at
	 * every start, and differ between two hearths on one broker. */
	v = config_get(cfg, "mqtt", "client_id");
	if (v && *v) {
		s->client_id = xstrdup(v);
	} else {
		if (gethostname(host, sizeof(host)) < 0)
			snprintf(host, sizeof(host), "local");
		host[sizeof(host) - 1] = '\0';
		s->client_id = xmalloc(strlen(host) + 8);
		snprintf(s->client_id, strlen(host) + 8, "hearth-%s", host);
	}
	if (strlen(s->client_id) > 128 || strpbrk(s->client_id, "/+#"))
		return err_set(err, "[mqtt] client_id '%.140s': at most 128 "
			       "bytes, no / + #", s->client_id);
	if (number("keepalive", "60", 5, 3600, cfg, &n, err) < 0)
		return -1;
	s->keepalive = (int)n;
	if (number("max_payload", "65536", 16, 16 << 20, cfg, &n, err) < 0)
		return -1;
	s->max_payload = (size_t)n;
	if (config_duration(cfg, "mqtt", "backoff_max", "60s", "60s or 5m",
			    &s->backoff_max_us, err) < 0)
		return -1;
	return load_maps(s, cfg, err);
}

void mqtt_settings_release(struct mqtt_settings *s)
{
	size_t i;

	for (i = 0; i < s->nmaps; i++)
		mqtt_map_release(&s->maps[i]);
	free(s->maps);
	free(s->url);
	free(s->host);
	free(s->ca_file);
	free(s->user);
	secret_free(s->secret);
	free(s->client_id);
	memset(s, 0, sizeof(*s));
}
