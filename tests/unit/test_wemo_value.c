/* Unit tests for wemo_value.c: BinaryState and InsightParams as WeMos
 * send them.  Bad inputs tried: empty, words, negative, a sign, spaces,
 * missing and non-numeric Insight fields, absurd power. */
#include "sources/wemo_value.h"
#include "t.h"

static int state(const char *v)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	int on = -1;

	return wemo_binary_state(v, &on, &err) < 0 ? -1 : on;
}

static void test_binary_state(void)
{
	CHECK_INT(state("0"), 0);
	CHECK_INT(state("1"), 1);
	CHECK_INT(state("8"), 1);
	CHECK_INT(state("1|1492338954|0|0|0|1209600|0|0|0|0|8000"), 1);
	CHECK_INT(state("0|1492338954|0"), 0);
	CHECK_INT(state(""), -1);
	CHECK_INT(state("on"), -1);
	CHECK_INT(state("-1"), -1);
	CHECK_INT(state("+1"), -1);
	CHECK_INT(state(" 1"), -1);
	CHECK_INT(state("1x"), -1);
	CHECK_INT(state("1000"), -1);
}

static void test_insight(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct wemo_insight w;

	CHECK(wemo_insight_parse("8|1492338954|120|3600|86400|1209600|13|"
				 "412500|2000000|123456789.5|8000", &w,
				 &err) == 0);
	CHECK_INT(w.state, 8);
	CHECK_INT(w.lastchange, 1492338954);
	CHECK(w.current_mw == 412500);
	CHECK(w.total_mw == 123456789.5);
	CHECK(w.threshold_mw == 8000);
	CHECK(wemo_insight_parse("1|2|3", &w, &err) < 0);
	CHECK(strstr(err.msg, "field 4 (ontoday) is missing") != NULL);
	CHECK(wemo_insight_parse("1|2|3|4|5|6|7|lots|9|10|11", &w, &err) < 0);
	CHECK(strstr(err.msg, "currentmw") != NULL);
	CHECK(wemo_insight_parse("1|2|3|4|5|6|7|-5|9|10|11", &w, &err) < 0);
	CHECK(wemo_insight_parse("", &w, &err) < 0);
	/* Found by fuzz_upnp: a time past int64 was cast. */
	CHECK(wemo_insight_parse("8|155555555555555555555555555555555|1|0|13|"
				 "1|200001|1|0|13|0", &w, &err) < 0);
	CHECK(strstr(err.msg, "lastchange") != NULL);
	CHECK(wemo_insight_parse("300|1|1|0|13|1|1|1|0|13|0", &w, &err) < 0);
	CHECK(wemo_insight_parse("1|2|3|4|5|6|7|8|9|10|", &w, &err) < 0);
}

T_MAIN("wemo_value", T(test_binary_state), T(test_insight))
