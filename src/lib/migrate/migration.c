/*
 * migration.c - apply, undo and stamp revisions; compare with schema.sql.
 */
#include "migrate/migration.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "migrate/annotation.h"
#include "migrate/ddl.h"
#include "migrate/dump.h"
#include "migrate/loss.h"
#include "store/sqltok.h"
#include "rollup/rollup.h"
#include "base/xalloc.h"

static const char version_table[] =
	"CREATE TABLE IF NOT EXISTS hearth_version (\n"
	"    revision   TEXT PRIMARY KEY,\n"
	"    checksum   TEXT NOT NULL,\n"
	"    applied_at TEXT NOT NULL\n"
	")";

static int no_such_table(const char *msg)
{
	return strstr(msg, "no such table") || strstr(msg, "does not exist");
}

/* Read the version table; verify (when asked) that no applied file was
 * edited since. */
static int read_applied(struct store *s, const struct revision_set *rs,
			char *mark, int verify, struct hearth_err *err)
{
	struct store_stmt *st = NULL;
	int rc, ret = -1;

	memset(mark, 0, rs->n + 1);
	if (store_prepare(s, "SELECT revision, checksum FROM hearth_version",
			  &st, err) < 0)
		return no_such_table(err->msg) ? (err_clear(err), 0) : -1;
	while ((rc = store_step(st, err)) == 1) {
		const char *id = store_column_text(st, 0, NULL);
		const char *sum = store_column_text(st, 1, NULL);
		size_t i;
		for (i = 0; i < rs->n; i++)
			if (!strcmp(rs->revs[i].id, id))
				break;
		if (i == rs->n) {
			err_set(err, "the database is at revision %s, which has "
				"no file in the migrations directory", id);
			goto out;
		}
		if (verify && strcmp(sum, rs->revs[i].checksum)) {
			err_set(err, "revision %s was edited after it was "
				"applied (%s); restore the file, or run "
				"'hearth stamp' to accept it", id,
				rs->revs[i].path);
			goto out;
		}
		mark[i] = 1;
	}
	if (rc < 0)
		goto out;
	ret = 0;
out:
	store_finalize(st);
	return ret;
}

int migration_applied(struct store *s, const struct revision_set *rs,
		      char *mark, struct hearth_err *err)
{
	return read_applied(s, rs, mark, 0, err);
}

static void now_iso(char out[32])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int record(struct store *s, const struct revision *r, int up,
		  struct hearth_err *err)
{
	struct store_stmt *st = NULL;
	char when[32];
	int ret = -1;

	if (store_prepare(s, up ? "INSERT INTO hearth_version (revision, "
				  "checksum, applied_at) VALUES (?, ?, ?)"
				: "DELETE FROM hearth_version WHERE revision = ?",
			  &st, err) < 0)
		return -1;
	now_iso(when);
	store_bind_text(st, 1, r->id, strlen(r->id));
	if (up) {
		store_bind_text(st, 2, r->checksum, strlen(r->checksum));
		store_bind_text(st, 3, when, strlen(when));
	}
	if (store_step(st, err) < 0)
		goto out;
	ret = 0;
out:
	store_finalize(st);
	return ret;
}

int migration_copy_version(struct store *from, struct store *to,
			   int64_t *count, struct hearth_err *err)
{
	struct store_stmt *get = NULL, *put = NULL;
	int rc, k, ret = -1;

	*count = 0;
	rc = store_has_table(from, "hearth_version", err);
	if (rc <= 0)
		return rc;
	if (store_exec(to, version_table, err) < 0 ||
	    store_prepare(from, "SELECT revision, checksum, applied_at FROM "
			  "hearth_version ORDER BY applied_at, revision", &get,
			  err) < 0 ||
	    store_prepare(to, "INSERT INTO hearth_version (revision, checksum, "
			  "applied_at) VALUES (?, ?, ?)", &put, err) < 0)
		goto out;
	while ((rc = store_step(get, err)) == 1) {
		for (k = 0; k < 3; k++) {
			size_t n;
			const char *v = store_column_text(get, k, &n);
			store_bind_text(put, k + 1, v, n);
		}
		if (store_step(put, err) < 0)
			goto out;
		store_reset(put);
		++*count;
	}
	if (rc < 0)
		goto out;
	ret = 0;
out:
	store_finalize(get);
	store_finalize(put);
	return ret;
}

