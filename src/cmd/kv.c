/*
 * cmd/kv.c - hearth kv get|set|del|list: typed settings and state.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "chart/format.h"
#include "store/kv.h"

static const char help[] =
	"  kv set KEY VALUE [--type T]   store; T is integer, real, text, blob\n"
	"                                (hex) or timestamp; without --type:\n"
	"                                integer, else real, else text\n"
	"  kv get KEY [--json]           print the value (exit 1 if missing);\n"
	"                                --json prints key, type and value\n"
	"  kv del KEY                    delete (exit 1 if missing)\n"
	"  kv list [PREFIX]              keys, types and values\n";

/* JSON keeps the type: numbers bare, text and blobs (hex) as strings. */
static void print_json(const char *key, const struct kv_value *v)
{
	struct buf b = BUF_INIT, val = BUF_INIT;

	kv_value_format(v, &val);
	buf_addstr(&b, "{\"key\":");
	format_json_string(&b, key, strlen(key));
	buf_addf(&b, ",\"type\":\"%s\",\"value\":", kv_type_name(v->type));
	if (v->type == KV_INTEGER || v->type == KV_REAL)
		buf_add(&b, val.s, val.len);
	else
		format_json_string(&b, buf_cstr(&val), val.len);
	buf_addstr(&b, "}\n");
	fwrite(b.s, 1, b.len, stdout);
	buf_release(&b);
	buf_release(&val);
}

static int print_row(void *ctx, const char *key, const struct kv_value *v)
{
	struct buf b = BUF_INIT;

	if (ctx) {
		print_json(key, v);
		return 0;
	}
	kv_value_format(v, &b);
	printf("%s\t%s\t%s\n", key, kv_type_name(v->type), buf_cstr(&b));
	buf_release(&b);
	return 0;
}

int cmd_kv(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hearth_err err = HEARTH_ERR_INIT;
	struct kv_value v = KV_VALUE_INIT;
	enum kv_type type = KV_TEXT;
	const char *verb;
	int c, ret = 1, typed = 0, json = 0, rc;

	while ((c = getopt_long(argc, argv, "t:jh", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (kv_type_parse(optarg, &type) < 0)
				return cmd_usage(ctx, "--type is integer, real, "
						 "text, blob or timestamp");
			typed = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			return cmd_help(ctx, help);
		default:
			return cmd_usage(ctx, NULL);
		}
	}
	if (optind >= argc)
		return cmd_usage(ctx, "want get, set, del or list");
	verb = argv[optind++];
	argc -= optind;
	argv += optind;
	if (!strcmp(verb, "set")) {
		if (argc != 2)
			return cmd_usage(ctx, "kv set KEY VALUE");
		if (kv_value_parse(argv[1], type, !typed, &v, &err) < 0 ||
		    kv_set(ctx->store, argv[0], &v, &err) < 0) {
			cmd_error("kv set %s: %s", argv[0], err.msg);
			goto out;
		}
	} else if (!strcmp(verb, "get")) {
		if (argc != 1)
			return cmd_usage(ctx, "kv get KEY");
		rc = kv_get(ctx->store, argv[0], &v, &err);
		if (rc <= 0) {
			cmd_error("kv get %s: %s", argv[0],
				  rc < 0 ? err.msg : "no such key");
			goto out;
		}
		if (json) {
			print_json(argv[0], &v);
		} else {
			struct buf b = BUF_INIT;
			kv_value_format(&v, &b);
			printf("%s\n", buf_cstr(&b));
			buf_release(&b);
		}
	} else if (!strcmp(verb, "del")) {
		if (argc != 1)
			return cmd_usage(ctx, "kv del KEY");
		rc = kv_del(ctx->store, argv[0], &err);
		if (rc <= 0) {
			cmd_error("kv del %s: %s", argv[0],
				  rc < 0 ? err.msg : "no such key");
			goto out;
		}
	} else if (!strcmp(verb, "list")) {
		if (argc > 1)
			return cmd_usage(ctx, "kv list [PREFIX]");
		if (kv_list(ctx->store, argc ? argv[0] : NULL, print_row,
			    json ? &json : NULL, &err) < 0) {
			cmd_error("kv list: %s", err.msg);
			goto out;
		}
	} else {
		return cmd_usage(ctx, "want get, set, del or list");
	}
	ret = 0;
out:
	kv_value_release(&v);
	return ret;
}
