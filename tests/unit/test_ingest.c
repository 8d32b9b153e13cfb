#include "t.h"
#include "ingest/csv.h"
#include "ingest/ingest.h"
#include "ingest/lp.h"

/* Parse all of text as CSV; returns records seen, -1 on error (err set). */
static int csv_all(const char *text, struct hearth_err *err, char *out,
		   size_t outsz)
{
	struct ingest_src src;
	struct csv_parser p;
	struct csv_record r;
	int n = 0, rc;
	size_t i, used = 0;

	ingest_src_mem(&src, text, strlen(text));
	csv_init(&p, &src, ',');
	out[0] = '\0';
	while ((rc = csv_next(&p, &r, err)) == 1) {
		n++;
		used += (size_t)snprintf(out + used, outsz - used, "%ld:", r.line);
		for (i = 0; i < r.nfields; i++)
			used += (size_t)snprintf(out + used, outsz - used, "[%s]",
						 r.field[i]);
		used += (size_t)snprintf(out + used, outsz - used, ";");
	}
	csv_release(&p);
	return rc < 0 ? -1 : n;
}

static void test_csv_basic(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	char out[512];

	CHECK_INT(csv_all("a,b,c\n1,2,3\n", &err, out, sizeof(out)), 2);
	CHECK_STR(out, "1:[a][b][c];2:[1][2][3];");
	CHECK_INT(csv_all("a,b\r\n1,\r\n\r\n,2", &err, out, sizeof(out)), 3);
	CHECK_STR(out, "1:[a][b];2:[1][];4:[][2];");
	CHECK_INT(csv_all("x\n\"q,\"\"uote\"\"\nline\"\nlast\n", &err, out,
			  sizeof(out)), 3);
	CHECK_STR(out, "1:[x];2:[q,\"uote\"\nline];4:[last];");
	CHECK_INT(csv_all("", &err, out, sizeof(out)), 0);
	CHECK_INT(csv_all("a,\n", &err, out, sizeof(out)), 1);
	CHECK_STR(out, "1:[a][];");
}

static void test_csv_errors(void)
{
	/* Tried: a quote in an unquoted field, text after a closing quote,
	 * a quote never closed. */
	struct hearth_err err = HEARTH_ERR_INIT;
	char out[512];

	CHECK_INT(csv_all("a,b\n1,x\"y\n", &err, out, sizeof(out)), -1);
	CHECK_STR(err.msg, "line 2: quote inside an unquoted field (field 2)");
	CHECK_INT(csv_all("a\n\"x\"y\n", &err, out, sizeof(out)), -1);
	CHECK_STR(err.msg, "line 2: text after the closing quote of field 1");
	CHECK_INT(csv_all("a\n1\n\"open\n", &err, out, sizeof(out)), -1);
	CHECK_STR(err.msg, "line 3: quoted field not closed before the end of input");
}

static int lp_one(const char *text, struct lp_point *pt, struct lp_parser *p,
		  struct ingest_src *src, struct hearth_err *err)
{
	ingest_src_mem(src, text, strlen(text));
	lp_init(p, src, LP_NS);
	return lp_next(p, pt, err);
}

static void test_lp_basic(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct ingest_src src;
	struct lp_parser p;
	struct lp_point pt;

	CHECK_INT(lp_one("readings,sensor=hall\\ way r_watts=512i,r_temp=21.5,"
			 "note=\"a \\\"q\\\" b\",on=t 1416780900000000000\n",
			 &pt, &p, &src, &err), 1);
	CHECK_STR(pt.measurement, "readings");
	CHECK_INT(pt.ntags, 1);
	CHECK_STR(pt.tags[0].key, "sensor");
	CHECK_STR(pt.tags[0].val, "hall way");
	CHECK_INT(pt.nfields, 4);
	CHECK_STR(pt.fields[0].val, "512");
	CHECK_INT(pt.fields[0].kind, LP_INT);
	CHECK_STR(pt.fields[1].val, "21.5");
	CHECK_INT(pt.fields[1].kind, LP_FLOAT);
	CHECK_STR(pt.fields[2].val, "a \"q\" b");
	CHECK_INT(pt.fields[2].kind, LP_STRING);
	CHECK_STR(pt.fields[3].val, "1");
	CHECK(pt.has_time);
	CHECK_INT(pt.time, INT64_C(1416780900000000));
	CHECK_INT(lp_next(&p, &pt, &err), 0);
	lp_release(&p);

	CHECK_INT(lp_one("# comment\n\nm v=1\n", &pt, &p, &src, &err), 1);
	CHECK_STR(pt.measurement, "m");
	CHECK(!pt.has_time);
	CHECK_INT(pt.line, 3);
	lp_release(&p);
}

