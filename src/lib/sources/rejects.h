/*
 * rejects.h - hearth_rejects: what a source received and could not store
 * (a mail whose subject does not match, an MQTT payload that does not fit
 * its mapping), with the reason, so that nothing received is lost
 * unseen.  One row per (source, ref); ref is the source's own name for
 * the input (a mailbox and UID, a topic and arrival time).
 */
#ifndef HEARTH_REJECTS_H
#define HEARTH_REJECTS_H

/* rejects_ddl: creates the table when missing (store_exec). */
extern const char rejects_ddl[];

#endif
