#include "writer.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "timefmt.h"
#include "xalloc.h"

struct wcol {
	const struct schema_column *col;
	enum schema_affinity aff;
	int is_time;
};

struct writer {
	struct store_stmt *ins;
	struct wcol *cols;
	size_t ncols;     /* values the caller gives */
	int fill_time;    /* one more parameter: the time column, now */
	enum time_style style;
	char *table;
};

int writer_time_style(struct store *s, const struct schema_table *t,
		      const struct schema_column *tc, enum time_style *out,
		      struct hearth_err *err)
{
	struct buf sql = BUF_INIT;
	struct store_stmt *st = NULL;
	enum schema_affinity aff = schema_affinity(tc->type);
	int ret = -1, rc;

	buf_addstr(&sql, "SELECT ");
	store_quote_ident(&sql, tc->name);
	buf_addstr(&sql, " FROM ");
	store_quote_ident(&sql, t->name);
	buf_addstr(&sql, " WHERE ");
	store_quote_ident(&sql, tc->name);
	buf_addstr(&sql, " IS NOT NULL ORDER BY rowid DESC LIMIT 1");
	if (store_prepare(s, sql.s, &st, err) < 0)
		goto out;
	rc = store_step(st, err);
	if (rc < 0)
		goto out;
	if (rc == 0) {
		*out = aff == AFF_INTEGER ? TSTYLE_INT
		     : aff == AFF_REAL ? TSTYLE_REAL : TSTYLE_SQL;
	} else {
		switch (store_column_type(st, 0)) {
		case STORE_INT:
			*out = TSTYLE_INT;
			break;
		case STORE_REAL:
			*out = TSTYLE_REAL;
			break;
		default: {
			size_t len;
			const char *v = store_column_text(st, 0, &len);
			if (len > 10 && v[10] == 'T')
				*out = v[len - 1] == 'Z' ? TSTYLE_ISOZ
							 : TSTYLE_ISO;
			else
				*out = TSTYLE_SQL;
		}
		}
	}
	ret = 0;
out:
	store_finalize(st);
	buf_release(&sql);
	return ret;
}

int writer_format_time(int64_t t, enum time_style style, char *out,
		       size_t outsz, double *num_out)
{
	size_t n;

	switch (style) {
	case TSTYLE_INT:
		*num_out = (double)(t / US_PER_SEC - (t % US_PER_SEC < 0));
		return 0;
	case TSTYLE_REAL:
		*num_out = (double)t / US_PER_SEC;
		return 0;
	case TSTYLE_SQL:
		timefmt_format(t, TIMEFMT_SQL, out, outsz);
		return 1;
	case TSTYLE_ISOZ:
		timefmt_format(t, TIMEFMT_ISO_Z, out, outsz);
		return 1;
	case TSTYLE_ISO:
		n = timefmt_format(t, TIMEFMT_ISO_Z, out, outsz);
		if (n && out[n - 1] == 'Z')
			out[n - 1] = '\0';
		return 1;
	}
	return 1;
}

int writer_open(struct writer **out, struct store *s,
		const struct schema *schema, const char *table,
		const char *const *cols, size_t ncols, const char *time_col,
		int fill_now, struct hearth_err *err)
{
	const struct schema_table *t = schema_find_table(schema, table);
	const struct schema_column *tc;
	struct writer *w = NULL;
	struct buf sql = BUF_INIT;
	size_t i, j;
	int ret = -1, have_time = 0;

	*out = NULL;
	if (!t || t->internal)
		return err_set(err, "unknown table '%s'", table);
	tc = schema_time_column(t, time_col);
	if (time_col && *time_col && !tc)
		return err_set(err, "time column '%s' is not in table %s",
			       time_col, t->name);
	w = xcalloc(1, sizeof(*w));
	w->table = xstrdup(t->name);
	w->cols = xcalloc(ncols + 1, sizeof(*w->cols));
	w->ncols = ncols;
	for (i = 0; i < ncols; i++) {
		const struct schema_column *c = schema_find_column(t, cols[i]);
		if (!c) {
			err_set(err, "unknown column '%s' in table %s", cols[i],
				t->name);
			goto out;
		}
		for (j = 0; j < i; j++)
			if (w->cols[j].col == c) {
				err_set(err, "column '%s' given twice", cols[i]);
				goto out;
			}
		w->cols[i].col = c;
		w->cols[i].aff = schema_affinity(c->type);
		w->cols[i].is_time = c == tc;
		have_time |= c == tc;
	}
	if (tc && !have_time && fill_now) {
		w->cols[ncols].col = tc;
		w->cols[ncols].is_time = 1;
		w->fill_time = 1;
	}
	if (tc && writer_time_style(s, t, tc, &w->style, err) < 0)
		goto out;

	buf_addstr(&sql, "INSERT INTO ");
	store_quote_ident(&sql, t->name);
	if (ncols + (size_t)w->fill_time == 0) {
		buf_addstr(&sql, " DEFAULT VALUES");
	} else {
		buf_addstr(&sql, " (");
		for (i = 0; i < ncols + (size_t)w->fill_time; i++) {
			if (i)
				buf_addstr(&sql, ", ");
			store_quote_ident(&sql, w->cols[i].col->name);
		}
		buf_addstr(&sql, ") VALUES (");
		for (i = 0; i < ncols + (size_t)w->fill_time; i++)
			buf_addstr(&sql, i ? ", ?" : "?");
		buf_addstr(&sql, ")");
	}
	if (store_prepare(s, sql.s, &w->ins, err) < 0)
		goto out;
	ret = 0;
out:
	buf_release(&sql);
	if (ret < 0)
		writer_free(w);
	else
		*out = w;
	return ret;
}

