/*
 * imap.c - one poll of the motion mailbox (see imap.h for the protocol of
 * exactly-once delivery).
 */
#include "sources/imap.h"

#include <stdlib.h>
#include <string.h>

#include "sources/imapc.h"
#include "sources/mime.h"
#include "sources/rejects.h"
#include "sources/subject.h"
#include "base/timefmt.h"
#include "base/tz.h"
#include "ingest/batch.h"
#include "ingest/wtx.h"
#include "base/xalloc.h"

/* UIDs per FETCH and per transaction: big enough that 10,000 mails take a
 * few round trips, small enough that a command line stays short. */
#define BATCH 2000
#define HEADER_MAX 16384
#define MSGID_MAX 998

/* UIDVALIDITY and UIDs are unsigned 32-bit: BIGINT, so that PostgreSQL's
 * 32-bit signed INTEGER would not overflow. */
static const char ddl[] =
	"CREATE TABLE IF NOT EXISTS hearth_imap_seen ("
	" mailbox TEXT NOT NULL, uidvalidity BIGINT NOT NULL,"
	" uid BIGINT NOT NULL, message_id TEXT, nrows INTEGER NOT NULL,"
	" stored_at TEXT NOT NULL, PRIMARY KEY (mailbox, uidvalidity, uid));"
	"CREATE INDEX IF NOT EXISTS hearth_imap_seen_message_id"
	" ON hearth_imap_seen (message_id);";

void imap_result_init(struct imap_result *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->log, 0);
	buf_init(&r->summary, 0);
}

void imap_result_release(struct imap_result *r)
{
	buf_release(&r->log);
	buf_release(&r->summary);
}

struct mail {
	int64_t uid;
	char *hdr;
	size_t hlen;
};

struct uids {
	int64_t *v;
	size_t n, alloc;
};

static void uids_add(struct uids *u, int64_t uid)
{
	XGROW(u->v, u->n + 1, u->alloc);
	u->v[u->n++] = uid;
}

/* Poll state shared by the callbacks and the steps. */
struct poll {
	const struct imap_settings *set;
	struct store *s;
	struct imapc *c;
	struct imap_result *res;
	imap_step_fn step;
	int64_t uidvalidity;
	struct uids unseen;
	struct mail *mails;
	size_t nmails, amails;
	struct subject_pattern *pat;
	struct tz *zone;
	struct schema schema;  /* the writer points into it */
	struct writer *w;
	struct batch *rows;    /* the events of a batch of mails */
	struct store_stmt *seen_q, *msgid_q, *seen_ins, *rej_ins, *rej_del;
};

static int64_t parse_num(const char *v, size_t n, int *ok)
{
	int64_t x = 0;
	size_t i;

	*ok = n > 0 && n <= 18;
	for (i = 0; i < n && *ok; i++) {
		if (v[i] < '0' || v[i] > '9')
			*ok = 0;
		x = x * 10 + (v[i] - '0');
	}
	return x;
}

static int on_select(void *ctx, const char *r, size_t len,
		     struct hearth_err *err)
{
	struct poll *p = ctx;
	const char *k = "OK [UIDVALIDITY ";
	size_t kl = strlen(k), e;
	int ok;

	if (len > kl && !strncasecmp(r, k, kl)) {
		for (e = kl; e < len && r[e] >= '0' && r[e] <= '9'; e++)
			;
		p->uidvalidity = parse_num(r + kl, e - kl, &ok);
		if (!ok)
			p->uidvalidity = 0;
	}
	return 0;
}

static int on_search(void *ctx, const char *r, size_t len,
		     struct hearth_err *err)
{
	struct poll *p = ctx;
	size_t i = 6, j;
	int ok;

