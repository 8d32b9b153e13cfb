#include "t.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>

#include "t_store.h"
#include "store/store.h"
#include "base/timefmt.h"
#include "ingest/writer.h"

/* One row of n values of the given lengths (they may hold NUL bytes):
 * converted, then inserted. */
static int add_lens(struct store *s, const char *table,
		    const char *const *cols, const char *const *vals,
		    const size_t *lens, size_t n, struct hearth_err *err)
{
	struct schema sc = SCHEMA_INIT;
	struct writer *w = NULL;
	struct writer_val row[9];
	char timebuf[WRITER_TIME_MAX];
	size_t bad;
	int ret = -1;

	if (store_introspect(s, &sc, err) == 0 &&
	    writer_open(&w, s, &sc, table, cols, n, NULL, 1, err) == 0 &&
	    writer_convert(w, vals, lens, INT64_C(1416780900) * US_PER_SEC,
			   timebuf, row, NULL, err) == 0 &&
	    writer_insert_rows(w, s, row, 1, &bad, err) == 0)
		ret = 0;
	writer_free(w);
	schema_release(&sc);
	return ret;
}

static int add(struct store *s, const char *table, const char *const *cols,
	       const char *const *vals, size_t n, struct hearth_err *err)
{
	size_t lens[8], i;

	for (i = 0; i < n; i++)
		lens[i] = vals[i] ? strlen(vals[i]) : 0;
	return add_lens(s, table, cols, vals, lens, n, err);
}

static char *one(struct store *s, const char *sql)
{
	static char out[256];
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store_stmt *st;

	out[0] = '\0';
	if (store_prepare(s, sql, &st, &err) == 0) {
		if (store_step(st, &err) == 1)
			snprintf(out, sizeof(out), "%s", store_column_text(st, 0, NULL));
		store_finalize(st);
	}
	return out;
}

static void test_types_and_time(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem("CREATE TABLE r (t TIMESTAMP, w INT, temp REAL, "
			      "note TEXT, any_)");
	const char *cols[] = { "w", "temp", "note", "any_" };
	const char *vals[] = { "512", "21.5", "hi", "7" };
	const char *cols2[] = { "t", "w" };
	const char *vals2[] = { "1416780960", "5.0" };

	CHECK(add(s, "r", cols, vals, 4, &err) == 0);
	CHECK_STR(one(s, "SELECT t || '|' || typeof(w) || '|' || typeof(temp) "
			 "|| '|' || typeof(any_) FROM r"),
		  "2014-11-23 22:15:00|integer|real|integer");
	CHECK(add(s, "r", cols2, vals2, 2, &err) == 0);
	CHECK_STR(one(s, "SELECT t || '|' || w FROM r WHERE rowid = 2"),
		  "2014-11-23 22:16:00|5");
	store_close(s);
}

static void test_time_style_follows_table(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem("CREATE TABLE r (t TIMESTAMP, w INT);"
			      "INSERT INTO r VALUES (1000, 1);");
	const char *cols[] = { "t", "w" };
	const char *vals[] = { "2014-11-23T22:15:00Z", "2" };

	CHECK(add(s, "r", cols, vals, 2, &err) == 0);
	CHECK_STR(one(s, "SELECT typeof(t) || t FROM r WHERE w = 2"),
		  "integer1416780900");
	store_close(s);
	s = t_mem("CREATE TABLE r (t TIMESTAMP, w INT);"
		"INSERT INTO r VALUES ('2000-01-01T00:00:00Z', 1);");
	CHECK(add(s, "r", cols, vals, 2, &err) == 0);
	CHECK_STR(one(s, "SELECT t FROM r WHERE w = 2"), "2014-11-23T22:15:00Z");
	store_close(s);
}