static int begin_locked(struct store *s, struct hearth_err *err)
{
	if (store_migration_begin(s, err) < 0)
		return -1;
	if (store_begin_immediate(s, err) < 0) {
		if (strstr(err->msg, "locked") || strstr(err->msg, "busy"))
			err_set(err, "another migration holds the database "
				"lock (database is locked); try again when it "
				"is done");
		goto fail;
	}
	if (store_exec(s, version_table, err) < 0) {
		store_rollback(s, NULL);
		goto fail;
	}
	return 0;
fail:
	store_migration_end(s);
	return -1;
}

static void end_locked(struct store *s, int commit, struct hearth_err *err,
		       int *ret)
{
	if (commit && store_commit(s, err) < 0)
		*ret = -1;
	if (!commit || *ret < 0)
		store_rollback(s, NULL);
	store_migration_end(s);
}

/* A section written for another dialect would fail on a word of the
 * other's SQL, far from the cause; one with no statements runs anywhere
 * (a merge). */
static int same_dialect(struct store *s, const struct revision *r, int up,
			struct hearth_err *err)
{
	const char *want = revision_dialect(r->dialect);
	struct sqltok t;

	sqltok_next(up ? r->up : r->down, &t);
	if (t.kind == SQLTOK_END || !strcmp(want, store_dialect(s)))
		return 0;
	return err_set(err, "revision %s (%s) is written for %s, and the "
		       "database is %s: write the revision again for %s",
		       r->id, r->path, want, store_dialect(s), store_dialect(s));
}

/*
 * Run one revision's section under the lock.  Returns 0, -1 on error, or 1
 * when it would lose data (dropped tables or columns, narrowed types) and
 * that was not allowed: *lr then says what, and the caller rolls back and
 * counts the rows.  No savepoint: it would journal every reused page of a
 * rebuild a second time.
 */
static int run_one(struct store *s, const struct revision *r, int up,
		   int allow_loss, struct loss_report *lr,
		   struct hearth_err *err)
{
	const char *sql = up ? r->up : r->down;
	struct schema before = SCHEMA_INIT, after = SCHEMA_INIT;
	int ret = -1;

	/* Rows other programs wrote since the rollups' mark are not folded
	 * first: that would cost the revision time in proportion to them.
	 * rollup_follow keeps the mark where the rows keep their numbers
	 * and drops the rollups of a table the revision rebuilt (it finds
	 * hearth's triggers gone). */
	if (same_dialect(s, r, up, err) < 0 ||
	    store_introspect(s, &before, err) < 0)
		goto out;
	if (store_exec(s, sql, err) < 0) {
		err_prefix(err, "revision %s (%s), %s section", r->id, r->path,
			   up ? "up" : "down");
		goto out;
	}
	if (store_introspect(s, &after, err) < 0 ||
	    rollup_follow(s, &before, &after, err) < 0) {
		err_prefix(err, "revision %s", r->id);
		goto out;
	}
	if (!allow_loss) {
		loss_find(&before, &after, sql, lr);
		if (lr->n) {
			ret = 1;
			goto out;
		}
	}
	if (record(s, r, up, err) < 0 || store_migration_check(s, err) < 0) {
		err_prefix(err, "revision %s", r->id);
		goto out;
	}
	ret = 0;
out:
	schema_release(&before);
	schema_release(&after);
	return ret;
}

/* After a refused revision was rolled back: count what it would have
 * taken.  Returns -1 (error set) when rows would be lost, 0 when the
 * tables were empty and it may run after all. */
static int loss_refusal(struct store *s, const struct revision *r, int up,
			struct loss_report *lr, struct hearth_err *err)
{
	struct buf msg = BUF_INIT;
	int ret = 0;

	if (loss_count(s, lr, err) < 0)
		return -1;
	if (loss_describe(lr, &msg)) {
		err_set(err, "%s %s would lose data: %s; rerun with "
			"--allow-data-loss if that is what you want",
			up ? "upgrade to" : "downgrade of", r->id, buf_cstr(&msg));
		ret = -1;
	}
	buf_release(&msg);
	return ret;
}