	if (len < 6 || strncasecmp(r, "SEARCH", 6))
		return 0;
	while (i < len) {
		while (i < len && r[i] == ' ')
			i++;
		for (j = i; j < len && r[j] != ' '; j++)
			;
		if (j > i) {
			int64_t uid = parse_num(r + i, j - i, &ok);
			if (!ok)
				return err_set(err, "imap: bad UID in SEARCH "
					       "reply: '%.*s'", (int)(j - i),
					       r + i);
			uids_add(&p->unseen, uid);
		}
		i = j;
	}
	return 0;
}

/* "N FETCH (UID 7 BODY[HEADER.FIELDS (SUBJECT MESSAGE-ID)] {66}...)" */
static int on_fetch(void *ctx, const char *r, size_t len,
		    struct hearth_err *err)
{
	struct poll *p = ctx;
	struct imapc_scan sc;
	const char *v, *hdr = NULL;
	size_t n, hlen = 0;
	int64_t uid = -1;
	enum imapc_tok t;
	int ok, ret = 0, body = 0;

	imapc_scan_init(&sc, r, len);
	if (imapc_next(&sc, &v, &n) != IMAPC_ATOM ||
	    imapc_next(&sc, &v, &n) != IMAPC_ATOM || n != 5 ||
	    strncasecmp(v, "FETCH", 5))
		goto out; /* not a FETCH (EXISTS, RECENT, ...) */
	if (imapc_next(&sc, &v, &n) != IMAPC_LPAREN)
		goto bad;
	for (;;) {
		t = imapc_next(&sc, &v, &n);
		if (t == IMAPC_RPAREN)
			break;
		if (t != IMAPC_ATOM)
			goto bad;
		if (n == 3 && !strncasecmp(v, "UID", 3)) {
			if (imapc_next(&sc, &v, &n) != IMAPC_ATOM)
				goto bad;
			uid = parse_num(v, n, &ok);
			if (!ok)
				goto bad;
		} else if (n > 5 && !strncasecmp(v, "BODY[", 5)) {
			t = imapc_next(&sc, &v, &n);
			body = 1;
			if (t == IMAPC_STRING) {
				hdr = v;
				hlen = n;
			} else if (t != IMAPC_NIL) {
				goto bad;
			}
		} else if (imapc_skip_value(&sc, imapc_next(&sc, &v, &n)) < 0) {
			goto bad;
		}
	}
	if (uid < 0 || !body)
		goto out; /* an unsolicited flags update: not an answer */
	if (hlen > HEADER_MAX)
		hlen = HEADER_MAX;
	XGROW(p->mails, p->nmails + 1, p->amails);
	p->mails[p->nmails].uid = uid;
	/* The scanner may point into a quoted-string buffer: copy, NULs
	 * and all (hostile headers may hold them). */
	p->mails[p->nmails].hdr = xmalloc(hlen + 1);
	if (hlen)
		memcpy(p->mails[p->nmails].hdr, hdr, hlen);
	p->mails[p->nmails].hdr[hlen] = '\0';
	p->mails[p->nmails].hlen = hlen;
	p->nmails++;
	goto out;
bad:
	ret = err_set(err, "imap: malformed FETCH reply near byte %zu: "
		      "'%.60s'", sc.pos, r);
out:
	imapc_scan_release(&sc);
	return ret;
}

static void free_mails(struct poll *p)
{
	size_t i;

	for (i = 0; i < p->nmails; i++)
		free(p->mails[i].hdr);
	p->nmails = 0;
}

/* Append a UID set for uids[0..n) (ascending, as SEARCH gives them) to
 * b, runs written as ranges: "1:500,502". */
static void uid_set(struct buf *b, const int64_t *uids, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i = j + 1) {
		for (j = i; j + 1 < n && uids[j + 1] == uids[j] + 1; j++)
			;
		buf_addf(b, "%s%lld", i ? "," : "", (long long)uids[i]);
		if (j > i)
			buf_addf(b, ":%lld", (long long)uids[j]);
	}
}

