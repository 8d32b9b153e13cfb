#include "chart/format.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "chart/series.h"
#include "base/timefmt.h"
#include "base/xalloc.h"

#define FLUSH_AT 65536
#define TABLE_SAMPLE 200 /* rows buffered to size the table columns */

int format_parse(const char *s, enum format_kind *out)
{
	if (!strcmp(s, "table"))
		*out = FORMAT_TABLE;
	else if (!strcmp(s, "csv"))
		*out = FORMAT_CSV;
	else if (!strcmp(s, "json"))
		*out = FORMAT_JSON;
	else
		return -1;
	return 0;
}

void format_json_string(struct buf *b, const char *s, size_t n)
{
	size_t i;

	buf_addch(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			buf_addch(b, '\\');
			buf_addch(b, (char)c);
		} else if (c == '\n') {
			buf_addstr(b, "\\n");
		} else if (c == '\r') {
			buf_addstr(b, "\\r");
		} else if (c == '\t') {
			buf_addstr(b, "\\t");
		} else if (iscntrl(c)) {
			buf_addf(b, "\\u%04x", c);
		} else {
			buf_addch(b, (char)c);
		}
	}
	buf_addch(b, '"');
}

void format_csv_field(struct buf *b, const char *s, size_t n)
{
	size_t i;

	if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) &&
	    !memchr(s, '\r', n)) {
		buf_add(b, s, n);
		return;
	}
	buf_addch(b, '"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			buf_addch(b, '"');
		buf_addch(b, s[i]);
	}
	buf_addch(b, '"');
}

/* Text for a terminal: control characters would move the cursor, change
 * colours or break the table (and \x1e, \x1f are the sampler's own
 * separators), so they are shown as escapes. */
static void table_text(struct buf *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n')
			buf_addstr(out, "\\n");
		else if (c == '\t')
			buf_addstr(out, "\\t");
		else if (iscntrl(c))
			buf_addf(out, "\\x%02x", c);
		else
			buf_addch(out, (char)c);
	}
}

/* One value as text; *is_num says whether JSON may print it bare. */
static void value_text(struct store_stmt *st, int i, int time_idx,
		       enum format_kind kind, struct buf *out, int *is_num,
		       int *is_null)
{
	size_t len, k;
	const unsigned char *blob;
	int64_t t;
	char tmp[64];

	*is_num = 0;
	*is_null = 0;
	if (i == time_idx && series_time_value(st, i, &t) == 0) {
		timefmt_format(t, kind == FORMAT_JSON ? TIMEFMT_ISO_Z : TIMEFMT_SQL,
			       tmp, sizeof(tmp));
		buf_addstr(out, tmp);
		return;
	}
	switch (store_column_type(st, i)) {
	case STORE_NULL:
		*is_null = 1;
		break;
	case STORE_INT:
		buf_addf(out, "%lld", (long long)store_column_int(st, i));
		*is_num = 1;
		break;
	case STORE_REAL: {
		double d = store_column_real(st, i);
		if (isfinite(d)) {
			buf_addf(out, "%.15g", d);
			*is_num = 1;
		} else {
			buf_addstr(out, d > 0 ? "Infinity" : d < 0 ? "-Infinity" : "NaN");
		}
		break;
	}
	case STORE_TEXT:
		{
			const char *s = store_column_text(st, i, &len);
			if (kind == FORMAT_TABLE)
				table_text(out, s, len);
			else
				buf_add(out, s, len);
		}
		break;
	case STORE_BLOB:
		blob = store_column_blob(st, i, &len);
		buf_addstr(out, "x'");
		for (k = 0; k < len; k++)
			buf_addf(out, "%02x", blob[k]);
		buf_addch(out, '\'');
		break;
	}
}

static int flush(const struct format_sink *sink, struct buf *b, int force)
{
	if (b->len && (force || b->len >= FLUSH_AT)) {
		if (sink->write(sink->ctx, b->s, b->len) < 0)
			return -1;
		buf_reset(b);
	}
	return 0;
}