static void test_bad_values(void)
{
	/* Tried: text in an INTEGER column, a fraction in an INTEGER
	 * column, text/hex/nan in a REAL column, a bad time, an unknown
	 * column, an unknown table, a NOT NULL violation, a NUL byte inside
	 * a number. */
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem("CREATE TABLE r (t TIMESTAMP, w INT, temp REAL, "
			      "n TEXT NOT NULL DEFAULT 'x')");
	const char *cw[] = { "w" }, *ct[] = { "temp" }, *ctime[] = { "t" };
	const char *cx[] = { "nope" }, *cn[] = { "n" };
	const char *v;

	v = "abc";
	CHECK(add(s, "r", cw, &v, 1, &err) < 0);
	CHECK_STR(err.msg, "column w: 'abc' is not an integer");
	v = "1.5";
	CHECK(add(s, "r", cw, &v, 1, &err) < 0);
	v = "warm";
	CHECK(add(s, "r", ct, &v, 1, &err) < 0);
	CHECK_STR(err.msg, "column temp: 'warm' is not a number");
	v = "0x10";
	CHECK(add(s, "r", ct, &v, 1, &err) < 0);
	v = "nan";
	CHECK(add(s, "r", ct, &v, 1, &err) < 0);
	v = "yesterday";
	CHECK(add(s, "r", ctime, &v, 1, &err) < 0);
	CHECK_STR(err.msg, "column t: 'yesterday' is not a time");
	v = "1";
	CHECK(add(s, "r", cx, &v, 1, &err) < 0);
	CHECK_STR(err.msg, "unknown column 'nope' in table r");
	CHECK(add(s, "zz", cw, &v, 1, &err) < 0);
	CHECK_STR(err.msg, "unknown table 'zz'");
	v = "";
	CHECK(add(s, "r", cn, &v, 1, &err) < 0);
	CHECK(strstr(err.msg, "NOT NULL") != NULL);
	/* A NUL byte inside a number (a CSV field "1<NUL>x") ended the
	 * copy strtoll read, so it was stored as 1. */
	{
		const char *cwt[] = { "w", "temp" }, *vals[] = { "1\0x", "2.5" };
		size_t lens[] = { 3, 3 };
		CHECK(add_lens(s, "r", cwt, vals, lens, 2, &err) < 0);
		/* ... and the message showed only the '1' before the NUL. */
		CHECK_STR(err.msg, "column w: '1?x' is not an integer");
		vals[0] = "1";
		vals[1] = "2.5\0zz";
		lens[0] = 1;
		lens[1] = 6;
		CHECK(add_lens(s, "r", cwt, vals, lens, 2, &err) < 0);
		CHECK_STR(err.msg, "column temp: '2.5?zz' is not a number");
	}
	CHECK_STR(one(s, "SELECT count(*) FROM r"), "0");
	store_close(s);
}

/* The number parsers as they were before their fast paths (strtoll and
 * strtod on a copy): the fast paths must agree with them on every input,
 * to the bit. */
static int ref_int(const char *p, size_t n, int64_t *out)
{
	char tmp[64], *end;
	long long v;
	double d;

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	errno = 0;
	v = strtoll(tmp, &end, 10);
	if (!*end && end != tmp && errno == 0) {
		*out = v;
		return 0;
	}
	d = strtod(tmp, &end);
	if (*end || end == tmp || !isfinite(d) || d != floor(d) ||
	    fabs(d) > 9007199254740992.0)
		return -1;
	*out = (int64_t)d;
	return 0;
}

static int ref_real(const char *p, size_t n, double *out)
{
	char tmp[64], *end;
	double d;

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	if (strpbrk(tmp, "xXnN") || strchr(tmp, ' '))
		return -1;
	d = strtod(tmp, &end);
	if (*end || end == tmp || !isfinite(d))
		return -1;
	*out = d;
	return 0;
}

/* v through writer_convert into an INTEGER, a REAL and a NUMERIC column,
 * against the reference parsers; 1 when all agree. */
