#include "ingest/writer.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/timefmt.h"
#include "base/xalloc.h"

struct wcol {
	const struct schema_column *col;
	enum schema_affinity aff;
	int is_time;
};

/* The statements come from the connection's cache (store_cached): each
 * request of the server makes its writers anew, and they find compiled
 * what the last request's compiled.  Nothing changes after writer_open,
 * so that a request's thread converts rows while the writing thread
 * inserts others with the same writer. */
struct writer {
	char *sql;       /* INSERT of one row */
	char *multi_sql; /* of WRITER_MULTI_ROWS rows */
	struct wcol *cols;
	size_t ncols;     /* values the caller gives */
	int fill_time;    /* one more parameter: the time column, now */
	int upsert;       /* the table has a key: a stored key is updated */
	enum time_style style;
	char *table;
	int refs;         /* writer_ref; atomic: batches on other threads */
};

/* A key stored already: update its row with the values given (SQLite
 * 3.35 and later take ON CONFLICT without naming the constraint, so
 * every unique index of the table counts).  The stored row's column is
 * qualified with the table: PostgreSQL finds a bare name ambiguous
 * beside excluded's. */
static void upsert_sql(struct buf *sql, const struct writer *w,
		       struct store *s)
{
	struct buf q = BUF_INIT, t = BUF_INIT;
	size_t i;

	if (!w->upsert)
		return;
	store_upsert(s, sql, w->table);
	store_quote_ident(&t, w->table);
	for (i = 0; i < writer_nvals(w); i++) {
		buf_reset(&q);
		store_quote_ident(&q, w->cols[i].col->name);
		buf_addf(sql, "%s%s = coalesce(excluded.%s, %s.%s)",
			 i ? ", " : "", q.s, q.s, t.s, q.s);
	}
	buf_release(&q);
	buf_release(&t);
}

static void multi_sql(struct writer *w, struct store *s);

static int open_writer(struct writer **out, struct store *s,
		       const struct schema *schema, const char *table,
		       const char *const *cols, size_t ncols,
		       const char *time_col, int fill_now, int internal_ok,
		       struct hearth_err *err)
{
	const struct schema_table *t = schema_find_table(schema, table);
	const struct schema_column *tc;
	struct writer *w = NULL;
	struct store_stmt *ins;
	struct buf sql = BUF_INIT;
	size_t i, j;
	int ret = -1, have_time = 0;

	*out = NULL;
	if (!t || (t->internal && !internal_ok))
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
	if (tc && timecol_style(s, t, tc, &w->style, err) < 0)
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
		w->upsert = schema_has_unique_key(schema, t);
		upsert_sql(&sql, w, s);
	}
	/* Compiled now, so that a table the INSERT cannot go into is an
	 * error at once. */
	if (store_cached(s, sql.s, &ins, err) < 0)
		goto out;
	w->sql = buf_detach(&sql, NULL);
	multi_sql(w, s);
	w->refs = 1;
	ret = 0;
out:
	buf_release(&sql);
	if (ret < 0)
		writer_free(w);
	else
		*out = w;
	return ret;
}

int writer_open(struct writer **out, struct store *s,
		const struct schema *schema, const char *table,
		const char *const *cols, size_t ncols, const char *time_col,
		int fill_now, struct hearth_err *err)
{
	return open_writer(out, s, schema, table, cols, ncols, time_col,
			   fill_now, 0, err);
}

int writer_open_internal(struct writer **out, struct store *s,
			 const struct schema *schema, const char *table,
			 const char *const *cols, size_t ncols,
			 struct hearth_err *err)
{
	return open_writer(out, s, schema, table, cols, ncols, NULL, 0, 1,
			   err);
}

struct writer *writer_ref(struct writer *w)
{
	__atomic_add_fetch(&w->refs, 1, __ATOMIC_RELAXED);
	return w;
}

