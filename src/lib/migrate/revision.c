/*
 * revision.c - revision files: parse, write, and order into a graph.
 *
 * The format is SQL with comment headers so the file stays valid SQL a
 * person can read and edit; only lines `-- up` and `-- down` are special
 * in the body.
 */
#include "migrate/revision.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "store/sqltok.h"
#include "base/xalloc.h"

void revision_release(struct revision *r)
{
	size_t i;

	free(r->id);
	for (i = 0; i < r->nparents; i++)
		free(r->parents[i]);
	free(r->parents);
	free(r->message);
	free(r->created);
	free(r->dialect);
	free(r->up);
	free(r->down);
	free(r->path);
	memset(r, 0, sizeof(*r));
}

void revision_set_release(struct revision_set *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		revision_release(&rs->revs[i]);
	free(rs->revs);
	rs->revs = NULL;
	rs->n = 0;
}

static char *trim(const char *p, size_t n)
{
	while (n && isspace((unsigned char)*p)) {
		p++;
		n--;
	}
	while (n && isspace((unsigned char)p[n - 1]))
		n--;
	return xstrndup(p, n);
}

static int valid_id(const char *id)
{
	const char *p;

	if (!*id || strlen(id) > 64)
		return 0;
	for (p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return 0;
	return 1;
}

static void checksum(const char *text, size_t len, char out[17])
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)text[i];
		h *= 0x100000001b3ULL;
	}
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* `-- key: value` header lines come before the first section marker. */
static int header_line(struct revision *r, const char *line, size_t n,
		       struct hearth_err *err, const char *path, int lineno)
{
	const char *colon = memchr(line, ':', n);
	char *key, *val;
	int ret = 0;

	if (n < 3 || strncmp(line, "--", 2) || !colon)
		return 0;
	key = trim(line + 2, (size_t)(colon - line - 2));
	val = trim(colon + 1, n - (size_t)(colon - line) - 1);
	if (!strcasecmp(key, "revision")) {
		if (!valid_id(val))
			ret = err_set(err, "%s:%d: bad revision id '%s'", path,
				      lineno, val);
		free(r->id);
		r->id = val;
		val = NULL;
	} else if (!strcasecmp(key, "parents") || !strcasecmp(key, "parent")) {
		char *p = val, *q;
		for (;;) {
			while (*p == ' ' || *p == ',' || *p == '\t')
				p++;
			if (!*p)
				break;
			q = p;
			while (*q && *q != ' ' && *q != ',' && *q != '\t')
				q++;
			r->parents = xreallocarray(r->parents, r->nparents + 1,
						   sizeof(char *));
			r->parents[r->nparents] = xstrndup(p, (size_t)(q - p));
			if (!valid_id(r->parents[r->nparents++]))
				ret = err_set(err, "%s:%d: bad parent id", path,
					      lineno);
			p = q;
		}
		if (r->nparents == 1 && !strcmp(r->parents[0], "none")) {
			free(r->parents[0]);
			r->nparents = 0;
		}
	} else if (!strcasecmp(key, "message")) {
		free(r->message);
		r->message = val;
		val = NULL;
	} else if (!strcasecmp(key, "created")) {
		free(r->created);
		r->created = val;
		val = NULL;
	} else if (!strcasecmp(key, "dialect")) {
		free(r->dialect);
		r->dialect = val;
		val = NULL;
	}
	free(key);
	free(val);
	return ret;
}

int revision_parse(struct revision *r, const char *path, const char *text,
		   size_t len, struct hearth_err *err)
{
	struct buf up = BUF_INIT, down = BUF_INIT, *sect = NULL;
	const char *p = text, *end = text + len;
	int lineno = 0, ret = -1;

	memset(r, 0, sizeof(*r));
	r->path = xstrdup(path);
	checksum(text, len, r->checksum);
	if (memchr(text, '\0', len)) {
		err_set(err, "%s: not a text file", path);
		goto out;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *t = trim(p, n);
		lineno++;
		if (!strcasecmp(t, "-- up") || !strcasecmp(t, "--up")) {
			if (sect) {
				free(t);
				err_set(err, "%s:%d: '-- up' must come before "
					"'-- down', once", path, lineno);
				goto out;
			}
			sect = &up;
		} else if (!strcasecmp(t, "-- down") || !strcasecmp(t, "--down")) {
			if (sect != &up) {
				free(t);
				err_set(err, "%s:%d: '-- down' without '-- up' "
					"before it", path, lineno);
				goto out;
			}
			sect = &down;
		} else if (sect) {
			buf_add(sect, p, n);
			buf_addch(sect, '\n');
		} else if (header_line(r, p, n, err, path, lineno) < 0) {
			free(t);
			goto out;
		} else if (*t && strncmp(t, "--", 2)) {
			if (!r->id)
				err_set(err, "%s: missing header line "
					"'-- revision: ID' at the top", path);
			else
				err_set(err, "%s:%d: SQL before the '-- up' "
					"line", path, lineno);
			free(t);
			goto out;
		}
		free(t);
		p = nl ? nl + 1 : end;
	}
	if (!r->id) {
		err_set(err, "%s: missing header line '-- revision: ID'", path);
		goto out;
	}
	if (!sect) {
		err_set(err, "%s: missing '-- up' section", path);
		goto out;
	}
	if (!r->message)
		r->message = xstrdup("");
	if (!r->created)
		r->created = xstrdup("");
	r->up = up.s ? buf_detach(&up, NULL) : xstrdup("");
	r->down = down.s ? buf_detach(&down, NULL) : xstrdup("");
	/* hearth runs each revision in its own transaction; one of the
	 * revision's own would end it half way. */
	{
		const char *w = sqltok_tx_control(r->up), *which = "up";
		if (!w) {
			w = sqltok_tx_control(r->down);
			which = "down";
		}
		if (w) {
			err_set(err, "%s: %s in the %s section: leave it out, "
				"each revision runs in its own transaction",
				path, w, which);
			goto out;
		}
	}
	ret = 0;
out:
	buf_release(&up);
	buf_release(&down);
	if (ret < 0) {
		free(r->path);
		r->path = NULL;
		revision_release(r);
	}
	return ret;
}