static int same_number(struct writer *w, const char *v)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	const char *vals[3] = { v, v, v };
	size_t n = strlen(v), lens[3] = { n, n, n }, k;
	char timebuf[WRITER_TIME_MAX];
	struct writer_val out[3];
	/* Set when ref_int and ref_real return 0, which GCC cannot always
	 * tell (it warned in the TSan build). */
	int64_t iv = 0;
	double dv = 0;
	int ri, rr;

	/* the columns one at a time, so that each error is its own */
	for (k = 0; k < 3; k++) {
		const char *one[3] = { "", "", "" };
		size_t l[3] = { 0, 0, 0 };
		struct writer_val o[3];
		int rc;

		one[k] = vals[k];
		l[k] = lens[k];
		rc = writer_convert(w, one, l, 0, timebuf, o, NULL, &err);
		out[k] = o[k];
		if (rc < 0)
			out[k].type = (enum store_type)-1;
	}
	/* Around numbers, spaces and tabs are not part of the value; with
	 * nothing else the value is NULL. */
	while (n && (*v == ' ' || *v == '\t'))
		v++, n--;
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	if (n == 0) {
		if (out[0].type != STORE_NULL || out[1].type != STORE_NULL ||
		    out[2].type != STORE_NULL)
			goto bad;
		return 1;
	}
	/* INTEGER */
	ri = ref_int(v, n, &iv);
	if (ri == 0 ? out[0].type != STORE_INT || out[0].i != iv
		    : out[0].type != (enum store_type)-1)
		goto bad;
	/* REAL */
	rr = ref_real(v, n, &dv);
	if (rr == 0 ? out[1].type != STORE_REAL ||
			      memcmp(&out[1].r, &dv, sizeof(dv))
		    : out[1].type != (enum store_type)-1)
		goto bad;
	/* NUMERIC: an integer unless it has a '.', else a real */
	if (ri == 0 && !memchr(v, '.', n)) {
		if (out[2].type != STORE_INT || out[2].i != iv)
			goto bad;
	} else if (rr == 0) {
		if (out[2].type != STORE_REAL || memcmp(&out[2].r, &dv, sizeof(dv)))
			goto bad;
	} else if (out[2].type != (enum store_type)-1) {
		goto bad;
	}
	return 1;
bad:
	fprintf(stderr, "  '%s': int %d/%lld real %d/%.17g numeric %d\n", v,
		(int)out[0].type, (long long)out[0].i, (int)out[1].type,
		out[1].r, (int)out[2].type);
	return 0;
}

static uint64_t rnd_state = 0x2545f4914f6cdd1du;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static void rnd_digits(char **p, int n)
{
	while (n-- > 0)
		*(*p)++ = (char)('0' + rnd() % 10);
}

/* A number-like string: sign, leading zeros, digits, a point, an
 * exponent, now and then a byte that makes it no number. */
static void rnd_number(char *buf)
{
	static const char junk[] = " x.e-+iN\t_";
	char *p = buf;

	switch (rnd() % 4) {
	case 0: *p++ = '-'; break;
	case 1: if (rnd() % 4 == 0) *p++ = '+'; break;
	}
	if (rnd() % 5 == 0)
		rnd_digits(&p, 0), memset(p, '0', 3), p += rnd() % 4;
	rnd_digits(&p, (int)(rnd() % 21));
	if (rnd() % 2) {
		*p++ = '.';
		if (rnd() % 4 == 0) {
			int z = (int)(rnd() % 25);
			memset(p, '0', (size_t)z);
			p += z;
		}
		rnd_digits(&p, (int)(rnd() % 21));
	}
	if (rnd() % 3 == 0) {
		*p++ = rnd() % 2 ? 'e' : 'E';
		if (rnd() % 2)
			*p++ = rnd() % 2 ? '-' : '+';
		rnd_digits(&p, (int)(rnd() % 4));
	}
	if (rnd() % 20 == 0) {
		size_t at = (size_t)(rnd() % (size_t)(p - buf + 1));
		memmove(buf + at + 1, buf + at, (size_t)(p - buf) - at);
		buf[at] = junk[rnd() % (sizeof(junk) - 1)];
		p++;
	}
	*p = '\0';
}

/* The numbers' fast paths against strtoll/strtod, on the cases where
 * they could differ and on many random ones. */