void writer_free(struct writer *w)
{
	/* A writer that failed to open has no references yet. */
	if (!w || (w->refs && __atomic_sub_fetch(&w->refs, 1, __ATOMIC_ACQ_REL)))
		return;
	free(w->sql);
	free(w->multi_sql);
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

static int is_digit(char c)
{
	return (unsigned char)(c - '0') < 10;
}

/* [-+]digits, at most 18 of them (so no overflow): the common case,
 * read without a copy and strtoll.  -1: anything else, for the full
 * parse. */
static int fast_int(const char *p, size_t n, int64_t *out)
{
	const char *end = p + n;
	int64_t v = 0;
	int neg = 0;

	if (p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	if (p == end || end - p > 18)
		return -1;
	for (; p < end; p++) {
		if (!is_digit(*p))
			return -1;
		v = v * 10 + (*p - '0');
	}
	*out = neg ? -v : v;
	return 0;
}

/* Parse a whole number; "12", "-3", "+4", also "5.0" (integral). */
static int parse_int(const char *p, size_t n, int64_t *out)
{
	char tmp[64], *end;
	long long v;
	double d;

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	if (fast_int(p, n, out) == 0)
		return 0;
	/* The whole of it must be the number: a NUL byte inside ends the
	 * copy early, and "1<NUL>x" would read as 1. */
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	errno = 0;
	v = strtoll(tmp, &end, 10);
	if (end == tmp + n && errno == 0) {
		*out = v;
		return 0;
	}
	d = strtod(tmp, &end);
	if (end != tmp + n || !isfinite(d) || d != floor(d) ||
	    fabs(d) > 9007199254740992.0)
		return -1;
	*out = (int64_t)d;
	return 0;
}

/*
 * [-+]digits[.digits][(e|E)[-+]digits] read exactly, without strtod,
 * when it is simple (Clinger's fast path): its significant digits make an
 * integer of at most 2^53 and its power of ten is within 10^22, so both
 * are exact doubles and one IEEE multiplication or division, correctly
 * rounded, gives the very double strtod gives.  That holds only where
 * doubles are computed in double precision (FLT_EVAL_METHOD 0, as with
 * SSE2 and every 64-bit target); elsewhere, and for anything not simple,
 * -1 sends the caller to strtod.
 */
static int fast_real(const char *p, size_t n, double *out)
{
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
	static const double pow10[] = {
		1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
		1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
		1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
	};
	const char *end = p + n;
	uint64_t m = 0;
	int neg = 0, exp = 0, nd = 0, any = 0;
	double d;

	if (p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	for (; p < end && is_digit(*p); p++) {
		any = 1;
		if (m == 0 && *p == '0')
			continue; /* leading zeros are not significant */
		if (++nd > 19)
			return -1;
		m = m * 10 + (uint64_t)(*p - '0');
	}
	if (p < end && *p == '.') {
		for (p++; p < end && is_digit(*p); p++) {
			any = 1;
			exp--;
			if (m == 0 && *p == '0')
				continue;
			if (++nd > 19)
				return -1;
			m = m * 10 + (uint64_t)(*p - '0');
		}
	}
	if (!any)
		return -1;
	if (p < end && (*p == 'e' || *p == 'E')) {
		int eneg = 0, e = 0, ed = 0;
		p++;
		if (p < end && (*p == '-' || *p == '+'))
			eneg = *p++ == '-';
		for (; p < end && is_digit(*p); p++, ed++)
			if (e < 100000)
				e = e * 10 + (*p - '0');
		if (!ed)
			return -1;
		exp += eneg ? -e : e;
	}
	if (p != end || m > (UINT64_C(1) << 53))
		return -1;
	if (m == 0)
		exp = 0; /* zero in any power of ten */
	if (exp < -22 || exp > 22)
		return -1;
	d = (double)m;
	d = exp < 0 ? d / pow10[-exp] : d * pow10[exp];
	*out = neg ? -d : d;
	return 0;
#else
	(void)p;
	(void)n;
	(void)out;
	return -1;
#endif
}

static int parse_real(const char *p, size_t n, double *out)
{
	char tmp[64], *end;
	double d;

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	if (fast_real(p, n, out) == 0)
		return 0;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	/* strtod takes hex, "inf" and "nan"; data files mean none of them. */
	if (strpbrk(tmp, "xXnN") || strchr(tmp, ' '))
		return -1;
	d = strtod(tmp, &end);
	if (end != tmp + n || !isfinite(d)) /* as in parse_int */
		return -1;
	*out = d;
	return 0;
}

/* A time in the table's style: text in timebuf, or a number. */
static void time_val(const struct writer *w, int64_t t, char *timebuf,
		     struct writer_val *out)
{
	switch (w->style) {
	case TSTYLE_INT:
		out->type = STORE_INT;
		out->i = t / US_PER_SEC - (t % US_PER_SEC < 0);
		break;
	case TSTYLE_REAL:
		out->type = STORE_REAL;
		out->r = (double)t / US_PER_SEC;
		break;
	default:
		out->type = STORE_TEXT;
		out->p = timebuf;
		out->n = timecol_text(t, w->style, timebuf, WRITER_TIME_MAX);
	}
}

static int convert_value(const struct writer *w, size_t i, const char *v,
			 size_t n, char *timebuf, struct writer_val *out,
			 int64_t *row_time, struct hearth_err *err)
{
	const struct wcol *c = &w->cols[i];
	const char *what;
	char quoted[65];
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
	out->type = STORE_NULL;
	if (!v || n == 0)
		return 0;
	if (c->is_time) {
		if (timefmt_parse_value(v, n, TIMEFMT_UTC, &iv) < 0)
			goto bad_time;
		*row_time = iv;
		time_val(w, iv, timebuf, out);
		return 0;
	}
	switch (c->aff) {
	case AFF_INTEGER:
		if (parse_int(v, n, &iv) < 0)
			goto bad_int;
		out->type = STORE_INT;
		out->i = iv;
		return 0;
	case AFF_REAL:
		if (parse_real(v, n, &dv) < 0)
			goto bad_num;
		out->type = STORE_REAL;
		out->r = dv;
		return 0;
	case AFF_NUMERIC:
	case AFF_BLOB:
		if (parse_int(v, n, &iv) == 0 && memchr(v, '.', n) == NULL) {
			out->type = STORE_INT;
			out->i = iv;
			return 0;
		}
		if (parse_real(v, n, &dv) == 0) {
			out->type = STORE_REAL;
			out->r = dv;
			return 0;
		}
		if (c->aff == AFF_NUMERIC)
			goto bad_num;
		break;
	case AFF_TIME:
	case AFF_TEXT:
		break;
	}
	out->type = STORE_TEXT;
	out->p = v;
	out->n = n;
	return 0;
bad_time:
	what = "a time";
	goto bad;
bad_int:
	what = "an integer";
	goto bad;
bad_num:
	what = "a number";
bad:
	/* The value may hold a NUL byte (CSV "1<NUL>x"): quoted whole. */
	return err_set(err, "column %s: '%s' is not %s", c->col->name,
		       err_quote(quoted, sizeof(quoted), v, n), what);
}

/* The text stays put until the statement is reset: bound without a
 * copy. */
static int bind_val(struct store_stmt *st, int idx, const struct writer_val *v)
{
	switch (v->type) {
	case STORE_INT:
		return store_bind_int(st, idx, v->i);
	case STORE_REAL:
		return store_bind_real(st, idx, v->r);
	case STORE_TEXT:
		return store_bind_text_ref(st, idx, v->p, v->n);
	default:
		return store_bind_null(st, idx);
	}
}

size_t writer_nvals(const struct writer *w)
{
	return w->ncols + (size_t)w->fill_time;
}

const char *writer_val_name(const struct writer *w, size_t i)
{
	return w->cols[i].col->name;
}

int writer_convert(const struct writer *w, const char *const *vals,
		   const size_t *lens, int64_t now, char *timebuf,
		   struct writer_val *out, int64_t *time_out,
		   struct hearth_err *err)
{
	int64_t row_time = INT64_MIN;
	size_t i;

	for (i = 0; i < w->ncols; i++)
		if (convert_value(w, i, vals[i], lens[i], timebuf, &out[i],
				  &row_time, err) < 0)
			return -1;
	if (w->fill_time) {
		/* A line protocol timestamp can be any 64-bit number. */
		if (!timefmt_storable(now))
			return err_set(err, "timestamp out of range: times "
				       "are years 0001 to 9999");
		row_time = now;
		time_val(w, now, timebuf, &out[w->ncols]);
	}
	if (time_out)
		*time_out = row_time;
	return 0;
}

static int insert_one(struct writer *w, struct store *s,
		      const struct writer_val *row, struct hearth_err *err)
{
	struct store_stmt *ins;
	size_t i, n = writer_nvals(w);
	int ret = -1;

	if (store_cached(s, w->sql, &ins, err) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (bind_val(ins, (int)i + 1, &row[i]) < 0) {
			err_set(err, "cannot bind column %zu", i + 1);
			goto out;
		}
	if (store_step(ins, err) < 0)
		goto out;
	ret = 0;
out:
	store_reset(ins);
	return ret;
}

/* The multi-row INSERT: the single-row statement's text with the VALUES
 * group repeated.
 *
 * OR FAIL: a row that breaks a constraint (NOT NULL, CHECK) ends the
 * statement but keeps the rows before it, where the default (ABORT) undoes
 * them; to undo them, SQLite copies every page the statement changes
 * first, which costs a twentieth of the insert.  The caller's transaction
 * decides about those rows anyway (writer_insert_rows).  Not for a keyed
 * table: there the conflict clause is the upsert's. */
static void multi_sql(struct writer *w, struct store *s)
{
	struct buf sql = BUF_INIT, group = BUF_INIT;
	size_t i, n = writer_nvals(w);

	/* One statement per WRITER_MULTI_ROWS rows: most of an INSERT's cost
	 * is starting and ending the statement, not the row.  (SQLite takes
	 * at most 32766 parameters per statement.) */
	if (n == 0 || n * WRITER_MULTI_ROWS > 32766)
		return;

	buf_addstr(&sql, w->upsert ? "INSERT INTO "
				   : store_sql_insert_keep(store_sql(s)));
	store_quote_ident(&sql, w->table);
	buf_addstr(&sql, " (");
	for (i = 0; i < n; i++) {
		if (i)
			buf_addstr(&sql, ", ");
		store_quote_ident(&sql, w->cols[i].col->name);
	}
	buf_addstr(&sql, ") VALUES ");
	buf_addch(&group, '(');
	for (i = 0; i < n; i++)
		buf_addstr(&group, i ? ",?" : "?");
	buf_addch(&group, ')');
	for (i = 0; i < WRITER_MULTI_ROWS; i++) {
		if (i)
			buf_addch(&sql, ',');
		buf_add(&sql, group.s, group.len);
	}
	upsert_sql(&sql, w, s);
	w->multi_sql = buf_detach(&sql, NULL);
	buf_release(&group);
}

/* The rows in multi-row statements, then one at a time: the rest, and
 * after a failed chunk its rows not stored, to name the bad one. */
static int insert_rows(struct writer *w, struct store *s,
		       const struct writer_val *rows, size_t nrows,
		       size_t *bad_row, struct hearth_err *err)
{
	struct store_stmt *multi = NULL;
	size_t n = writer_nvals(w), done = 0, i, k;

	if (w->multi_sql && nrows >= WRITER_MULTI_ROWS) {
		if (store_cached(s, w->multi_sql, &multi, err) < 0)
			return -1;
	}
	while (multi && nrows - done >= WRITER_MULTI_ROWS) {
		const struct writer_val *chunk = rows + done * n;
		int rc = 0;

		for (k = 0; k < WRITER_MULTI_ROWS * n && rc == 0; k++)
			rc = bind_val(multi, (int)k + 1, &chunk[k]);
		if (rc == 0 && store_step(multi, err) < 0) {
			/* The chunk's rows before the bad one are stored
			 * (OR FAIL), or none when SQLite undid the statement
			 * (a foreign key, or a keyed table's plain INSERT). */
			done += (size_t)store_changes(s);
			rc = -1;
		}
		store_reset(multi);
		if (rc < 0)
			break;
		done += WRITER_MULTI_ROWS;
	}
	for (i = done; i < nrows; i++)
		if (insert_one(w, s, rows + i * n, err) < 0) {
			*bad_row = i;
			return -1;
		}
	return 0;
}

/*
 * Where a failed statement spoils the whole transaction (PostgreSQL),
 * the rows go in under a savepoint: when one is refused, everything since
 * is undone and the rows are inserted again one at a time, each under a
 * savepoint of its own, up to the bad one, so that the rows before it
 * stay as they would in SQLite.  That costs the error path only.
 */
static int insert_saved(struct writer *w, struct store *s,
			const struct writer_val *rows, size_t nrows,
			size_t *bad_row, struct hearth_err *err)
{
	struct hearth_err ignore;
	size_t n = writer_nvals(w), i;
	int rc;

	if (store_exec(s, "SAVEPOINT hearth_rows", err) < 0)
		return -1;
	rc = insert_rows(w, s, rows, nrows, bad_row, err);
	if (rc < 0 && store_exec(s, "ROLLBACK TO SAVEPOINT hearth_rows",
				 &ignore) == 0) {
		for (i = 0; i < nrows; i++) {
			if (store_exec(s, "SAVEPOINT hearth_row", &ignore) < 0)
				break;
			if (insert_one(w, s, rows + i * n, err) < 0) {
				*bad_row = i;
				store_exec(s, "ROLLBACK TO SAVEPOINT hearth_row",
					   &ignore);
				break;
			}
			store_exec(s, "RELEASE SAVEPOINT hearth_row", &ignore);
		}
	}
	if (store_exec(s, "RELEASE SAVEPOINT hearth_rows",
		       rc < 0 ? &ignore : err) < 0)
		rc = -1;
	return rc;
}

/* The rows in one bulk load (store_bulk_begin); *bad as
 * store_bulk_end's. */
static int bulk_load(struct writer *w, struct store *s,
		     const struct writer_val *rows, size_t nrows,
		     int64_t *bad, struct hearth_err *err)
{
	size_t n = writer_nvals(w), i, k;
	const char **cols = xcalloc(n, sizeof(*cols));
	struct store_bulk *bk;
	int ret = -1;

	*bad = -1;
	for (k = 0; k < n; k++)
		cols[k] = w->cols[k].col->name;
	if (store_bulk_begin(s, w->table, cols, n, &bk, err) < 0)
		goto out;
	for (i = 0; i < nrows; i++) {
		const struct writer_val *v = rows + i * n;
		for (k = 0; k < n; k++) {
			switch (v[k].type) {
			case STORE_INT:
				store_bulk_int(bk, v[k].i);
				break;
			case STORE_REAL:
				store_bulk_real(bk, v[k].r);
				break;
			case STORE_TEXT:
				store_bulk_text(bk, v[k].p, v[k].n);
				break;
			default:
				store_bulk_null(bk);
			}
		}
		if (store_bulk_row(bk, err) < 0)
			break; /* the end says what went wrong */
	}
	ret = store_bulk_end(bk, bad, err);
out:
	free(cols);
	return ret;
}

/*
 * Where the store has a bulk path (PostgreSQL's COPY), the rows go in as
 * one load, all or none.  When the database refuses a row and says
 * which, the rows before it are loaded again, so that they stay as they
 * would after INSERTs; when it does not say (a foreign key checked at
 * the end of the load), or that second load fails too, the INSERTs find
 * the row.  A table with a key takes INSERTs: a load cannot upsert.
 */
static int insert_bulk(struct writer *w, struct store *s,
		       const struct writer_val *rows, size_t nrows,
		       size_t *bad_row, struct hearth_err *err)
{
	struct hearth_err again = HEARTH_ERR_INIT;
	int64_t bad, bad2;

	if (bulk_load(w, s, rows, nrows, &bad, err) == 0)
		return 0;
	if (bad < 0 || (bad > 0 && bulk_load(w, s, rows, (size_t)bad, &bad2,
					     &again) < 0))
		return insert_saved(w, s, rows, nrows, bad_row, err);
	*bad_row = (size_t)bad;
	return -1;
}

int writer_insert_rows(struct writer *w, struct store *s,
		       const struct writer_val *rows, size_t nrows,
		       size_t *bad_row, struct hearth_err *err)
{
	*bad_row = 0;
	if (!w->upsert && writer_nvals(w) && store_has_bulk(s))
		return insert_bulk(w, s, rows, nrows, bad_row, err);
	if (store_sql_error_aborts(store_sql(s)))
		return insert_saved(w, s, rows, nrows, bad_row, err);
	return insert_rows(w, s, rows, nrows, bad_row, err);
}
