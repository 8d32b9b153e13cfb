/* Unit tests for imapc.c: a scripted server on loopback sends literals,
 * split reads, quoted strings and failures; the scanner is checked on its
 * own too. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sources/imapc.h"
#include "t.h"

struct script {
	int lfd;
	const char *const *replies; /* one per command, after the greeting */
	size_t n;
	int split;                  /* send byte by byte */
};

static void send_str(int fd, const char *s, size_t n, int split)
{
	size_t i;

	if (!split) {
		(void)!write(fd, s, n);
		return;
	}
	for (i = 0; i < n; i++)
		(void)!write(fd, s + i, 1);
}

static void *serve(void *arg)
{
	struct script *sc = arg;
	int fd = accept(sc->lfd, NULL, NULL);
	char line[4096];
	size_t i, len;

	if (fd < 0)
		return NULL;
	send_str(fd, "* OK test\r\n", 11, 0);
	for (i = 0; i < sc->n; i++) {
		/* Read one command line. */
		len = 0;
		while (len < sizeof(line) - 1 && read(fd, line + len, 1) == 1)
			if (line[len++] == '\n')
				break;
		if (len == 0)
			break;
		send_str(fd, sc->replies[i], strlen(sc->replies[i]), sc->split);
		if (i + 1 < sc->n && !sc->replies[i + 1])
			break; /* close mid-response */
	}
	close(fd);
	return NULL;
}

static int start(struct script *sc, char *port, size_t portsz, pthread_t *th)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sc->lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(sc->lfd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(sc->lfd, 1) < 0 ||
	    getsockname(sc->lfd, (struct sockaddr *)&a, &al) < 0)
		return -1;
	snprintf(port, portsz, "%d", ntohs(a.sin_port));
	return pthread_create(th, NULL, serve, sc);
}

struct got {
	char resp[8][512];
	size_t len[8];
	int n;
};

static int collect(void *ctx, const char *r, size_t len, struct hearth_err *e)
{
	struct got *g = ctx;

	if (g->n < 8 && len < 512) {
		memcpy(g->resp[g->n], r, len);
		g->len[g->n++] = len;
	}
	return 0;
}

/* The literal holds what looks like a tagged OK and a BYE: a client that
 * reads lines instead of literals would stop early. */
#define LIT "Subject: x\r\nh1 OK fake\r\n* BYE not really\r\n\r\n"

static const char *const fetch_replies[] = {
	"* 1 FETCH (UID 7 BODY[HEADER.FIELDS (SUBJECT)] {45}\r\n" LIT ")\r\n"
	"* 2 FETCH (UID 8 BODY[HEADER.FIELDS (SUBJECT)] \"say \\\"hi\\\"\")\r\n"
	"* 3 FETCH (FLAGS (\\Seen) UID 9 BODY[HEADER.FIELDS (SUBJECT)] NIL)\r\n"
	"* 4 FETCH (UID 10 BODY[HEADER.FIELDS (SUBJECT)] {0}\r\n)\r\n"
	"h1 OK done\r\n",
	"h2 NO [ALERT] not today\r\n",
	"* BYE bye\r\nh3 OK\r\n",
};

static void run_fetch(int split)
{
	struct script sc = { -1, fetch_replies, 3, split };
	struct hearth_err err = HEARTH_ERR_INIT;
	struct imapc_opts o = { .host = "127.0.0.1", .timeout_sec = 5 };
	struct imapc *c = NULL;
	struct got g;
	char port[16];
	pthread_t th;

	memset(&g, 0, sizeof(g));
	CHECK_INT(start(&sc, port, sizeof(port), &th), 0);
	o.port = port;
	CHECK_INT(imapc_connect(&c, &o, &err), 0);
	CHECK_INT(imapc_command(c, "UID FETCH 7:10 (UID BODY.PEEK[HEADER."
			       "FIELDS (SUBJECT)])", collect, &g, &err), 0);
	CHECK_INT(g.n, 4);
	CHECK_INT(g.len[0], strlen("1 FETCH (UID 7 BODY[HEADER.FIELDS "
				   "(SUBJECT)] {45}\r\n" LIT ")"));
	CHECK(g.n == 4 && strstr(g.resp[0], "* BYE not really") != NULL);
	CHECK(g.n == 4 && !strcmp(g.resp[3], "4 FETCH (UID 10 BODY[HEADER."
				  "FIELDS (SUBJECT)] {0}\r\n)"));
	CHECK_INT(imapc_command(c, "NOOP", NULL, NULL, &err), -1);
	CHECK_STR(err.msg, "imap 127.0.0.1: NOOP: NO [ALERT] not today");
	imapc_close(c);
	pthread_join(th, NULL);
	close(sc.lfd);
}

