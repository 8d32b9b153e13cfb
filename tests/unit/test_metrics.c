#include "t.h"

#include "store/kv.h"
#include "serve/metrics.h"
#include "store/store.h"

static void test_counters(void)
{
	struct metrics *m = metrics_new();
	struct buf out = BUF_INIT;

	metrics_rows(m, "readings", 5);
	metrics_rows(m, "readings", 7);
	metrics_write_error(m, "readings");
	metrics_write_error(m, NULL);
	metrics_request(m, "/write", "POST", 204, 0.002);
	metrics_request(m, "/write", "POST", 204, 3.0);
	metrics_request(m, NULL, "GET", 404, 0.0001);
	metrics_render(m, &out);
	CHECK(strstr(out.s, "hearth_rows_ingested_total{table=\"readings\"} 12\n"));
	CHECK(strstr(out.s, "hearth_write_errors_total{table=\"readings\"} 1\n"));
	CHECK(strstr(out.s, "hearth_write_errors_total{table=\"\"} 1\n"));
	CHECK(strstr(out.s, "hearth_http_requests_total{route=\"/write\",method=\"POST\",code=\"204\"} 2\n"));
	CHECK(strstr(out.s, "hearth_http_requests_total{route=\"none\",method=\"GET\",code=\"404\"} 1\n"));
	CHECK(strstr(out.s, "hearth_http_request_duration_seconds_bucket{route=\"/write\",method=\"POST\",le=\"0.005\"} 1\n"));
	CHECK(strstr(out.s, "hearth_http_request_duration_seconds_bucket{route=\"/write\",method=\"POST\",le=\"5\"} 2\n"));
	CHECK(strstr(out.s, "hearth_http_request_duration_seconds_count{route=\"/write\",method=\"POST\"} 2\n"));
	buf_release(&out);
	metrics_free(m);
}

/* Clients name the method: 1,000 made-up ones must not make 1,000 series
 * (they did, found by sending random requests). */
static void test_methods_bounded(void)
{
	struct metrics *m = metrics_new();
	struct buf out = BUF_INIT;
	char method[16];
	int i;

	for (i = 0; i < 1000; i++) {
		snprintf(method, sizeof(method), "M%d", i);
		metrics_request(m, NULL, method, 405, 0.0001);
	}
	metrics_request(m, NULL, "PATCH", 405, 0.0001);
	metrics_render(m, &out);
	CHECK(strstr(out.s, "hearth_http_requests_total{route=\"none\",method=\"other\",code=\"405\"} 1000\n"));
	CHECK(strstr(out.s, "method=\"PATCH\",code=\"405\"} 1\n"));
	CHECK(strstr(out.s, "M999") == NULL);
	CHECK(out.len < 4096);
	buf_release(&out);
	metrics_free(m);
}

static void test_label_escape(void)
{
	struct buf out = BUF_INIT;

	metrics_label(&out, "a\"b\\c\nd");
	CHECK_STR(out.s, "\"a\\\"b\\\\c\\nd\"");
	buf_release(&out);
}

static void test_db(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = NULL;
	struct schema schema = SCHEMA_INIT;
	struct kv_value v = KV_VALUE_INIT;
	struct buf out = BUF_INIT;

	CHECK_INT(store_open(&s, "sqlite:///:memory:", NULL, STORE_CREATE, &err), 0);
	CHECK_INT(store_exec(s, "CREATE TABLE r (t TIMESTAMP, w INTEGER);"
			     "INSERT INTO r VALUES ('2024-01-01 00:00:00', 1),"
			     "(1704067260, 2), ('2023-12-31 23:00:00', 3);"
			     "CREATE TABLE empty (t TIMESTAMP, w INTEGER);", &err), 0);
	v.type = KV_TIMESTAMP;
	v.i = INT64_C(1704067200) * 1000000;
	CHECK_INT(kv_set(s, "poll.imap.time", &v, &err), 0);
	CHECK_INT(kv_value_parse("timeout", KV_TEXT, 0, &v, &err), 0);
	CHECK_INT(kv_set(s, "poll.imap.error", &v, &err), 0);
	kv_value_release(&v);
	CHECK_INT(store_introspect(s, &schema, &err), 0);
	CHECK_INT(metrics_render_db(s, &schema, NULL, &out, &err), 0);
	/* The unix-seconds row is the newest, though text sorts after it. */
	CHECK(strstr(out.s, "hearth_last_reading_time_seconds{table=\"r\"} 1704067260.000000\n"));
	CHECK(!strstr(out.s, "{table=\"empty\"}"));
	CHECK(!strstr(out.s, "hearth_kv"));
	CHECK(strstr(out.s, "hearth_poll_last_time_seconds{poller=\"imap\"} 1704067200.000\n"));
	CHECK(strstr(out.s, "hearth_poll_error{poller=\"imap\"} 1\n"));
	buf_release(&out);
	schema_release(&schema);
	store_close(s);
}

T_MAIN("metrics", T(test_counters), T(test_methods_bounded),
       T(test_label_escape), T(test_db))
