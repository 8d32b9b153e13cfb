/* test_err.c - error messages: formatting, prefixes, one line each. */
#include "t.h"
#include "base/err.h"

static void test_set_and_prefix(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	char big[HEARTH_ERR_MAX * 2];

	CHECK_INT(err_set(&err, "column %s: '%s' is not a number", "w", "x"), -1);
	CHECK_STR(err.msg, "column w: 'x' is not a number");
	CHECK_INT(err_prefix(&err, "line %d", 3), -1);
	CHECK_STR(err.msg, "line 3: column w: 'x' is not a number");
	/* Too long: cut to fit, still a string. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	err_set(&err, "%s", big);
	CHECK_INT(strlen(err.msg), HEARTH_ERR_MAX - 1);
	CHECK_INT(err_set(NULL, "x"), -1);
	err_clear(&err);
	CHECK_STR(err.msg, "");
}

/* Messages quote input.  Tried: a line break that would forge a log
 * line, a carriage return, an escape sequence, a tab, DEL, in the
 * message and in a prefix. */
static void test_one_line(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;

	err_set(&err, "subject does not match at byte 3 ('%s')",
		"x\nhearth: stored 1000 rows\r\x1b[2J\t\x7f");
	CHECK_STR(err.msg, "subject does not match at byte 3 "
		  "('x?hearth: stored 1000 rows?\?[2J?\?')"); /* \?: no trigraphs */
	err_prefix(&err, "key '%s'", "a\nb");
	CHECK(strncmp(err.msg, "key 'a?b': subject", 18) == 0);
	CHECK(strchr(err.msg, '\n') == NULL);
}

/* Quoting a value with a NUL byte inside, one longer than the room, an
 * empty one, and no room beyond the terminator. */
static void test_quote(void)
{
	char q[8];

	CHECK_STR(err_quote(q, sizeof(q), "1\0x\n", 4), "1?x?");
	CHECK_STR(err_quote(q, sizeof(q), "0123456789", 10), "0123456");
	CHECK_STR(err_quote(q, sizeof(q), "", 0), "");
	CHECK_STR(err_quote(q, 1, "abc", 3), "");
}

T_MAIN("err", T(test_set_and_prefix), T(test_one_line), T(test_quote))
