/*
 * checkpointer.h - a thread that copies a SQLite database's write-ahead
 * log into the database file when asked.
 *
 * A checkpoint reads the WAL, writes the database file and syncs both:
 * tens of milliseconds on a disk, more on an SD card.  Run by the request
 * that made the WAL grow, it held back that request's answer and took its
 * client out of the pipeline meanwhile.  This thread does it beside the
 * writers instead, on a connection of its own.
 */
#ifndef HEARTH_CHECKPOINTER_H
#define HEARTH_CHECKPOINTER_H

#include "base/err.h"

struct checkpointer;

/* checkpointer_start: the thread, for the SQLite file at path (opened at
 * the first checkpoint).  Stop with checkpointer_stop. */
int checkpointer_start(struct checkpointer **out, const char *path,
		       struct hearth_err *err);

/* checkpointer_poke: ask for a checkpoint and return at once.  Asking
 * again before it has started asks for nothing more. */
void checkpointer_poke(struct checkpointer *c);

/* checkpointer_stop: let a running checkpoint finish, end the thread,
 * close its connection, free c.  NULL is fine. */
void checkpointer_stop(struct checkpointer *c);

#endif
