/*
 * secret.h - a password or token read from the file a setting names, as
 * [imap] password_file and [mqtt] password_file do: secrets stay out of
 * hearth.ini, the environment and the command line.
 */
#ifndef HEARTH_SECRET_H
#define HEARTH_SECRET_H

#include "base/config.h"
#include "base/err.h"

/*
 * secret_read: the first line of the file [section] key names (a path
 * relative to hearth.ini's directory), without its line break, into *out
 * (malloc'd; free it with secret_free).  An unreadable, empty, binary or
 * oversized (64 KiB) file is an error naming the key and the path.
 */
int secret_read(const struct config *cfg, const char *section,
		const char *key, char **out, struct hearth_err *err);

/* secret_free: overwrite the secret, then free it.  NULL is fine. */
void secret_free(char *secret);

#endif
