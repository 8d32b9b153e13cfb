#include "chart/resample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chart/bucket.h"
#include "base/buf.h"
#include "chart/series.h"
#include "base/timefmt.h"
#include "base/xalloc.h"

#define FLUSH_AT 65536

int resample_parse_width(const char *s, int64_t *out, struct hearth_err *err)
{
	char *end;
	unsigned long long n = strtoull(s, &end, 10);
	int64_t unit = US_PER_SEC;

	if (end == s || *s == '-' || *s == '+')
		goto bad;
	switch (*end) {
	case '\0':
	case 's':
		break;
	case 'm':
		unit *= 60;
		break;
	case 'h':
		unit *= 3600;
		break;
	case 'd':
		unit *= 86400;
		break;
	case 'w':
		unit *= 7 * 86400;
		break;
	default:
		goto bad;
	}
	if (*end && end[1])
		goto bad;
	/* A year of one-second buckets is already more than any chart. */
	if (n == 0 || n > 366ull * 86400 * 10)
		goto bad;
	*out = (int64_t)n * unit;
	if (*out / unit != (int64_t)n || *out > INT64_C(10) * 366 * 86400 * US_PER_SEC)
		goto bad;
	return 0;
bad:
	return err_set(err, "bucket '%.32s': want a width like 30s, 5m, 1h, 1d",
		       s);
}

int resample_parse_agg(const char *s, enum resample_agg *out)
{
	static const struct {
		const char *name;
		enum resample_agg agg;
	} names[] = {
		{ "avg", RESAMPLE_AVG },     { "mean", RESAMPLE_AVG },
		{ "min", RESAMPLE_MIN },     { "max", RESAMPLE_MAX },
		{ "sum", RESAMPLE_SUM },     { "first", RESAMPLE_FIRST },
		{ "last", RESAMPLE_LAST },   { "count", RESAMPLE_COUNT },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i].name)) {
			*out = names[i].agg;
			return 0;
		}
	return -1;
}

struct acc {
	int col;          /* result column index */
	struct bucket b;  /* this time bucket's values so far */
};

static int numeric_column(const struct schema_column *c)
{
	switch (schema_affinity(c->type)) {
	case AFF_INTEGER:
	case AFF_REAL:
	case AFF_NUMERIC:
	case AFF_BLOB:
		return 1;
	default:
		return 0;
	}
}

static double value(const struct bucket *b, enum resample_agg agg)
{
	switch (agg) {
	case RESAMPLE_MIN:
		return b->min;
	case RESAMPLE_MAX:
		return b->max;
	case RESAMPLE_SUM:
		return b->sum;
	case RESAMPLE_FIRST:
		return b->first;
	case RESAMPLE_LAST:
		return b->last;
	default:
		return b->sum / b->n;
	}
}

static void emit(struct buf *out, enum format_kind kind, int64_t start,
		 const char *tname, struct acc *accs, size_t nacc,
		 const struct schema_table *t, enum resample_agg agg,
		 int64_t rows, int64_t nemitted)
{
	char ts[64];
	size_t i;

	timefmt_format(start, TIMEFMT_ISO_Z, ts, sizeof(ts));
	if (kind == FORMAT_JSON) {
		buf_addstr(out, nemitted ? ",\n{" : "\n{");
		format_json_string(out, tname, strlen(tname));
		buf_addch(out, ':');
		format_json_string(out, ts, strlen(ts));
	} else {
		buf_addstr(out, ts);
	}
	if (agg == RESAMPLE_COUNT) {
		buf_addf(out, kind == FORMAT_JSON ? ",\"count\":%lld}"
						  : ",%lld\n", (long long)rows);
		return;
	}
	for (i = 0; i < nacc; i++) {
		struct acc *a = &accs[i];
		const char *name = t->cols[a->col].name;

		buf_addch(out, ',');
		if (kind == FORMAT_JSON) {
			format_json_string(out, name, strlen(name));
			buf_addch(out, ':');
		}
		if (a->b.n == 0)
			buf_addstr(out, kind == FORMAT_JSON ? "null" : "");
		else
			buf_addf(out, "%.15g", value(&a->b, agg));
	}
	buf_addstr(out, kind == FORMAT_JSON ? "}" : "\n");
}

int resample_rows(struct store_stmt *st, const struct schema_table *t,
		int time_idx, int64_t width, enum resample_agg agg,
		enum format_kind kind, const struct format_sink *sink,
		int64_t *nbuckets, struct hearth_err *err)
{
	struct buf out = BUF_INIT;
	struct acc *accs;
	size_t nacc = 0, i;
	int64_t cur = 0, rows = 0, n = 0, tv;
	const char *tname = t->cols[time_idx].name;
	int rc, ret = -1, have = 0;

	accs = xcalloc(t->ncols + 1, sizeof(*accs));
	for (i = 0; i < t->ncols; i++)
		if ((int)i != time_idx && numeric_column(&t->cols[i]))
			accs[nacc++].col = (int)i;
	if (kind == FORMAT_JSON) {
		buf_addch(&out, '[');
	} else {
		format_csv_field(&out, tname, strlen(tname));
		if (agg == RESAMPLE_COUNT)
			buf_addstr(&out, ",count");
		else
			for (i = 0; i < nacc; i++) {
				const char *name = t->cols[accs[i].col].name;
				buf_addch(&out, ',');
				format_csv_field(&out, name, strlen(name));
			}
		buf_addch(&out, '\n');
	}
	while ((rc = store_step(st, err)) == 1) {
		int64_t b;

		if (series_time_value(st, time_idx, &tv) < 0)
			continue;
		/* floor division: times before 1970 land in the right bucket */
		b = tv / width - (tv % width < 0);
		b *= width;
		if (have && b != cur) {
			emit(&out, kind, cur, tname, accs, nacc, t, agg, rows, n++);
			for (i = 0; i < nacc; i++)
				memset(&accs[i].b, 0, sizeof(accs[i].b));
			rows = 0;
		}
		cur = b;
		have = 1;
		rows++;
		for (i = 0; i < nacc && agg != RESAMPLE_COUNT; i++) {
			int c = accs[i].col;
			enum store_type ty = store_column_type(st, c);
			double d;

			if (ty == STORE_INT)
				d = (double)store_column_int(st, c);
			else if (ty == STORE_REAL)
				d = store_column_real(st, c);
			else
				continue;
			if (isfinite(d))
				bucket_add(&accs[i].b, tv, d);
		}
		if (out.len >= FLUSH_AT) {
			if (sink->write(sink->ctx, out.s, out.len) < 0) {
				err_set(err, "output closed");
				goto out;
			}
			buf_reset(&out);
		}
	}
	if (rc < 0)
		goto out;
	if (have)
		emit(&out, kind, cur, tname, accs, nacc, t, agg, rows, n++);
	if (kind == FORMAT_JSON)
		buf_addstr(&out, n ? "\n]\n" : "]\n");
	if (sink->write(sink->ctx, out.s, out.len) < 0) {
		err_set(err, "output closed");
		goto out;
	}
	*nbuckets = n;
	ret = 0;
out:
	free(accs);
	buf_release(&out);
	return ret;
}