enum target_kind { T_UP, T_DOWN };

/* want[i] = 1 for the revisions a plan covers: to apply (up), to undo
 * (down).  Computed once, before locking; each step re-reads what is
 * applied under the lock. */
static int plan(struct store *s, const struct revision_set *rs,
		const char *target, enum target_kind kind, char *want,
		struct hearth_err *err)
{
	char *applied = xcalloc(rs->n + 1, 1);
	size_t *heads = NULL, nheads = revision_heads(rs, &heads), i;
	int ret = -1, idx;
	long steps;
	char *end;

	memset(want, 0, rs->n + 1);
	if (read_applied(s, rs, applied, 0, err) < 0)
		goto out;
	if ((target[0] == '+' && kind == T_UP) ||
	    (target[0] == '-' && kind == T_DOWN)) {
		steps = strtol(target + 1, &end, 10);
		if (*end || steps <= 0) {
			err_set(err, "bad step count '%s'", target);
			goto out;
		}
		for (i = 0; i < rs->n && steps > 0; i++) {
			size_t j = kind == T_UP ? i : rs->n - 1 - i;
			if (applied[j] == (kind == T_DOWN)) {
				want[j] = 1;
				steps--;
			}
		}
		ret = 0;
		goto out;
	}
	if (kind == T_UP && (!strcmp(target, "head") || !strcmp(target, "heads"))) {
		if (nheads > 1 && !strcmp(target, "head")) {
			struct buf b = BUF_INIT;
			for (i = 0; i < nheads; i++)
				buf_addf(&b, "%s%s", i ? ", " : "",
					 rs->revs[heads[i]].id);
			err_set(err, "the migrations have %zu heads (%s): run "
				"'hearth merge', or upgrade to one of them", nheads,
				buf_cstr(&b));
			buf_release(&b);
			goto out;
		}
		for (i = 0; i < nheads; i++)
			revision_ancestors(rs, heads[i], want);
	} else if (kind == T_DOWN && !strcmp(target, "base")) {
		memset(want, 1, rs->n);
	} else {
		if ((idx = revision_find(rs, target, err)) < 0)
			goto out;
		revision_ancestors(rs, (size_t)idx, want);
		if (kind == T_DOWN)
			for (i = 0; i < rs->n; i++)
				want[i] = !want[i];
	}
	for (i = 0; i < rs->n; i++)
		want[i] = want[i] && (kind == T_UP ? !applied[i] : applied[i]);
	ret = 0;
out:
	free(applied);
	free(heads);
	return ret;
}

/* A revision's SQL as a script runs it: its transaction as the runner
 * does it (begin_locked, run_one, end_locked), in d's SQL. */
static void sql_header(const struct store_sql *d, struct buf *b,
		       const struct revision *r, int up)
{
	size_t k;

	buf_addf(b, "\n-- %s ", up ? "upgrade" : "downgrade");
	for (k = 0; k < r->nparents; k++)
		buf_addf(b, "%s%s", k ? "," : "", r->parents[k]);
	buf_addf(b, "%s%s %s: %s\n", r->nparents ? "" : "<base>",
		 up ? " ->" : " <-", r->id, r->message);
	store_sql_script_begin(d, b);
}

static void sql_footer(const struct store_sql *d, struct buf *b,
		       const struct revision *r, int up)
{
	if (up) {
		buf_addstr(b, "INSERT INTO hearth_version (revision, checksum, "
			      "applied_at) VALUES (");
		store_quote_string(b, r->id);
		buf_addstr(b, ", ");
		store_quote_string(b, r->checksum);
		buf_addstr(b, ", ");
		store_sql_now_iso(d, b);
		buf_addstr(b, ");\n");
	} else {
		buf_addstr(b, "DELETE FROM hearth_version WHERE revision = ");
		store_quote_string(b, r->id);
		buf_addstr(b, ";\n");
	}
	store_sql_script_end(d, b);
}

