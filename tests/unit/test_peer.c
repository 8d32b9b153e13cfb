#include "t.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "serve/peer.h"

/* An address from its text, IPv4 or IPv6. */
static struct sockaddr *addr(struct sockaddr_storage *ss, const char *text)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
	} else {
		v6->sin6_family = AF_INET6;
		CHECK(inet_pton(AF_INET6, text, &v6->sin6_addr) == 1);
	}
	return (struct sockaddr *)ss;
}

static int same_client(const char *a, const char *b)
{
	struct sockaddr_storage sa, sb;
	unsigned char ka[PEER_KEY_MAX], kb[PEER_KEY_MAX];
	size_t la = peer_key(addr(&sa, a), ka), lb = peer_key(addr(&sb, b), kb);

	return la && la == lb && !memcmp(ka, kb, la);
}

static void test_clients(void)
{
	struct sockaddr_storage ss;
	unsigned char key[PEER_KEY_MAX];

	/* IPv4: each address. */
	CHECK(same_client("192.168.1.20", "192.168.1.20"));
	CHECK(!same_client("192.168.1.20", "192.168.1.21"));
	/* IPv6: each /64, whatever its last 64 bits. */
	CHECK(same_client("2001:db8:1:2::1", "2001:db8:1:2:a8bb:ccff:fedd:eeff"));
	CHECK(same_client("fe80::1", "fe80::2"));
	CHECK(!same_client("2001:db8:1:2::1", "2001:db8:1:3::1"));
	CHECK(!same_client("::1", "::ffff:127.0.0.1"));
	/* An IPv4 address as a dual-stack socket shows it is that address,
	 * and no other of its /64. */
	CHECK(same_client("::ffff:10.0.0.7", "10.0.0.7"));
	CHECK(!same_client("::ffff:10.0.0.7", "::ffff:10.0.0.8"));
	/* Another family, or none: not a client the limit counts. */
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNIX;
	CHECK_INT(peer_key((struct sockaddr *)&ss, key), 0);
	CHECK_INT(peer_key(NULL, key), 0);
}

static void test_counts(void)
{
	struct peer_counts pc;
	struct sockaddr_storage a, b, c;
	int i;

	peer_counts_init(&pc, 3);
	addr(&a, "2001:db8::1");
	addr(&b, "2001:db8::2"); /* the same /64 */
	addr(&c, "192.0.2.1");
	for (i = 0; i < 2; i++)
		CHECK_INT(peer_add(&pc, (struct sockaddr *)&a, -1), i + 1);
	CHECK(peer_admit(&pc, (struct sockaddr *)&b));
	CHECK_INT(peer_add(&pc, (struct sockaddr *)&b, -1), 3);
	CHECK(!peer_admit(&pc, (struct sockaddr *)&a));
	CHECK(!peer_admit(&pc, (struct sockaddr *)&b));
	CHECK(peer_admit(&pc, (struct sockaddr *)&c));
	CHECK_INT(peer_held(&pc, (struct sockaddr *)&a), 3);
	/* Admitted at the same moment, added after: past the limit. */
	CHECK_INT(peer_add(&pc, (struct sockaddr *)&b, -1), 4);
	peer_remove(&pc, (struct sockaddr *)&b, -1);
	/* A close makes room again; the last one leaves no entry behind. */
	peer_remove(&pc, (struct sockaddr *)&a, -1);
	CHECK(peer_admit(&pc, (struct sockaddr *)&b));
	peer_add(&pc, (struct sockaddr *)&c, -1);
	peer_remove(&pc, (struct sockaddr *)&a, -1);
	peer_remove(&pc, (struct sockaddr *)&b, -1);
	CHECK_INT(peer_held(&pc, (struct sockaddr *)&a), 0);
	CHECK_INT(peer_held(&pc, (struct sockaddr *)&c), 1);
	CHECK_INT(pc.n, 1);
	/* A close of a client with none (never counted) changes nothing. */
	peer_remove(&pc, (struct sockaddr *)&a, -1);
	CHECK_INT(peer_held(&pc, (struct sockaddr *)&c), 1);
	peer_counts_release(&pc);
}

