/*
 * open.c - store_open: the backend a URL names.  A second backend is one
 * more case here and its file pair.
 */
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "store/pg.h"
#include "store/sqlite.h"

/* The password: the first line of file. */
static char *read_password(const char *file, struct hearth_err *err)
{
	char line[1024];
	FILE *f = fopen(file, "r");
	size_t n;

	if (!f) {
		err_set(err, "[hearth] password_file %s: %s", file,
			strerror(errno));
		return NULL;
	}
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	return xstrdup(line);
}

static int pg_url(const char *url)
{
	return !strncmp(url, "postgresql://", 13) ||
	       !strncmp(url, "postgres://", 11);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

int store_where_config(struct store_where *w, const struct config *cfg)
{
	const char *url = config_get(cfg, "hearth", "db");

	memset(w, 0, sizeof(*w));
	if (!url)
		return 1;
	w->url = xstrdup(url);
	if (config_source(cfg, "hearth", "db") == CONFIG_FILE)
		w->basedir = xstrdup(config_file_dir(cfg));
	w->password_file = config_path(cfg, "hearth", "password_file", NULL);
	w->durability = dup_or_null(config_get(cfg, "hearth", "durability"));
	return 0;
}

void store_where_copy(struct store_where *dst, const struct store_where *src)
{
	dst->url = dup_or_null(src->url);
	dst->basedir = dup_or_null(src->basedir);
	dst->password_file = dup_or_null(src->password_file);
	dst->durability = dup_or_null(src->durability);
}

void store_where_release(struct store_where *w)
{
	free(w->url);
	free(w->basedir);
	free(w->password_file);
	free(w->durability);
	memset(w, 0, sizeof(*w));
}

int store_open_config(struct store **out, const struct config *cfg,
		      int flags, struct hearth_err *err)
{
	struct store_where w;
	int rc;

	*out = NULL;
	if (store_where_config(&w, cfg) > 0)
		return err_set(err, "no database configured");
	rc = store_open_at(out, &w, flags, err);
	store_where_release(&w);
	return rc;
}

int store_open_at(struct store **out, const struct store_where *w, int flags,
		  struct hearth_err *err)
{
	char *password = NULL;
	int ret;

	*out = NULL;
	if (w->durability && !strcmp(w->durability, "full"))
		flags |= STORE_DURABLE;
	else if (w->durability && strcmp(w->durability, "normal"))
		return err_set(err, "[hearth] durability '%s': use normal or "
			       "full", w->durability);
	if (w->password_file && pg_url(w->url)) {
		if (!(password = read_password(w->password_file, err)))
			return -1;
		ret = store_pg_open(out, w->url, password, flags, err);
		memset(password, 0, strlen(password));
		free(password);
		return ret;
	}
	return store_open(out, w->url, w->basedir, flags, err);
}

const char *store_url_dialect(const char *url)
{
	return pg_url(url) ? "postgresql" : "sqlite";
}

int store_open(struct store **out, const char *url, const char *basedir,
	       int flags, struct hearth_err *err)
{
	char *path = NULL;
	int ret;

	*out = NULL;
	if (!strncmp(url, "sqlite:///", 10)) {
		path = xstrdup(url + 10);
	} else if (!strncmp(url, "sqlite://", 9)) {
		return err_set(err, "bad database url '%s': use sqlite:///FILE "
			       "or sqlite:////ABSOLUTE/FILE", url);
	} else if (pg_url(url)) {
		return store_pg_open(out, url, NULL, flags, err);
	} else if (strstr(url, "://")) {
		return err_set(err, "unknown database url scheme in '%s'", url);
	} else {
		path = xstrdup(url);
	}
	if (!*path) {
		free(path);
		return err_set(err, "database url '%s' names no file", url);
	}
	if (path[0] != '/' && strcmp(path, ":memory:") && basedir &&
	    strcmp(basedir, ".")) {
		char *joined = xasprintf("%s/%s", basedir, path);
		free(path);
		path = joined;
	}
	ret = store_sqlite_open(out, path, flags, err);
	free(path);
	return ret;
}