static int flag_seen(struct poll *p, const int64_t *uids, size_t n,
		     struct hearth_err *err)
{
	struct buf cmd = BUF_INIT;
	int ret;

	if (n == 0)
		return 0;
	buf_addstr(&cmd, "UID STORE ");
	uid_set(&cmd, uids, n);
	buf_addstr(&cmd, " +FLAGS.SILENT (\\Seen)");
	ret = imapc_command(p->c, cmd.s, NULL, NULL, err);
	buf_release(&cmd);
	return ret;
}

static int prepare_all(struct poll *p, struct hearth_err *err)
{
	struct batch_opts bo;
	const struct schema_table *t;
	const char *cols[2], *sensor = p->set->sensor_column;
	const struct schema_column *tc;
	size_t i;
	int ret = -1;

	if (store_create(p->s, ddl, err) < 0 ||
	    store_create(p->s, rejects_ddl, err) < 0 ||
	    store_introspect(p->s, &p->schema, err) < 0)
		goto out;
	t = schema_find_table(&p->schema, p->set->table);
	if (!t || t->internal) {
		err_set(err, "[imap] table '%s' does not exist",
			p->set->table);
		goto out;
	}
	tc = schema_time_column(t, p->set->time_column);
	if (!tc) {
		err_set(err, "[imap] table '%s' has no time column (declare "
			"one TIMESTAMP or set [imap] time_column)", t->name);
		goto out;
	}
	for (i = 0; !sensor && i < t->ncols; i++)
		if (schema_affinity(t->cols[i].type) == AFF_TEXT)
			sensor = t->cols[i].name;
	if (!sensor) {
		err_set(err, "[imap] table '%s' has no TEXT column for the "
			"sensor name (set [imap] sensor_column)", t->name);
		goto out;
	}
	cols[0] = tc->name;
	cols[1] = sensor;
	if (writer_open(&p->w, p->s, &p->schema, t->name, cols, 2, tc->name, 0,
			err) < 0) {
		err_prefix(err, "[imap] table");
		goto out;
	}
	if (store_prepare(p->s, "SELECT 1 FROM hearth_imap_seen WHERE "
			  "mailbox = ? AND uidvalidity = ? AND uid = ?",
			  &p->seen_q, err) < 0 ||
	    store_prepare(p->s, "SELECT 1 FROM hearth_imap_seen WHERE "
			  "message_id = ? LIMIT 1", &p->msgid_q, err) < 0 ||
	    store_prepare(p->s, "INSERT INTO hearth_imap_seen (mailbox, "
			  "uidvalidity, uid, message_id, nrows, stored_at) "
			  "VALUES (?, ?, ?, ?, ?, ?)", &p->seen_ins, err) < 0 ||
	    store_prepare(p->s, "INSERT INTO hearth_rejects (source, ref, "
			  "message_id, subject, reason, first_seen) VALUES "
			  "('imap', ?, ?, ?, ?, ?) ON CONFLICT (source, ref) "
			  "DO NOTHING", &p->rej_ins, err) < 0 ||
	    store_prepare(p->s, "DELETE FROM hearth_rejects WHERE source = "
			  "'imap' AND ref = ?", &p->rej_del, err) < 0)
		goto out;
	memset(&bo, 0, sizeof(bo));
	bo.s = p->s;
	bo.schema = &p->schema;
	bo.max_shapes = 1;
	p->rows = batch_new(&bo);
	ret = 0;
out:
	return ret;
}

static int step_stmt(struct store_stmt *st, struct hearth_err *err)
{
	int rc = store_step(st, err);

	store_reset(st);
	return rc;
}

static int seen_before(struct poll *p, int64_t uid, struct hearth_err *err)
{
	store_bind_text(p->seen_q, 1, p->set->url, strlen(p->set->url));
	store_bind_int(p->seen_q, 2, p->uidvalidity);
	store_bind_int(p->seen_q, 3, uid);
	return step_stmt(p->seen_q, err);
}

