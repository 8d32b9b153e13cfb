#include "t.h"
#include "base/buf.h"

static void test_append(void)
{
	struct buf b = BUF_INIT;
	int i;

	CHECK_STR(buf_cstr(&b), "");
	buf_addstr(&b, "abc");
	buf_addch(&b, '-');
	buf_addf(&b, "%d", 42);
	CHECK_STR(b.s, "abc-42");
	CHECK_INT(b.len, 6);
	for (i = 0; i < 1000; i++)
		buf_addf(&b, "%0300d", i);
	CHECK_INT(b.len, 6 + 300000);
	CHECK_INT(b.s[b.len], 0);
	buf_truncate(&b, 3);
	CHECK_STR(b.s, "abc");
	buf_release(&b);
}

static void test_cap(void)
{
	struct buf b;

	buf_init(&b, 8);
	CHECK_INT(buf_addstr(&b, "12345678"), 0);
	CHECK_INT(buf_addch(&b, 'x'), -1);
	CHECK_INT(buf_addf(&b, "%s", "long text"), -1);
	CHECK_STR(b.s, "12345678");
	buf_release(&b);
}

static void test_detach(void)
{
	struct buf b = BUF_INIT;
	size_t n;
	char *s;

	s = buf_detach(&b, &n);
	CHECK_STR(s, "");
	CHECK_INT(n, 0);
	free(s);
	buf_addstr(&b, "x");
	s = buf_detach(&b, &n);
	CHECK_STR(s, "x");
	CHECK(b.s == NULL);
	free(s);
}

T_MAIN("buf", T(test_append), T(test_cap), T(test_detach))