static void test_literals_whole(void)
{
	run_fetch(0);
}

static void test_literals_split_reads(void)
{
	run_fetch(1);
}

static void test_scan(void)
{
	const char r[] = "1 FETCH (UID 7 BODY[HEADER.FIELDS (SUBJECT)] {5}\r\n"
			 "ab)cd FLAGS (\\Seen (x)) X \"q\\\"\" NIL)";
	struct imapc_scan sc;
	const char *v;
	size_t n;

	imapc_scan_init(&sc, r, sizeof(r) - 1);
	CHECK_INT(imapc_next(&sc, &v, &n), IMAPC_ATOM);
	CHECK_INT(imapc_next(&sc, &v, &n), IMAPC_ATOM);
	CHECK_INT(imapc_next(&sc, &v, &n), IMAPC_LPAREN);
	CHECK_INT(imapc_next(&sc, &v, &n), IMAPC_ATOM);
	CHECK_INT(imapc_next(&sc, &v, &n), IMAPC_ATOM);
	CHECK_INT(imapc_next(&sc, &v, &n), IMAPC_ATOM);
	CHECK(n == 29 && !strncmp(v, "BODY[HEADER.FIELDS (SUBJECT)]", 29));
	CHECK_INT(imapc_next(&sc, &v, &n), IMAPC_STRING);
	CHECK(n == 5 && !memcmp(v, "ab)cd", 5));
	CHECK_INT(imapc_next(&sc, &v, &n), IMAPC_ATOM);
	CHECK_INT(imapc_skip_value(&sc, imapc_next(&sc, &v, &n)), 0);
	CHECK_INT(imapc_next(&sc, &v, &n), IMAPC_ATOM);
	CHECK_INT(imapc_next(&sc, &v, &n), IMAPC_STRING);
	CHECK(n == 2 && !memcmp(v, "q\"", 2));
	CHECK_INT(imapc_next(&sc, &v, &n), IMAPC_NIL);
	CHECK_INT(imapc_next(&sc, &v, &n), IMAPC_RPAREN);
	CHECK_INT(imapc_next(&sc, &v, &n), IMAPC_END);
	imapc_scan_release(&sc);

	/* Malformed: a literal longer than what is there, an open quote,
	 * an unclosed list. */
	imapc_scan_init(&sc, "{9}\r\nab", 7);
	CHECK_INT(imapc_next(&sc, &v, &n), IMAPC_BAD);
	imapc_scan_release(&sc);
	imapc_scan_init(&sc, "\"abc", 4);
	CHECK_INT(imapc_next(&sc, &v, &n), IMAPC_BAD);
	imapc_scan_release(&sc);
	imapc_scan_init(&sc, "(a (b)", 6);
	CHECK_INT(imapc_skip_value(&sc, imapc_next(&sc, &v, &n)), -1);
	imapc_scan_release(&sc);
}

static const char *const bad_replies[] = {
	"* 1 FETCH (BODY[] {99999999999}\r\nxx\r\nh1 OK\r\n",
};
static const char *const cut_replies[] = {
	"* 1 FETCH (BODY[] {100}\r\nonly a little",
	NULL,
};

