/*
 * subject.c - subject patterns: a small backtracking matcher.
 *
 * Backtracking keeps the pattern language simple (a field is just "some
 * text up to what follows") while handling names with quotes in them
 * ('Bob's Room' sensed ...).  A step budget bounds the work a hostile
 * subject can cause.
 */
#include "sources/subject.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/timefmt.h"
#include "base/xalloc.h"

enum kind { K_LIT, K_WS, K_SENSOR, K_SKIP, K_NUM, K_MONTH, K_WDAY, K_AMPM };
enum field { F_YEAR, F_YEAR2, F_MON, F_DAY, F_HOUR, F_HOUR12, F_MIN, F_SEC,
	     F_N };

struct item {
	enum kind k;
	char c;          /* K_LIT */
	int opt;         /* K_WS: zero blanks will do */
	enum field f;    /* K_NUM, K_MONTH */
	int mindig, maxdig, lo, hi, lead_ws;
};

struct subject_pattern {
	struct item *items;
	size_t n, alloc;
};

#define PATTERN_MAX 1024
#define STEP_MAX 200000L

static const char *const months[12] = {
	"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december",
};
static const char *const wdays[7] = {
	"sunday", "monday", "tuesday", "wednesday", "thursday", "friday",
	"saturday",
};

static struct item *add(struct subject_pattern *p, enum kind k)
{
	struct item *it;

	XGROW(p->items, p->n + 1, p->alloc);
	it = &p->items[p->n++];
	memset(it, 0, sizeof(*it));
	it->k = k;
	return it;
}

static void add_ws(struct subject_pattern *p)
{
	if (p->n == 0 || p->items[p->n - 1].k != K_WS)
		add(p, K_WS);
}

static void add_num(struct subject_pattern *p, enum field f, int maxdig,
		    int lo, int hi, int lead_ws)
{
	struct item *it = add(p, K_NUM);

	it->f = f;
	it->mindig = f == F_YEAR ? 4 : 1;
	it->maxdig = maxdig;
	it->lo = lo;
	it->hi = hi;
	it->lead_ws = lead_ws;
}

static int compile_time(struct subject_pattern *p, const char *f, size_t n,
			unsigned *have, struct hearth_err *err)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (f[i] == ' ' || f[i] == '\t') {
			add_ws(p);
			continue;
		}
		if (f[i] != '%') {
			add(p, K_LIT)->c = f[i];
			continue;
		}
		if (++i >= n)
			return err_set(err, "subject pattern: time format "
				       "ends in a lone %%");
		switch (f[i]) {
		case 'Y': add_num(p, F_YEAR, 4, 1, 9999, 0); break;
		case 'y': add_num(p, F_YEAR2, 2, 0, 99, 0); break;
		case 'm': add_num(p, F_MON, 2, 1, 12, 0); break;
		case 'd': add_num(p, F_DAY, 2, 1, 31, 0); break;
		case 'e': add_num(p, F_DAY, 2, 1, 31, 1); break;
		case 'H': add_num(p, F_HOUR, 2, 0, 23, 0); break;
		case 'I': add_num(p, F_HOUR12, 2, 1, 12, 0); break;
		case 'M': add_num(p, F_MIN, 2, 0, 59, 0); break;
		case 'S': add_num(p, F_SEC, 2, 0, 60, 0); break;
		case 'B':
		case 'b':
		case 'h': add(p, K_MONTH)->f = F_MON; break;
		case 'A':
		case 'a': add(p, K_WDAY); break;
		case 'p':
			/* "10:15PM" and "10:15 PM" both occur. */
			if (p->n && p->items[p->n - 1].k == K_WS)
				p->items[p->n - 1].opt = 1;
			add(p, K_AMPM);
			break;
		case '%': add(p, K_LIT)->c = '%'; break;
		default:
			return err_set(err, "subject pattern: time conversion "
				       "%%%c is not supported", f[i]);
		}
		switch (f[i]) {
		case 'Y': case 'y': *have |= 1; break;
		case 'm': case 'B': case 'b': case 'h': *have |= 2; break;
		case 'd': case 'e': *have |= 4; break;
		case 'H': case 'I': *have |= 8; break;
		}
	}
	return 0;
}

int subject_compile(struct subject_pattern **out, const char *pat,
		    struct hearth_err *err)
{
	struct subject_pattern *p = xcalloc(1, sizeof(*p));
	size_t i, len = strlen(pat);
	int nsensor = 0, ntime = 0, nskip = 0;
	unsigned have = 0;

