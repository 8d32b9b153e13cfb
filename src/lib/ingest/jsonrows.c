#include "ingest/jsonrows.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "rollup/rollup.h"
#include "base/timefmt.h"
#include "ingest/writer.h"
#include "base/xalloc.h"

/* JSON objects in one body usually share their keys; remember the writer
 * for the last shape seen. */
struct shape {
	struct buf key;
	struct writer *w;
};

/* One JSON value as writer text into tmp; NULL for null. */
static const char *value_text(json_t *v, char *tmp, size_t tmpsz, size_t *len)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		*len = json_string_length(v);
		return json_string_value(v);
	case JSON_INTEGER:
		*len = (size_t)snprintf(tmp, tmpsz, "%" JSON_INTEGER_FORMAT,
					json_integer_value(v));
		return tmp;
	case JSON_REAL:
		/* %.17g round-trips every double. */
		*len = (size_t)snprintf(tmp, tmpsz, "%.17g", json_real_value(v));
		return tmp;
	case JSON_TRUE:
	case JSON_FALSE:
		*len = 1;
		return json_is_true(v) ? "1" : "0";
	default:
		*len = 0;
		return NULL;
	}
}

static int store_object(struct store *s, const struct schema *schema,
			const char *table, const char *time_col, json_t *obj,
			size_t idx, struct shape *sh, int64_t now,
			struct jsonrows_result *res, struct hearth_err *err)
{
	const char **cols, **vals;
	size_t *lens, n = json_object_size(obj), i = 0;
	char (*tmp)[64];
	const char *key;
	json_t *v;
	struct buf shape_key = BUF_INIT;
	int ret = -1;

	cols = xcalloc(n + 1, sizeof(*cols));
	vals = xcalloc(n + 1, sizeof(*vals));
	lens = xcalloc(n + 1, sizeof(*lens));
	tmp = xcalloc(n + 1, sizeof(*tmp));
	json_object_foreach(obj, key, v) {
		if (json_is_object(v) || json_is_array(v)) {
			err_set(err, "element %zu: key '%s': nested values are "
				"not allowed (want a number, string, boolean "
				"or null)", idx, key);
			res->bad_input = 1;
			goto out;
		}
		cols[i] = key;
		vals[i] = value_text(v, tmp[i], sizeof(tmp[i]), &lens[i]);
		buf_addstr(&shape_key, key);
		buf_addch(&shape_key, '\x1f');
		i++;
	}
	if (!sh->w || strcmp(buf_cstr(&sh->key), buf_cstr(&shape_key))) {
		writer_free(sh->w);
		sh->w = NULL;
		buf_reset(&sh->key);
		if (writer_open(&sh->w, s, schema, table, cols, n, time_col, 1,
				err) < 0) {
			err_prefix(err, "element %zu", idx);
			/* An unknown table is not the body's fault, but it is
			 * the request's: either way the client must fix it. */
			res->bad_input = 1;
			goto out;
		}
		buf_addstr(&sh->key, buf_cstr(&shape_key));
	}
	if (writer_add(sh->w, vals, lens, now, err) < 0) {
		err_prefix(err, "element %zu", idx);
		/* Type errors and constraint failures are the input's;
		 * a locked or broken database is not, but the caller
		 * cannot tell them apart better than the message does. */
		res->bad_input = 1;
		goto out;
	}
	ret = 0;
out:
	buf_release(&shape_key);
	free(cols);
	free(vals);
	free(lens);
	free(tmp);
	return ret;
}

int jsonrows_write(struct store *s, const struct schema *schema,
		   const char *table, const char *time_col, const char *body,
		   size_t len, struct jsonrows_result *res,
		   struct hearth_err *err)
{
	struct shape sh = { BUF_INIT, NULL };
	json_error_t jerr;
	json_t *root;
	size_t i, n;
	int64_t now = timefmt_now(), stored = 0;
	int ret = -1, in_tx = 0;

	memset(res, 0, sizeof(*res));
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		res->bad_input = 1;
		return err_set(err, "line %d, column %d: %s", jerr.line,
			       jerr.column, jerr.text);
	}
	if (!json_is_object(root) && !json_is_array(root)) {
		res->bad_input = 1;
		err_set(err, "want a JSON object or an array of objects");
		goto out;
	}
	n = json_is_array(root) ? json_array_size(root) : 1;
	for (i = 0; i < n; i++)
		if (json_is_array(root) &&
		    !json_is_object(json_array_get(root, i))) {
			res->bad_input = 1;
			err_set(err, "element %zu: not an object (want an array "
				"of objects)", i);
			goto out;
		}
	if (store_begin_immediate(s, err) < 0)
		goto out;
	in_tx = 1;
	for (i = 0; i < n; i++) {
		json_t *obj = json_is_array(root) ? json_array_get(root, i) : root;
		if (store_object(s, schema, table, time_col, obj, i, &sh, now,
				 res, err) < 0)
			goto out;
		stored++;
	}
	/* Into the chart rollups in the same transaction. */
	if (rollup_catch_up(s, schema, table, err) < 0)
		goto out;
	in_tx = 0;
	if (store_commit(s, err) < 0) {
		struct hearth_err ignore;
		store_rollback(s, &ignore);
		goto out;
	}
	res->rows = stored;
	ret = 0;
out:
	if (in_tx) {
		struct hearth_err ignore;
		store_rollback(s, &ignore);
	}
	writer_free(sh.w);
	buf_release(&sh.key);
	json_decref(root);
	return ret;
}
