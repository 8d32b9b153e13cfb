#include "serve/metrics.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "store/kv.h"
#include "chart/series.h"
#include "base/xalloc.h"

/* Latency buckets, seconds: a Pi answering a small write is in the first
 * few; a big import or a long window read lands in the last. */
static const double lat_bounds[] = { 0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
				     0.25,  0.5,   1,    2.5,   5,    10 };
#define NBOUNDS (sizeof(lat_bounds) / sizeof(lat_bounds[0]))

struct table_count {
	char *table;
	int64_t rows, errors;
};

struct req_count {
	char *route, *method;
	int status;
	int64_t n;
};

struct req_latency {
	char *route, *method;
	int64_t buckets[NBOUNDS]; /* non-cumulative; summed when rendered */
	int64_t count;
	double sum;
};

struct metrics {
	pthread_mutex_t lock;
	struct table_count *tables;
	size_t ntables, atables;
	struct req_count *reqs;
	size_t nreqs, areqs;
	struct req_latency *lats;
	size_t nlats, alats;
};

struct metrics *metrics_new(void)
{
	struct metrics *m = xcalloc(1, sizeof(*m));

	pthread_mutex_init(&m->lock, NULL);
	return m;
}

void metrics_free(struct metrics *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->ntables; i++)
		free(m->tables[i].table);
	for (i = 0; i < m->nreqs; i++) {
		free(m->reqs[i].route);
		free(m->reqs[i].method);
	}
	for (i = 0; i < m->nlats; i++) {
		free(m->lats[i].route);
		free(m->lats[i].method);
	}
	free(m->tables);
	free(m->reqs);
	free(m->lats);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

/* Call with the lock held. */
static struct table_count *table_slot(struct metrics *m, const char *table)
{
	size_t i;

	if (!table)
		table = "";
	for (i = 0; i < m->ntables; i++)
		if (!strcmp(m->tables[i].table, table))
			return &m->tables[i];
	XGROW(m->tables, m->ntables + 1, m->atables);
	memset(&m->tables[m->ntables], 0, sizeof(m->tables[0]));
	m->tables[m->ntables].table = xstrdup(table);
	return &m->tables[m->ntables++];
}

void metrics_rows(struct metrics *m, const char *table, int64_t n)
{
	pthread_mutex_lock(&m->lock);
	table_slot(m, table)->rows += n;
	pthread_mutex_unlock(&m->lock);
}

void metrics_write_error(struct metrics *m, const char *table)
{
	pthread_mutex_lock(&m->lock);
	table_slot(m, table)->errors++;
	pthread_mutex_unlock(&m->lock);
}

/* The client names the method: anything but the standard ones is "other",
 * or each new word would add series (and memory) for as long as the
 * server runs. */
static const char *method_label(const char *method)
{
	static const char *const known[] = { "GET", "HEAD", "POST", "PUT",
					     "DELETE", "OPTIONS", "PATCH" };
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(method, known[i]))
			return known[i];
	return "other";
}

void metrics_request(struct metrics *m, const char *route, const char *method,
		     int status, double seconds)
{
	struct req_count *rc = NULL;
	struct req_latency *rl = NULL;
	size_t i;

	if (!route)
		route = "none";
	method = method_label(method);
	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->nreqs && !rc; i++)
		if (m->reqs[i].status == status &&
		    !strcmp(m->reqs[i].route, route) &&
		    !strcmp(m->reqs[i].method, method))
			rc = &m->reqs[i];
	if (!rc) {
		XGROW(m->reqs, m->nreqs + 1, m->areqs);
		rc = &m->reqs[m->nreqs++];
		memset(rc, 0, sizeof(*rc));
		rc->route = xstrdup(route);
		rc->method = xstrdup(method);
		rc->status = status;
	}
	rc->n++;
	for (i = 0; i < m->nlats && !rl; i++)
		if (!strcmp(m->lats[i].route, route) &&
		    !strcmp(m->lats[i].method, method))
			rl = &m->lats[i];
	if (!rl) {
		XGROW(m->lats, m->nlats + 1, m->alats);
		rl = &m->lats[m->nlats++];
		memset(rl, 0, sizeof(*rl));
		rl->route = xstrdup(route);
		rl->method = xstrdup(method);
	}
	for (i = 0; i < NBOUNDS; i++)
		if (seconds <= lat_bounds[i]) {
			rl->buckets[i]++;
			break;
		}
	rl->count++;
	rl->sum += seconds;
	pthread_mutex_unlock(&m->lock);
}

