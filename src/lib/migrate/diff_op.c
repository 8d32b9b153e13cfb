/*
 * diff_op.c - the list of schema changes: growing it, freeing it, and the
 * symbol of each change in listings.
 */
#include "migrate/diff_op.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

struct diff_op *diff_add_op(struct diff *d, enum diff_kind kind)
{
	struct diff_op *op;

	d->ops = xreallocarray(d->ops, d->n + 1, sizeof(*op));
	op = &d->ops[d->n++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	return op;
}

void diff_release(struct diff *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		diff_free_list(d->ops[i].copy, d->ops[i].ncopy);
		free(d->ops[i].early);
		free(d->ops[i].why);
	}
	free(d->ops);
	d->ops = NULL;
	d->n = 0;
}

const char *diff_symbol(const struct diff_op *op)
{
	switch (op->kind) {
	case DIFF_CREATE_TABLE:
	case DIFF_ADD_COLUMN:
	case DIFF_CREATE_INDEX:
	case DIFF_CREATE_VIEW:
	case DIFF_CREATE_TRIGGER:
		return "+";
	case DIFF_DROP_TABLE:
	case DIFF_DROP_INDEX:
	case DIFF_DROP_VIEW:
	case DIFF_DROP_TRIGGER:
		return "-";
	case DIFF_RENAME_COLUMN:
		return "?";
	default:
		return "~";
	}
}

void diff_push(char ***v, size_t *n, char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof(char *));
	(*v)[(*n)++] = s;
}

void diff_free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
