#include "base/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/timefmt.h"
#include "base/xalloc.h"

struct entry {
	char *section;
	char *key;
	char *value;
	enum config_source src;
};

struct config {
	struct entry *e;
	size_t n, alloc;
	char *dir;
	char *path; /* the file loaded last, NULL when none */
};

struct config *config_new(void)
{
	struct config *cfg = xcalloc(1, sizeof(*cfg));

	cfg->dir = xstrdup(".");
	return cfg;
}

void config_free(struct config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < cfg->n; i++) {
		free(cfg->e[i].section);
		free(cfg->e[i].key);
		free(cfg->e[i].value);
	}
	free(cfg->e);
	free(cfg->dir);
	free(cfg->path);
	free(cfg);
}

static struct entry *find(const struct config *cfg, const char *section,
			  const char *key, enum config_source src)
{
	size_t i;

	for (i = 0; i < cfg->n; i++)
		if (cfg->e[i].src == src && !strcmp(cfg->e[i].section, section) &&
		    !strcmp(cfg->e[i].key, key))
			return &cfg->e[i];
	return NULL;
}

static void put(struct config *cfg, const char *section, const char *key,
		const char *value, enum config_source src)
{
	struct entry *e = find(cfg, section, key, src);

	if (e) {
		free(e->value);
		e->value = xstrdup(value);
		return;
	}
	XGROW(cfg->e, cfg->n + 1, cfg->alloc);
	e = &cfg->e[cfg->n++];
	e->section = xstrdup(section);
	e->key = xstrdup(key);
	e->value = xstrdup(value);
	e->src = src;
}

void config_set_flag(struct config *cfg, const char *section, const char *key,
		     const char *value)
{
	put(cfg, section, key, value, CONFIG_FLAG);
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* An inline comment starts at ';' or '#' preceded by whitespace, as in
 * Python's configparser with inline_comment_prefixes. */
static void strip_inline_comment(char *v)
{
	char *p;

	for (p = v; *p; p++)
		if ((*p == ';' || *p == '#') && p > v &&
		    isspace((unsigned char)p[-1])) {
			*p = '\0';
			return;
		}
}

static int valid_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' &&
		    *s != '.')
			return 0;
	return 1;
}

int config_parse(struct config *cfg, const char *text, const char *name,
		 struct hearth_err *err)
{
	char *copy = xstrdup(text), *line, *next, section[128] = "";
	int lineno = 0, ret = -1;

	for (line = copy; line; line = next) {
		char *s, *eq, *key, *val;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		s = trim(line);
		if (!*s || *s == ';' || *s == '#')
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');
			if (!close || close[1]) {
				err_set(err, "%s:%d: bad section header", name,
					lineno);
				goto out;
			}
			*close = '\0';
			s = trim(s + 1);
			if (!valid_name(s) || strlen(s) >= sizeof(section)) {
				err_set(err, "%s:%d: bad section name '%.64s'",
					name, lineno, s);
				goto out;
			}
			memcpy(section, s, strlen(s) + 1);
			continue;
		}
		eq = strchr(s, '=');
		if (!eq) {
			err_set(err, "%s:%d: expected key = value", name,
				lineno);
			goto out;
		}
		if (!*section) {
			err_set(err, "%s:%d: key outside of a [section]", name,
				lineno);
			goto out;
		}
		*eq = '\0';
		key = trim(s);
		if (!valid_name(key)) {
			err_set(err, "%s:%d: bad key '%.64s'", name, lineno,
				key);
			goto out;
		}
		val = eq + 1;
		strip_inline_comment(val);
		put(cfg, section, key, trim(val), CONFIG_FILE);
	}
	ret = 0;
out:
	free(copy);
	return ret;
}

int config_load_file(struct config *cfg, const char *path,
		     struct hearth_err *err)
{
	struct buf b = BUF_INIT;
	char *slash;
	int ret = -1;

	if (buf_read_file(&b, path, err) < 0) {
		err_prefix(err, "config");
		goto out;
	}
	if (config_parse(cfg, buf_cstr(&b), path, err) < 0)
		goto out;
	free(cfg->dir);
	slash = strrchr(path, '/');
	cfg->dir = slash ? xstrndup(path, (size_t)(slash - path + (slash == path)))
			 : xstrdup(".");
	free(cfg->path);
	cfg->path = xstrdup(path);
	ret = 0;
out:
	buf_release(&b);
	return ret;
}

