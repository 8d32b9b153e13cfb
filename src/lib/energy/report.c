/*
 * report.c - an energy report as a text table, CSV or JSON.
 */
#include <stdio.h>
#include <string.h>

#include "energy/energy.h"
#include "base/timefmt.h"

static void iso(struct buf *b, int64_t secs)
{
	char t[40];

	timefmt_format(secs * US_PER_SEC, TIMEFMT_ISO_Z, t, sizeof(t));
	buf_addstr(b, t);
}

static void table_row(struct buf *b, const struct energy_report *r,
		      const char *label, double kwh, double missing,
		      double cost)
{
	char m[32];

	if (missing > 0)
		snprintf(m, sizeof(m), "%.2fh", missing / 3600);
	else
		snprintf(m, sizeof(m), "-");
	buf_addf(b, "%-16s %12.3f %10s", label, kwh, m);
	if (r->has_cost)
		buf_addf(b, " %s%.2f", r->es->currency, cost);
	buf_addch(b, '\n');
}

static void json_number(struct buf *b, const char *name, double v, int prec)
{
	buf_addf(b, "\"%s\":%.*f", name, prec, v);
}

static void json_fields(struct buf *b, const struct energy_report *r,
			double kwh, double missing, double cost)
{
	json_number(b, "kwh", kwh, 6);
	buf_addch(b, ',');
	json_number(b, "missing_s", missing, 0);
	if (r->has_cost) {
		buf_addch(b, ',');
		json_number(b, "cost", cost, 4);
	}
}

void energy_report_format(const struct energy_report *r,
			  enum format_kind kind, struct buf *out)
{
	size_t i;

	if (kind == FORMAT_TABLE) {
		buf_addf(out, "%-16s %12s %10s%s\n", energy_by_name(r->by), "kWh",
			 "missing", r->has_cost ? " cost" : "");
		for (i = 0; i < r->n; i++)
			table_row(out, r, r->periods[i].label, r->periods[i].kwh,
				  r->periods[i].missing, r->periods[i].cost);
		table_row(out, r, "total", r->kwh, r->missing, r->cost);
		return;
	}
	if (kind == FORMAT_CSV) {
		buf_addf(out, "period,start,end,kwh,missing_s%s\r\n",
			 r->has_cost ? ",cost" : "");
		for (i = 0; i < r->n; i++) {
			const struct energy_period *p = &r->periods[i];

			buf_addf(out, "%s,", p->label);
			iso(out, p->start);
			buf_addch(out, ',');
			iso(out, p->end);
			buf_addf(out, ",%.6f,%.0f", p->kwh, p->missing);
			if (r->has_cost)
				buf_addf(out, ",%.4f", p->cost);
			buf_addstr(out, "\r\n");
		}
		return;
	}
	buf_addstr(out, "{\"table\":");
	format_json_string(out, r->table, strlen(r->table));
	buf_addstr(out, ",\"column\":");
	format_json_string(out, r->column, strlen(r->column));
	buf_addf(out, ",\"kind\":\"%s\",\"by\":\"%s\",\"timezone\":",
		 energy_kind_name(r->kind), energy_by_name(r->by));
	format_json_string(out, tz_name(r->es->zone), strlen(tz_name(r->es->zone)));
	buf_addf(out, ",\"max_gap_s\":%.6g", (double)r->max_gap / US_PER_SEC);
	if (r->has_cost) {
		buf_addstr(out, ",\"currency\":");
		format_json_string(out, r->es->currency, strlen(r->es->currency));
	}
	buf_addstr(out, ",\"periods\":[");
	for (i = 0; i < r->n; i++) {
		const struct energy_period *p = &r->periods[i];

		buf_addstr(out, i ? ",{\"period\":" : "{\"period\":");
		format_json_string(out, p->label, strlen(p->label));
		buf_addstr(out, ",\"start\":\"");
		iso(out, p->start);
		buf_addstr(out, "\",\"end\":\"");
		iso(out, p->end);
		buf_addstr(out, "\",");
		json_fields(out, r, p->kwh, p->missing, p->cost);
		buf_addch(out, '}');
	}
	buf_addstr(out, "],\"total\":{");
	json_fields(out, r, r->kwh, r->missing, r->cost);
	buf_addstr(out, "}}\n");
}
