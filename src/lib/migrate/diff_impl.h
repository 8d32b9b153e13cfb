/*
 * diff_impl.h - shared by diff.c and diff_table.c (private).
 */
#ifndef HEARTH_DIFF_IMPL_H
#define HEARTH_DIFF_IMPL_H

#include "migrate/diff.h"

/* diff_add_op: a new zeroed op of kind at the end of d. */
struct diff_op *diff_add_op(struct diff *d, enum diff_kind kind);
/* diff_push: append s (taken over) to the list *v of *n strings. */
void diff_push(char ***v, size_t *n, char *s);
void diff_free_list(char **v, size_t n);

/* diff_table: ops turning table a (of model fs) into b (of ts): renames,
 * added columns, or one rebuild.  *rebuilt is set for a rebuild,
 * *renamed_cols when columns are renamed. */
void diff_table(struct diff *d, const struct schema *fs,
		const struct schema *ts, const struct schema_table *a,
		const struct schema_table *b, int *rebuilt, int *renamed_cols);

#endif