static void test_lp_precision(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct ingest_src src;
	struct lp_parser p;
	struct lp_point pt;

	ingest_src_mem(&src, "m v=1 1416780900\n", 17);
	lp_init(&p, &src, LP_S);
	CHECK_INT(lp_next(&p, &pt, &err), 1);
	CHECK_INT(pt.time, INT64_C(1416780900000000));
	lp_release(&p);
	/* Minutes and hours (InfluxDB 1.x): up to what microseconds hold. */
	ingest_src_mem(&src, "m v=1 23613015\nm v=1 393550\n", 28);
	lp_init(&p, &src, LP_M);
	CHECK_INT(lp_next(&p, &pt, &err), 1);
	CHECK_INT(pt.time, INT64_C(1416780900000000));
	p.precision = LP_H;
	CHECK_INT(lp_next(&p, &pt, &err), 1);
	CHECK_INT(pt.time, INT64_C(1416780000000000));
	lp_release(&p);
	ingest_src_mem(&src, "m v=1 2562047789\n", 17);
	lp_init(&p, &src, LP_H);
	CHECK_INT(lp_next(&p, &pt, &err), -1);
	CHECK_STR(err.msg, "line 1: bad timestamp '2562047789'");
	lp_release(&p);
	CHECK_INT(lp_parse_precision("h", &p.precision), 0);
	CHECK_INT(p.precision, LP_H);
	CHECK_INT(lp_parse_precision("d", &p.precision), -1);
}

static void test_lp_errors(void)
{
	/* Tried: no fields, a field without value, a bad number, an
	 * unclosed string, a bad timestamp, junk after it, a tag without
	 * '=', an empty measurement, a negative unsigned. */
	const char *bad[] = { "m\n", "m v=\n", "m v=1.2.3\n", "m v=\"open\n",
			      "m v=1 12x\n", "m v=1 1 2\n", "m,t v=1\n",
			      ",t=1 v=1\n", "m v=-1u\n", "m v=nan\n" };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hearth_err err = HEARTH_ERR_INIT;
		struct ingest_src src;
		struct lp_parser p;
		struct lp_point pt;
		int rc = lp_one(bad[i], &pt, &p, &src, &err);
		if (rc != -1)
			fprintf(stderr, "  accepted bad line '%s'\n", bad[i]);
		CHECK_INT(rc, -1);
		CHECK(strncmp(err.msg, "line 1: ", 8) == 0);
		lp_release(&p);
	}
}

/* Found by fuzz_lp: the error named a field key that had moved when the
 * value was appended behind it. */
static void test_lp_error_after_growth(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct ingest_src src;
	struct lp_parser p;
	struct lp_point pt;
	char line[400], key[200];

	memset(key, 'k', 120);
	key[120] = '\0';
	snprintf(line, sizeof(line), "m %s=1.2.3.4.5.6.7.8.9\n", key);
	CHECK_INT(lp_one(line, &pt, &p, &src, &err), -1);
	CHECK(strstr(err.msg, key) != NULL);
	lp_release(&p);
}

/* The messages name what is wrong exactly as before the parser read
 * lines in place and timestamps in one pass. */
