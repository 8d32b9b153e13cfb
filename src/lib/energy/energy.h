/*
 * energy.h - kWh and cost per local hour, day, week or month, from a
 * table's power readings or meter counters: what `hearth energy`, GET
 * /api/v1/energy/TABLE and the dashboard's energy panel show.
 *
 * The energy folder owns the integration (integ.h), the slots kept in
 * the database (keep.h), local periods (period.h) and prices
 * (tariff.h).  It may call chart/ (series reads, output formats),
 * store/ and base/; nothing below calls it.
 *
 * Settings, all in [energy]:
 *	TABLE.COLUMN = power | counter_kwh | counter_wh   (power: watts)
 *	max_gap = 5m        longer gaps between readings are not bridged
 *	                    (default: three times the usual interval)
 *	tariff = 0.28, or 0.35 07:00-23:00, 0.12 23:00-07:00
 *	standing_charge = 0.45     per day
 *	currency = £
 * Periods are those of [serve] timezone, else TZ.
 */
#ifndef HEARTH_ENERGY_H
#define HEARTH_ENERGY_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/config.h"
#include "base/err.h"
#include "base/tz.h"
#include "chart/format.h"
#include "energy/keep.h"
#include "energy/period.h"
#include "energy/tariff.h"
#include "store/schema.h"
#include "store/store.h"

struct energy_settings {
	struct tariff tariff;
	char *currency;       /* "" for none */
	int64_t max_gap;      /* microseconds, 0: from the readings */
	struct tz *zone;
};

/* energy_settings_load: [energy] and the zone from cfg; -1 with err
 * naming the key that is wrong.  Release with energy_settings_release
 * (also after a failure). */
int energy_settings_load(struct energy_settings *es, const struct config *cfg,
			 struct hearth_err *err);
void energy_settings_release(struct energy_settings *es);

/*
 * energy_columns: the energy columns of table t in cfg ([energy]
 * T.COLUMN), plus want (may be NULL) as power when it is not one of
 * them; *cols (free it; names are t's) and *n.  *pick is the index of
 * want, or of the only column when want is NULL.  -1 with err when a
 * kind is wrong, want is not a number column of t, or there is no
 * column or more than one to choose from.
 */
int energy_columns(const struct config *cfg, const struct schema_table *t,
		   const char *want, struct energy_col **cols, size_t *n,
		   size_t *pick, struct hearth_err *err);

/* energy_parse_time: a time as --since takes it; an ISO time without a
 * zone is the wall-clock time of z. */
int energy_parse_time(const char *s, int64_t now, const struct tz *z,
		      int64_t *out, struct hearth_err *err);

/* energy_default_since: the start of the window by shows by default
 * (a day of hours, 30 days, 12 weeks, a year of months) before now. */
int64_t energy_default_since(enum energy_by by, int64_t now);

struct energy_query {
	const char *table;
	const char *column;   /* NULL: the table's only energy column */
	enum energy_by by;
	int64_t since, until; /* unix microseconds */
	int64_t now;          /* unix microseconds */
	int no_update;        /* read the slots as they are */
	int rebuild;          /* build them all again first */
};

struct energy_report {
	char *table, *column;
	enum energy_kind kind;
	enum energy_by by;
	struct energy_period *periods;
	size_t n;
	double kwh, missing, cost; /* totals */
	int64_t max_gap;           /* microseconds */
	int has_cost;
	const struct energy_settings *es; /* borrowed */
};
#define ENERGY_REPORT_INIT { NULL, NULL, ENERGY_POWER, ENERGY_BY_DAY, \
			     NULL, 0, 0, 0, 0, 0, 0, NULL }

/* energy_report: bring the table's slots up to date (unless
 * q->no_update), then sum them into q's periods.  schema is the
 * database's now.  Release *r with energy_report_release. */
int energy_report(struct store *s, const struct schema *schema,
		  const struct config *cfg, const struct energy_settings *es,
		  const struct energy_query *q, struct energy_report *r,
		  struct hearth_err *err);
void energy_report_release(struct energy_report *r);

/* energy_report_format: r as a text table, CSV or JSON, appended to out. */
void energy_report_format(const struct energy_report *r,
			  enum format_kind kind, struct buf *out);

#endif
