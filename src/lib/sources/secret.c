/*
 * secret.c - secrets read from files (secret.h).
 */
#include "sources/secret.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

#define SECRET_MAX 65536

int secret_read(const struct config *cfg, const char *section,
		const char *key, char **out, struct hearth_err *err)
{
	char *path = config_path(cfg, section, key, NULL);
	struct buf b = BUF_INIT;
	char chunk[4096];
	FILE *f;
	size_t n;
	int ret = -1;

	f = fopen(path, "r");
	if (!f) {
		err_set(err, "[%s] %s %s: cannot read it", section, key, path);
		goto out;
	}
	buf_init(&b, SECRET_MAX);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(&b, chunk, n) < 0) {
			err_set(err, "[%s] %s %s: too large", section, key,
				path);
			goto out;
		}
	/* Editors add a final newline; the secret is the first line. */
	n = strcspn(buf_cstr(&b), "\r\n");
	buf_truncate(&b, n);
	if (b.len == 0 || memchr(b.s, '\0', b.len)) {
		err_set(err, "[%s] %s %s: empty or not text", section, key,
			path);
		goto out;
	}
	*out = buf_detach(&b, NULL);
	ret = 0;
out:
	if (f)
		fclose(f);
	if (b.s)
		memset(b.s, 0, b.alloc);
	buf_release(&b);
	free(path);
	return ret;
}

void secret_free(char *secret)
{
	if (secret) {
		/* Do not leave the secret lying in freed memory. */
		volatile char *p = secret;
		while (*p)
			*p++ = 0;
	}
	free(secret);
}
