#include "serve/api_energy.h"

#include <string.h>

#include "base/timefmt.h"
#include "energy/energy.h"
#include "serve/auth.h"
#include "serve/dbcache.h"
#include "serve/serve.h"

/* A time argument, or def when absent; -1 with the reply made. */
static int time_arg(struct http_req *req, const char *name, int64_t now,
		    const struct tz *z, int64_t def, int64_t *out,
		    struct http_resp *resp)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	const char *v = http_arg(req, name);

	*out = def;
	if (!v || !*v)
		return 0;
	if (energy_parse_time(v, now, z, out, &err) < 0) {
		http_resp_error(resp, 400, "%s: %s", name, err.msg);
		return -1;
	}
	return 0;
}

static int energy_route(struct http_req *req, struct http_resp *resp,
			void *ctx)
{
	struct serve_ctx *sc = ctx;
	struct hearth_err err = HEARTH_ERR_INIT;
	struct energy_settings es;
	struct energy_report r = ENERGY_REPORT_INIT;
	struct energy_query q = { NULL, NULL, ENERGY_BY_DAY, 0, 0, 0, 0, 0 };
	const char *by = http_arg(req, "by"), *fmt = http_arg(req, "format");
	const struct schema *schema;
	enum format_kind kind = FORMAT_JSON;
	struct store *s;
	int ret = 0;

	if (!auth_api(sc->cfg, req, resp, 0, 0))
		return 0;
	memset(&es, 0, sizeof(es));
	q.table = req->path + strlen(req->route->data);
	q.column = http_arg(req, "column");
	q.now = timefmt_now();
	if (by && energy_by_parse(by, &q.by) < 0)
		return http_resp_error(resp, 400, "by: '%.32s' is not hour, "
				       "day, week or month", by);
	if (fmt && format_parse(fmt, &kind) < 0)
		return http_resp_error(resp, 400, "format: '%.32s' is not json, "
				       "csv or table", fmt);
	if (energy_settings_load(&es, sc->cfg, &err) < 0) {
		ret = http_resp_error(resp, 500, "%s", err.msg);
		goto out;
	}
	if (time_arg(req, "since", q.now, es.zone,
		     energy_default_since(q.by, q.now), &q.since, resp) < 0 ||
	    time_arg(req, "until", q.now, es.zone, q.now, &q.until, resp) < 0)
		goto out;
	s = dbcache_store(sc->dbs, &err);
	schema = s ? dbcache_schema(sc->dbs, &err) : NULL;
	if (!schema) {
		ret = http_resp_error(resp, 503, "database: %s", err.msg);
		goto out;
	}
	{
		const struct schema_table *t = schema_find_table(schema, q.table);
		if (!t || t->internal || !schema_is_series(t)) {
			ret = http_resp_error(resp, 404, "no series table "
					      "'%.128s'", q.table);
			goto out;
		}
	}
	if (energy_report(s, schema, sc->cfg, &es, &q, &r, &err) < 0) {
		ret = http_resp_error(resp, 400, "%s", err.msg);
		goto out;
	}
	energy_report_format(&r, kind, &resp->body);
	resp->content_type = kind == FORMAT_JSON ? "application/json"
			     : kind == FORMAT_CSV ? "text/csv; charset=utf-8"
						  : "text/plain; charset=utf-8";
out:
	energy_report_release(&r);
	energy_settings_release(&es);
	return ret;
}

const struct http_route api_energy_routes[] = {
	{ "GET", "/api/v1/energy/*", energy_route, "/api/v1/energy/", 0 },
	{ NULL, NULL, NULL, NULL, 0 },
};