/* Store one mail inside the batch's transaction.  Returns 1 when it can
 * be flagged \Seen (stored or a duplicate), 0 when rejected, -1. */
static int store_mail(struct poll *p, const struct mail *m, int64_t now,
		      struct hearth_err *err)
{
	struct buf raw = BUF_INIT, subj = BUF_INIT, mid = BUF_INIT;
	struct buf sensor = BUF_INIT, ref = BUF_INIT;
	struct hearth_err why = HEARTH_ERR_INIT;
	char ts[64], nowts[64];
	int64_t utc = 0;
	int ret = -1, rc, matched = 0;

	/* Asked again inside the transaction: another poller (cron beside
	 * serve) may have stored this mail since the SEARCH. */
	rc = seen_before(p, m->uid, err);
	if (rc != 0)
		return rc;
	buf_init(&raw, HEADER_MAX);
	buf_init(&subj, HEADER_MAX * 2);
	buf_init(&mid, MSGID_MAX);
	timefmt_format(now, TIMEFMT_ISO_Z, nowts, sizeof(nowts));
	buf_addf(&ref, "%s;%lld;%lld", p->set->url, (long long)p->uidvalidity,
		 (long long)m->uid);
	if (mime_header_field(m->hdr, m->hlen, "Message-ID", &mid) < 0)
		buf_reset(&mid); /* absurdly long: treat as absent */
	rc = mime_header_field(m->hdr, m->hlen, "Subject", &raw);
	if (rc <= 0)
		err_set(&why, "no Subject header");
	else if (mime_decode_words(raw.s, raw.len, &subj) < 0)
		err_set(&why, "subject too long");
	else
		matched = subject_match(p->pat, subj.s, subj.len, p->zone,
					&sensor, &utc, &why);

	if (mid.len) {
		store_bind_text(p->msgid_q, 1, mid.s, mid.len);
		rc = step_stmt(p->msgid_q, err);
		if (rc < 0)
			goto out;
		if (rc == 1) {
			p->res->duplicates++;
			matched = -1; /* recorded as seen, no row */
		}
	}
	if (matched == 1) {
		const char *vals[2];
		size_t lens[2];
		struct ingest_row row;
		timefmt_format(utc, TIMEFMT_ISO_Z, ts, sizeof(ts));
		vals[0] = ts;
		lens[0] = strlen(ts);
		vals[1] = sensor.s;
		lens[1] = sensor.len;
		memset(&row, 0, sizeof(row));
		row.vals = vals;
		row.lens = lens;
		row.ncols = 2;
		row.at = m->uid;
		if (batch_row(p->rows, p->w, &row, now, err) < 0)
			goto out;
		p->res->stored++;
	}
	if (matched != 0) {
		store_bind_text(p->seen_ins, 1, p->set->url, strlen(p->set->url));
		store_bind_int(p->seen_ins, 2, p->uidvalidity);
		store_bind_int(p->seen_ins, 3, m->uid);
		if (mid.len)
			store_bind_text(p->seen_ins, 4, mid.s, mid.len);
		else
			store_bind_null(p->seen_ins, 4);
		store_bind_int(p->seen_ins, 5, matched == 1);
		store_bind_text(p->seen_ins, 6, nowts, strlen(nowts));
		store_bind_text(p->rej_del, 1, ref.s, ref.len);
		if (step_stmt(p->seen_ins, err) < 0 ||
		    step_stmt(p->rej_del, err) < 0)
			goto out;
		ret = 1;
		goto out;
	}
	/* Rejected: keep it unread, record it, report it the first time. */
	p->res->rejected++;
	store_bind_text(p->rej_ins, 1, ref.s, ref.len);
	if (mid.len)
		store_bind_text(p->rej_ins, 2, mid.s, mid.len);
	else
		store_bind_null(p->rej_ins, 2);
	store_bind_text(p->rej_ins, 3, buf_cstr(&subj), subj.len);
	store_bind_text(p->rej_ins, 4, why.msg, strlen(why.msg));
	store_bind_text(p->rej_ins, 5, nowts, strlen(nowts));
	if (step_stmt(p->rej_ins, err) < 0)
		goto out;
	if (store_changes(p->s) > 0) {
		size_t at = p->res->log.len;
		/* The Message-ID is the mail's, raw. */
		buf_addf(&p->res->log, "mail uid %lld (%s) left unread: %s: "
			 "\"%.200s\"", (long long)m->uid,
			 mid.len ? mid.s : "no Message-ID", why.msg,
			 buf_cstr(&subj));
		err_one_line(p->res->log.s + at);
		buf_addch(&p->res->log, '\n');
	}
	ret = 0;
out:
	buf_release(&raw);
	buf_release(&subj);
	buf_release(&mid);
	buf_release(&sensor);
	buf_release(&ref);
	return ret;
}

