/*
 * backups.c - scheduled backups (backups.h).
 */
#include "serve/backups.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/timefmt.h"
#include "base/xalloc.h"
#include "store/kv.h"
#include "store/store.h"

#define PREFIX "hearth-"
#define SUFFIX "Z.db"
/* hearth-20261203T113500Z.db */
#define NAME_LEN (sizeof(PREFIX) - 1 + 15 + sizeof(SUFFIX) - 1)
#define RETRY_US (3600 * (int64_t)1000000)

struct backup_settings {
	char *dir;
	int64_t every;
	long keep;
};

/* 1 when [backup] dir is not set, -1 on a bad setting. */
static int settings(struct config *cfg, struct backup_settings *b,
		    struct hearth_err *err)
{
	const char *every = config_get_or(cfg, "backup", "every", "1d");
	const char *keep = config_get_or(cfg, "backup", "keep", "7");
	char *end;

	memset(b, 0, sizeof(*b));
	if (!config_get(cfg, "backup", "dir"))
		return 1;
	if (timefmt_duration(every, &b->every) < 0)
		return err_set(err, "[backup] every '%s': want a duration such "
			       "as 1d or 12h", every);
	b->keep = strtol(keep, &end, 10);
	if (*end || !*keep || b->keep < 1 || b->keep > 1000)
		return err_set(err, "[backup] keep '%s': want 1 to 1000", keep);
	b->dir = config_path(cfg, "backup", "dir", NULL);
	return 0;
}

static int configure(struct config *cfg, int64_t *interval_us,
		     struct hearth_err *err)
{
	struct backup_settings b;
	int rc = settings(cfg, &b, err);

	/* Asked every minute, or every `every` when that is shorter. */
	*interval_us = rc == 0 && b.every < 60 * (int64_t)1000000
			       ? b.every : 60 * (int64_t)1000000;
	free(b.dir);
	return rc;
}

/* Whether a backup is due: by the time and outcome of the last attempt
 * kv has. */
static int due(struct store *s, const struct backup_settings *b,
	       struct hearth_err *err)
{
	struct kv_value t = KV_VALUE_INIT, e = KV_VALUE_INIT;
	int64_t wait = b->every;
	int rc = kv_get(s, "poll.backup.time", &t, err), ret;

	if (rc <= 0 || t.type != KV_TIMESTAMP) {
		kv_value_release(&t);
		return rc < 0 ? -1 : 1;
	}
	if (kv_get(s, "poll.backup.error", &e, err) > 0 && e.type == KV_TEXT &&
	    e.len && wait > RETRY_US)
		wait = RETRY_US;
	ret = timefmt_now() >= t.i + wait;
	kv_value_release(&t);
	kv_value_release(&e);
	return ret;
}

static int is_backup_name(const char *n)
{
	size_t len = strlen(n);

	return len == NAME_LEN && !strncmp(n, PREFIX, sizeof(PREFIX) - 1) &&
	       !strcmp(n + len - (sizeof(SUFFIX) - 1), SUFFIX);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Delete all but the newest keep backups in dir (the names sort by
 * time); returns how many are left. */
static long prune(const struct backup_settings *b)
{
	DIR *d = opendir(b->dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, i;
	long left;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (is_backup_name(de->d_name)) {
			names = xreallocarray(names, n + 1, sizeof(*names));
			names[n++] = xstrdup(de->d_name);
		}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	left = (long)n;
	for (i = 0; i < n; i++) {
		if ((long)(n - i) > b->keep) {
			char *p = xasprintf("%s/%s", b->dir, names[i]);
			if (unlink(p) == 0)
				left--;
			free(p);
		}
		free(names[i]);
	}
	free(names);
	return left;
}

/* The status of an attempt, best effort: a database that could not be
 * copied may not take it either. */
static void record(struct store *s, const char *result,
		   const struct hearth_err *failed)
{
	struct hearth_err ignore = HEARTH_ERR_INIT;

	kv_set_time(s, "poll.backup.time", timefmt_now(), &ignore);
	kv_set_text(s, "poll.backup.result", result, &ignore);
	kv_set_text(s, "poll.backup.error", failed ? failed->msg : "",
		    &ignore);
}

/* now to the second as 20261203T113500 (the name's Z is SUFFIX's). */
static void backup_stamp(int64_t now, char *out, size_t outsz)
{
	char iso[40];
	size_t i, j = 0;

	timefmt_format(now - now % 1000000, TIMEFMT_ISO_Z, iso, sizeof(iso));
	for (i = 0; iso[i] && j + 1 < outsz; i++)
		if (iso[i] != '-' && iso[i] != ':' && iso[i] != 'Z')
			out[j++] = iso[i];
	out[j] = '\0';
}

static int run(struct config *cfg, struct hearth_err *err)
{
	struct backup_settings b;
	struct store *s = NULL;
	struct stat sb;
	char stamp[32], *file = NULL, *result = NULL;
	int64_t now = timefmt_now();
	int rc, ret = -1;

	if ((rc = settings(cfg, &b, err)) != 0)
		return rc < 0 ? -1 : 0;
	if (store_open_config(&s, cfg, 0, err) < 0)
		goto out;
	if ((rc = due(s, &b, err)) <= 0) {
		ret = rc;
		goto out;
	}
	backup_stamp(now, stamp, sizeof(stamp));
	file = xasprintf("%s/" PREFIX "%s" SUFFIX, b.dir, stamp);
	if (mkdir(b.dir, 0750) < 0 && errno != EEXIST) {
		err_set(err, "[backup] dir %s: %s", b.dir, strerror(errno));
		record(s, "", err);
		goto out;
	}
	if (store_backup(s, file, err) < 0) {
		record(s, "", err);
		goto out;
	}
	result = xasprintf("%s, %lld bytes; %ld kept", file,
			   stat(file, &sb) == 0 ? (long long)sb.st_size : 0LL,
			   prune(&b));
	record(s, result, NULL);
	ret = 0;
out:
	store_close(s);
	free(b.dir);
	free(file);
	free(result);
	return ret;
}

const struct source_job backups_job = { "backup", configure, run };
