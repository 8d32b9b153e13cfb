#include "chart/series.h"

#include <string.h>

#include "base/buf.h"
#include "base/timefmt.h"
#include "store/timecol.h"

/* Text bounds must be spelled like the stored text so that comparing
 * strings compares times: same separator, same (absent) zone suffix. */
static void text_bound(int64_t t, enum time_style style, char *out,
		       size_t outsz)
{
	double unused;

	if (style == TSTYLE_INT || style == TSTYLE_REAL)
		style = TSTYLE_SQL;
	timecol_format(t, style, out, outsz, &unused);
}

int series_select(struct store *s, const struct schema *schema,
		  const char *table, const char *time_col,
		  const struct series_window *w, struct store_stmt **out,
		  int *time_idx, struct hearth_err *err)
{
	const struct schema_table *t = schema_find_table(schema, table);
	const struct schema_column *tc;
	enum time_style style = TSTYLE_SQL;
	struct buf sql = BUF_INIT, col = BUF_INIT;
	struct store_stmt *st = NULL;
	char lo[64], hi[64];
	int ret = -1, p = 1, where, typed, numeric;
	size_t i;

	*out = NULL;
	if (!t)
		return err_set(err, "unknown table '%s'", table);
	tc = schema_time_column(t, time_col);
	if (!tc) {
		if (time_col && *time_col)
			return err_set(err, "time column '%s' is not in table %s",
				       time_col, t->name);
		return err_set(err, "table %s has no time column (declare one "
			       "TIMESTAMP or name it in [time_columns])",
			       t->name);
	}
	for (i = 0; i < w->neq; i++)
		if (!schema_find_column(t, w->eq[i].col))
			return err_set(err, "unknown column '%s' in table %s",
				       w->eq[i].col, t->name);
	*time_idx = schema_column_index(t, tc->name);
	if (timecol_style(s, t, tc, &style, err) < 0)
		return -1;

	store_quote_ident(&col, tc->name);
	buf_addstr(&sql, "SELECT * FROM ");
	store_quote_ident(&sql, t->name);
	where = w->since != SERIES_NO_BOUND || w->until != SERIES_NO_BOUND;
	/* Where a column holds only its type, one range: in seconds for a
	 * column of numbers, else as times (text the database converts). */
	typed = store_sql_typed(store_sql(s));
	numeric = style == TSTYLE_INT || style == TSTYLE_REAL;
	if (where && typed) {
		buf_addf(&sql, numeric ? " WHERE (%s >= ? AND %s < ?)"
				       : " WHERE (%s >= ? AND %s <= ?)",
			 col.s, col.s);
	} else if (where) {
		/* SQLite orders every number before every string, so the
		 * numeric range never matches text and vice versa. */
		buf_addf(&sql, " WHERE ((%s >= ? AND %s < ?) OR "
			 "(%s >= ? AND %s <= ?))",
			 col.s, col.s, col.s, col.s);
	}
	for (i = 0; i < w->neq; i++) {
		buf_addstr(&sql, where++ ? " AND " : " WHERE ");
		store_quote_ident(&sql, w->eq[i].col);
		buf_addstr(&sql, " = ?");
	}
	buf_addf(&sql, " ORDER BY %s %s", col.s, w->newest_first ? "DESC" : "ASC");
	if (w->limit > 0)
		buf_addstr(&sql, " LIMIT ?");
	if (store_prepare(s, sql.s, &st, err) < 0)
		goto out;
	if (w->since != SERIES_NO_BOUND || w->until != SERIES_NO_BOUND) {
		/* Text compares as times only for four-digit years, which
		 * is all that data holds (TIMEFMT_MIN..MAX): a bound of
		 * year 10000 would sort before 2014. */
		int64_t since = w->since == SERIES_NO_BOUND ||
						w->since < TIMEFMT_MIN
					? TIMEFMT_MIN
					: w->since;
		int64_t until = w->until == SERIES_NO_BOUND ||
						w->until > TIMEFMT_MAX
					? TIMEFMT_MAX
					: w->until;
		if (!typed || numeric) {
			store_bind_real(st, p++, (double)since / US_PER_SEC);
			/* As a double, until itself may round up, at year
			 * 9999 to year 10000: the bound is the first
			 * microsecond after. */
			store_bind_real(st, p++,
					(double)(until + 1) / US_PER_SEC);
		}
		if (!typed || !numeric) {
			text_bound(since, style, lo, sizeof(lo));
			text_bound(until, style, hi, sizeof(hi));
			store_bind_text(st, p++, lo, strlen(lo));
			store_bind_text(st, p++, hi, strlen(hi));
		}
	}
	for (i = 0; i < w->neq; i++)
		store_bind_text(st, p++, w->eq[i].val, strlen(w->eq[i].val));
	if (w->limit > 0)
		store_bind_int(st, p++, w->limit);
	*out = st;
	st = NULL;
	ret = 0;
out:
	store_finalize(st);
	buf_release(&sql);
	buf_release(&col);
	return ret;
}

int series_time_value(struct store_stmt *st, int i, int64_t *out)
{
	/* Other programs may have stored any number: it is checked before
	 * it is scaled to microseconds. */
	const int64_t lo = TIMEFMT_MIN / US_PER_SEC, hi = TIMEFMT_MAX / US_PER_SEC;
	size_t len;
	const char *v;
	int64_t n;
	double r;

	switch (store_column_type(st, i)) {
	case STORE_INT:
		n = store_column_int(st, i);
		if (n < lo || n > hi)
			return -1;
		*out = n * US_PER_SEC;
		return 0;
	case STORE_REAL:
		r = store_column_real(st, i);
		if (!(r >= (double)lo && r < (double)(hi + 1)))
			return -1;
		*out = (int64_t)(r * US_PER_SEC);
		return 0;
	case STORE_TEXT:
		v = store_column_text(st, i, &len);
		return timefmt_parse_value(v, len, TIMEFMT_UTC, out);
	default:
		return -1;
	}
}
