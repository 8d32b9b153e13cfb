/*
 * pg_value.c - result values of PostgreSQL, text or binary (see
 * pg_value.h).  Binary values are big-endian; times are microseconds
 * since 2000-01-01 UTC.
 */
#include "store/pg_value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Type OIDs of the built-in types (pg_type.h, stable across versions). */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_NAME 19
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_TEXT 25
#define OID_OID 26
#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_BPCHAR 1042
#define OID_VARCHAR 1043
#define OID_TIMESTAMP 1114
#define OID_TIMESTAMPTZ 1184
#define OID_NUMERIC 1700

/* 2000-01-01 in unix seconds. */
#define PG_EPOCH 946684800LL

int pg_value_binary(const PGresult *res)
{
	int i, n = PQnfields(res);

	for (i = 0; i < n; i++)
		switch (PQftype(res, i)) {
		/* Not real (float4): as text it reads as the shortest
		 * decimal of the float, 21.5 and not 21.500000953674316,
		 * which a binary float widened to a double would. */
		case OID_BOOL: case OID_BYTEA: case OID_NAME: case OID_INT8:
		case OID_INT2: case OID_INT4: case OID_TEXT: case OID_OID:
		case OID_FLOAT8: case OID_BPCHAR: case OID_VARCHAR:
		case OID_TIMESTAMP: case OID_TIMESTAMPTZ:
			break;
		default:
			return 0;
		}
	return n > 0;
}

enum store_type pg_value_type(const PGresult *res, int r, int i)
{
	if (!res || PQgetisnull(res, r, i))
		return STORE_NULL;
	switch (PQftype(res, i)) {
	case OID_BOOL:
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_OID:
		return STORE_INT;
	case OID_FLOAT4:
	case OID_FLOAT8:
	case OID_NUMERIC:
		return STORE_REAL;
	case OID_BYTEA:
		return STORE_BLOB;
	default:
		return STORE_TEXT;
	}
}

static uint64_t be(const unsigned char *p, int n)
{
	uint64_t v = 0;
	int k;

	for (k = 0; k < n; k++)
		v = v << 8 | p[k];
	return v;
}

/* A binary number column of a known width as an integer or a double;
 * 0 when it is no number. */
static int binary_number(const PGresult *res, int r, int i, int64_t *iv,
			 double *dv, int *is_real)
{
	const unsigned char *p = (const unsigned char *)PQgetvalue(res, r, i);
	int n = PQgetlength(res, r, i);
	uint64_t u;

	*is_real = 0;
	switch (PQftype(res, i)) {
	case OID_BOOL:
		*iv = n == 1 && p[0];
		return 1;
	case OID_INT2:
		*iv = n == 2 ? (int16_t)be(p, 2) : 0;
		return 1;
	case OID_INT4:
		*iv = n == 4 ? (int32_t)be(p, 4) : 0;
		return 1;
	case OID_OID:
		*iv = n == 4 ? (int64_t)(uint32_t)be(p, 4) : 0;
		return 1;
	case OID_INT8:
		*iv = n == 8 ? (int64_t)be(p, 8) : 0;
		return 1;
	case OID_FLOAT4: {
		uint32_t w = n == 4 ? (uint32_t)be(p, 4) : 0;
		float f;
		memcpy(&f, &w, sizeof(f));
		*dv = f;
		*is_real = 1;
		return 1;
	}
	case OID_FLOAT8:
		u = n == 8 ? be(p, 8) : 0;
		memcpy(dv, &u, sizeof(*dv));
		*is_real = 1;
		return 1;
	default:
		return 0;
	}
}

/* Column i of row r as both an integer and a double, whichever way it
 * came. */
static void number(const PGresult *res, int r, int i, int64_t *iv,
		   double *dv)
{
	const char *v;
	int real;

	*iv = 0;
	*dv = 0;
	if (!res)
		return;
	if (PQfformat(res, i) == 1 && binary_number(res, r, i, iv, dv, &real)) {
		if (!real)
			*dv = (double)*iv;
		else if (*dv >= -9.2e18 && *dv <= 9.2e18) /* else: no integer */
			*iv = (int64_t)*dv;
		return;
	}
	v = PQgetvalue(res, r, i);
	if (*v == 't') {
		*iv = 1;
		*dv = 1;
		return;
	}
	*iv = strtoll(v, NULL, 10);
	*dv = strtod(v, NULL);
}

int64_t pg_value_int(const PGresult *res, int r, int i)
{
	int64_t iv;
	double dv;

	number(res, r, i, &iv, &dv);
	return iv;
}

double pg_value_real(const PGresult *res, int r, int i)
{
	int64_t iv;
	double dv;

	number(res, r, i, &iv, &dv);
	return dv;
}

