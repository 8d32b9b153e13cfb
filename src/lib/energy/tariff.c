#include "energy/tariff.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A number, finite and not negative, the whole of s. */
static int parse_price(const char *s, size_t n, double *out)
{
	char tmp[64], *end;

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	*out = strtod(tmp, &end);
	return *end || !isfinite(*out) || *out < 0 ? -1 : 0;
}

/* HH:MM (00:00 to 24:00) at *p, which moves past it. */
static int parse_hhmm(const char **p, int *out)
{
	const char *s = *p;
	int h, m;

	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    s[2] != ':' || !isdigit((unsigned char)s[3]) ||
	    !isdigit((unsigned char)s[4]))
		return -1;
	h = (s[0] - '0') * 10 + s[1] - '0';
	m = (s[3] - '0') * 10 + s[4] - '0';
	if (m > 59 || h > 24 || (h == 24 && m))
		return -1;
	*out = h * 60 + m;
	*p = s + 5;
	return 0;
}

/* "RATE HH:MM-HH:MM" (n bytes, trimmed) into t's bands. */
static int parse_band(struct tariff *t, const char *s, size_t n,
		      unsigned char *used)
{
	const char *sp = memchr(s, ' ', n), *p;
	double rate;
	int from, to, m;

	if (!sp || parse_price(s, (size_t)(sp - s), &rate) < 0)
		return -1;
	p = sp;
	while (*p == ' ')
		p++;
	if (parse_hhmm(&p, &from) < 0 || *p++ != '-' || parse_hhmm(&p, &to) < 0 ||
	    p != s + n || from == to || t->n + 2 > 2 * TARIFF_MAX_BANDS)
		return -1;
	for (m = from; m != to; m = (m + 1) % 1440) {
		if (used[m])
			return -2;
		used[m] = 1;
		if (to == 1440 && m == 1439)
			break;
	}
	if (from < to) {
		t->band[t->n++] = (struct tariff_band){ from, to, rate };
	} else {
		t->band[t->n++] = (struct tariff_band){ from, 1440, rate };
		if (to)
			t->band[t->n++] = (struct tariff_band){ 0, to, rate };
	}
	return 0;
}

int tariff_parse(struct tariff *t, const char *s, const char *standing,
		 struct hearth_err *err)
{
	unsigned char used[1440];
	const char *p;
	size_t n;
	int m;

	memset(t, 0, sizeof(*t));
	if (standing && *standing &&
	    parse_price(standing, strlen(standing), &t->standing) < 0)
		return err_set(err, "[energy] standing_charge '%s': want a "
			       "price per day such as 0.45", standing);
	if (!s || !*s)
		return 0;
	/* One price for the whole day. */
	if (!strchr(s, ' ') && !strchr(s, ',')) {
		if (parse_price(s, strlen(s), &t->band[0].rate) < 0)
			return err_set(err, "[energy] tariff '%s': want a "
				       "price per kWh such as 0.28, or bands "
				       "such as 0.35 07:00-23:00, 0.12 "
				       "23:00-07:00", s);
		t->band[0].from = 0;
		t->band[0].to = 1440;
		t->n = 1;
		return 0;
	}
	memset(used, 0, sizeof(used));
	for (p = s; *p;) {
		const char *end = strchr(p, ',');
		int rc;

		while (*p == ' ')
			p++;
		n = end ? (size_t)(end - p) : strlen(p);
		while (n && p[n - 1] == ' ')
			n--;
		rc = parse_band(t, p, n, used);
		if (rc == -2)
			return err_set(err, "[energy] tariff: band '%.*s' "
				       "overlaps another", (int)n, p);
		if (rc < 0)
			return err_set(err, "[energy] tariff: band '%.*s': "
				       "want PRICE HH:MM-HH:MM such as 0.35 "
				       "07:00-23:00", (int)n, p);
		p = end ? end + 1 : p + strlen(p);
	}
	for (m = 0; m < 1440; m++)
		if (!used[m])
			return err_set(err, "[energy] tariff: no band covers "
				       "%02d:%02d", m / 60, m % 60);
	return 0;
}

/* Minutes of [a, b) inside [from, to). */
static double overlap(double a, double b, double from, double to)
{
	double lo = a > from ? a : from, hi = b < to ? b : to;

	return hi > lo ? hi - lo : 0;
}

double tariff_cost(const struct tariff *t, double min0, double len,
		   double kwh)
{
	double cost = 0, a = fmod(min0, 1440);
	size_t i;

	if (!t->n || len <= 0)
		return 0;
	for (i = 0; i < t->n; i++) {
		const struct tariff_band *b = &t->band[i];
		/* The piece before midnight, and the one after it. */
		double in = overlap(a, a + len, b->from, b->to) +
			    overlap(a - 1440, a + len - 1440, b->from, b->to);
		cost += b->rate * in;
	}
	return cost * kwh / len;
}
