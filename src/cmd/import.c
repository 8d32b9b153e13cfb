/*
 * cmd/import.c - hearth import TABLE [FILE|-]: bulk CSV or line protocol.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "ingest/import.h"
#include "base/timefmt.h"

struct progress {
	const char *name;
	off_t total;  /* bytes, 0 when unknown (a pipe) */
	int64_t start;
	int shown;
};

/* A progress bar on stderr, redrawn in place; only on a terminal. */
static void show_progress(void *ctx, size_t bytes, int64_t rows)
{
	struct progress *p = ctx;
	double secs = (double)(timefmt_now() - p->start) / US_PER_SEC;
	double rate = secs > 0 ? (double)rows / secs : 0;

	p->shown = 1;
	if (p->total > 0) {
		int pct = (int)(100.0 * (double)bytes / (double)p->total), i;
		char bar[31];
		for (i = 0; i < 30; i++)
			bar[i] = i < pct * 30 / 100 ? '#' : '.';
		bar[30] = '\0';
		fprintf(stderr, "\r%s [%s] %3d%% %lld rows, %.0f rows/s ", p->name,
			bar, pct > 100 ? 100 : pct, (long long)rows, rate);
	} else {
		fprintf(stderr, "\r%s: %lld rows, %.0f rows/s ", p->name,
			(long long)rows, rate);
	}
}

static const char help[] =
	"Loads CSV (a header row naming the columns) or InfluxDB line protocol\n"
	"(measurement = TABLE, tags and fields = columns) from FILE or stdin.\n"
	"The format comes from --format, else the file name (.csv, .lp), else\n"
	"the first line.\n\n"
	"  --format csv|lp     input format\n"
	"  --precision P       line protocol timestamps: ns (default), us, ms,\n"
	"                      s, m (minutes), h (hours)\n"
	"  --batch N           rows per transaction (default 50000)\n"
	"  --atomic            one transaction: a bad line stores nothing\n"
	"  --quiet             no progress bar and no summary\n\n"
	"Without --atomic, a bad line stops the import; every row before it is\n"
	"stored, nothing from it on.  The error names the file and line.\n"
	"In a table with a primary key or a unique index, a row whose key is\n"
	"stored already updates that row: a file imported twice stores nothing\n"
	"twice.\n";

int cmd_import(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "precision", required_argument, NULL, 'p' },
		{ "batch", required_argument, NULL, 'b' },
		{ "atomic", no_argument, NULL, 'a' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hearth_err err = HEARTH_ERR_INIT;
	struct import_opts o;
	struct import_result res;
	struct schema schema = SCHEMA_INIT;
	struct progress prog = { NULL, 0, 0, 0 };
	struct ingest_src *src = NULL;
	const char *format = NULL, *file = "-", *name;
	FILE *f = NULL;
	struct stat sb;
	int c, ret = 1, quiet = 0;
	char *end;

	memset(&o, 0, sizeof(o));
	o.batch = 50000;
	o.precision = LP_NS;
	while ((c = getopt_long(argc, argv, "f:p:b:aqh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'p':
			if (lp_parse_precision(optarg, &o.precision) < 0)
				return cmd_usage(ctx, "--precision is ns, us, ms, s, m or h");
			break;
		case 'b':
			o.batch = strtoul(optarg, &end, 10);
			if (*end || o.batch == 0)
				return cmd_usage(ctx, "--batch wants a positive number");
			break;
		case 'a':
			o.atomic = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			return cmd_help(ctx, help);
		default:
			return cmd_usage(ctx, NULL);
		}
	}
	if (argc - optind < 1 || argc - optind > 2)
		return cmd_usage(ctx, "want a table and at most one file");
	o.table = argv[optind];
	o.cfg = ctx->cfg;
	if (argc - optind == 2)
		file = argv[optind + 1];
	name = strcmp(file, "-") ? file : "stdin";

	if (!strcmp(file, "-")) {
		f = stdin;
	} else if (!(f = fopen(file, "r"))) {
		return cmd_error("%s: %m", file);
	}
	src = calloc(1, sizeof(*src));
	if (!src) {
		ret = cmd_error("out of memory");
		goto out;
	}
	ingest_src_file(src, f);
	if (!format) {
		size_t n = strlen(file);
		if (n > 4 && !strcmp(file + n - 4, ".csv"))
			format = "csv";
		else if ((n > 3 && !strcmp(file + n - 3, ".lp")) ||
			 (n > 5 && !strcmp(file + n - 5, ".line")))
			format = "lp";
		else {
			const char *p;
			long avail = ingest_src_peek(src, &p);
			format = ingest_sniff(p, avail > 0 ? (size_t)avail : 0);
		}
	}
	if (!strcmp(format, "csv"))
		o.format = INGEST_CSV;
	else if (!strcmp(format, "lp") || !strcmp(format, "line"))
		o.format = INGEST_LP;
	else {
		ret = cmd_usage(ctx, "--format is csv or lp");
		goto out;
	}
	if (!quiet && isatty(2)) {
		prog.name = name;
		prog.start = timefmt_now();
		if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode))
			prog.total = sb.st_size;
		o.progress = show_progress;
		o.progress_ctx = &prog;
	}
	if (store_introspect(ctx->store, &schema, &err) < 0) {
		cmd_error("%s", err.msg);
		goto out;
	}
	if (import_run(ctx->store, &schema, src, &o, &res, &err) < 0) {
		if (prog.shown)
			fputc('\n', stderr);
		cmd_error("import %s %s: %s (%lld rows before it %s)", o.table,
			  name, err.msg, (long long)res.rows,
			  res.rows ? "stored" : "- nothing stored");
		goto out;
	}
	if (prog.shown)
		fputc('\n', stderr);
	if (!quiet)
		fprintf(stderr, "imported %lld row%s into %s\n",
			(long long)res.rows, res.rows == 1 ? "" : "s", o.table);
	ret = 0;
out:
	if (f && f != stdin)
		fclose(f);
	free(src);
	schema_release(&schema);
	return ret;
}