/* d as the server writes a double: the shortest that reads back the
 * same (extra_float_digits > 0). */
static void put_double(struct buf *b, double d)
{
	char tmp[40];
	int p;

	if (d != d) {
		buf_addstr(b, "NaN");
		return;
	}
	if (d > 1.7976931348623157e308 || d < -1.7976931348623157e308) {
		buf_addstr(b, d > 0 ? "Infinity" : "-Infinity");
		return;
	}
	for (p = 1; p < 17; p++) {
		snprintf(tmp, sizeof(tmp), "%.*g", p, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	if (p == 17)
		snprintf(tmp, sizeof(tmp), "%.17g", d);
	buf_addstr(b, tmp);
}

/* A binary time (microseconds since 2000) as PostgreSQL writes it in
 * ISO style in UTC, without the zone. */
static void put_time(struct buf *b, int64_t us)
{
	int64_t secs, frac;
	time_t t;
	struct tm tm;
	int year, k;
	char f[8];

	if (us == INT64_MAX || us == INT64_MIN) {
		buf_addstr(b, us > 0 ? "infinity" : "-infinity");
		return;
	}
	secs = us / 1000000;
	frac = us % 1000000;
	if (frac < 0) {
		frac += 1000000;
		secs--;
	}
	t = (time_t)(secs + PG_EPOCH);
	gmtime_r(&t, &tm);
	year = tm.tm_year + 1900;
	buf_addf(b, "%04d-%02d-%02d %02d:%02d:%02d", year > 0 ? year : 1 - year,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (frac) {
		snprintf(f, sizeof(f), "%06lld", (long long)frac);
		for (k = 6; f[k - 1] == '0'; k--)
			f[k - 1] = '\0';
		buf_addf(b, ".%s", f);
	}
	if (year <= 0)
		buf_addstr(b, " BC");
}

const char *pg_value_text(PGresult *res, int r, int i, struct buf *cell,
			  size_t *len)
{
	char *v;
	size_t n, k;
	int64_t iv = 0;
	double dv = 0;
	int real;

	if (!res) {
		if (len)
			*len = 0;
		return "";
	}
	v = PQgetvalue(res, r, i);
	n = (size_t)PQgetlength(res, r, i);
	if (PQfformat(res, i) == 1 && !PQgetisnull(res, r, i)) {
		Oid type = PQftype(res, i);
		buf_reset(cell);
		if (type == OID_BOOL) {
			buf_addstr(cell, n == 1 && v[0] ? "t" : "f");
		} else if (binary_number(res, r, i, &iv, &dv, &real)) {
			if (real)
				put_double(cell, dv);
			else
				buf_addf(cell, "%lld", (long long)iv);
		} else if (type == OID_TIMESTAMP || type == OID_TIMESTAMPTZ) {
			put_time(cell, n == 8 ? (int64_t)be((const unsigned char *)v,
							    8) : 0);
		} else if (type == OID_BYTEA) {
			buf_addstr(cell, "\\x");
			for (k = 0; k < n; k++)
				buf_addf(cell, "%02x", (unsigned char)v[k]);
		} else {
			/* text, varchar, name: the bytes themselves */
			if (len)
				*len = n;
			return v;
		}
		if (len)
			*len = cell->len;
		return buf_cstr(cell);
	}
	/* A time with its zone reads "2014-11-23 22:15:00+00" in UTC (or
	 * "...+00 BC"): the zone goes, as SQLite's times have none (they
	 * are UTC), and as the binary path writes them. */
	if (PQftype(res, i) == OID_TIMESTAMPTZ && n > 3) {
		char *z = strstr(v, "+00");
		if (z && (!strcmp(z, "+00") || !strcmp(z, "+00 BC"))) {
			memmove(z, z + 3, strlen(z + 3) + 1);
			n -= 3;
		}
	}
	if (len)
		*len = n;
	return v;
}

const void *pg_value_blob(PGresult *res, int r, int i, struct buf *cell,
			  size_t *len)
{
	unsigned char *raw;
	size_t n = 0;

	if (!res || PQgetisnull(res, r, i)) {
		if (len)
			*len = 0;
		return NULL;
	}
	if (PQftype(res, i) != OID_BYTEA)
		return pg_value_text(res, r, i, cell, len);
	if (PQfformat(res, i) == 1) {
		if (len)
			*len = (size_t)PQgetlength(res, r, i);
		return PQgetvalue(res, r, i);
	}
	raw = PQunescapeBytea((const unsigned char *)PQgetvalue(res, r, i), &n);
	buf_reset(cell);
	if (raw)
		buf_add(cell, raw, n);
	PQfreemem(raw);
	if (len)
		*len = raw ? n : 0;
	return cell->s ? cell->s : "";
}