/* A client at its limit that hangs up one connection (closes it, or
 * shuts its side down) and opens another at once is admitted before the
 * server has removed the old one; sockets that are only idle still
 * count.  Real sockets: one end is the server's, the other the client's. */
static void test_hung_up_not_counted(void)
{
	struct peer_counts pc;
	struct sockaddr_storage a;
	int sv[3][2], i, extra[2];

	peer_counts_init(&pc, 3);
	addr(&a, "192.0.2.7");
	for (i = 0; i < 3; i++) {
		CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv[i]), 0);
		CHECK_INT(peer_add(&pc, (struct sockaddr *)&a, sv[i][0]), i + 1);
	}
	CHECK(!peer_admit(&pc, (struct sockaddr *)&a));
	/* Data waiting is not a hang-up. */
	CHECK_INT(write(sv[1][1], "GET", 3), 3);
	CHECK(!peer_admit(&pc, (struct sockaddr *)&a));
	close(sv[0][1]);
	CHECK(peer_admit(&pc, (struct sockaddr *)&a));
	CHECK_INT(peer_held(&pc, (struct sockaddr *)&a), 2);
	CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM, 0, extra), 0);
	CHECK_INT(peer_add(&pc, (struct sockaddr *)&a, extra[0]), 3);
	CHECK(!peer_admit(&pc, (struct sockaddr *)&a));
	/* A shut-down side counts as hung up too. */
	CHECK_INT(shutdown(sv[2][1], SHUT_WR), 0);
	CHECK(peer_admit(&pc, (struct sockaddr *)&a));
	/* The server's close comes later and removes the right one. */
	peer_remove(&pc, (struct sockaddr *)&a, sv[0][0]);
	CHECK_INT(pc.n, 3);
	CHECK_INT(peer_held(&pc, (struct sockaddr *)&a), 2);
	for (i = 0; i < 3; i++) {
		peer_remove(&pc, (struct sockaddr *)&a, sv[i][0]);
		close(sv[i][0]);
		if (i)
			close(sv[i][1]);
	}
	CHECK_INT(peer_held(&pc, (struct sockaddr *)&a), 1);
	peer_remove(&pc, (struct sockaddr *)&a, extra[0]);
	CHECK_INT(pc.n, 0);
	close(extra[0]);
	close(extra[1]);
	peer_counts_release(&pc);
}

/* A connection's socket closed and its number given to a newer one
 * before the server reports the close: the entry names the old client
 * port, the socket now another's, so it is not counted twice. */
static void test_reused_socket_not_counted(void)
{
	struct peer_counts pc;
	struct sockaddr_in l, c;
	socklen_t len = sizeof(l);
	int lfd, cfd, sfd;

	peer_counts_init(&pc, 1);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&l, 0, sizeof(l));
	l.sin_family = AF_INET;
	l.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK_INT(bind(lfd, (struct sockaddr *)&l, sizeof(l)), 0);
	CHECK_INT(listen(lfd, 4), 0);
	CHECK_INT(getsockname(lfd, (struct sockaddr *)&l, &len), 0);
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_INT(connect(cfd, (struct sockaddr *)&l, sizeof(l)), 0);
	sfd = accept(lfd, NULL, NULL);
	len = sizeof(c);
	CHECK_INT(getsockname(cfd, (struct sockaddr *)&c, &len), 0);
	/* the live connection, as it is */
	CHECK_INT(peer_add(&pc, (struct sockaddr *)&c, sfd), 1);
	/* an old one whose number sfd was, from another port: not over
	 * the limit of one, which the live one holds */
	c.sin_port = htons((unsigned short)(ntohs(c.sin_port) ^ 1));
	CHECK_INT(peer_add(&pc, (struct sockaddr *)&c, sfd), 1);
	CHECK(!peer_admit(&pc, (struct sockaddr *)&c));
	/* its late close removes its own entry, not the live one */
	peer_remove(&pc, (struct sockaddr *)&c, sfd);
	CHECK_INT(pc.n, 1);
	CHECK_INT(peer_held(&pc, (struct sockaddr *)&c), 1);
	close(sfd);
	close(cfd);
	close(lfd);
	peer_counts_release(&pc);
}

T_MAIN("peer", T(test_clients), T(test_counts), T(test_hung_up_not_counted),
       T(test_reused_socket_not_counted))
