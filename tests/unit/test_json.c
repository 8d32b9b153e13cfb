/* Tests for json.c: JSON bodies parsed into a batch, then stored in a
 * write transaction, all or nothing, as the server stores them. */
#include "t.h"

#include "ingest/batch.h"
#include "ingest/ingest.h"
#include "ingest/wtx.h"

static struct store *s;
static struct schema schema = SCHEMA_INIT;

struct jsonrows_result {
	int64_t rows;  /* rows stored (0 on error) */
	int bad_input; /* the error is the body's fault (HTTP 400) */
};

static int write(const char *body, struct jsonrows_result *res,
		 struct hearth_err *err)
{
	struct batch_opts bo = { s, &schema, NULL, "r", 64, 0 };
	struct batch *b = batch_new(&bo);
	struct ingest_src src;
	struct ingest_parser *p;
	struct wtx tx = WTX_INIT;
	long bad = 0;
	int rc;

	memset(res, 0, sizeof(*res));
	ingest_src_mem(&src, body, strlen(body));
	p = ingest_open(INGEST_JSON, &src, LP_NS);
	rc = batch_fill(b, p, 100000, &bad, err);
	if (rc < 0)
		res->bad_input = 1;
	else if (wtx_begin(&tx, s, err) < 0 || wtx_put(&tx, b, &bad, err) < 0 ||
		 wtx_commit(&tx, err) < 0) {
		res->bad_input = bad != 0;
		rc = -1;
	} else
		res->rows = tx.counts.rows;
	wtx_release(&tx);
	ingest_free(p);
	batch_free(b);
	return rc < 0 ? -1 : 0;
}

static int64_t count(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	int64_t n = -1;

	store_query_int(s, "SELECT count(*) FROM r", &n, &err, (const char *)NULL);
	return n;
}

static void setup(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;

	CHECK_INT(store_open(&s, "sqlite:///:memory:", NULL, STORE_CREATE, &err), 0);
	CHECK_INT(store_exec(s, "CREATE TABLE r (t TIMESTAMP, w INTEGER, c REAL, "
			     "name TEXT)", &err), 0);
	CHECK_INT(store_introspect(s, &schema, &err), 0);
}

static void test_good(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct jsonrows_result res;
	int64_t n = 0;

	setup();
	CHECK_INT(write("{\"t\":\"2024-01-01T00:00:00Z\",\"w\":5,\"c\":1.25,"
			"\"name\":\"x\"}", &res, &err), 0);
	CHECK_INT(res.rows, 1);
	CHECK_INT(write("[{\"t\":1704067260,\"w\":true,\"c\":null},"
			"{\"t\":\"2024-01-01 00:02:00\",\"w\":false,\"name\":\"y\"},"
			"{\"w\":-3}]", &res, &err), 0);
	CHECK_INT(res.rows, 3);
	CHECK_INT(write("[]", &res, &err), 0);
	CHECK_INT(res.rows, 0);
	CHECK_INT(count(), 4);
	store_query_int(s, "SELECT sum(w) FROM r", &n, &err, (const char *)NULL);
	CHECK_INT(n, 5 + 1 + 0 - 3);
	store_query_int(s, "SELECT count(*) FROM r WHERE t = '2024-01-01 00:01:00' "
			"AND c IS NULL", &n, &err, (const char *)NULL);
	CHECK_INT(n, 1);
	schema_release(&schema);
	store_close(s);
}

/* Bad bodies tried; each stores nothing and names where it went wrong. */
static void test_bad(void)
{
	static const struct {
		const char *body, *msg;
	} cases[] = {
		{ "[{\"w\":1},{\"w\":{\"a\":1}}]", "element 1: key 'w': nested" },
		{ "[{\"w\":1},{\"c\":[1]}]", "element 1: key 'c': nested" },
		{ "[{\"w\":1},3]", "element 1: not an object" },
		{ "\"text\"", "line 1, column 6: '[' or '{' expected" },
		{ "[{\"w\":1}", "line 1, column" },
		{ "{\"w\":1,\"w\":2}", "duplicate" },
		{ "[{\"w\":1},{\"w\":\"many\"}]", "element 1: column w: 'many' is not an integer" },
		{ "[{\"w\":1},{\"x\":1}]", "element 1: unknown column 'x'" },
		{ "[{\"w\":1},{\"t\":\"soon\"}]", "element 1: column t: 'soon' is not a time" },
	};
	struct hearth_err err = HEARTH_ERR_INIT;
	struct jsonrows_result res;
	size_t i;

	setup();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err_clear(&err);
		CHECK_INT(write(cases[i].body, &res, &err), -1);
		CHECK_INT(res.bad_input, 1);
		CHECK_INT(res.rows, 0);
		if (!strstr(err.msg, cases[i].msg)) {
			fprintf(stderr, "  case %zu: '%s' lacks '%s'\n", i,
				err.msg, cases[i].msg);
			t_case_failed = 1;
		}
	}
	CHECK_INT(count(), 0);
	/* The connection is usable afterwards: no transaction left open. */
	CHECK_INT(write("{\"w\":1}", &res, &err), 0);
	CHECK_INT(count(), 1);
	schema_release(&schema);
	store_close(s);
}

T_MAIN("json", T(test_good), T(test_bad))