static void step(struct poll *p, const char *name)
{
	if (p->step)
		p->step(name);
}

/* Fetch, store and flag todo[0..n). */
static int do_batch(struct poll *p, const int64_t *todo, size_t n,
		    struct hearth_err *err)
{
	struct buf cmd = BUF_INIT;
	struct uids done = { NULL, 0, 0 };
	struct wtx tx = WTX_INIT;
	int64_t now = timefmt_now();
	size_t i;
	long bad;
	int ret = -1, rc;

	buf_addstr(&cmd, "UID FETCH ");
	uid_set(&cmd, todo, n);
	buf_addstr(&cmd, " (UID BODY.PEEK[HEADER.FIELDS (SUBJECT MESSAGE-ID)])");
	if (imapc_command(p->c, cmd.s, on_fetch, p, err) < 0)
		goto out;
	step(p, "fetched");
	/* Pollers of the same database (cron's beside serve's) queue here,
	 * so that each one's look-ups below see what the one before
	 * stored: by UID and by Message-ID, which spans mailboxes. */
	if (wtx_begin(&tx, p->s, err) < 0 ||
	    store_lock(p->s, "hearth imap", err) < 0)
		goto out;
	for (i = 0; i < p->nmails; i++) {
		rc = store_mail(p, &p->mails[i], now, err);
		if (rc < 0)
			goto out;
		if (rc == 1)
			uids_add(&done, p->mails[i].uid);
	}
	if (wtx_put(&tx, p->rows, &bad, err) < 0)
		goto out;
	step(p, "inserted");
	if (wtx_commit(&tx, err) < 0)
		goto out;
	step(p, "stored");
	if (flag_seen(p, done.v, done.n, err) < 0) {
		err_prefix(err, "stored %zu mails but could not mark them "
			   "read (the next poll will)", done.n);
		goto out;
	}
	step(p, "flagged");
	ret = 0;
out:
	wtx_release(&tx);
	batch_reset(p->rows);
	free_mails(p);
	free(done.v);
	buf_release(&cmd);
	return ret;
}

static int check_uidvalidity(struct poll *p, struct hearth_err *err)
{
	struct store_stmt *st = NULL;
	int rc;

	if (store_prepare(p->s, "SELECT uidvalidity FROM hearth_imap_seen "
			  "WHERE mailbox = ? ORDER BY stored_at DESC LIMIT 1",
			  &st, err) < 0)
		return -1;
	store_bind_text(st, 1, p->set->url, strlen(p->set->url));
	rc = store_step(st, err);
	if (rc == 1 && store_column_int(st, 0) != p->uidvalidity)
		buf_addf(&p->res->log, "UIDVALIDITY of %s changed from %lld "
			 "to %lld: the server renumbered the folder; mails "
			 "are matched by Message-ID so none is stored twice\n",
			 p->set->folder, (long long)store_column_int(st, 0),
			 (long long)p->uidvalidity);
	store_finalize(st);
	return rc < 0 ? -1 : 0;
}