static int run(struct store *s, const struct revision_set *rs,
	       const char *target, enum target_kind kind,
	       const struct migration_opts *o, int *count,
	       struct hearth_err *err)
{
	char *want = xcalloc(rs->n + 1, 1), *applied = xcalloc(rs->n + 1, 1);
	const struct revision *allowed = NULL;
	int up = kind == T_UP, ret = -1;
	size_t i;

	*count = 0;
	if (plan(s, rs, target, kind, want, err) < 0)
		goto out;
	if (o->sql_only) {
		buf_addf(o->sql_only, "%s;\n", version_table);
		for (i = 0; i < rs->n; i++) {
			size_t j = up ? i : rs->n - 1 - i;
			if (!want[j])
				continue;
			if (same_dialect(s, &rs->revs[j], up, err) < 0)
				goto out;
			sql_header(store_sql(s), o->sql_only, &rs->revs[j], up);
			buf_addstr(o->sql_only, up ? rs->revs[j].up
						   : rs->revs[j].down);
			sql_footer(store_sql(s), o->sql_only, &rs->revs[j], up);
			(*count)++;
		}
		ret = 0;
		goto out;
	}
	for (;;) {
		const struct revision *r = NULL;
		struct loss_report lr = LOSS_REPORT_INIT;
		int step_ret = 0;
		if (begin_locked(s, err) < 0)
			goto out;
		if (read_applied(s, rs, applied, 1, err) < 0) {
			end_locked(s, 0, err, &step_ret);
			goto out;
		}
		for (i = 0; i < rs->n && !r; i++) {
			size_t j = up ? i : rs->n - 1 - i;
			if (want[j] && applied[j] == !up)
				r = &rs->revs[j];
		}
		if (!r) {
			end_locked(s, 1, err, &step_ret);
			ret = step_ret;
			goto out;
		}
		step_ret = run_one(s, r, up, o->allow_data_loss || r == allowed,
				   &lr, err);
		end_locked(s, step_ret == 0, err, &step_ret);
		if (step_ret > 0) {
			/* The rows are counted outside the rolled-back
			 * transaction; empty tables lose nothing, and the
			 * revision runs again, allowed. */
			step_ret = loss_refusal(s, r, up, &lr, err);
			loss_report_release(&lr);
			if (step_ret < 0)
				goto out;
			allowed = r;
			continue;
		}
		if (step_ret < 0)
			goto out;
		(*count)++;
		if (o->progress)
			o->progress(o->ctx, up ? "upgrade" : "downgrade", r);
	}
out:
	free(want);
	free(applied);
	return ret;
}

int migration_upgrade(struct store *s, const struct revision_set *rs,
		      const char *target, const struct migration_opts *o,
		      int *count, struct hearth_err *err)
{
	return run(s, rs, target, T_UP, o, count, err);
}

int migration_downgrade(struct store *s, const struct revision_set *rs,
			const char *target, const struct migration_opts *o,
			int *count, struct hearth_err *err)
{
	return run(s, rs, target, T_DOWN, o, count, err);
}

int migration_stamp(struct store *s, const struct revision_set *rs,
		    const char *target, struct hearth_err *err)
{
	char *mark = xcalloc(rs->n + 1, 1);
	size_t *heads = NULL, nheads = revision_heads(rs, &heads), i;
	int ret = -1, idx;

	if (!strcmp(target, "head") || !strcmp(target, "heads")) {
		if (nheads > 1 && !strcmp(target, "head")) {
			err_set(err, "the migrations have %zu heads: stamp "
				"'heads' or one of them", nheads);
			goto out;
		}
		for (i = 0; i < nheads; i++)
			revision_ancestors(rs, heads[i], mark);
	} else if (strcmp(target, "base")) {
		if ((idx = revision_find(rs, target, err)) < 0)
			goto out;
		revision_ancestors(rs, (size_t)idx, mark);
	}
	if (begin_locked(s, err) < 0)
		goto out;
	ret = store_exec(s, "DELETE FROM hearth_version", err);
	for (i = 0; i < rs->n && !ret; i++)
		if (mark[i])
			ret = record(s, &rs->revs[i], 1, err);
	end_locked(s, ret == 0, err, &ret);
out:
	free(mark);
	free(heads);
	return ret;
}

/* The comparison of schema.sql's text with the database s (live), or
 * with an empty one; s (NULL: SQLite's) reads the text. */
