/*
 * timecol.c - how a table's time column is stored, and times written so.
 */
#include "store/timecol.h"

#include "base/buf.h"
#include "base/timefmt.h"

int timecol_style(struct store *s, const struct schema_table *t,
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
	/* The newest row: the last inserted, where rows are numbered so,
	 * else the latest time. */
	buf_addstr(&sql, " IS NOT NULL ORDER BY ");
	if (store_sql_row_order(store_sql(s)))
		buf_addstr(&sql, store_sql_row_order(store_sql(s)));
	else
		store_quote_ident(&sql, tc->name);
	buf_addstr(&sql, " DESC LIMIT 1");
	if (store_cached(s, sql.s, &st, err) < 0)
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
	if (st)
		store_reset(st);
	buf_release(&sql);
	return ret;
}

size_t timecol_text(int64_t t, enum time_style style, char *out,
		    size_t outsz)
{
	size_t n;

	if (style == TSTYLE_SQL)
		return timefmt_format(t, TIMEFMT_SQL, out, outsz);
	n = timefmt_format(t, TIMEFMT_ISO_Z, out, outsz);
	if (style == TSTYLE_ISO && n && out[n - 1] == 'Z')
		out[--n] = '\0';
	return n;
}

int timecol_format(int64_t t, enum time_style style, char *out,
		   size_t outsz, double *num_out)
{
	switch (style) {
	case TSTYLE_INT:
		*num_out = (double)(t / US_PER_SEC - (t % US_PER_SEC < 0));
		return 0;
	case TSTYLE_REAL:
		*num_out = (double)t / US_PER_SEC;
		return 0;
	case TSTYLE_SQL:
	case TSTYLE_ISOZ:
	case TSTYLE_ISO:
		timecol_text(t, style, out, outsz);
		return 1;
	}
	return 1;
}
