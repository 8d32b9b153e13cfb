#include "t.h"
#include "base/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_parse_and_precedence(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct config *c = config_new();

	CHECK(config_parse(c,
			   "; comment\n[hearth]\ndb = sqlite:///a.db   ; inline\n"
			   "# other\n[serve]\nlisten=127.0.0.1:1\n"
			   "[imap]\nsubject = '{sensor}' sensed;x\n",
			   "t.ini", &err) == 0);
	CHECK_STR(config_get(c, "hearth", "db"), "sqlite:///a.db");
	CHECK_STR(config_get(c, "imap", "subject"), "'{sensor}' sensed;x");
	CHECK_INT(config_source(c, "hearth", "db"), CONFIG_FILE);
	setenv("HEARTH_DB", "sqlite:///env.db", 1);
	setenv("HEARTH_SERVE_LISTEN", "127.0.0.1:2", 1);
	CHECK_STR(config_get(c, "hearth", "db"), "sqlite:///env.db");
	CHECK_STR(config_get(c, "serve", "listen"), "127.0.0.1:2");
	config_set_flag(c, "hearth", "db", "sqlite:///flag.db");
	CHECK_STR(config_get(c, "hearth", "db"), "sqlite:///flag.db");
	CHECK_INT(config_source(c, "hearth", "db"), CONFIG_FLAG);
	unsetenv("HEARTH_DB");
	unsetenv("HEARTH_SERVE_LISTEN");
	CHECK(config_get(c, "nope", "x") == NULL);
	CHECK_STR(config_get_or(c, "nope", "x", "d"), "d");
	config_free(c);
}

/* Found by fuzzing: an empty value looked for its comment from the byte
 * after the value's end, so on the last line of the text it read past
 * it (AddressSanitizer), and elsewhere it cut the next line short. */
static void test_empty_values(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct config *c = config_new();

	CHECK(config_parse(c, "[serve]\nlisten =\ntimezone = UTC #x\n"
			   "auto_columns = yes\nname=", "t.ini", &err) == 0);
	CHECK_STR(config_get(c, "serve", "listen"), "");
	CHECK_STR(config_get(c, "serve", "timezone"), "UTC");
	CHECK_STR(config_get(c, "serve", "name"), "");
	CHECK(config_parse(c, "[serve]\nempty =\nlisten = a ;b\n", "t.ini",
			   &err) == 0);
	CHECK_STR(config_get(c, "serve", "listen"), "a");
	CHECK(config_parse(c, "[serve]\nempty =\nlisten = a;b\n", "t.ini",
			   &err) == 0);
	CHECK_STR(config_get(c, "serve", "listen"), "a;b");
	config_free(c);
}

static void test_errors(void)
{
	/* Tried: a key before any section, a line without '=', a broken
	 * section header, a bad key name. */
	const char *bad[] = { "db = x\n", "[hearth]\njunk\n", "[hearth\n",
			      "[hearth]\nbad key = 1\n" };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hearth_err err = HEARTH_ERR_INIT;
		struct config *c = config_new();
		CHECK(config_parse(c, bad[i], "bad.ini", &err) < 0);
		CHECK(strncmp(err.msg, "bad.ini:", 8) == 0);
		config_free(c);
	}
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	fputs(text, f);
	fclose(f);
}

/* A reload reads the file again and keeps the command line's values on
 * top; a broken file (bad input: a line without '=') is an error naming
 * the file and line, and the configuration in use is untouched. */
static void test_reload(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	char path[] = "/tmp/hearth-config-XXXXXX";
	int fd = mkstemp(path);
	struct config *c = config_new(), *n = NULL;

	CHECK(fd >= 0);
	close(fd);
	write_file(path, "[serve]\nlisten = a:1\nmax_body = 5\n");
	CHECK_INT(config_load_file(c, path, &err), 0);
	CHECK_STR(config_file(c), path);
	config_set_flag(c, "serve", "max_body", "7");
	write_file(path, "[serve]\nlisten = b:2\nmax_body = 6\n");
	CHECK_INT(config_reload(c, &n, &err), 0);
	CHECK_STR(config_get(n, "serve", "listen"), "b:2");
	CHECK_STR(config_get(n, "serve", "max_body"), "7");
	CHECK_STR(config_get(c, "serve", "listen"), "a:1");
	config_free(n);
	write_file(path, "[serve]\nlisten = c:3\njunk\n");
	CHECK_INT(config_reload(c, &n, &err), -1);
	CHECK(n == NULL);
	CHECK(strstr(err.msg, path) != NULL && strstr(err.msg, ":3") != NULL);
	CHECK_STR(config_get(c, "serve", "listen"), "a:1");
	unlink(path);
	config_free(c);
}

T_MAIN("config", T(test_parse_and_precedence), T(test_empty_values),
       T(test_errors), T(test_reload))
