/* test_revision.c - revision files: parsing, writing, the graph. */
#include <stdlib.h>
#include <unistd.h>

#include "migrate/revision.h"
#include "t.h"
#include "base/xalloc.h"

static int parse(const char *text, struct revision *r, struct hearth_err *err)
{
	return revision_parse(r, "m/x.sql", text, strlen(text), err);
}

static void test_parse(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct revision r;

	CHECK_INT(parse("-- revision: abc123\n-- parents: p1 p2\n"
			"-- message: add humidity\n-- created: 2026-01-01T00:00:00Z\n"
			"\n-- up\nALTER TABLE r ADD COLUMN h REAL;\n"
			"-- a comment in the up section\n"
			"-- down\nALTER TABLE r DROP COLUMN h;\n", &r, &err), 0);
	CHECK_STR(r.id, "abc123");
	CHECK_INT(r.nparents, 2);
	if (r.nparents == 2)
		CHECK_STR(r.parents[1], "p2");
	CHECK_STR(r.message, "add humidity");
	CHECK_STR(r.up, "ALTER TABLE r ADD COLUMN h REAL;\n"
			"-- a comment in the up section\n");
	CHECK_STR(r.down, "ALTER TABLE r DROP COLUMN h;\n");
	CHECK_INT(strlen(r.checksum), 16);
	revision_release(&r);
}

static void test_bad_files(void)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "CREATE TABLE a (x);\n", "missing header line '-- revision: ID'" },
		{ "-- message: x\n-- up\n", "missing header line" },
		{ "-- revision: a b\n-- up\n", "bad revision id" },
		{ "-- revision: a\nSELECT 1;\n-- up\n", "m/x.sql:2: SQL before" },
		{ "-- revision: a\n", "missing '-- up' section" },
		{ "-- revision: a\n-- down\n-- up\n", "'-- down' without '-- up'" },
		{ "-- revision: a\n-- up\n-- up\n", "'-- up' must come before" },
		{ "-- revision: a\n-- up\nBEGIN;\nCREATE TABLE b (x);\nCOMMIT;\n",
		  "m/x.sql: BEGIN in the up section: leave it out" },
		{ "-- revision: a\n-- up\n-- down\nDROP TABLE b; COMMIT;\n",
		  "COMMIT in the down section" },
	};
	struct hearth_err err = HEARTH_ERR_INIT;
	struct revision r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&err);
		CHECK_INT(parse(bad[i].text, &r, &err), -1);
		if (!strstr(err.msg, bad[i].msg))
			fprintf(stderr, "  case %zu: '%s' lacks '%s'\n", i,
				err.msg, bad[i].msg), t_case_failed = 1;
	}
}

static char *tmpdir(void)
{
	char tmpl[] = "/tmp/hearth-test-revision.XXXXXX";
	char *d = mkdtemp(tmpl);

	return d ? xstrdup(d) : NULL;
}

static void cleanup(char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	if (system(cmd) != 0)
		fprintf(stderr, "  could not remove %s\n", dir);
	free(cmd);
	free(dir);
}

static void test_write_load_graph(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct revision_set rs = REVISION_SET_INIT;
	char *dir = tmpdir(), *path = NULL, *p1[] = { "aaa111" },
	     *p2[] = { "bbb222", "ccc333" };
	size_t *heads = NULL, n;
	char mark[8] = { 0 };
	int i;

	CHECK(dir != NULL);
	CHECK_INT(revision_write(dir, "aaa111", NULL, 0, "First: the base!", NULL,
				 "CREATE TABLE a (x);", "DROP TABLE a;", &path,
				 &err), 0);
	CHECK(path && strstr(path, "/aaa111_first_the_base.sql"));
	free(path);
	CHECK_INT(revision_write(dir, "bbb222", p1, 1, "left", NULL, "", "", NULL,
				 &err), 0);
	CHECK_INT(revision_write(dir, "ccc333", p1, 1, "right", "postgresql", "", "", NULL,
				 &err), 0);
	CHECK_INT(revision_load(&rs, dir, &err), 0);
	CHECK_INT(rs.n, 3);
	CHECK_STR(rs.revs[0].id, "aaa111");
	CHECK_STR(rs.revs[0].up, "CREATE TABLE a (x);\n\n");
	/* the dialect line only where it is not SQLite's */
	CHECK(rs.revs[0].dialect == NULL);
	CHECK_STR(revision_dialect(rs.revs[0].dialect), "sqlite");
	CHECK_STR(revision_dialect(rs.revs[2].id[0] == 'c' ? rs.revs[2].dialect
							  : rs.revs[1].dialect),
		  "postgresql");
	n = revision_heads(&rs, &heads);
	CHECK_INT(n, 2);
	free(heads);
	CHECK_INT(revision_find(&rs, "a", &err), 0);
	CHECK_INT(revision_find(&rs, "zz", &err), -1);
	CHECK(strstr(err.msg, "no revision 'zz'") != NULL);
	revision_set_release(&rs);

	CHECK_INT(revision_write(dir, "ddd444", p2, 2, "merge", NULL, "", "", NULL,
				 &err), 0);
	CHECK_INT(revision_load(&rs, dir, &err), 0);
	n = revision_heads(&rs, &heads);
	CHECK_INT(n, 1);
	if (n == 1)
		CHECK_STR(rs.revs[heads[0]].id, "ddd444");
	free(heads);
	/* the merge is last in topological order; its ancestors are all */
	CHECK_STR(rs.revs[3].id, "ddd444");
	revision_ancestors(&rs, 3, mark);
	for (i = 0; i < 4; i++)
		CHECK_INT(mark[i], 1);
	revision_set_release(&rs);
	cleanup(dir);
}

static void test_graph_errors(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct revision_set rs = REVISION_SET_INIT;
	char *dir = tmpdir(), *pa[] = { "bbb" }, *pb[] = { "aaa" },
	     *pz[] = { "zzz" };

	CHECK_INT(revision_write(dir, "aaa", pa, 1, "a", NULL, "", "", NULL, &err), 0);
	CHECK_INT(revision_write(dir, "bbb", pb, 1, "b", NULL, "", "", NULL, &err), 0);
	CHECK_INT(revision_load(&rs, dir, &err), -1);
	CHECK(strstr(err.msg, "cycle of parents") != NULL);
	cleanup(dir);

	dir = tmpdir();
	CHECK_INT(revision_write(dir, "aaa", pz, 1, "a", NULL, "", "", NULL, &err), 0);
	CHECK_INT(revision_load(&rs, dir, &err), -1);
	CHECK(strstr(err.msg, "parent revision zzz does not exist") != NULL);
	cleanup(dir);

	/* a missing directory is an empty history */
	CHECK_INT(revision_load(&rs, "/nonexistent/hearth/migrations", &err), 0);
	CHECK_INT(rs.n, 0);
}

static void test_new_id(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	char a[13], b[13];

	CHECK_INT(revision_new_id(a, &err), 0);
	CHECK_INT(revision_new_id(b, &err), 0);
	CHECK_INT(strlen(a), 12);
	CHECK(strspn(a, "0123456789abcdef") == 12);
	CHECK(strcmp(a, b) != 0);
}

T_MAIN("revision", T(test_parse), T(test_bad_files),
       T(test_write_load_graph), T(test_graph_errors), T(test_new_id))
