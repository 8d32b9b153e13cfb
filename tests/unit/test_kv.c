#include "t.h"
#include "t_store.h"
#include "store/kv.h"
#include "base/timefmt.h"

static void round_trip(struct store *s, const char *key, const char *text,
		       enum kv_type type, int guess, enum kv_type want,
		       const char *want_text)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct kv_value in, out;
	struct buf b = BUF_INIT;

	CHECK(kv_value_parse(text, type, guess, &in, &err) == 0);
	CHECK(kv_set(s, key, &in, &err) == 0);
	CHECK_INT(kv_get(s, key, &out, &err), 1);
	CHECK_INT(out.type, want);
	kv_value_format(&out, &b);
	CHECK_STR(buf_cstr(&b), want_text);
	if (want == KV_BLOB || want == KV_TEXT) {
		CHECK_INT(out.len, in.len);
		CHECK(memcmp(out.p, in.p, in.len) == 0);
	}
	kv_value_release(&in);
	kv_value_release(&out);
	buf_release(&b);
}

static void test_types_round_trip(void)
{
	struct store *s = t_mem(NULL);

	round_trip(s, "i", "42", KV_TEXT, 1, KV_INTEGER, "42");
	round_trip(s, "neg", "-7", KV_TEXT, 1, KV_INTEGER, "-7");
	round_trip(s, "r", "2.5", KV_TEXT, 1, KV_REAL, "2.5");
	round_trip(s, "t", "hello world", KV_TEXT, 1, KV_TEXT, "hello world");
	round_trip(s, "num_as_text", "42", KV_TEXT, 0, KV_TEXT, "42");
	round_trip(s, "b", "00ff10", KV_BLOB, 0, KV_BLOB, "00ff10");
	round_trip(s, "empty_blob", "", KV_BLOB, 0, KV_BLOB, "");
	round_trip(s, "ts", "2014-11-23T22:15:00.5Z", KV_TIMESTAMP, 0,
		   KV_TIMESTAMP, "2014-11-23T22:15:00.500000Z");
	/* overwrite with another type */
	round_trip(s, "i", "x", KV_TEXT, 1, KV_TEXT, "x");
	store_close(s);
}

static int count_cb(void *ctx, const char *key, const struct kv_value *v)
{
	(void)key;
	(void)v;
	(*(int *)ctx)++;
	return 0;
}

static void test_list_del(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem(NULL);
	struct kv_value v, out;
	int n = 0;

	CHECK_INT(kv_get(s, "absent", &out, &err), 0); /* no table yet */
	CHECK_INT(kv_del(s, "absent", &err), 0);
	kv_value_parse("1", KV_INTEGER, 0, &v, &err);
	kv_set(s, "poll.imap.time", &v, &err);
	kv_set(s, "poll.wemo.time", &v, &err);
	kv_set(s, "pollx", &v, &err);
	kv_set(s, "a%_", &v, &err);
	CHECK(kv_list(s, "poll.", count_cb, &n, &err) == 0);
	CHECK_INT(n, 2);
	n = 0;
	CHECK(kv_list(s, "a%", count_cb, &n, &err) == 0);
	CHECK_INT(n, 1);
	CHECK_INT(kv_del(s, "pollx", &err), 1);
	CHECK_INT(kv_del(s, "pollx", &err), 0);
	n = 0;
	CHECK(kv_list(s, NULL, count_cb, &n, &err) == 0);
	CHECK_INT(n, 3);
	store_close(s);
}

static void test_bad_input(void)
{
	/* Tried: non-numbers for integer/real, odd and non-hex blobs, a bad
	 * timestamp, timestamps past year 9999 and before year 1 (which
	 * were stored, after which get and list failed on them), empty and
	 * control-character keys. */
	struct hearth_err err = HEARTH_ERR_INIT;
	struct kv_value v;
	struct store *s = t_mem(NULL);

	CHECK(kv_value_parse("1.5", KV_INTEGER, 0, &v, &err) < 0);
	CHECK(kv_value_parse("abc", KV_REAL, 0, &v, &err) < 0);
	CHECK(kv_value_parse("abc", KV_BLOB, 0, &v, &err) < 0);
	CHECK(kv_value_parse("zz", KV_BLOB, 0, &v, &err) < 0);
	CHECK(kv_value_parse("tomorrow", KV_TIMESTAMP, 0, &v, &err) < 0);
	CHECK(kv_value_parse("+9000y", KV_TIMESTAMP, 0, &v, &err) < 0);
	CHECK_STR(err.msg, "timestamp '+9000y' is not in years 0001 to 9999");
	CHECK(kv_value_parse("-3000y", KV_TIMESTAMP, 0, &v, &err) < 0);
	CHECK(kv_value_parse("0000-06-01", KV_TIMESTAMP, 0, &v, &err) < 0);
	CHECK_INT(kv_value_parse("9999-12-31T23:59:59Z", KV_TIMESTAMP, 0, &v,
				 &err), 0);
	{
		struct kv_value back;
		CHECK_INT(kv_set(s, "last", &v, &err), 0);
		CHECK_INT(kv_get(s, "last", &back, &err), 1);
		CHECK(back.type == KV_TIMESTAMP && back.i == v.i);
		kv_value_release(&back);
	}
	/* A timestamp no time can be read from (an older hearth stored
	 * years past 9999; another program anything): get and list name
	 * the key and the text. */
	CHECK_INT(store_exec(s, "UPDATE hearth_kv SET value = '11026-01-01 "
			     "00:00:00' WHERE key = 'last'", &err), 0);
	{
		struct kv_value back;
		int n = 0;
		CHECK_INT(kv_get(s, "last", &back, &err), -1);
		CHECK_STR(err.msg, "key 'last': hearth_kv holds a bad timestamp "
			  "'11026-01-01 00:00:00'");
		CHECK_INT(kv_list(s, NULL, count_cb, &n, &err), -1);
		CHECK_STR(err.msg, "key 'last': hearth_kv holds a bad timestamp "
			  "'11026-01-01 00:00:00'");
	}
	kv_value_parse("1", KV_INTEGER, 0, &v, &err);
	CHECK(kv_set(s, "", &v, &err) < 0);
	CHECK(kv_set(s, "a\nb", &v, &err) < 0);
	store_close(s);
}

T_MAIN("kv", T(test_types_round_trip), T(test_list_del), T(test_bad_input))
