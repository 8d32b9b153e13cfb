#include "t.h"

#include <stdlib.h>
#include <unistd.h>

#include "serve/token.h"

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static void test_read_trims(void)
{
	char path[] = "/tmp/hearth-token-XXXXXX";
	struct hearth_err err = HEARTH_ERR_INIT;
	char *tok = NULL;
	int fd = mkstemp(path);

	close(fd);
	write_file(path, "  s3cret-token-1 \r\nsecond line ignored\n");
	CHECK_INT(token_read(path, &tok, &err), 0);
	CHECK_STR(tok, "s3cret-token-1");
	free(tok);
	tok = NULL;
	/* Bad files tried: empty, too short, missing. */
	write_file(path, "\n");
	CHECK_INT(token_read(path, &tok, &err), -1);
	CHECK(strstr(err.msg, "empty") != NULL);
	CHECK(tok == NULL);
	write_file(path, "abc\n");
	CHECK_INT(token_read(path, &tok, &err), -1);
	CHECK(strstr(err.msg, "too short") != NULL);
	unlink(path);
	CHECK_INT(token_read(path, &tok, &err), -1);
	CHECK(strstr(err.msg, path) != NULL);
}

static void test_equal(void)
{
	CHECK_INT(token_equal("abcdefgh", "abcdefgh", 8), 1);
	CHECK_INT(token_equal("abcdefgh", "abcdefgX", 8), 0);
	CHECK_INT(token_equal("abcdefgh", "abcdefg", 7), 0);
	CHECK_INT(token_equal("abcdefgh", "abcdefghi", 9), 0);
	/* A prefix repeated to the same length is still wrong. */
	CHECK_INT(token_equal("abcd", "abcdabcd", 8), 0);
	CHECK_INT(token_equal("", "", 0), 0);
}

static void test_authorization(void)
{
	char out[64];

	CHECK_INT(token_from_authorization("Bearer abc123xyz", out, sizeof(out)), 9);
	CHECK_STR(out, "abc123xyz");
	CHECK_INT(token_from_authorization("Token  abc123xyz ", out, sizeof(out)), 9);
	CHECK_STR(out, "abc123xyz");
	/* "user:s3cret-token" in base64 */
	CHECK_INT(token_from_authorization("Basic dXNlcjpzM2NyZXQtdG9rZW4=", out,
					   sizeof(out)), 12);
	CHECK_STR(out, "s3cret-token");
	CHECK_INT(token_from_authorization("Digest abc", out, sizeof(out)), -1);
	CHECK_INT(token_from_authorization("Basic !!!", out, sizeof(out)), -1);
	CHECK_INT(token_from_authorization("Basic dXNlcg==", out, sizeof(out)), -1);
	CHECK_INT(token_from_authorization("Bearer ", out, sizeof(out)), -1);
	CHECK_INT(token_from_authorization("Bearer 0123456789", out, 5), -1);
}

T_MAIN("token", T(test_read_trims), T(test_equal), T(test_authorization))