static int find_exact(const struct revision *revs, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(revs[i].id, id))
			return (int)i;
	return -1;
}

static int older(const struct revision *a, const struct revision *b)
{
	int c = strcmp(a->created, b->created);

	return c ? c < 0 : strcmp(a->id, b->id) < 0;
}

/* Kahn's algorithm, oldest ready revision first; what is left over sits
 * on a cycle. */
static int topo_sort(struct revision_set *rs, struct hearth_err *err)
{
	size_t n = rs->n, i, j, k, done = 0;
	size_t *missing = xcalloc(n + 1, sizeof(size_t));
	char *placed = xcalloc(n + 1, 1);
	struct revision *out = xcalloc(n + 1, sizeof(*out));
	int ret = -1;

	for (i = 0; i < n; i++)
		missing[i] = rs->revs[i].nparents;
	while (done < n) {
		int best = -1;
		for (i = 0; i < n; i++)
			if (!placed[i] && !missing[i] &&
			    (best < 0 || older(&rs->revs[i], &rs->revs[best])))
				best = (int)i;
		if (best < 0) {
			for (i = 0; i < n && placed[i]; i++)
				;
			err_set(err, "%s: revision %s is in a cycle of parents",
				rs->revs[i].path, rs->revs[i].id);
			goto out;
		}
		placed[best] = 1;
		out[done++] = rs->revs[best];
		for (j = 0; j < n; j++)
			for (k = 0; k < rs->revs[j].nparents; k++)
				if (!strcmp(rs->revs[j].parents[k],
					    rs->revs[best].id))
					missing[j]--;
	}
	memcpy(rs->revs, out, n * sizeof(*out));
	ret = 0;
out:
	free(missing);
	free(placed);
	free(out);
	return ret;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int revision_load(struct revision_set *rs, const char *dir,
		  struct hearth_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t nnames = 0, i, k;
	int ret = -1;

	rs->revs = NULL;
	rs->n = 0;
	if (!d) {
		if (errno == ENOENT)
			return 0;
		return err_set(err, "%s: %s", dir, strerror(errno));
	}
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 4, ".sql") ||
		    de->d_name[0] == '.')
			continue;
		names = xreallocarray(names, nnames + 1, sizeof(char *));
		names[nnames++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, nnames, sizeof(char *), by_name);
	rs->revs = xcalloc(nnames + 1, sizeof(struct revision));
	for (i = 0; i < nnames; i++) {
		struct buf text = BUF_INIT;
		char *path = xasprintf("%s/%s", dir, names[i]);
		int r = buf_read_file(&text, path, err);
		if (!r)
			r = revision_parse(&rs->revs[rs->n], path, text.s,
					   text.len, err);
		buf_release(&text);
		free(path);
		if (r < 0)
			goto out;
		rs->n++;
		if (find_exact(rs->revs, rs->n - 1, rs->revs[rs->n - 1].id) >= 0) {
			err_set(err, "%s: revision id %s is used twice",
				rs->revs[rs->n - 1].path, rs->revs[rs->n - 1].id);
			goto out;
		}
	}
	for (i = 0; i < rs->n; i++)
		for (k = 0; k < rs->revs[i].nparents; k++) {
			if (find_exact(rs->revs, rs->n, rs->revs[i].parents[k]) < 0) {
				err_set(err, "%s: parent revision %s does not "
					"exist", rs->revs[i].path,
					rs->revs[i].parents[k]);
				goto out;
			}
			if (!strcmp(rs->revs[i].parents[k], rs->revs[i].id)) {
				err_set(err, "%s: revision %s is in a cycle of "
					"parents (its own parent)",
					rs->revs[i].path, rs->revs[i].id);
				goto out;
			}
		}
	if (topo_sort(rs, err) < 0)
		goto out;
	ret = 0;
out:
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	if (ret < 0)
		revision_set_release(rs);
	return ret;
}

int revision_find(const struct revision_set *rs, const char *id,
		  struct hearth_err *err)
{
	size_t i, len = strlen(id);
	int found = -1, n = 0;

