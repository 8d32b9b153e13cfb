/*
 * imap.h - motion events from an IMAP mailbox, each stored exactly once.
 *
 * The sources folder owns the pollers and listeners that bring readings
 * in from outside: IMAP (this file, the client imapc.h, mime.h, the
 * subject patterns of subject.h) and WeMo devices over UPnP (wemo.h and
 * the modules it lists); source.h is the table serve runs them from.
 * It may call ingest/, migrate/,
 * chart/, rollup/, store/ and base/; not serve/, which schedules its
 * jobs, nor the commands.
 *
 * One poll: log in, SELECT the folder (its UIDVALIDITY), UID SEARCH
 * UNSEEN, UID FETCH BODY.PEEK[HEADER.FIELDS (SUBJECT MESSAGE-ID)] in
 * batches (PEEK: nothing is marked read yet), then per batch one
 * transaction holding the event rows and a hearth_imap_seen row per mail
 * ((mailbox, UIDVALIDITY, UID) is its key; the Message-ID is kept too),
 * and only after COMMIT `UID STORE +FLAGS.SILENT (\Seen)`.
 *
 * A crash between COMMIT and STORE leaves mails unread that are already
 * stored: the next poll finds them in hearth_imap_seen and only flags
 * them.  A mail whose Message-ID was stored before (a duplicate delivery,
 * or the same mail after a UIDVALIDITY change) adds no row.  A subject
 * that does not match stays unread and is recorded once in hearth_rejects
 * with the reason.
 */
#ifndef HEARTH_IMAP_H
#define HEARTH_IMAP_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/config.h"
#include "base/err.h"
#include "store/store.h"

/* Settings from [imap]; imap_settings_load fills them from cfg. */
struct imap_settings {
	char *url;            /* as configured, for messages and keys */
	char *host, *port, *folder;
	int tls, tls_verify;
	int starttls;         /* IMAPC_STARTTLS_*: [imap] starttls auto|yes|no */
	char *ca_file;
	char *user;
	char *secret;         /* password or OAuth2 token, read from a file */
	int oauth2;
	char *table;          /* target table */
	char *sensor_column;  /* NULL: the first TEXT column */
	char *time_column;    /* NULL: the table's time column */
	char *subject;        /* the pattern */
	char *timezone;       /* NULL: the process's */
	int64_t interval_us;
	int timeout_sec;
};

/* imap_settings_load: read and check [imap]; secrets come from the files
 * named by password_file or oauth2_token_file.  1 when [imap] url is not
 * set (nothing to poll), 0 when loaded, -1 on a bad setting (named). */
int imap_settings_load(struct imap_settings *s, const struct config *cfg,
		       struct hearth_err *err);
void imap_settings_release(struct imap_settings *s);

struct imap_result {
	size_t unseen;      /* unread mails found */
	size_t stored;      /* events stored by this poll */
	size_t duplicates;  /* mails whose Message-ID was stored before */
	size_t reflagged;    /* stored earlier, flagged only now */
	size_t rejected;    /* not matching (new and known) */
	struct buf log;     /* lines for the log: new rejects, UIDVALIDITY
			     * changes; each ends in '\n' */
	struct buf summary; /* "12 new events, ..." */
};

void imap_result_init(struct imap_result *r);
void imap_result_release(struct imap_result *r);

/* Test hook: called at each step of a poll ("fetched", "inserted" (inside
 * the transaction), "stored" (after COMMIT, before STORE), "flagged"). */
typedef void (*imap_step_fn)(const char *step);

/*
 * imap_poll: one poll into store s.  On error the rows committed before
 * it stay, nothing is flagged that was not stored, and err says what
 * failed.
 */
int imap_poll(const struct imap_settings *set, struct store *s,
	      imap_step_fn step, struct imap_result *res,
	      struct hearth_err *err);

/*
 * imap_record_status: write the kv keys poll.imap.time (now),
 * poll.imap.result and poll.imap.error ("" when err is NULL) that the
 * dashboard and /metrics show.
 */
int imap_record_status(struct store *s, const struct imap_result *res,
		       const struct hearth_err *poll_err,
		       struct hearth_err *err);

/*
 * imap_run: load [imap] from cfg, poll into s, record the status in kv.
 * An unset [imap] url is an error here.
 */
int imap_run(const struct config *cfg, struct store *s, imap_step_fn step,
	     struct imap_result *res, struct hearth_err *err);

/* The job (source.h): configure skips when [imap] url is unset; run
 * opens the database itself and polls once.  New rejects and UIDVALIDITY
 * changes are returned as its error line, so serve logs them. */
int imap_job_configure(struct config *cfg, int64_t *interval_us,
		       struct hearth_err *err);
int imap_job_run(struct config *cfg, struct hearth_err *err);

#endif
