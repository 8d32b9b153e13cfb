/*
 * format.h - result rows as a text table, CSV or JSON.
 *
 * Output goes through a sink (stdout for commands, the HTTP response for
 * the API), in pieces, so large results stream in constant memory.  The
 * table format measures column widths on the first rows it sees.
 */
#ifndef HEARTH_FORMAT_H
#define HEARTH_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

enum format_kind { FORMAT_TABLE, FORMAT_CSV, FORMAT_JSON };

struct format_sink {
	/* returns 0, or -1 to stop (a closed pipe, a gone client) */
	int (*write)(void *ctx, const char *p, size_t n);
	void *ctx;
};

/* format_parse: "table", "csv", "json"; -1 for anything else. */
int format_parse(const char *s, enum format_kind *out);

/*
 * format_rows: step st to the end, writing every row.  time_idx >= 0 marks
 * the time column, printed as UTC ISO 8601 whatever its storage (text or
 * unix seconds); -1 prints all columns as stored.  *nrows gets the count.
 */
int format_rows(struct store_stmt *st, int time_idx, enum format_kind kind,
		const struct format_sink *sink, int64_t *nrows,
		struct hearth_err *err);

/* format_json_string: append s (n bytes) as a JSON string literal. */
void format_json_string(struct buf *b, const char *s, size_t n);
/* format_csv_field: append s quoted when it needs to be. */
void format_csv_field(struct buf *b, const char *s, size_t n);

#endif
