/*
 * wemo_value.h - the values a WeMo reports: BinaryState and an Insight
 * plug's InsightParams, as events and SOAP answers carry them.
 */
#ifndef HEARTH_WEMO_VALUE_H
#define HEARTH_WEMO_VALUE_H

#include <stdint.h>

#include "base/err.h"

/*
 * wemo_binary_state: "0", "1", or an Insight's "1|1492338954|0|..." (its
 * first field is the state; 8 is an Insight's standby) into *on (0 or
 * 1: 1 for any state but 0).  -1 on anything else, err quoting it.
 */
int wemo_binary_state(const char *v, int *on, struct hearth_err *err);

/* InsightParams: state|lastchange|onfor|ontoday|ontotal|timeperiod|x|
 * currentmw|todaymw|totalmw|threshold (power in milliwatts; the energy
 * totals may be written with decimals). */
struct wemo_insight {
	int state;            /* 0 off, 1 on, 8 standby */
	int64_t lastchange;   /* unix seconds */
	double current_mw, today_mw, total_mw, threshold_mw;
};

/* wemo_insight_parse: -1 when a field is missing or not a number, err
 * naming which. */
int wemo_insight_parse(const char *v, struct wemo_insight *out,
		       struct hearth_err *err);

#endif
