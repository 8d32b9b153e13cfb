/*
 * imap_settings.c - [imap] settings: the URL, the secret, the pattern.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sources/imap.h"
#include "sources/imapc.h"
#include "sources/netaddr.h"
#include "sources/secret.h"
#include "base/xalloc.h"

static int hexv(char c)
{
	return c >= '0' && c <= '9' ? c - '0'
	     : c >= 'a' && c <= 'f' ? c - 'a' + 10
	     : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* imap[s]://host[:port]/Folder, the folder percent-decoded. */
static int parse_url(struct imap_settings *s, const char *url,
		     struct hearth_err *err)
{
	const char *p, *auth, *slash;
	struct buf f = BUF_INIT;

	if (!strncasecmp(url, "imaps://", 8)) {
		s->tls = 1;
		auth = url + 8;
	} else if (!strncasecmp(url, "imap://", 7)) {
		auth = url + 7;
	} else {
		return err_set(err, "[imap] url '%s': want imaps://HOST[:PORT]"
			       "/FOLDER (or imap:// for a test server)", url);
	}
	slash = strchr(auth, '/');
	if (!slash || !slash[1])
		return err_set(err, "[imap] url '%s' names no folder (e.g. "
			       "imaps://imap.gmail.com/Motion)", url);
	if (netaddr_split("imap", url, auth, (size_t)(slash - auth), &s->host,
			  &s->port, err) < 0)
		return -1;
	if (!s->port)
		s->port = xstrdup(s->tls ? "993" : "143");
	for (p = slash + 1; *p; p++) {
		if (*p == '%' && hexv(p[1]) >= 0 && hexv(p[2]) >= 0) {
			buf_addch(&f, (char)(hexv(p[1]) * 16 + hexv(p[2])));
			p += 2;
		} else {
			buf_addch(&f, *p);
		}
	}
	s->folder = buf_detach(&f, NULL);
	if (strpbrk(s->folder, "\r\n") || strlen(s->folder) == 0)
		return err_set(err, "[imap] url '%s': bad folder name", url);
	return 0;
}

static char *dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

int imap_settings_load(struct imap_settings *s, const struct config *cfg,
		       struct hearth_err *err)
{
	const char *url = config_get(cfg, "imap", "url"), *v;

	memset(s, 0, sizeof(*s));
	if (!url || !*url)
		return 1;
	s->url = xstrdup(url);
	if (parse_url(s, url, err) < 0)
		return -1;
	v = config_get(cfg, "imap", "user");
	if (!v || !*v)
		return err_set(err, "[imap] user is not set");
	s->user = xstrdup(v);
	if (strpbrk(s->user, "\r\n"))
		return err_set(err, "[imap] user holds a line break");
	if (config_get(cfg, "imap", "password")) {
		return err_set(err, "[imap] password: secrets stay out of the "
			       "config; use password_file");
	}
	if (config_get(cfg, "imap", "oauth2_token_file")) {
		if (config_get(cfg, "imap", "password_file"))
			return err_set(err, "[imap] set password_file or "
				       "oauth2_token_file, not both");
		s->oauth2 = 1;
		if (secret_read(cfg, "imap", "oauth2_token_file", &s->secret,
				err) < 0)
			return -1;
	} else if (config_get(cfg, "imap", "password_file")) {
		if (secret_read(cfg, "imap", "password_file", &s->secret, err) < 0)
			return -1;
	} else {
		return err_set(err, "[imap] password_file (or "
			       "oauth2_token_file) is not set");
	}
	if (config_bool(cfg, "imap", "tls_verify", 1, &s->tls_verify, err) < 0)
		return -1;
	v = config_get_or(cfg, "imap", "starttls", "auto");
	if (!strcasecmp(v, "auto"))
		s->starttls = IMAPC_STARTTLS_AUTO;
	else if (!strcasecmp(v, "yes"))
		s->starttls = IMAPC_STARTTLS_YES;
	else if (!strcasecmp(v, "no"))
		s->starttls = IMAPC_STARTTLS_NO;
	else
		return err_set(err, "[imap] starttls '%s': want auto, yes or "
			       "no", v);
	s->ca_file = config_path(cfg, "imap", "ca_file", NULL);
	s->table = xstrdup(config_get_or(cfg, "imap", "table", "motion"));
	s->sensor_column = dup_or_null(config_get(cfg, "imap", "sensor_column"));
	s->time_column = dup_or_null(config_get(cfg, "imap", "time_column"));
	s->subject = xstrdup(config_get_or(cfg, "imap", "subject",
					   "'{sensor}' sensed motion: "
					   "{time:%B %d, %Y at %I:%M%p}"));
	s->timezone = dup_or_null(config_get(cfg, "imap", "timezone"));

	if (config_duration(cfg, "imap", "interval", "15m", "15m, 1h or 90s",
			    &s->interval_us, err) < 0)
		return -1;
	v = config_get_or(cfg, "imap", "timeout", "60");
	{
		char *end;
		long t = strtol(v, &end, 10);
		if (*end || t < 1 || t > 3600)
			return err_set(err, "[imap] timeout '%s': want 1 to "
				       "3600 seconds", v);
		s->timeout_sec = (int)t;
	}
	return 0;
}

void imap_settings_release(struct imap_settings *s)
{
	free(s->url);
	free(s->host);
	free(s->port);
	free(s->folder);
	free(s->ca_file);
	free(s->user);
	secret_free(s->secret);
	free(s->table);
	free(s->sensor_column);
	free(s->time_column);
	free(s->subject);
	free(s->timezone);
	memset(s, 0, sizeof(*s));
}
