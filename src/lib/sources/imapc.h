/*
 * imapc.h - a small IMAP4rev1 client: one connection, one command at a
 * time, every server response read into a capped buffer.
 *
 * Why hand-written and not libcurl: libcurl 7.88 (Debian 12) passes the
 * untagged lines of a CURLOPT_CUSTOMREQUEST command through but drops the
 * literal that follows them, so `UID FETCH ... BODY.PEEK[HEADER.FIELDS
 * (SUBJECT)]` hands back "* 1 FETCH (... {104}" and no subject at all
 * (tests/e2e/test_imap.sh shows it against Dovecot).  Its own FETCH path
 * needs one transfer per message.  libetpan would do, but a poller needs
 * five commands, and this file reads literals ({n} CRLF then n bytes)
 * wherever a response carries them.
 *
 * Responses are handed to callers as raw bytes with literals inline, the
 * way the server sent them; imapc_scan walks them token by token.
 */
#ifndef HEARTH_IMAPC_H
#define HEARTH_IMAPC_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

struct imapc_opts {
	const char *host;
	const char *port;     /* "993", "143", ... */
	int tls;              /* imaps: TLS from the first byte */
	int starttls;         /* imap://: IMAPC_STARTTLS_* */
	int tls_verify;       /* check the certificate and the host name */
	const char *ca_file;  /* NULL: the system's CA store */
	int timeout_sec;      /* per read/write; 0: 60 */
};

/* STARTTLS on imap:// connections.  AUTO: required unless the server is on
 * a loopback address (a test server); YES: always; NO: never (the
 * password then crosses the network in clear). */
enum { IMAPC_STARTTLS_AUTO, IMAPC_STARTTLS_YES, IMAPC_STARTTLS_NO };

struct imapc;

/* imapc_connect: connect, start TLS when asked (before the greeting for
 * imaps, by STARTTLS after it for imap://), read the greeting.  Close
 * with imapc_close. */
int imapc_connect(struct imapc **out, const struct imapc_opts *o,
		  struct hearth_err *err);
/* imapc_close: LOGOUT (best effort) and free. */
void imapc_close(struct imapc *c);

/* imapc_login: AUTHENTICATE PLAIN with user and password. */
int imapc_login(struct imapc *c, const char *user, const char *pass,
		struct hearth_err *err);
/* imapc_login_xoauth2: AUTHENTICATE XOAUTH2 with an OAuth2 bearer token. */
int imapc_login_xoauth2(struct imapc *c, const char *user, const char *token,
			struct hearth_err *err);

/*
 * imapc_command: send "TAG <cmd>" (cmd without CRLF; it must not contain
 * CR or LF) and read responses up to the tagged one.  Each untagged
 * response ("* ...", without the "* " and the final CRLF, literals inline)
 * goes to cb when cb is not NULL; cb returning -1 (with err set) aborts,
 * but the responses are still read to the end so the connection stays in
 * step.  Returns 0 on OK; -1 on NO, BAD, BYE or I/O error, the message
 * naming the command and quoting the server.
 */
int imapc_command(struct imapc *c, const char *cmd,
		  int (*cb)(void *ctx, const char *resp, size_t len,
			    struct hearth_err *err),
		  void *ctx, struct hearth_err *err);

/* imapc_quote: append s as an IMAP quoted string; -1 if s holds CR, LF
 * or NUL (which a quoted string cannot carry). */
int imapc_quote(struct buf *b, const char *s);

/* imapc_mailbox: append a UTF-8 mailbox name as IMAP wants it: modified
 * UTF-7 (RFC 3501 5.1.3), quoted.  -1 on invalid UTF-8 or a line break. */
int imapc_mailbox(struct buf *b, const char *utf8);

/* Scanning a response. */
enum imapc_tok {
	IMAPC_END,    /* nothing left */
	IMAPC_ATOM,   /* atom or number; BODY[...]<n> is one atom */
	IMAPC_STRING, /* quoted (unescaped into the scanner's buffer) or literal */
	IMAPC_NIL,
	IMAPC_LPAREN,
	IMAPC_RPAREN,
	IMAPC_BAD,    /* malformed */
};

struct imapc_scan {
	const char *p;
	size_t len, pos;
	struct buf tmp; /* unescaped quoted strings */
};

void imapc_scan_init(struct imapc_scan *sc, const char *p, size_t len);
void imapc_scan_release(struct imapc_scan *sc);
/* imapc_next: the next token; v and vlen point into the response (or into
 * sc->tmp for a quoted string, valid until the next call). */
enum imapc_tok imapc_next(struct imapc_scan *sc, const char **v, size_t *vlen);
/* imapc_skip_value: skip one value (atom, string, or parenthesised list),
 * given its first token.  -1 on malformed input. */
int imapc_skip_value(struct imapc_scan *sc, enum imapc_tok first);

#endif
