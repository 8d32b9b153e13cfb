/*
 * t.h - the unit test harness: one test binary per lib module.
 *
 *   static void test_something(void) { CHECK(x == 1); CHECK_STR(s, "a"); }
 *   T_MAIN("buf", T(test_something), ...)
 *
 * Each case prints "PASS suite/name" or "FAIL suite/name" (after the
 * failed checks, with file and line); tests/run.sh counts those lines.
 */
#ifndef HEARTH_T_H
#define HEARTH_T_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_case_failed;

#define CHECK(c)                                                              \
	do {                                                                  \
		if (!(c)) {                                                   \
			fprintf(stderr, "  %s:%d: check failed: %s\n",        \
				__FILE__, __LINE__, #c);                      \
			t_case_failed = 1;                                    \
		}                                                             \
	} while (0)

#define CHECK_INT(a, b)                                                       \
	do {                                                                  \
		long long t_a_ = (long long)(a), t_b_ = (long long)(b);       \
		if (t_a_ != t_b_) {                                           \
			fprintf(stderr, "  %s:%d: %s == %lld, want %lld\n",   \
				__FILE__, __LINE__, #a, t_a_, t_b_);          \
			t_case_failed = 1;                                    \
		}                                                             \
	} while (0)

#define CHECK_STR(a, b)                                                       \
	do {                                                                  \
		const char *t_a_ = (a), *t_b_ = (b);                          \
		if (!t_a_ || strcmp(t_a_, t_b_)) {                            \
			fprintf(stderr, "  %s:%d: %s == \"%s\", want \"%s\"\n", \
				__FILE__, __LINE__, #a,                       \
				t_a_ ? t_a_ : "(null)", t_b_);                \
			t_case_failed = 1;                                    \
		}                                                             \
	} while (0)

struct t_case {
	const char *name;
	void (*fn)(void);
};

#define T(fn) { #fn, fn }

static inline int t_run(const char *suite, const struct t_case *c, size_t n)
{
	size_t i;
	int failed = 0;

	for (i = 0; i < n; i++) {
		t_case_failed = 0;
		c[i].fn();
		printf("%s %s/%s\n", t_case_failed ? "FAIL" : "PASS", suite,
		       c[i].name);
		fflush(stdout);
		failed += t_case_failed;
	}
	return failed ? 1 : 0;
}

#define T_MAIN(suite, ...)                                                    \
	int main(void)                                                        \
	{                                                                     \
		static const struct t_case cases[] = { __VA_ARGS__ };         \
		return t_run(suite, cases, sizeof(cases) / sizeof(cases[0])); \
	}

#endif