	*out = NULL;
	if (len == 0 || len > PATTERN_MAX) {
		err_set(err, "subject pattern: want 1 to %d bytes", PATTERN_MAX);
		goto fail;
	}
	for (i = 0; i < len; i++) {
		const char *close;
		size_t flen;
		if (pat[i] == '{' && pat[i + 1] == '{') {
			add(p, K_LIT)->c = '{';
			i++;
			continue;
		}
		if (pat[i] == '}' && pat[i + 1] == '}') {
			add(p, K_LIT)->c = '}';
			i++;
			continue;
		}
		if (pat[i] == '}') {
			err_set(err, "subject pattern: lone '}' at byte %zu "
				"(write }} for a brace)", i + 1);
			goto fail;
		}
		if (pat[i] == ' ' || pat[i] == '\t') {
			add_ws(p);
			continue;
		}
		if (pat[i] != '{') {
			add(p, K_LIT)->c = pat[i];
			continue;
		}
		close = strchr(pat + i, '}');
		if (!close) {
			err_set(err, "subject pattern: '{' at byte %zu is not "
				"closed", i + 1);
			goto fail;
		}
		flen = (size_t)(close - (pat + i + 1));
		if (flen == 6 && !strncmp(pat + i + 1, "sensor", 6)) {
			add(p, K_SENSOR);
			nsensor++;
		} else if (flen == 1 && pat[i + 1] == '*') {
			add(p, K_SKIP);
			nskip++;
		} else if (flen > 5 && !strncmp(pat + i + 1, "time:", 5)) {
			if (compile_time(p, pat + i + 6, flen - 5, &have,
					 err) < 0)
				goto fail;
			ntime++;
		} else {
			err_set(err, "subject pattern: unknown field '{%.*s}' "
				"(want {sensor}, {time:FORMAT} or {*})",
				(int)flen, pat + i + 1);
			goto fail;
		}
		i = (size_t)(close - pat);
	}
	if (nsensor != 1 || ntime != 1) {
		err_set(err, "subject pattern: want one {sensor} and one "
			"{time:FORMAT}, found %d and %d", nsensor, ntime);
		goto fail;
	}
	if (nskip > 2) {
		err_set(err, "subject pattern: at most two {*}");
		goto fail;
	}
	if (have != 15) {
		err_set(err, "subject pattern: the time format needs a year, "
			"a month, a day and an hour");
		goto fail;
	}
	*out = p;
	return 0;
fail:
	subject_pattern_free(p);
	return -1;
}

void subject_pattern_free(struct subject_pattern *p)
{
	if (!p)
		return;
	free(p->items);
	free(p);
}

