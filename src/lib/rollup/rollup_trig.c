/*
 * rollup_trig.c - rollups kept by triggers that run once per statement,
 * for databases whose tables number no rows in insertion order
 * (PostgreSQL), where the mark of rollup.h cannot follow new rows.
 *
 * An INSERT statement merges its rows' buckets into the minute and hour
 * tables, as hearth's writers merge theirs in SQLite: one aggregate over
 * the statement's rows (a multi-row INSERT, a COPY), not a trigger per
 * row.  An UPDATE or a DELETE recomputes the buckets its rows were and
 * are in, from the table, found through the time column's index.  So the
 * rollups hold every row, whoever wrote it, and there is nothing to
 * catch up.
 */
#include <string.h>
#include <strings.h>

#include "rollup/rollup.h"
#include "rollup/rollup_impl.h"
#include "base/xalloc.h"

int rollup_by_triggers(const struct store_sql *d)
{
	return d && !store_sql_row_order(d);
}

/* The minute buckets (as "b") of the rows of the statement: of
 * hearth_old, hearth_new or both. */
static void touched(const struct store_sql *d, struct buf *b,
		    const char *table, const struct schema_column *tc,
		    int width, int old, int new_rows)
{
	struct buf x = BUF_INIT;
	int k;

	store_quote_ident(&x, tc->name);
	buf_addstr(b, "(SELECT DISTINCT s / ");
	buf_addf(b, "%d * %d AS b FROM (", width, width);
	for (k = 0; k < 2; k++) {
		if (!(k ? new_rows : old))
			continue;
		if (k && old)
			buf_addstr(b, " UNION ALL ");
		buf_addstr(b, "SELECT ");
		store_sql_unix_secs(d, b, x.s, tc->type);
		buf_addf(b, " AS s FROM %s", k ? "hearth_new" : "hearth_old");
	}
	/* Rows before kept_from are history only the rollups hold. */
	buf_addstr(b, ") y WHERE s IS NOT NULL AND s >= ");
	rollup_kept_from_sql(b, table);
	buf_addch(b, ')');
	buf_release(&x);
}

/*
 * The body of the UPDATE or DELETE trigger: the buckets its rows touch,
 * deleted and made again, minutes from the table's rows, hours from the
 * minutes.
 */
static void recompute(const struct store_sql *d, struct buf *b,
		      const char *table, const struct schema_column *tc,
		      const char *mname, const char *hname,
		      const char *const *cols, size_t ncols, int new_rows)
{
	struct buf k = BUF_INIT, x = BUF_INIT, lo = BUF_INIT, hi = BUF_INIT;
	size_t i, j;

	for (j = 0; j < 2; j++) {
		const char *rname = j ? hname : mname;
		int width = j ? 3600 : 60;

		buf_reset(&k);
		touched(d, &k, table, tc, width, 1, new_rows);
		buf_addstr(b, "DELETE FROM ");
		store_quote_ident(b, rname);
		buf_addf(b, " WHERE b IN %s; INSERT INTO ", k.s);
		store_quote_ident(b, rname);
		buf_addstr(b, " SELECT k.b");
		for (i = 0; i < ncols; i++) {
			size_t a;
			for (a = 0; a < 4; a++) {
				buf_reset(&x);
				buf_addstr(&x, "r.");
				if (j)
					rollup_agg_col(&x, cols[i], rollup_aggs[a]);
				else
					store_quote_ident(&x, cols[i]);
				buf_addstr(b, ", ");
				rollup_agg_call(d, b, a < 3 ? rollup_aggs[a]
						: j ? "sum" : "count", x.s);
			}
		}
		buf_addf(b, " FROM %s k JOIN ", k.s);
		if (j) {
			/* Hours from the minutes just made. */
			store_quote_ident(b, mname);
			buf_addstr(b, " r ON r.b >= k.b AND r.b < k.b + 3600");
		} else {
			store_quote_ident(b, table);
			buf_addstr(b, " r ON ");
			buf_reset(&x);
			buf_addstr(&x, "r.");
			store_quote_ident(&x, tc->name);
			buf_reset(&lo);
			buf_reset(&hi);
			if (store_sql_time_at(d, &lo, "k.b", tc->type) &&
			    store_sql_time_at(d, &hi, "k.b + 60", tc->type)) {
				buf_addf(b, "%s >= %s AND %s < %s", x.s, lo.s,
					 x.s, hi.s);
			} else {
				buf_reset(&lo);
				store_sql_unix_secs(d, &lo, x.s, tc->type);
				buf_addf(b, "%s / 60 * 60 = k.b", lo.s);
			}
		}
		buf_addstr(b, " GROUP BY k.b;");
	}
	buf_release(&k);
	buf_release(&x);
	buf_release(&lo);
	buf_release(&hi);
}

void rollup_trig_sql(const struct store_sql *d, struct buf *sql,
		     const char *table, const struct schema_column *tc,
		     const char *const *cols, size_t ncols)
{
	static const char *const kinds[] = { "ins", "del", "upd" };
	static const char *const events[] = { "INSERT", "DELETE", "UPDATE" };
	struct buf m = BUF_INIT, h = BUF_INIT, src = BUF_INIT,
		   body = BUF_INIT, name = BUF_INIT;
	size_t kind, j;

	rollup_table_name(&m, table, ROLLUP_MINUTE);
	rollup_table_name(&h, table, ROLLUP_HOUR);
	for (kind = 0; kind < 3; kind++) {
		buf_reset(&name);
		buf_addf(&name, "hearth_rollup_%s_%s", table, kinds[kind]);
		store_sql_drop_trigger(d, sql, name.s, table);
		buf_addstr(sql, "; ");
		buf_reset(&body);
		if (kind == 0) {
			for (j = 0; j < 2; j++) {
				buf_reset(&src);
				rollup_buckets_sql(d, &src, "hearth_new", tc, cols,
					   ncols, j ? 3600 : 60);
				rollup_merge_sql(d, &body, j ? h.s : m.s, cols,
						 ncols, src.s);
				buf_addstr(&body, "; ");
			}
		} else {
			recompute(d, &body, table, tc, m.s, h.s, cols, ncols,
				  kind == 2);
		}
		store_sql_create_set_trigger(d, sql, name.s, events[kind], table,
					     body.s);
		buf_addstr(sql, ";");
	}
	buf_release(&m);
	buf_release(&h);
	buf_release(&src);
	buf_release(&body);
	buf_release(&name);
}

int rollup_trig_current(const struct schema *schema,
			const struct schema_table *t)
{
	return rollup_has_trigger(schema, t->name, "ins") &&
	       rollup_has_trigger(schema, t->name, "del") &&
	       rollup_has_trigger(schema, t->name, "upd");
}