static void test_lp_error_messages(void)
{
	static const char *const cases[][2] = {
		{ "m v=1 12x\n", "line 1: bad timestamp '12x'" },
		{ "m v=1 12x 5\n", "line 1: bad timestamp '12x'" },
		{ "m v=1 -\n", "line 1: bad timestamp '-'" },
		{ "m v=1 - 5\n", "line 1: bad timestamp '-'" },
		{ "m v=1 --5\n", "line 1: bad timestamp '--5'" },
		{ "m v=1 99999999999999999999\n",
		  "line 1: bad timestamp '99999999999999999999'" },
		{ "m v=1 1 2\n", "line 1: text after the timestamp" },
		{ "m v=1 1\r\nm v=1 1x\r\n", "line 2: bad timestamp '1x'" },
		{ "m v=1.2.3\n", "line 1: field v: bad value '1.2.3'" },
		{ "m v=tru\n", "line 1: field v: bad value 'tru'" },
		{ "m v=\n", "line 1: field v has no value" },
		{ "m,t= v=1\n", "line 1: tag t has no value" },
		{ "m v=\"open\n", "line 1: field v: string not closed" },
		{ "m\n", "line 1: no fields (want 'measurement field=value')" },
		{ ",t=1 v=1\n", "line 1: no measurement name" },
		{ "m =1\n", "line 1: bad field (want key=value)" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hearth_err err = HEARTH_ERR_INIT;
		struct ingest_src src;
		struct lp_parser p;
		struct lp_point pt;
		int rc = lp_one(cases[i][0], &pt, &p, &src, &err);
		while (rc == 1)
			rc = lp_next(&p, &pt, &err);
		CHECK_INT(rc, -1);
		CHECK_STR(err.msg, cases[i][1]);
		lp_release(&p);
	}
}

/* A NUL byte as a field's value was read as the boolean true (strchr
 * finds the terminating NUL), so "v=<NUL>" stored 1. */
static void test_lp_nul_value(void)
{
	static const char line[] = "m v=\0 1\n";
	struct hearth_err err = HEARTH_ERR_INIT;
	struct ingest_src src;
	struct lp_parser p;
	struct lp_point pt;

	ingest_src_mem(&src, line, sizeof(line) - 1);
	lp_init(&p, &src, LP_NS);
	CHECK_INT(lp_next(&p, &pt, &err), -1);
	CHECK_STR(err.msg, "line 1: field v: bad value '?'");
	lp_release(&p);
	/* Quoted whole, where "%.*s" stopped at the NUL. */
	ingest_src_mem(&src, "m v=1\0x 1\n", 10);
	lp_init(&p, &src, LP_NS);
	CHECK_INT(lp_next(&p, &pt, &err), -1);
	CHECK_STR(err.msg, "line 1: field v: bad value '1?x'");
	lp_release(&p);
}

/* Every point of src, one per line, as text into out. */
static int lp_dump(struct ingest_src *src, struct buf *out,
		   struct hearth_err *err)
{
	struct lp_parser p;
	struct lp_point pt;
	size_t i;
	int rc;

	lp_init(&p, src, LP_NS);
	while ((rc = lp_next(&p, &pt, err)) == 1) {
		buf_addf(out, "%ld %s", pt.line, pt.measurement);
		for (i = 0; i < pt.ntags + pt.nfields; i++)
			buf_addf(out, " %s=%d:%zu:%s", pt.tags[i].key,
				 (int)pt.tags[i].kind, pt.tags[i].vlen,
				 pt.tags[i].val);
		buf_addf(out, " %d %lld\n", pt.has_time, (long long)pt.time);
		/* the parse fits the room reserved for it */
		CHECK(p.data.len < p.data.alloc);
	}
	lp_release(&p);
	return rc;
}

/* Lines are parsed where they lie in the input, except where a file's
 * read crosses them: the same text read from memory and from a file
 * (lines of all lengths, many across the 64 KiB reads) gives the same
 * points. */
static void test_lp_file_as_mem(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct buf text = BUF_INIT, a = BUF_INIT, b = BUF_INIT;
	struct ingest_src *src = malloc(sizeof(*src));
	FILE *f = tmpfile();
	int i, j;

	for (i = 0; i < 3000; i++) {
		switch (i % 7) {
		case 0:
			buf_addf(&text, "m,host=h%d\\ x v=%di,s=\"", i, i);
			for (j = 0; j < (i * 37) % 3000; j++)
				buf_addch(&text, (char)('a' + j % 26));
			buf_addf(&text, "\" %d\n", 1700000000 + i);
			break;
		case 1:
			buf_addstr(&text, "# comment\n\n");
			break;
		case 2:
			buf_addf(&text, "  m v=%d.%d,b=t,c=FALSE %d\r\n", i, i % 10,
				 i);
			break;
		default:
			buf_addf(&text, "r w=%di,t=%d.25\n", i, i);
		}
	}
	buf_addstr(&text, "m last=1"); /* no newline at the end */
	ingest_src_mem(src, text.s, text.len);
	CHECK_INT(lp_dump(src, &a, &err), 0);
	fwrite(text.s, 1, text.len, f);
	rewind(f);
	ingest_src_file(src, f);
	CHECK_INT(lp_dump(src, &b, &err), 0);
	CHECK(a.len > 100000);
	CHECK_INT(a.len, b.len);
	CHECK(a.len == b.len && !memcmp(a.s, b.s, a.len));
	fclose(f);
	free(src);
	buf_release(&text);
	buf_release(&a);
	buf_release(&b);
}

/* "m v=1", a line of len bytes ("m kkk=1,a=t,a=t,..."), "m v=2". */
static void long_line_text(struct buf *text, size_t len)
{
	size_t n = (len - 100) / 4, k = len - 4 - 4 * n, i;

	buf_reset(text);
	buf_addstr(text, "m v=1\nm ");
	for (i = 0; i < k; i++)
		buf_addch(text, 'k');
	buf_addstr(text, "=1");
	for (i = 0; i < n; i++)
		buf_addstr(text, ",a=t");
	buf_addstr(text, "\nm v=2\n");
}

/* A line over 1 MiB is refused, from memory as from a file; one of
 * exactly 1 MiB is not. */
static void test_lp_long_lines(void)
{
	struct buf text = BUF_INIT, out = BUF_INIT;
	struct ingest_src *src = malloc(sizeof(*src));
	size_t max = 1u << 20;
	FILE *f;
	int k;

	for (k = 0; k < 4; k++) {
		struct hearth_err err = HEARTH_ERR_INIT;
		long_line_text(&text, k < 2 ? max : max + 1);
		CHECK_INT(text.len, (k < 2 ? max : max + 1) + 13);
		f = NULL;
		if (k % 2 == 0) {
			ingest_src_mem(src, text.s, text.len);
		} else {
			f = tmpfile();
			fwrite(text.s, 1, text.len, f);
			rewind(f);
			ingest_src_file(src, f);
		}
		buf_reset(&out);
		if (k < 2) {
			CHECK_INT(lp_dump(src, &out, &err), 0);
			CHECK(strstr(out.s, "\n3 m v=0:1:2 0 0\n") != NULL);
		} else {
			CHECK_INT(lp_dump(src, &out, &err), -1);
			CHECK_STR(err.msg, "line 2: longer than 1048576 bytes");
		}
		if (f)
			fclose(f);
	}
	free(src);
	buf_release(&text);
	buf_release(&out);
}

static void test_sniff(void)
{
	CHECK_STR(ingest_sniff("a,b,c\n1,2,3\n", 12), "csv");
	CHECK_STR(ingest_sniff("# x\nm,t=1 v=2 3\n", 16), "lp");
	CHECK_STR(ingest_sniff("r_datetime,note\n", 16), "csv");
}

T_MAIN("ingest", T(test_csv_basic), T(test_csv_errors), T(test_lp_basic),
       T(test_lp_precision), T(test_lp_errors), T(test_lp_error_after_growth),
       T(test_lp_error_messages), T(test_lp_nul_value), T(test_lp_file_as_mem),
       T(test_lp_long_lines), T(test_sniff))