static void test_numbers_as_strtod(void)
{
	static const char *const cases[] = {
		"0", "-0", "+0", "0.0", "-0.0", "-0.000", ".0", "0.", ".", "-",
		"+", "", "1", "-1", "1234", "15.30", "-15.30", "007", "-007.50",
		"000000000000000000000000000001.5", "1.", ".5", "+.5e-3",
		"1e", "e5", "1e+", "1e-", "1.5e+02", "1.5E-02", "1e22", "1e23",
		"1e-22", "1e-23", "123e20", "9007199254740992",
		"9007199254740993", "-9007199254740993", "9007199254740992.0",
		"9007199254740993.0", "18014398509481985", "999999999999999999",
		"1000000000000000000", "9223372036854775807",
		"9223372036854775808", "-9223372036854775808",
		"-9223372036854775809", "12345678901234567890",
		"0.1", "0.2", "0.3", "2.2250738585072014e-308", "4.9e-324",
		"1.7976931348623157e308", "1e309", "-1e309", "1e400", "1e-400",
		"0.000000000000000000000000001", "100000000000000000000000",
		"1.0000000000000002", "0.30000000000000004",
		"3.141592653589793238462643383279", "5.0", "-5.0", "5.5", "1e3",
		"1E3", "0x10", "0X1p3", "inf", "-inf", "nan", "NaN", "infinity",
		" 12", "12 ", "1 2", "\t12", "12\t", "1,5", "1_000", "--1",
		"+-1", "1e1e1", "1.2.3", "12i", "0e0", "0e999999", "-0e-5",
		"00.00e00", "1e0000000000000000000000000000000000000000000000001",
		"8.98846567431158e307", "123456789012345678",
		"1234567890123456789", "-1234567890123456789",
	};
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem("CREATE TABLE n (i INTEGER, r REAL, x NUMERIC)");
	struct schema sc = SCHEMA_INIT;
	struct writer *w = NULL;
	const char *cols[] = { "i", "r", "x" };
	char buf[256];
	size_t i;
	int bad = 0;

	CHECK_INT(store_introspect(s, &sc, &err), 0);
	CHECK_INT(writer_open(&w, s, &sc, "n", cols, 3, NULL, 0, &err), 0);
	for (i = 0; w && i < sizeof(cases) / sizeof(cases[0]); i++)
		bad += !same_number(w, cases[i]);
	for (i = 0; w && i < 300000 && bad < 5; i++) {
		rnd_number(buf);
		bad += !same_number(w, buf);
	}
	CHECK_INT(bad, 0);
	writer_free(w);
	schema_release(&sc);
	store_close(s);
}

/* A table with a key keeps one row per key: a row whose key is stored
 * updates it with the values it has; one without a key adds rows. */
static void test_key_updates_row(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem("CREATE TABLE k (t TIMESTAMP, sensor TEXT "
				"PRIMARY KEY, v REAL, n INTEGER);"
				"CREATE TABLE d (t TIMESTAMP, sensor TEXT, v REAL, "
				"n INTEGER)");
	const char *cols[] = { "sensor", "v", "n" };
	const char *a[] = { "hall", "1.5", "7" }, *b[] = { "hall", "2.5", NULL },
		   *c[] = { "porch", "3", "1" };
	const char *tables[] = { "k", "d" };
	size_t i;

	for (i = 0; i < 2; i++) {
		CHECK(add(s, tables[i], cols, a, 3, &err) == 0);
		CHECK(add(s, tables[i], cols, b, 3, &err) == 0);
		CHECK(add(s, tables[i], cols, c, 3, &err) == 0);
	}
	CHECK_STR(one(s, "SELECT group_concat(sensor || '=' || v || '/' || "
		      "ifnull(n, '-'), ' ') FROM k"), "hall=2.5/7 porch=3.0/1");
	CHECK_STR(one(s, "SELECT group_concat(sensor || '=' || v || '/' || "
		      "ifnull(n, '-'), ' ') FROM d"),
		  "hall=1.5/7 hall=2.5/- porch=3.0/1");
	/* Other constraints still refuse the row. */
	t_exec(s, "CREATE TABLE c (t TIMESTAMP, sensor TEXT UNIQUE, "
	       "v REAL CHECK (v > 0), n INTEGER)");
	CHECK(add(s, "c", cols, a, 3, &err) == 0);
	CHECK(add(s, "c", cols, (const char *[]){ "hall", "-1", NULL }, 3,
		  &err) < 0);
	CHECK(strstr(err.msg, "CHECK constraint failed") != NULL);
	store_close(s);
}

/* 300 rows of v (i or -1 at row bad) into table (columns t, v), by a
 * writer opened on s, through via: the return of writer_insert_rows,
 * with *bad_row. */
static int insert_300_via(struct store *s, struct store *via,
			  const char *table, size_t bad, size_t *bad_row,
			  struct hearth_err *err)
{
	const char *cols[] = { "t", "v" };
	struct writer_val vals[600];
	struct schema sc = SCHEMA_INIT;
	struct writer *w = NULL;
	size_t i;
	int rc = -1;

