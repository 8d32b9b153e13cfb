/*
 * wemo_value.c - BinaryState and InsightParams (see wemo_value.h).
 */
#include "sources/wemo_value.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NFIELDS 11

static const char *const names[NFIELDS] = {
	"state", "lastchange", "onfor", "ontoday", "ontotal", "timeperiod",
	"x", "currentmw", "todaymw", "totalmw", "threshold",
};

/* A number field of v (which may end at '|' or the end). */
static int field(const char *p, const char **next, double *out)
{
	char *e;

	if (*p == '|' || *p == '\0' || *p == ' ')
		return -1;
	*out = strtod(p, &e);
	if ((*e != '|' && *e != '\0') || !isfinite(*out))
		return -1;
	*next = *e == '|' ? e + 1 : e;
	return *e == '|' ? 1 : 0;
}

int wemo_binary_state(const char *v, int *on, struct hearth_err *err)
{
	char q[48];
	char *e;
	long s;

	s = strtol(v, &e, 10);
	if (e == v || (*e != '\0' && *e != '|') || s < 0 || s > 255 ||
	    *v == ' ' || *v == '+' || *v == '-')
		return err_set(err, "BinaryState '%s' is not a state",
			       err_quote(q, sizeof(q), v, strlen(v)));
	*on = s != 0;
	return 0;
}

int wemo_insight_parse(const char *v, struct wemo_insight *out,
		       struct hearth_err *err)
{
	double f[NFIELDS];
	const char *p = v;
	char q[48];
	int i, more = 1;

	for (i = 0; i < NFIELDS; i++) {
		int rc = more ? field(p, &p, &f[i]) : -1;
		if (rc < 0)
			return err_set(err, "InsightParams '%s': field %d (%s) "
				       "%s", err_quote(q, sizeof(q), v,
						       strlen(v)),
				       i + 1, names[i],
				       more ? "is not a number" : "is missing");
		more = rc;
	}
	/* Counts and times: none is negative, none near int64's end (a
	 * cast of a larger double is undefined). */
	for (i = 0; i < NFIELDS; i++)
		if (f[i] < 0 || f[i] > 1e15 || (i == 0 && f[i] > 255))
			return err_set(err, "InsightParams '%s': %s %.0f is "
				       "out of range", err_quote(q, sizeof(q), v,
								 strlen(v)),
				       names[i], f[i]);
	if (f[7] > 1e9) /* a megawatt plug */
		return err_set(err, "InsightParams '%s': currentmw %.0f is "
			       "out of range", err_quote(q, sizeof(q), v,
							  strlen(v)), f[7]);
	out->state = (int)f[0];
	out->lastchange = (int64_t)f[1];
	out->current_mw = f[7];
	out->today_mw = f[8];
	out->total_mw = f[9];
	out->threshold_mw = f[10];
	return 0;
}