	for (i = 0; i < rs->n; i++) {
		if (!strcmp(rs->revs[i].id, id))
			return (int)i;
		if (len && !strncmp(rs->revs[i].id, id, len)) {
			found = (int)i;
			n++;
		}
	}
	if (n == 1)
		return found;
	if (n == 0)
		return err_set(err, "no revision '%s' in the migrations "
			       "directory", id);
	{
		struct buf b = BUF_INIT;
		for (i = 0; i < rs->n; i++)
			if (!strncmp(rs->revs[i].id, id, len))
				buf_addf(&b, "%s%s", b.len ? ", " : "",
					 rs->revs[i].id);
		err_set(err, "revision prefix '%s' is ambiguous: %s", id,
			buf_cstr(&b));
		buf_release(&b);
	}
	return -1;
}

int revision_is_head(const struct revision_set *rs, size_t i)
{
	size_t j, k;

	for (j = 0; j < rs->n; j++)
		for (k = 0; k < rs->revs[j].nparents; k++)
			if (!strcmp(rs->revs[j].parents[k], rs->revs[i].id))
				return 0;
	return 1;
}

size_t revision_heads(const struct revision_set *rs, size_t **out)
{
	size_t i, n = 0;

	*out = xcalloc(rs->n + 1, sizeof(size_t));
	for (i = 0; i < rs->n; i++)
		if (revision_is_head(rs, i))
			(*out)[n++] = i;
	return n;
}

void revision_ancestors(const struct revision_set *rs, size_t i, char *mark)
{
	size_t k;
	int p;

	if (mark[i])
		return;
	mark[i] = 1;
	for (k = 0; k < rs->revs[i].nparents; k++) {
		p = find_exact(rs->revs, rs->n, rs->revs[i].parents[k]);
		if (p >= 0)
			revision_ancestors(rs, (size_t)p, mark);
	}
}

int revision_new_id(char id[13], struct hearth_err *err)
{
	unsigned char raw[6];
	int fd = open("/dev/urandom", O_RDONLY);
	ssize_t n;
	size_t i;

	if (fd < 0)
		return err_set(err, "/dev/urandom: %s", strerror(errno));
	n = read(fd, raw, sizeof(raw));
	close(fd);
	if (n != (ssize_t)sizeof(raw))
		return err_set(err, "/dev/urandom: short read");
	for (i = 0; i < sizeof(raw); i++)
		snprintf(id + 2 * i, 3, "%02x", raw[i]);
	return 0;
}

/* The message, made safe for a file name: lower case, [a-z0-9_]. */
static void slug(struct buf *b, const char *msg)
{
	size_t start = b->len;

	for (; *msg && b->len - start < 40; msg++) {
		unsigned char c = (unsigned char)*msg;
		if (isalnum(c))
			buf_addch(b, (char)tolower(c));
		else if (b->len > start && b->s[b->len - 1] != '_')
			buf_addch(b, '_');
	}
	while (b->len > start && b->s[b->len - 1] == '_')
		buf_truncate(b, b->len - 1);
	if (b->len == start)
		buf_addstr(b, "revision");
}

const char *revision_dialect(const char *dialect)
{
	return dialect && *dialect ? dialect : "sqlite";
}

int revision_write(const char *dir, const char *id, char *const *parents,
		   size_t nparents, const char *message, const char *dialect,
		   const char *up, const char *down, char **path_out,
		   struct hearth_err *err)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	size_t i;
	const char *m;
	int fd, ret = -1;
	ssize_t w;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	buf_addf(&path, "%s/%s_", dir, id);
	slug(&path, message);
	buf_addstr(&path, ".sql");
	buf_addf(&text, "-- revision: %s\n-- parents:", id);
	for (i = 0; i < nparents; i++)
		buf_addf(&text, " %s", parents[i]);
	buf_addstr(&text, "\n-- message: ");
	for (m = message; *m; m++)
		buf_addch(&text, *m == '\n' || *m == '\r' ? ' ' : *m);
	buf_addf(&text, "\n-- created: %s\n", when);
	if (strcmp(revision_dialect(dialect), "sqlite"))
		buf_addf(&text, "-- dialect: %s\n", dialect);
	buf_addf(&text, "\n-- up\n%s", up);
	if (*up && up[strlen(up) - 1] != '\n')
		buf_addch(&text, '\n');
	buf_addf(&text, "\n-- down\n%s", down);
	if (*down && down[strlen(down) - 1] != '\n')
		buf_addch(&text, '\n');
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		err_set(err, "%s: %s", dir, strerror(errno));
		goto out;
	}
	fd = open(path.s, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0) {
		err_set(err, "%s: %s", path.s, strerror(errno));
		goto out;
	}
	w = write(fd, text.s, text.len);
	if (close(fd) < 0 || w != (ssize_t)text.len) {
		err_set(err, "%s: write failed", path.s);
		unlink(path.s);
		goto out;
	}
	if (path_out)
		*path_out = buf_detach(&path, NULL);
	ret = 0;
out:
	buf_release(&path);
	buf_release(&text);
	return ret;
}