	memset(vals, 0, sizeof(vals));
	for (i = 0; i < 300; i++) {
		vals[2 * i].type = STORE_INT;
		vals[2 * i].i = (int64_t)i;
		vals[2 * i + 1].type = STORE_INT;
		vals[2 * i + 1].i = i == bad ? -1 : (int64_t)i;
	}
	if (store_introspect(s, &sc, err) == 0 &&
	    writer_open(&w, s, &sc, table, cols, 2, NULL, 0, err) == 0)
		rc = writer_insert_rows(w, via, vals, 300, bad_row, err);
	writer_free(w);
	schema_release(&sc);
	return rc;
}

static int insert_300(struct store *s, const char *table, size_t bad,
		      size_t *bad_row, struct hearth_err *err)
{
	return insert_300_via(s, s, table, bad, bad_row, err);
}

/* A row refused inside a multi-row statement (rows 129 to 256 go in one):
 * it is named, and the rows before it are stored once each, whether
 * SQLite kept the statement's rows before it (a CHECK: OR FAIL) or undid
 * the statement (a foreign key). */
static void test_refused_row_in_a_chunk(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem(
		"CREATE TABLE c (t INTEGER, v INTEGER CHECK (v >= 0));"
		"CREATE TABLE p (k INTEGER PRIMARY KEY);"
		"WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM "
		"i WHERE n < 299) INSERT INTO p SELECT n FROM i;"
		"CREATE TABLE f (t INTEGER, v INTEGER REFERENCES p (k))");
	size_t bad = 0;

	t_exec(s, "BEGIN");
	CHECK_INT(insert_300(s, "c", 200, &bad, &err), -1);
	CHECK_INT((long)bad, 200);
	CHECK(strstr(err.msg, "CHECK constraint failed") != NULL);
	CHECK_INT(t_int(s, "SELECT count(*) FROM c"), 200);
	CHECK_INT(t_int(s, "SELECT count(DISTINCT t) FROM c WHERE t < 200"), 200);
	CHECK_INT(insert_300(s, "f", 150, &bad, &err), -1);
	CHECK_INT((long)bad, 150);
	CHECK(strstr(err.msg, "FOREIGN KEY constraint failed") != NULL);
	CHECK_INT(t_int(s, "SELECT count(*) FROM f"), 150);
	CHECK_INT(t_int(s, "SELECT count(DISTINCT t) FROM f WHERE t < 150"), 150);
	t_exec(s, "ROLLBACK");
	store_close(s);
}

/* Rows inserted through another connection than the writer's (as the
 * server's writing thread does): they go in through it, in its
 * transaction, and a refused row is named with the rows before it kept,
 * counted on that connection. */
static void test_insert_through_another_connection(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	char path[4096];
	struct store *s = t_file_db(path, sizeof(path)), *via = NULL;
	size_t bad = 0;

	t_exec(s, "CREATE TABLE c (t INTEGER, v INTEGER CHECK (v >= 0))");
	CHECK_INT(store_open(&via, path, NULL, 0, &err), 0);
	t_exec(via, "BEGIN IMMEDIATE");
	CHECK_INT(insert_300_via(s, via, "c", 300, &bad, &err), 0);
	CHECK_INT(t_int(s, "SELECT count(*) FROM c"), 0); /* not committed */
	CHECK_INT(insert_300_via(s, via, "c", 200, &bad, &err), -1);
	CHECK_INT((long)bad, 200);
	CHECK(strstr(err.msg, "CHECK constraint failed") != NULL);
	t_exec(via, "COMMIT");
	CHECK_INT(t_int(s, "SELECT count(*) FROM c"), 500);
	CHECK_INT(t_int(s, "SELECT count(*) FROM c WHERE t < 200"), 400);
	store_close(via);
	t_file_db_remove(s, path);
}

T_MAIN("writer", T(test_types_and_time), T(test_time_style_follows_table),
       T(test_key_updates_row), T(test_refused_row_in_a_chunk),
       T(test_bad_values), T(test_numbers_as_strtod),
       T(test_insert_through_another_connection))
