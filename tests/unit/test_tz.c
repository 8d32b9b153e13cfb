/* Unit tests for tz.c against the system's tz database. */
#include "base/timefmt.h"
#include "base/tz.h"
#include "t.h"

static int64_t civil(int y, int mo, int d, int h, int mi)
{
	return timefmt_from_civil(y, mo, d, h, mi, 0) / US_PER_SEC;
}

static void test_utc_and_errors(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct tz *z = NULL;

	CHECK_INT(tz_load(&z, "UTC", &err), 0);
	CHECK_INT(tz_offset(z, 0), 0);
	CHECK_INT(tz_to_utc(z, 1000), 1000);
	tz_free(z);
	CHECK_INT(tz_load(&z, "Mars/Olympus", &err), -1);
	CHECK(strstr(err.msg, "no such zone") != NULL);
	CHECK_INT(tz_load(&z, "../../etc/passwd", &err), -1);
	CHECK_INT(tz_load(&z, "/etc/hostname", &err), -1);
	CHECK(strstr(err.msg, "not a TZif file") != NULL);
}

static void test_berlin(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct tz *z = NULL;

	CHECK_INT(tz_load(&z, ":Europe/Berlin", &err), 0);
	if (!z)
		return;
	CHECK_INT(tz_to_utc(z, civil(2018, 1, 15, 13, 50)),
		  civil(2018, 1, 15, 12, 50));
	CHECK_INT(tz_to_utc(z, civil(2018, 7, 15, 13, 50)),
		  civil(2018, 7, 15, 11, 50));
	/* 2018-03-25 02:30 does not exist: read with the offset before. */
	CHECK_INT(tz_to_utc(z, civil(2018, 3, 25, 2, 30)),
		  civil(2018, 3, 25, 1, 30));
	/* 2018-10-28 02:30 happens twice: the earlier (summer time). */
	CHECK_INT(tz_to_utc(z, civil(2018, 10, 28, 2, 30)),
		  civil(2018, 10, 28, 0, 30));
	CHECK_INT(tz_offset(z, civil(2030, 7, 1, 0, 0)), 7200);
	tz_free(z);
}

static void test_new_york(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct tz *z = NULL;

	CHECK_INT(tz_load(&z, "America/New_York", &err), 0);
	if (!z)
		return;
	CHECK_INT(tz_to_utc(z, civil(2014, 11, 23, 22, 15)),
		  civil(2014, 11, 24, 3, 15));
	CHECK_STR(tz_name(z), "America/New_York");
	tz_free(z);
}

T_MAIN("tz", T(test_utc_and_errors), T(test_berlin), T(test_new_york))