static int compare(struct store *s, int live, const char *sql,
		   const char *file, struct migration_compare *m,
		   struct hearth_err *err)
{
	struct annotations notes = ANNOTATIONS_INIT;
	struct store *scratch = NULL;
	int ret = -1;

	schema_init(&m->live);
	schema_init(&m->want);
	m->renames.v = NULL;
	m->renames.n = 0;
	m->diff.ops = NULL;
	m->diff.n = 0;
	if (!s && store_open(&scratch, "sqlite:///:memory:", NULL, STORE_CREATE,
			     err) < 0)
		goto out;
	/* The database parses schema.sql, where that changes nothing (an
	 * in-memory SQLite, a PostgreSQL schema rolled back); both sides are
	 * then read back through the same introspection, so they compare
	 * like for like. */
	if (store_scratch_schema(s ? s : scratch, sql, &m->want, err) < 0) {
		err_prefix(err, "%s", file);
		goto out;
	}
	/* What no database keeps, the renames, comes from the text; with
	 * no database there is nothing to rename. */
	if (live && (store_introspect(s, &m->live, err) < 0 ||
		     annotation_read(sql, file, &notes, err) < 0 ||
		     annotation_resolve(&notes, file, &m->live, &m->want,
					&m->renames, err) < 0))
		goto out;
	diff_schemas_renamed(&m->live, &m->want, &m->renames, &m->diff);
	ret = 0;
out:
	annotation_release(&notes);
	store_close(scratch);
	if (ret < 0)
		migration_compare_release(m);
	return ret;
}

static int compare_file(struct store *s, int live, const char *schema_path,
			struct migration_compare *m, struct hearth_err *err)
{
	struct buf text = BUF_INIT;
	int ret = -1;

	if (buf_read_file(&text, schema_path, err) == 0)
		ret = compare(s, live, buf_cstr(&text), schema_path, m, err);
	buf_release(&text);
	return ret;
}

int migration_compare(struct store *s, const char *schema_path,
		      struct migration_compare *m, struct hearth_err *err)
{
	return compare_file(s, s != NULL, schema_path, m, err);
}

int migration_compare_empty(struct store *s, const char *schema_path,
			    struct migration_compare *m,
			    struct hearth_err *err)
{
	return compare_file(s, 0, schema_path, m, err);
}

int migration_compare_sql(struct store *s, const char *sql, const char *file,
			  struct migration_compare *m, struct hearth_err *err)
{
	return compare(s, s != NULL, sql, file, m, err);
}

void migration_compare_release(struct migration_compare *m)
{
	diff_release(&m->diff);
	diff_renames_release(&m->renames);
	schema_release(&m->live);
	schema_release(&m->want);
}

int migration_render(const struct migration_compare *m, const char *dialect,
		     struct buf *up, struct buf *down, struct hearth_err *err)
{
	struct diff back = DIFF_INIT;
	struct diff_renames rn;
	int ret;

	if (ddl_render(&m->diff, dialect, up, err) < 0)
		return -1;
	diff_renames_reverse(&m->renames, &rn);
	diff_schemas_renamed(&m->want, &m->live, &rn, &back);
	ret = ddl_render(&back, dialect, down, err);
	diff_release(&back);
	diff_renames_release(&rn);
	return ret;
}

int migration_describe(struct store *s, struct buf *out, size_t *ntables,
		       struct hearth_err *err)
{
	struct schema live = SCHEMA_INIT;
	struct migration_compare m;
	int ret = -1;

	if (store_introspect(s, &live, err) < 0)
		return -1;
	if (dump_schema(&live, out, ntables, err) < 0)
		goto out;
	/* What `hearth check` will do next: it must find nothing. */
	if (migration_compare_sql(s, buf_cstr(out), "schema.sql", &m, err) < 0) {
		err_prefix(err, "the schema read from the database does not "
			   "load back");
		goto out;
	}
	if (m.diff.n)
		err_set(err, "the schema read from the database does not load "
			"back the same: %s", m.diff.ops[0].why);
	else
		ret = 0;
	migration_compare_release(&m);
out:
	schema_release(&live);
	return ret;
}
