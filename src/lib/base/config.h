/*
 * config.h - settings from hearth.ini, the environment and the command line.
 *
 * Lookups go command line first, then the environment, then the file, so
 * the command line wins.  The environment name of [hearth] key K is
 * HEARTH_K, of [S] key K it is HEARTH_S_K (upper case), e.g. HEARTH_DB,
 * HEARTH_SERVE_LISTEN.  The file is alembic.ini style: [section] headers,
 * `key = value` lines, `;` or `#` comments on their own line or after
 * whitespace at the end of a value.
 */
#ifndef HEARTH_CONFIG_H
#define HEARTH_CONFIG_H

#include <stdint.h>

#include "base/err.h"

enum config_source {
	CONFIG_UNSET,
	CONFIG_FILE,
	CONFIG_ENV,
	CONFIG_FLAG,
};

struct config;

/* config_new: empty configuration; free with config_free. */
struct config *config_new(void);
void config_free(struct config *cfg);

/* config_load_file: read an ini file; values from it are CONFIG_FILE.
 * Errors name the file and line. */
int config_load_file(struct config *cfg, const char *path,
		     struct hearth_err *err);

/* config_parse: the same from a string; `name` is used in errors. */
int config_parse(struct config *cfg, const char *text, const char *name,
		 struct hearth_err *err);

/* config_set_flag: a value from the command line (wins over everything). */
void config_set_flag(struct config *cfg, const char *section, const char *key,
		     const char *value);

/* config_get: the value, or NULL when no source sets it.  The string is
 * owned by cfg (or the environment) and lives until config_free. */
const char *config_get(const struct config *cfg, const char *section,
		       const char *key);
/* config_get_or: like config_get with a default for unset keys. */
const char *config_get_or(const struct config *cfg, const char *section,
			  const char *key, const char *dflt);
/* config_source: where the value config_get returns comes from. */
enum config_source config_source(const struct config *cfg, const char *section,
				 const char *key);

/* config_each: fn(ctx, key, value) for each key of section given in the
 * file or on the command line (the environment cannot be listed), the
 * value config_get gives; fn returning non-zero stops the walk, and is
 * returned. */
int config_each(const struct config *cfg, const char *section,
		int (*fn)(void *ctx, const char *key, const char *value),
		void *ctx);

/* config_file: the file config_load_file read last (NULL: none). */
const char *config_file(const struct config *cfg);

/* config_reload: *out (free with config_free) gets config_file(cfg)
 * read again, with cfg's command-line values on top: what a server
 * takes on SIGHUP.  On an error (naming the file and line) *out is NULL
 * and cfg is as it was. */
int config_reload(const struct config *cfg, struct config **out,
		  struct hearth_err *err);

/* config_file_dir: directory of the loaded file ("." when none), which
 * relative paths in the file are resolved against. */
const char *config_file_dir(const struct config *cfg);

/* config_path: the value as a path: relative paths from the file are
 * joined to config_file_dir, others are left relative to the working
 * directory.  Returns a malloc'd string (caller frees) or NULL if unset and
 * dflt is NULL. */
char *config_path(const struct config *cfg, const char *section,
		  const char *key, const char *dflt);

/* config_bool: [section] key as yes/no (true/false, 1/0) into *out, dflt
 * when unset; -1 with err "[SECTION] KEY 'V': want yes or no". */
int config_bool(const struct config *cfg, const char *section,
		const char *key, int dflt, int *out, struct hearth_err *err);

/* config_duration: [section] key as a duration of a second or more
 * ("15m", "1h", "90s", or plain seconds: what --since takes) into *us,
 * dflt (a duration too) when unset; -1 with err "[SECTION] KEY 'V': want
 * a duration such as EXAMPLES". */
int config_duration(const struct config *cfg, const char *section,
		    const char *key, const char *dflt, const char *examples,
		    int64_t *us, struct hearth_err *err);

#endif