void writer_free(struct writer *w)
{
	if (!w)
		return;
	store_finalize(w->ins);
	free(w->cols);
	free(w->table);
	free(w);
}

size_t writer_ncols(const struct writer *w)
{
	return w->ncols;
}

const char *writer_table(const struct writer *w)
{
	return w->table;
}

/* Parse a whole number; "12", "-3", "+4", also "5.0" (integral). */
static int parse_int(const char *p, size_t n, int64_t *out)
{
	char tmp[64], *end;
	long long v;
	double d;

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	errno = 0;
	v = strtoll(tmp, &end, 10);
	if (!*end && end != tmp && errno == 0) {
		*out = v;
		return 0;
	}
	d = strtod(tmp, &end);
	if (*end || end == tmp || !isfinite(d) || d != floor(d) ||
	    fabs(d) > 9007199254740992.0)
		return -1;
	*out = (int64_t)d;
	return 0;
}

static int parse_real(const char *p, size_t n, double *out)
{
	char tmp[64], *end;
	double d;

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	/* strtod takes hex, "inf" and "nan"; data files mean none of them. */
	if (strpbrk(tmp, "xXnN") || strchr(tmp, ' '))
		return -1;
	d = strtod(tmp, &end);
	if (*end || end == tmp || !isfinite(d))
		return -1;
	*out = d;
	return 0;
}

static int bind_time(struct writer *w, int idx, int64_t t)
{
	char text[64];
	double num;

	if (writer_format_time(t, w->style, text, sizeof(text), &num))
		return store_bind_text(w->ins, idx, text, strlen(text));
	if (w->style == TSTYLE_INT)
		return store_bind_int(w->ins, idx, (int64_t)num);
	return store_bind_real(w->ins, idx, num);
}

static int bind_value(struct writer *w, size_t i, const char *v, size_t n,
		      struct hearth_err *err)
{
	const struct wcol *c = &w->cols[i];
	int idx = (int)i + 1;
	int64_t iv;
	double dv;

	/* Spaces around numbers and times ("1, 2" in hand-written CSV) are
	 * not part of the value; in text they are kept. */
	if (v && (c->is_time || c->aff != AFF_TEXT)) {
		while (n && (*v == ' ' || *v == '\t')) {
			v++;
			n--;
		}
		while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
			n--;
	}
	if (!v || n == 0)
		return store_bind_null(w->ins, idx);
	if (c->is_time) {
		if (timefmt_parse_value(v, n, TIMEFMT_UTC, &iv) < 0)
			goto bad_time;
		return bind_time(w, idx, iv);
	}
	switch (c->aff) {
	case AFF_INTEGER:
		if (parse_int(v, n, &iv) < 0)
			goto bad_int;
		return store_bind_int(w->ins, idx, iv);
	case AFF_REAL:
		if (parse_real(v, n, &dv) < 0)
			goto bad_num;
		return store_bind_real(w->ins, idx, dv);
	case AFF_NUMERIC:
	case AFF_BLOB:
		if (parse_int(v, n, &iv) == 0 && memchr(v, '.', n) == NULL)
			return store_bind_int(w->ins, idx, iv);
		if (parse_real(v, n, &dv) == 0)
			return store_bind_real(w->ins, idx, dv);
		if (c->aff == AFF_NUMERIC)
			goto bad_num;
		return store_bind_text(w->ins, idx, v, n);
	case AFF_TIME:
	case AFF_TEXT:
		return store_bind_text(w->ins, idx, v, n);
	}
	return 0;
bad_time:
	return err_set(err, "column %s: '%.*s' is not a time", c->col->name,
		       (int)(n > 64 ? 64 : n), v);
bad_int:
	return err_set(err, "column %s: '%.*s' is not an integer", c->col->name,
		       (int)(n > 64 ? 64 : n), v);
bad_num:
	return err_set(err, "column %s: '%.*s' is not a number", c->col->name,
		       (int)(n > 64 ? 64 : n), v);
}

int writer_add(struct writer *w, const char *const *vals, const size_t *lens,
	       int64_t now, struct hearth_err *err)
{
	size_t i;
	int ret = -1;

	for (i = 0; i < w->ncols; i++)
		if (bind_value(w, i, vals[i], lens[i], err) < 0)
			goto out;
	if (w->fill_time && bind_time(w, (int)w->ncols + 1, now) < 0) {
		err_set(err, "cannot bind time");
		goto out;
	}
	if (store_step(w->ins, err) < 0)
		goto out;
	ret = 0;
out:
	store_reset(w->ins);
	return ret;
}