void metrics_label(struct buf *out, const char *v)
{
	buf_addch(out, '"');
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			buf_addch(out, '\\');
		if (*v == '\n') {
			buf_addstr(out, "\\n");
			continue;
		}
		buf_addch(out, *v);
	}
	buf_addch(out, '"');
}

void metrics_render(struct metrics *m, struct buf *out)
{
	size_t i, j;

	pthread_mutex_lock(&m->lock);
	buf_addstr(out, "# HELP hearth_rows_ingested_total Rows stored through "
		   "the HTTP API.\n# TYPE hearth_rows_ingested_total counter\n");
	for (i = 0; i < m->ntables; i++) {
		if (!m->tables[i].table[0])
			continue;
		buf_addstr(out, "hearth_rows_ingested_total{table=");
		metrics_label(out, m->tables[i].table);
		buf_addf(out, "} %lld\n", (long long)m->tables[i].rows);
	}
	buf_addstr(out, "# HELP hearth_write_errors_total Write requests "
		   "refused or failed (nothing of them stored).\n"
		   "# TYPE hearth_write_errors_total counter\n");
	for (i = 0; i < m->ntables; i++) {
		if (!m->tables[i].errors)
			continue;
		buf_addstr(out, "hearth_write_errors_total{table=");
		metrics_label(out, m->tables[i].table);
		buf_addf(out, "} %lld\n", (long long)m->tables[i].errors);
	}
	buf_addstr(out, "# HELP hearth_http_requests_total HTTP requests "
		   "answered.\n# TYPE hearth_http_requests_total counter\n");
	for (i = 0; i < m->nreqs; i++) {
		buf_addstr(out, "hearth_http_requests_total{route=");
		metrics_label(out, m->reqs[i].route);
		buf_addstr(out, ",method=");
		metrics_label(out, m->reqs[i].method);
		buf_addf(out, ",code=\"%d\"} %lld\n", m->reqs[i].status,
			 (long long)m->reqs[i].n);
	}
	buf_addstr(out, "# HELP hearth_http_request_duration_seconds Time from "
		   "request to response.\n"
		   "# TYPE hearth_http_request_duration_seconds histogram\n");
	for (i = 0; i < m->nlats; i++) {
		struct req_latency *rl = &m->lats[i];
		struct buf labels = BUF_INIT;
		int64_t cum = 0;

		buf_addstr(&labels, "route=");
		metrics_label(&labels, rl->route);
		buf_addstr(&labels, ",method=");
		metrics_label(&labels, rl->method);
		for (j = 0; j < NBOUNDS; j++) {
			cum += rl->buckets[j];
			buf_addf(out, "hearth_http_request_duration_seconds_bucket"
				 "{%s,le=\"%g\"} %lld\n", labels.s, lat_bounds[j],
				 (long long)cum);
		}
		buf_addf(out, "hearth_http_request_duration_seconds_bucket"
			 "{%s,le=\"+Inf\"} %lld\n", labels.s,
			 (long long)rl->count);
		buf_addf(out, "hearth_http_request_duration_seconds_sum{%s} %.6f\n",
			 labels.s, rl->sum);
		buf_addf(out, "hearth_http_request_duration_seconds_count{%s} "
			 "%lld\n", labels.s, (long long)rl->count);
		buf_release(&labels);
	}
	pthread_mutex_unlock(&m->lock);
}

/* The newest time in the table, from max() over the time column: one
 * index probe when the column is indexed.  Text and numbers are compared
 * apart (SQLite sorts every number before every text), so both are asked
 * for. */
static int last_time(struct store *s, const struct schema_table *t,
		     const struct schema_column *tc, int64_t *out,
		     struct hearth_err *err)
{
	struct buf sql = BUF_INIT, col = BUF_INIT;
	struct store_stmt *st = NULL;
	int ret = -1, rc, found = 0, i;
	int64_t v;