static const char *env_value(const char *section, const char *key)
{
	char name[256];
	size_t i;
	int n;

	if (!strcmp(section, "hearth"))
		n = snprintf(name, sizeof(name), "HEARTH_%s", key);
	else
		n = snprintf(name, sizeof(name), "HEARTH_%s_%s", section, key);
	if (n < 0 || (size_t)n >= sizeof(name))
		return NULL;
	for (i = 0; name[i]; i++) {
		name[i] = (char)toupper((unsigned char)name[i]);
		if (name[i] == '-' || name[i] == '.')
			name[i] = '_';
	}
	return getenv(name);
}

enum config_source config_source(const struct config *cfg, const char *section,
				 const char *key)
{
	if (find(cfg, section, key, CONFIG_FLAG))
		return CONFIG_FLAG;
	if (env_value(section, key))
		return CONFIG_ENV;
	if (find(cfg, section, key, CONFIG_FILE))
		return CONFIG_FILE;
	return CONFIG_UNSET;
}

const char *config_get(const struct config *cfg, const char *section,
		       const char *key)
{
	struct entry *e;
	const char *v;

	if ((e = find(cfg, section, key, CONFIG_FLAG)))
		return e->value;
	if ((v = env_value(section, key)))
		return v;
	if ((e = find(cfg, section, key, CONFIG_FILE)))
		return e->value;
	return NULL;
}

const char *config_get_or(const struct config *cfg, const char *section,
			  const char *key, const char *dflt)
{
	const char *v = config_get(cfg, section, key);

	return v ? v : dflt;
}

int config_each(const struct config *cfg, const char *section,
		int (*fn)(void *ctx, const char *key, const char *value),
		void *ctx)
{
	size_t i;
	int rc;

	for (i = 0; i < cfg->n; i++) {
		const struct entry *e = &cfg->e[i];
		/* A key given twice (file and flag) once, as it counts. */
		if (strcmp(e->section, section) ||
		    (e->src == CONFIG_FILE &&
		     find(cfg, section, e->key, CONFIG_FLAG)))
			continue;
		if ((rc = fn(ctx, e->key, config_get(cfg, section, e->key))))
			return rc;
	}
	return 0;
}

const char *config_file(const struct config *cfg)
{
	return cfg->path;
}

int config_reload(const struct config *cfg, struct config **out,
		  struct hearth_err *err)
{
	struct config *n = config_new();
	size_t i;

	*out = NULL;
	if (cfg->path && config_load_file(n, cfg->path, err) < 0) {
		config_free(n);
		return -1;
	}
	for (i = 0; i < cfg->n; i++)
		if (cfg->e[i].src == CONFIG_FLAG)
			put(n, cfg->e[i].section, cfg->e[i].key, cfg->e[i].value,
			    CONFIG_FLAG);
	*out = n;
	return 0;
}

const char *config_file_dir(const struct config *cfg)
{
	return cfg->dir;
}

char *config_path(const struct config *cfg, const char *section,
		  const char *key, const char *dflt)
{
	const char *v = config_get(cfg, section, key);
	enum config_source src = config_source(cfg, section, key);

	if (!v) {
		if (!dflt)
			return NULL;
		v = dflt;
		src = CONFIG_FILE; /* defaults live beside the file */
	}
	if (v[0] == '/' || src != CONFIG_FILE || !strcmp(cfg->dir, "."))
		return xstrdup(v);
	return xasprintf("%s/%s", cfg->dir, v);
}

int config_bool(const struct config *cfg, const char *section,
		const char *key, int dflt, int *out, struct hearth_err *err)
{
	const char *v = config_get(cfg, section, key);

	if (!v)
		*out = dflt;
	else if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") ||
		 !strcmp(v, "1"))
		*out = 1;
	else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") ||
		 !strcmp(v, "0"))
		*out = 0;
	else
		return err_set(err, "[%s] %s '%s': want yes or no", section,
			       key, v);
	return 0;
}

int config_duration(const struct config *cfg, const char *section,
		    const char *key, const char *dflt, const char *examples,
		    int64_t *us, struct hearth_err *err)
{
	const char *v = config_get_or(cfg, section, key, dflt);

	if (timefmt_duration(v, us) < 0)
		return err_set(err, "[%s] %s '%s': want a duration such as %s",
			       section, key, v, examples);
	return 0;
}
