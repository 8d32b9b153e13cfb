/*
 * open.c - store_open: the backend a URL names.  A second backend is one
 * more case here and its file pair.
 */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "store/pg.h"
#include "store/sqlite.h"

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
	} else if (!strncmp(url, "postgresql://", 13) ||
		   !strncmp(url, "postgres://", 11)) {
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
