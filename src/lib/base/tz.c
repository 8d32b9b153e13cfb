/*
 * tz.c - a small TZif (RFC 8536) reader: transitions and offsets only.
 * Times after the last transition keep the last offset; Debian's tzdata is
 * built "fat", with transitions written out to 2037.
 */
#include "base/tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xalloc.h"

struct tz {
	char *name;
	int64_t *trans;    /* transition instants, ascending */
	unsigned char *idx; /* type index per transition */
	size_t ntrans;
	int32_t *offs;     /* utoff per type */
	unsigned char *isdst;
	size_t ntypes;
};

#define TZ_MAX_FILE (1024 * 1024)

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

static int parse(struct tz *z, const unsigned char *d, size_t n)
{
	uint32_t cnt[6];
	size_t i, tsz = 4, need;
	int pass;

	/* Pass 0 is the v1 block; with version >= 2 skip it and read the
	 * 64-bit block that follows. */
	for (pass = 0; pass < 2; pass++) {
		if (n < 44 || memcmp(d, "TZif", 4))
			return -1;
		for (i = 0; i < 6; i++)
			cnt[i] = be32(d + 20 + 4 * i);
		/* isut, isstd, leap, time, type, char */
		if (cnt[3] > 100000 || cnt[4] == 0 || cnt[4] > 256 ||
		    cnt[5] > 100000 || cnt[2] > 100000)
			return -1;
		need = 44 + (size_t)cnt[3] * (tsz + 1) + (size_t)cnt[4] * 6 +
		       cnt[5] + (size_t)cnt[2] * (tsz + 4) + cnt[1] + cnt[0];
		if (n < need)
			return -1;
		if (pass == 0 && d[4] >= '2') {
			d += need;
			n -= need;
			tsz = 8;
			continue;
		}
		break;
	}
	d += 44;
	z->ntrans = cnt[3];
	z->ntypes = cnt[4];
	z->trans = xcalloc(z->ntrans + 1, sizeof(*z->trans));
	z->idx = xcalloc(z->ntrans + 1, 1);
	z->offs = xcalloc(z->ntypes, sizeof(*z->offs));
	z->isdst = xcalloc(z->ntypes, 1);
	for (i = 0; i < z->ntrans; i++)
		z->trans[i] = tsz == 8 ? be64(d + 8 * i)
				       : (int32_t)be32(d + 4 * i);
	d += z->ntrans * tsz;
	for (i = 0; i < z->ntrans; i++) {
		if (d[i] >= z->ntypes)
			return -1;
		z->idx[i] = d[i];
	}
	d += z->ntrans;
	for (i = 0; i < z->ntypes; i++) {
		z->offs[i] = (int32_t)be32(d + 6 * i);
		z->isdst[i] = d[6 * i + 4];
		if (z->offs[i] < -86400 || z->offs[i] > 86400)
			return -1;
	}
	return 0;
}

int tz_load(struct tz **out, const char *name, struct hearth_err *err)
{
	struct tz *z = xcalloc(1, sizeof(*z));
	struct buf path = BUF_INIT, data = BUF_INIT;
	const char *dir = getenv("TZDIR");
	char chunk[8192];
	FILE *f = NULL;
	size_t n;
	int ret = -1, dflt = 0;

	*out = NULL;
	if (!name || !*name) {
		name = getenv("TZ");
		dflt = 1;
	}
	if (name && *name == ':')
		name++;
	z->name = xstrdup(name && *name ? name : "localtime");
	if (!name || !*name) {
		buf_addstr(&path, "/etc/localtime");
	} else if (!strcmp(name, "UTC") || !strcmp(name, "GMT") ||
		   !strcmp(name, "UTC0") || !strcmp(name, "Z")) {
		ret = 0; /* no transitions: offset 0 (works without tzdata) */
		goto out;
	} else if (*name == '/') {
		buf_addstr(&path, name);
	} else {
		if (strstr(name, "..")) {
			err_set(err, "time zone '%s': not a zone name", name);
			goto out;
		}
		buf_addf(&path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo",
			 name);
	}
	f = fopen(path.s, "rb");
	if (!f) {
		if (dflt && !name) {
			ret = 0; /* no /etc/localtime: the system runs UTC */
			goto out;
		}
		err_set(err, "time zone '%s': no such zone (%s)", z->name,
			path.s);
		goto out;
	}
	buf_init(&data, TZ_MAX_FILE);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(&data, chunk, n) < 0)
			break;
	if (data.len == 0 || parse(z, (unsigned char *)data.s, data.len) < 0) {
		err_set(err, "time zone '%s': %s is not a TZif file", z->name,
			path.s);
		goto out;
	}
	ret = 0;
out:
	if (f)
		fclose(f);
	buf_release(&path);
	buf_release(&data);
	if (ret == 0)
		*out = z;
	else
		tz_free(z);
	return ret;
}

void tz_free(struct tz *z)
{
	if (!z)
		return;
	free(z->name);
	free(z->trans);
	free(z->idx);
	free(z->offs);
	free(z->isdst);
	free(z);
}

const char *tz_name(const struct tz *z)
{
	return z->name;
}

int32_t tz_offset(const struct tz *z, int64_t utc)
{
	size_t lo = 0, hi = z->ntrans, i;

	if (z->ntypes == 0)
		return 0;
	if (z->ntrans == 0 || utc < z->trans[0]) {
		/* Before the first transition: the first standard type. */
		for (i = 0; i < z->ntypes; i++)
			if (!z->isdst[i])
				return z->offs[i];
		return z->offs[0];
	}
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (z->trans[mid] <= utc)
			lo = mid;
		else
			hi = mid;
	}
	return z->offs[z->idx[lo]];
}

int64_t tz_to_utc(const struct tz *z, int64_t local)
{
	/* Offsets stay put for far longer than a day, so the offsets a day
	 * before and after are the only two candidates. */
	int32_t before = tz_offset(z, local - 86400);
	int32_t after = tz_offset(z, local + 86400);
	int64_t t1 = local - before, t2 = local - after;
	int ok1 = tz_offset(z, t1) == before, ok2 = tz_offset(z, t2) == after;

	if (ok1 && ok2)
		return t1 < t2 ? t1 : t2;
	if (ok2)
		return t2;
	return t1;
}