/* Display width of UTF-8 text: count the bytes that start a character. */
static size_t width(const char *s, size_t n)
{
	size_t w = 0, i;

	for (i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

struct table_state {
	int ncols;
	size_t *w;
	int *right;         /* numbers align right */
	struct buf rows;    /* sampled rows: cells separated by \x1f, rows by \x1e */
	size_t nsampled;
};

static void table_cell(struct buf *out, const char *s, size_t n, size_t w,
		       int right)
{
	size_t cw = width(s, n), pad = cw < w ? w - cw : 0;

	if (right)
		while (pad--)
			buf_addch(out, ' ');
	buf_add(out, s, n);
	if (!right)
		while (pad--)
			buf_addch(out, ' ');
}

static void table_emit_sampled(struct table_state *ts, struct buf *out,
			       struct store_stmt *st)
{
	const char *p = ts->rows.s ? ts->rows.s : "", *end = p + ts->rows.len;
	int c;
	size_t k;

	for (c = 0; c < ts->ncols; c++) {
		const char *name = store_column_name(st, c);
		if (c)
			buf_addstr(out, "  ");
		table_cell(out, name, strlen(name), ts->w[c], ts->right[c]);
	}
	buf_addch(out, '\n');
	for (c = 0; c < ts->ncols; c++) {
		if (c)
			buf_addstr(out, "  ");
		for (k = 0; k < ts->w[c]; k++)
			buf_addch(out, '-');
	}
	buf_addch(out, '\n');
	while (p < end) {
		for (c = 0; c < ts->ncols; c++) {
			const char *e = p;
			while (e < end && *e != '\x1f' && *e != '\x1e')
				e++;
			if (c)
				buf_addstr(out, "  ");
			table_cell(out, p, (size_t)(e - p), ts->w[c], ts->right[c]);
			p = e + 1;
		}
		buf_addch(out, '\n');
	}
	buf_release(&ts->rows);
}

int format_rows(struct store_stmt *st, int time_idx, enum format_kind kind,
		const struct format_sink *sink, int64_t *nrows,
		struct hearth_err *err)
{
	struct buf out = BUF_INIT, cell = BUF_INIT;
	struct table_state ts;
	int ncols = store_column_count(st), c, rc, is_num, is_null, ret = -1;
	int64_t n = 0;

	memset(&ts, 0, sizeof(ts));
	ts.ncols = ncols;
	ts.w = xcalloc((size_t)ncols + 1, sizeof(*ts.w));
	ts.right = xcalloc((size_t)ncols + 1, sizeof(*ts.right));
	for (c = 0; c < ncols; c++) {
		const char *name = store_column_name(st, c);
		ts.w[c] = width(name, strlen(name));
	}
	if (kind == FORMAT_CSV) {
		for (c = 0; c < ncols; c++) {
			const char *name = store_column_name(st, c);
			if (c)
				buf_addch(&out, ',');
			format_csv_field(&out, name, strlen(name));
		}
		buf_addch(&out, '\n');
	} else if (kind == FORMAT_JSON) {
		buf_addch(&out, '[');
	}
	while ((rc = store_step(st, err)) == 1) {
		if (kind == FORMAT_JSON)
			buf_addstr(&out, n ? ",\n{" : "\n{");
		for (c = 0; c < ncols; c++) {
			buf_reset(&cell);
			value_text(st, c, time_idx, kind, &cell, &is_num, &is_null);
			switch (kind) {
			case FORMAT_CSV:
				if (c)
					buf_addch(&out, ',');
				format_csv_field(&out, buf_cstr(&cell), cell.len);
				break;
			case FORMAT_JSON: {
				const char *name = store_column_name(st, c);
				if (c)
					buf_addch(&out, ',');
				format_json_string(&out, name, strlen(name));
				buf_addch(&out, ':');
				if (is_null)
					buf_addstr(&out, "null");
				else if (is_num)
					buf_add(&out, cell.s, cell.len);
				else
					format_json_string(&out, buf_cstr(&cell),
							   cell.len);
				break;
			}
			case FORMAT_TABLE: {
				const char *v = is_null ? "NULL" : buf_cstr(&cell);
				size_t vl = is_null ? 4 : cell.len;
				if (ts.nsampled < TABLE_SAMPLE) {
					size_t cw = width(v, vl);
					if (cw > ts.w[c])
						ts.w[c] = cw;
					if (is_num && n == 0)
						ts.right[c] = 1;
					buf_add(&ts.rows, v, vl);
					buf_addch(&ts.rows, c + 1 < ncols ? '\x1f' : '\x1e');
				} else {
					if (c)
						buf_addstr(&out, "  ");
					table_cell(&out, v, vl, ts.w[c], ts.right[c]);
				}
				break;
			}
			}
		}
		if (kind == FORMAT_JSON)
			buf_addch(&out, '}');
		else if (kind == FORMAT_CSV || ts.nsampled >= TABLE_SAMPLE)
			buf_addch(&out, '\n');
		n++;
		if (kind == FORMAT_TABLE && ts.nsampled < TABLE_SAMPLE &&
		    ++ts.nsampled == TABLE_SAMPLE)
			table_emit_sampled(&ts, &out, st);
		if (flush(sink, &out, 0) < 0) {
			err_set(err, "output closed");
			goto out;
		}
	}
	if (rc < 0)
		goto out;
	if (kind == FORMAT_TABLE && ts.nsampled < TABLE_SAMPLE && ncols > 0)
		table_emit_sampled(&ts, &out, st);
	if (kind == FORMAT_JSON)
		buf_addstr(&out, n ? "\n]\n" : "]\n");
	if (flush(sink, &out, 1) < 0) {
		err_set(err, "output closed");
		goto out;
	}
	*nrows = n;
	ret = 0;
out:
	free(ts.w);
	free(ts.right);
	buf_release(&ts.rows);
	buf_release(&out);
	buf_release(&cell);
	return ret;
}