struct mstate {
	const struct subject_pattern *p;
	const char *s;
	size_t len, far, sb, se;
	long steps;
	int v[F_N], set[F_N], pm, bad_date;
	int64_t local;
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* A quote in the pattern also matches the typographic ones. */
static size_t match_quote(const char *s, size_t n, char q)
{
	if (n >= 1 && *s == q)
		return 1;
	if (n >= 3 && (unsigned char)s[0] == 0xe2 &&
	    (unsigned char)s[1] == 0x80) {
		unsigned char c = (unsigned char)s[2];
		if (q == '\'' && (c == 0x98 || c == 0x99))
			return 3;
		if (q == '"' && (c == 0x9c || c == 0x9d))
			return 3;
	}
	return 0;
}

static int days_in(int y, int m)
{
	static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
				   31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/* All fields read: is it a real date and time? */
static int finish(struct mstate *st)
{
	int y = st->set[F_YEAR] ? st->v[F_YEAR]
		: st->v[F_YEAR2] + (st->v[F_YEAR2] < 70 ? 2000 : 1900);
	int mon = st->v[F_MON], day = st->v[F_DAY], h;

	if (st->set[F_HOUR])
		h = st->v[F_HOUR];
	else
		h = st->v[F_HOUR12] % 12 + (st->pm == 1 ? 12 : 0);
	if (st->set[F_HOUR12] && st->pm < 0 && !st->set[F_HOUR])
		h = st->v[F_HOUR12]; /* %I without %p: take it as written */
	if (day > days_in(y, mon)) {
		st->bad_date = 1;
		return 0;
	}
	st->local = timefmt_from_civil(y, mon, day, h, st->v[F_MIN],
				       st->v[F_SEC] > 59 ? 59 : st->v[F_SEC]) /
		    US_PER_SEC;
	return 1;
}

static int match(struct mstate *st, size_t i, size_t pos)
{
	const struct item *it;
	size_t e, k;

	if (++st->steps > STEP_MAX)
		return 0;
	if (pos > st->far)
		st->far = pos;
	if (i == st->p->n) {
		while (pos < st->len && is_blank(st->s[pos]))
			pos++;
		return pos == st->len && finish(st);
	}
	it = &st->p->items[i];
	switch (it->k) {
	case K_LIT:
		if (it->c == '\'' || it->c == '"') {
			k = match_quote(st->s + pos, st->len - pos, it->c);
			return k && match(st, i + 1, pos + k);
		}
		return pos < st->len &&
		       tolower((unsigned char)st->s[pos]) ==
			       tolower((unsigned char)it->c) &&
		       match(st, i + 1, pos + 1);
	case K_WS:
		for (e = pos; e < st->len && is_blank(st->s[e]); e++)
			;
		return (e > pos || it->opt) && match(st, i + 1, e);
	case K_SENSOR:
	case K_SKIP:
		/* Shortest first, so "'A' sensed ... 'B'" takes A. */
		for (e = pos + (it->k == K_SENSOR); e <= st->len; e++)
			if (match(st, i + 1, e)) {
				if (it->k == K_SENSOR) {
					st->sb = pos;
					st->se = e;
				}
				return 1;
			} else if (st->steps > STEP_MAX) {
				return 0;
			}
		return 0;
	case K_NUM: {
		int d;
		if (it->lead_ws)
			while (pos < st->len && is_blank(st->s[pos]))
				pos++;
		for (d = it->maxdig; d >= it->mindig; d--) {
			int v = 0, j;
			if (pos + (size_t)d > st->len)
				continue;
			for (j = 0; j < d; j++) {
				char c = st->s[pos + (size_t)j];
				if (c < '0' || c > '9')
					break;
				v = v * 10 + (c - '0');
			}
			if (j < d || v < it->lo || v > it->hi)
				continue;
			st->v[it->f] = v;
			st->set[it->f] = 1;
			if (match(st, i + 1, pos + (size_t)d))
				return 1;
		}
		return 0;
	}
	case K_MONTH:
	case K_WDAY: {
		const char *const *names = it->k == K_MONTH ? months : wdays;
		int nn = it->k == K_MONTH ? 12 : 7, j, abbr;
		for (abbr = 0; abbr < 2; abbr++)
			for (j = 0; j < nn; j++) {
				size_t l = abbr ? 3 : strlen(names[j]);
				if (pos + l > st->len ||
				    strncasecmp(st->s + pos, names[j], l))
					continue;
				st->v[F_MON] = it->k == K_MONTH ? j + 1
								: st->v[F_MON];
				if (match(st, i + 1, pos + l))
					return 1;
			}
		return 0;
	}
	case K_AMPM: {
		static const char *const ap[] = { "a.m.", "p.m.", "am", "pm" };
		while (pos < st->len && is_blank(st->s[pos]))
			pos++;
		for (k = 0; k < 4; k++) {
			size_t l = strlen(ap[k]);
			if (pos + l > st->len ||
			    strncasecmp(st->s + pos, ap[k], l))
				continue;
			st->pm = (int)(k % 2);
			if (match(st, i + 1, pos + l))
				return 1;
		}
		return 0;
	}
	}
	return 0;
}

int subject_match(const struct subject_pattern *p, const char *s, size_t len,
		  const struct tz *zone, struct buf *sensor, int64_t *utc,
		  struct hearth_err *why)
{
	struct mstate st;
	size_t b, e;

	if (len > SUBJECT_MAX) {
		err_set(why, "subject is %zu bytes, longer than %d", len,
			SUBJECT_MAX);
		return 0;
	}
	memset(&st, 0, sizeof(st));
	st.p = p;
	st.s = s;
	st.len = len;
	st.pm = -1;
	while (st.len > 0 && is_blank(s[st.len - 1]))
		st.len--;
	b = 0;
	while (b < st.len && is_blank(s[b]))
		b++;
	if (!match(&st, 0, b)) {
		if (st.steps > STEP_MAX)
			err_set(why, "subject too ambiguous for the pattern "
				"(gave up after %ld steps)", STEP_MAX);
		else if (st.bad_date)
			err_set(why, "subject has a date that does not exist");
		else
			err_set(why, "subject does not match the pattern at "
				"byte %zu ('%.*s')", st.far + 1,
				(int)(len - st.far < 20 ? len - st.far : 20),
				s + st.far);
		return 0;
	}
	b = st.sb;
	e = st.se;
	while (b < e && is_blank(s[b]))
		b++;
	while (e > b && is_blank(s[e - 1]))
		e--;
	if (b == e) {
		err_set(why, "subject has an empty sensor name");
		return 0;
	}
	buf_add(sensor, s + b, e - b);
	*utc = tz_to_utc(zone, st.local) * US_PER_SEC;
	return 1;
}