	store_quote_ident(&col, tc->name);
	buf_addf(&sql, "SELECT max(%s), (SELECT max(%s) FROM ", col.s, col.s);
	store_quote_ident(&sql, t->name);
	buf_addstr(&sql, " WHERE ");
	store_sql_is_number(store_sql(s), &sql, col.s);
	buf_addstr(&sql, ") FROM ");
	store_quote_ident(&sql, t->name);
	if (store_prepare(s, sql.s, &st, err) < 0)
		goto out;
	rc = store_step(st, err);
	if (rc < 0)
		goto out;
	for (i = 0; rc == 1 && i < 2; i++)
		if (series_time_value(st, i, &v) == 0 && (!found || v > *out)) {
			*out = v;
			found = 1;
		}
	ret = found;
out:
	store_finalize(st);
	buf_release(&sql);
	buf_release(&col);
	return ret;
}

struct poll_ctx {
	struct buf times, errors;
};

static int poll_key(void *ctx, const char *key, const struct kv_value *v)
{
	struct poll_ctx *pc = ctx;
	const char *name = key + 5, *dot = strrchr(key, '.');
	char *poller;

	if (dot <= name)
		return 0;
	poller = xstrndup(name, (size_t)(dot - name));
	if (!strcmp(dot, ".time")) {
		double t = -1;
		if (v->type == KV_TIMESTAMP)
			t = (double)v->i / 1e6;
		else if (v->type == KV_INTEGER)
			t = (double)v->i;
		else if (v->type == KV_REAL)
			t = v->r;
		if (t >= 0) {
			buf_addstr(&pc->times, "hearth_poll_last_time_seconds{poller=");
			metrics_label(&pc->times, poller);
			buf_addf(&pc->times, "} %.3f\n", t);
		}
	} else if (!strcmp(dot, ".error")) {
		int bad = v->type == KV_TEXT ? v->len > 0 : 1;
		buf_addstr(&pc->errors, "hearth_poll_error{poller=");
		metrics_label(&pc->errors, poller);
		buf_addf(&pc->errors, "} %d\n", bad);
	}
	free(poller);
	return 0;
}

int metrics_render_db(struct store *s, const struct schema *schema,
		      const struct config *cfg, struct buf *out,
		      struct hearth_err *err)
{
	struct poll_ctx pc = { BUF_INIT, BUF_INIT };
	int64_t bytes;
	size_t i;
	int ret = -1, known;

	if ((known = store_size(s, &bytes, err)) < 0)
		goto out;
	if (known) {
		buf_addstr(out, "# HELP hearth_database_size_bytes The database "
			   "on disk (a SQLite file with its write-ahead log).\n"
			   "# TYPE hearth_database_size_bytes gauge\n");
		buf_addf(out, "hearth_database_size_bytes %lld\n",
			 (long long)bytes);
	}
	buf_addstr(out, "# HELP hearth_last_reading_time_seconds Newest time "
		   "in each series table (unix seconds).\n"
		   "# TYPE hearth_last_reading_time_seconds gauge\n");
	for (i = 0; i < schema->ntables; i++) {
		const struct schema_table *t = &schema->tables[i];
		const struct schema_column *tc;
		int64_t last = 0;
		int rc;

		if (t->internal)
			continue;
		tc = schema_time_column(t, cfg ? config_get(cfg, "time_columns",
							    t->name)
					       : NULL);
		if (!tc)
			continue;
		rc = last_time(s, t, tc, &last, err);
		if (rc < 0)
			goto out;
		if (rc == 0)
			continue;
		buf_addstr(out, "hearth_last_reading_time_seconds{table=");
		metrics_label(out, t->name);
		buf_addf(out, "} %.6f\n", (double)last / 1e6);
	}
	if (kv_list(s, "poll.", poll_key, &pc, err) < 0)
		goto out;
	buf_addstr(out, "# HELP hearth_poll_last_time_seconds When each poller "
		   "last ran (unix seconds).\n"
		   "# TYPE hearth_poll_last_time_seconds gauge\n");
	buf_add(out, buf_cstr(&pc.times), pc.times.len);
	buf_addstr(out, "# HELP hearth_poll_error 1 when the poller's last run "
		   "failed.\n# TYPE hearth_poll_error gauge\n");
	buf_add(out, buf_cstr(&pc.errors), pc.errors.len);
	ret = 0;
out:
	buf_release(&pc.times);
	buf_release(&pc.errors);
	return ret;
}