static void test_bad_servers(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct imapc_opts o = { .host = "127.0.0.1", .timeout_sec = 5 };
	struct script sc = { -1, bad_replies, 1, 0 };
	struct imapc *c = NULL;
	char port[16];
	pthread_t th;

	CHECK_INT(start(&sc, port, sizeof(port), &th), 0);
	o.port = port;
	CHECK_INT(imapc_connect(&c, &o, &err), 0);
	CHECK_INT(imapc_command(c, "FETCH 1 BODY[]", NULL, NULL, &err), -1);
	CHECK(strstr(err.msg, "literal too large") != NULL);
	imapc_close(c);
	pthread_join(th, NULL);
	close(sc.lfd);

	sc.replies = cut_replies;
	sc.n = 2;
	CHECK_INT(start(&sc, port, sizeof(port), &th), 0);
	CHECK_INT(imapc_connect(&c, &o, &err), 0);
	CHECK_INT(imapc_command(c, "FETCH 1 BODY[]", NULL, NULL, &err), -1);
	CHECK(strstr(err.msg, "read failed: connection closed") != NULL);
	imapc_close(c);
	pthread_join(th, NULL);
	close(sc.lfd);

	/* The server is gone now: a clear error. */
	CHECK_INT(imapc_connect(&c, &o, &err), -1); /* nobody listens now */
	CHECK(strstr(err.msg, "cannot connect") != NULL);
}

static void test_mailbox_names(void)
{
	struct buf b = BUF_INIT;

	CHECK_INT(imapc_mailbox(&b, "Motion"), 0);
	CHECK_STR(b.s, "\"Motion\"");
	buf_reset(&b);
	/* RFC 3501's own example, an ampersand, a quote, a non-BMP char. */
	CHECK_INT(imapc_mailbox(&b, "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/"
				 "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"), 0);
	CHECK_STR(b.s, "\"~peter/mail/&U,BTFw-/&ZeVnLIqe-\"");
	buf_reset(&b);
	CHECK_INT(imapc_mailbox(&b, "A&B \"K\xc3\xbc\x63he\" \xf0\x9f\x8f\xa0"), 0);
	CHECK_STR(b.s, "\"A&-B \\\"K&APw-che\\\" &2Dzf4A-\"");
	buf_reset(&b);
	/* Bad inputs tried: a lone continuation byte, an overlong form, a
	 * truncated sequence, a line break. */
	CHECK_INT(imapc_mailbox(&b, "a\x80"), -1);
	CHECK_INT(imapc_mailbox(&b, "\xc0\xaf"), -1);
	CHECK_INT(imapc_mailbox(&b, "\xe6\x97"), -1);
	CHECK_INT(imapc_mailbox(&b, "a\nb"), -1);
	buf_release(&b);
}

static const char *const nostarttls_replies[] = {
	"h1 BAD unknown command\r\n",
};
static const char *const inject_replies[] = {
	"h1 OK begin TLS\r\n* 1 EXISTS\r\n",
};

static void test_starttls_required(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct imapc_opts o = { .host = "127.0.0.1", .timeout_sec = 5,
				.starttls = IMAPC_STARTTLS_YES };
	struct script sc = { -1, nostarttls_replies, 1, 0 };
	struct imapc *c = NULL;
	char port[16];
	pthread_t th;

	/* A server without STARTTLS: no login in clear. */
	CHECK_INT(start(&sc, port, sizeof(port), &th), 0);
	o.port = port;
	CHECK_INT(imapc_connect(&c, &o, &err), -1);
	CHECK(strstr(err.msg, "STARTTLS: TLS is required") != NULL);
	pthread_join(th, NULL);
	close(sc.lfd);
	/* Plaintext sent right behind the OK would pass as TLS data. */
	sc.replies = inject_replies;
	CHECK_INT(start(&sc, port, sizeof(port), &th), 0);
	CHECK_INT(imapc_connect(&c, &o, &err), -1);
	CHECK(strstr(err.msg, "injected before STARTTLS") != NULL);
	pthread_join(th, NULL);
	close(sc.lfd);
}

T_MAIN("imapc", T(test_starttls_required), T(test_mailbox_names), T(test_literals_whole), T(test_literals_split_reads),
       T(test_scan), T(test_bad_servers))
