/*
 * integ.h - energy from a column's readings, per quarter-hour slot.
 *
 * Readings are fed in time order; each pair of consecutive readings adds
 * its energy to the slots (900 s, aligned to UTC) it spans, split at the
 * slot boundaries in proportion, so that slots add up exactly to the
 * whole and any local period made of slots is exact.  Quarter-hours,
 * not hours, because every time zone's offset (India's +05:30, Nepal's
 * +05:45) and most time-of-use tariffs change on a quarter-hour.
 *
 *  - power (W): the trapezoid between two readings; a pair further apart
 *    than max_gap is not bridged (adds nothing, covers nothing);
 *  - counters (kWh or Wh, rising): the difference of two readings; a
 *    drop is a reset, after which the counter counted up from 0 to the
 *    new reading.  A pair within max_gap is spread over its interval; a
 *    pair further apart adds its whole difference to the slot of the
 *    later reading (energy the meter counted is never lost) and covers
 *    nothing, so the gap is still reported as missing time.
 *
 * `covered` is the time, in seconds, of the slot bridged by pairs: the
 * rest of a slot's elapsed time is missing data.
 */
#ifndef HEARTH_ENERGY_INTEG_H
#define HEARTH_ENERGY_INTEG_H

#include <stddef.h>
#include <stdint.h>

#define ENERGY_SLOT 900 /* seconds */

enum energy_kind { ENERGY_POWER, ENERGY_COUNTER_KWH, ENERGY_COUNTER_WH };

/* A column of readings and what they are; the name is the caller's. */
struct energy_col {
	const char *name;
	enum energy_kind kind;
};

/* energy_kind_parse: "power", "counter_kwh", "counter_wh"; -1 else. */
int energy_kind_parse(const char *s, enum energy_kind *out);
const char *energy_kind_name(enum energy_kind k);

/* energy_slot_of: the start (unix seconds) of the slot holding t (unix
 * microseconds), for times before 1970 too. */
int64_t energy_slot_of(int64_t t_us);

struct energy_slot {
	int64_t b;      /* slot start, unix seconds UTC */
	double wh;      /* watt-hours */
	double covered; /* seconds bridged by readings */
};

/* A run of slots, b ascending; ENERGY_SLOTS_INIT, then
 * energy_slots_release. */
struct energy_slots {
	struct energy_slot *v;
	size_t n, alloc;
};
#define ENERGY_SLOTS_INIT { NULL, 0, 0 }
void energy_slots_release(struct energy_slots *s);
/* energy_slots_add: add to slot b (>= the last slot's start). */
void energy_slots_add(struct energy_slots *s, int64_t b, double wh,
		      double covered);

struct energy_integ {
	enum energy_kind kind;
	int64_t max_gap;       /* microseconds */
	int have;              /* a previous reading */
	int64_t t;             /* its time, unix microseconds */
	double v;              /* its value */
	struct energy_slots out;
};

/* energy_integ_init: no readings yet, nothing to release but out. */
void energy_integ_init(struct energy_integ *g, enum energy_kind kind,
		       int64_t max_gap_us);
/* energy_integ_add: the next reading, at t (unix microseconds) no earlier
 * than the last; a reading at the same time replaces the last (power) or
 * adds its difference to its slot (counters). */
void energy_integ_add(struct energy_integ *g, int64_t t, double v);

/* energy_cmp_i64: qsort's comparison of int64_t. */
int energy_cmp_i64(const void *a, const void *b);

/* energy_usual_gap: three times the median gap of n reading times
 * (in any order, microseconds): the max_gap a table of readings at a
 * steady interval wants; 0 when fewer than two distinct times. */
int64_t energy_usual_gap(const int64_t *t, size_t n);

#endif