int imap_poll(const struct imap_settings *set, struct store *s,
	      imap_step_fn stepfn, struct imap_result *res,
	      struct hearth_err *err)
{
	struct imapc_opts o;
	struct poll p;
	struct buf cmd = BUF_INIT;
	struct uids todo = { NULL, 0, 0 }, known = { NULL, 0, 0 };
	size_t i;
	int ret = -1, rc;

	memset(&p, 0, sizeof(p));
	p.set = set;
	p.s = s;
	p.res = res;
	p.step = stepfn;
	if (subject_compile(&p.pat, set->subject, err) < 0 ||
	    tz_load(&p.zone, set->timezone, err) < 0 ||
	    prepare_all(&p, err) < 0)
		goto out;

	memset(&o, 0, sizeof(o));
	o.host = set->host;
	o.port = set->port;
	o.tls = set->tls;
	o.starttls = set->starttls;
	o.tls_verify = set->tls_verify;
	o.ca_file = set->ca_file;
	o.timeout_sec = set->timeout_sec;
	if (imapc_connect(&p.c, &o, err) < 0)
		goto out;
	if ((set->oauth2 ? imapc_login_xoauth2(p.c, set->user, set->secret, err)
			 : imapc_login(p.c, set->user, set->secret, err)) < 0)
		goto out;
	buf_addstr(&cmd, "SELECT ");
	if (imapc_mailbox(&cmd, set->folder) < 0) {
		err_set(err, "[imap] url: folder name is not UTF-8 text");
		goto out;
	}
	if (imapc_command(p.c, cmd.s, on_select, &p, err) < 0)
		goto out;
	if (p.uidvalidity <= 0) {
		err_set(err, "imap %s: folder %s has no UIDVALIDITY", set->host,
			set->folder);
		goto out;
	}
	if (check_uidvalidity(&p, err) < 0 ||
	    imapc_command(p.c, "UID SEARCH UNSEEN", on_search, &p, err) < 0)
		goto out;
	res->unseen = p.unseen.n;
	/* One read transaction for all the look-ups, not one lock each. */
	if (store_begin(s, err) < 0)
		goto out;
	for (i = 0; i < p.unseen.n; i++) {
		rc = seen_before(&p, p.unseen.v[i], err);
		if (rc < 0) {
			struct hearth_err ignore;
			store_rollback(s, &ignore);
			goto out;
		}
		uids_add(rc ? &known : &todo, p.unseen.v[i]);
	}
	if (store_commit(s, err) < 0)
		goto out;
	/* Stored by a poll that died before it could flag them. */
	for (i = 0; i < known.n; i += BATCH)
		if (flag_seen(&p, known.v + i,
			      known.n - i < BATCH ? known.n - i : BATCH, err) < 0)
			goto out;
	res->reflagged = known.n;
	for (i = 0; i < todo.n; i += BATCH)
		if (do_batch(&p, todo.v + i,
			     todo.n - i < BATCH ? todo.n - i : BATCH, err) < 0)
			goto out;
	ret = 0;
out:
	buf_reset(&res->summary);
	buf_addf(&res->summary, "%zu new events, %zu duplicates, %zu "
		 "rejected, %zu unread mails", res->stored, res->duplicates,
		 res->rejected, res->unseen);
	imapc_close(p.c);
	free_mails(&p);
	free(p.mails);
	free(p.unseen.v);
	free(todo.v);
	free(known.v);
	store_finalize(p.seen_q);
	store_finalize(p.msgid_q);
	store_finalize(p.seen_ins);
	store_finalize(p.rej_ins);
	store_finalize(p.rej_del);
	batch_free(p.rows);
	writer_free(p.w);
	schema_release(&p.schema);
	subject_pattern_free(p.pat);
	tz_free(p.zone);
	buf_release(&cmd);
	return ret;
}
