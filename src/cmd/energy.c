/*
 * cmd/energy.c - hearth energy: kWh and cost per local period
 * (energy.h).
 */
#include <getopt.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "energy/energy.h"
#include "base/timefmt.h"

static const char energy_help[] =
	"Energy in kWh (and its cost) per local hour, day, week or month,\n"
	"integrated from a column of power readings in watts (trapezoids\n"
	"between readings) or from a meter's counter (differences, resets\n"
	"counted from 0).  Gaps longer than [energy] max_gap are not bridged\n"
	"and show as missing time.\n\n"
	"  --column COL     the column ([energy] TABLE.COL = power,\n"
	"                   counter_kwh or counter_wh; default: the table's\n"
	"                   only one; an unconfigured COL is read as watts)\n"
	"  --by P           hour, day (default), week or month, in [serve]\n"
	"                   timezone, else TZ\n"
	"  --since T        from the period holding T; default: a day of\n"
	"                   hours, 30 days, 12 weeks or a year of months\n"
	"  --until T        to the period holding T; default: now\n"
	"  --format F       table (default), csv or json\n"
	"  --rebuild        integrate every reading again (after changing\n"
	"                   max_gap or editing old rows by hand)\n\n"
	"Cost: [energy] tariff = 0.28 per kWh, or by time of day\n"
	"(0.35 07:00-23:00, 0.12 23:00-07:00); standing_charge per day;\n"
	"currency.  T as for query; an ISO time without a zone is local.\n";

int cmd_energy(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "column", required_argument, NULL, 'c' },
		{ "by", required_argument, NULL, 'b' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "format", required_argument, NULL, 'f' },
		{ "rebuild", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hearth_err err = HEARTH_ERR_INIT;
	struct energy_settings es;
	struct energy_report r = ENERGY_REPORT_INIT;
	struct energy_query q = { NULL, NULL, ENERGY_BY_DAY, 0, 0, 0, 0, 0 };
	struct schema schema = SCHEMA_INIT;
	enum format_kind kind = FORMAT_TABLE;
	const char *since = NULL, *until = NULL;
	struct buf out = BUF_INIT;
	int c, ret = 1;

	q.now = timefmt_now();
	while ((c = getopt_long(argc, argv, "c:b:s:u:f:rh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			q.column = optarg;
			break;
		case 'b':
			if (energy_by_parse(optarg, &q.by) < 0)
				return cmd_usage(ctx, "--by is hour, day, week "
						 "or month");
			break;
		case 's':
			since = optarg;
			break;
		case 'u':
			until = optarg;
			break;
		case 'f':
			if (format_parse(optarg, &kind) < 0)
				return cmd_usage(ctx, "--format is table, csv "
						 "or json");
			break;
		case 'r':
			q.rebuild = 1;
			break;
		case 'h':
			return cmd_help(ctx, energy_help);
		default:
			return cmd_usage(ctx, NULL);
		}
	}
	if (argc - optind != 1)
		return cmd_usage(ctx, "want one table");
	q.table = argv[optind];
	if (energy_settings_load(&es, ctx->cfg, &err) < 0) {
		cmd_error("%s", err.msg);
		goto out;
	}
	q.until = q.now;
	q.since = energy_default_since(q.by, q.now);
	if ((since && energy_parse_time(since, q.now, es.zone, &q.since,
					&err) < 0) ||
	    (until && energy_parse_time(until, q.now, es.zone, &q.until,
					&err) < 0)) {
		ret = cmd_usage(ctx, err.msg);
		goto out;
	}
	if (store_introspect(ctx->store, &schema, &err) < 0 ||
	    energy_report(ctx->store, &schema, ctx->cfg, &es, &q, &r, &err) < 0) {
		cmd_error("energy %s: %s", q.table, err.msg);
		goto out;
	}
	energy_report_format(&r, kind, &out);
	if (fwrite(out.s, 1, out.len, stdout) != out.len ||
	    fflush(stdout) != 0) {
		cmd_error("energy %s: cannot write output", q.table);
		goto out;
	}
	ret = 0;
out:
	buf_release(&out);
	energy_report_release(&r);
	energy_settings_release(&es);
	schema_release(&schema);
	return ret;
}
